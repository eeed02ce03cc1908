"""Which language a message is written in: Vietnamese (with or without diacritics) or English.

Off-the-shelf identifiers were tried and rejected: py3langid (0.2.x; 0.4 needs numpy 2, which
Rasa 3.6's pins exclude) labels unaccented Vietnamese such as "lam ly lich tu phap o dau" as
English with certainty, and half of our citizens type without diacritics. Telling the two
apart needs only their function words, which this module counts. A message with neither
("ok", "lltp") is left undecided, so the conversation's language stands.
"""

from __future__ import annotations

import re
from typing import Optional

from actions.text import strip_diacritics

VI, EN = "vi", "en"
_WORD = re.compile(r"[a-zA-Z']+")
_VIETNAMESE_LETTER = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]",
                                re.IGNORECASE)
ENGLISH = set("""
a an the is are was were be been am do does did have has had i me my mine you your we our they
their he she his her it its what which who whom whose where when why how much many long can could
would should will shall may might must need needs want wants get got apply applying application
for to of in on at by from with without about into and or but not no yes please thanks thank
hello hi hey dear sir madam there here this that these those if than then so also too very
fee fees cost costs price pay paid free documents document papers paper passport certificate
record records criminal police clearance judicial office offices hours open working days day
take takes month months year years foreigner foreigners foreign citizen citizens vietnamese
marry married marriage wife husband child children adopt adoption birth death copy copies
certified certify signature translation translator lawyer notary legal aid help online post
mail send receive deliver delivered valid validity expire expires form forms download where's
what's how's i'm i've don't can't doesn't isn't work permit visa residence card nationality
naturalisation naturalization citizenship register registration status single sorry
mean meant just still new law rule rules change changed difference between which one
""".split())
VIETNAMESE = set("""
la lam o dau bao nhieu lau khong ko k hok dc duoc cho hoi em e toi minh thu tuc giay xin phi le
nop gi j sao the nao ntn ah a nha nhe vay v z ad oi chi anh ban cua va voi ve can co roi thi
mat may ngay tien gio tai nguoi nuoc ngoai phieu ly lich tu phap chung thuc ho tich khai sinh
ket hon quoc tich nuoi con tro giup phap ly sao y ban chinh ubnd xa phuong so cong an huong dan
muon biet duoc khong a oi chao cam on nhieu bn bnhiu j gi dk dki dang ky tho
""".split())


def detect(text: str) -> Optional[str]:
    """'vi', 'en', or None when the words do not tell."""
    words = [w.lower() for w in _WORD.findall(strip_diacritics(text or ""))]
    if not words:
        return None
    english = sum(w in ENGLISH for w in words)
    vietnamese = sum(w in VIETNAMESE and w not in ENGLISH for w in words)
    if _VIETNAMESE_LETTER.search(text or ""):
        return EN if english >= 3 and english > 2 * (vietnamese + 1) else VI
    if english >= 2 and english > vietnamese:
        return EN
    if english == 1 and vietnamese == 0 and len(words) <= 3:
        return EN
    if vietnamese:
        return VI
    return None
