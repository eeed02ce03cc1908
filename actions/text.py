"""Normalisation of Vietnamese text as citizens type it.

Matching works on a folded form: lower case, no diacritics, đ→d, no punctuation, single
spaces, chat abbreviations expanded. Folding merges some words (phí/phi, tư/tử); the
intent model sees the raw text, so only alias and keyword matching relies on this.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import AbstractSet

# Telex/VNI keyboards sometimes leave a tone digit after a letter ("ly1 lich5").
_VNI_DIGIT = re.compile(r"(?<=[a-z])[1-9](?=\s|$)")
_NON_WORD = re.compile(r"[^a-z0-9]+")

# Chat spellings of everyday words (from how-citizens-write.md), applied after folding.
_CHAT_WORDS = {
    "ko": "khong", "k": "khong", "hok": "khong", "hong": "khong", "khum": "khong",
    "dc": "duoc", "duoc": "duoc", "bn": "bao nhieu", "bnhiu": "bao nhieu", "bnhieu": "bao nhieu",
    "bnh": "bao nhieu", "dkkh": "dang ky ket hon",
    "nhiu": "nhieu", "j": "gi", "z": "vay", "v": "vay", "sv": "sinh vien", "h": "gio",
    # A dropped "n" of a final "ng" ("đăg kí", "khôg"): no Vietnamese syllable ends in a bare
    # g, so these can only be the "ng" words. Listed, not a rule: English words end so too.
    "dag": "dang", "khog": "khong", "cug": "cung", "nhug": "nhung", "trog": "trong",
    "thag": "thang",
    # Southern "xài" is "dùng" (use): "xài được bao lâu" asks the validity as "dùng được" does.
    "xai": "dung",
    # "qt" is how chat writes quốc tịch, as "ct" is chứng thực ("trở lại qt", "thôi qt").
    "qt": "quoc tich",
    # "ls" is luật sư ("thuê ls bào chữa", "đoàn ls").
    "ls": "luat su",
}


def strip_diacritics(text: str) -> str:
    """'Lý lịch tư pháp' -> 'Ly lich tu phap' (đ/Đ become d/D)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


# No Vietnamese syllable ends in a doubled consonant: "lụcc", "việtt" are a key held too long.
# Only c, t, m, n (p would turn "app" into "ấp", a hamlet), and not in two-letter chat words
# ("tt" is thủ tục).
_DOUBLED_END = re.compile(r"(?<=[a-z])([ctmn])\1$")


# The catalog's names, aliases and answer units are folded again for every message; a
# profile of the action server put folding at a third of its CPU per message. Folding is a
# pure function of the text, so the results are kept (a bounded number: messages vary).
@functools.lru_cache(maxsize=32768)
def fold(text: str) -> str:
    """The form used for matching: lower case, unaccented, words separated by one space."""
    folded = strip_diacritics(text.lower())
    folded = _VNI_DIGIT.sub("", folded)
    folded = _NON_WORD.sub(" ", folded)
    words = [_CHAT_WORDS.get(word, word) for word in folded.split()]
    return " ".join(y_as_i(_DOUBLED_END.sub(r"\1", word)) for word in words)


# Vietnamese writes a final i or y after a consonant either way (lý/lí, ký/kí, Mỹ/Mĩ): both
# fold to i, so "trợ giúp pháp lí" names "trợ giúp pháp lý".
_Y_AS_I = re.compile(r"(?<=[bcdghklmnpqrstvx])y$")


def y_as_i(word: str) -> str:
    return _Y_AS_I.sub("i", word)


# Telex keys left in a word ("lys lichj tuw phaps giowf ai caasp"): a tone key (s f r x j) at
# the end or just before a final consonant, and the vowel keys (w, a doubled a/e/o, dd). No
# Vietnamese syllable has them, so in a Vietnamese message they can only be keys.
_TELEX_TONE = re.compile(r"(?<=[a-z])[sfrxj]$|(?<=[aeiouy])[sfrxj](?=(?:c|ch|m|n|ng|nh|p|t)$)")
_TELEX_MARK = re.compile(r"(?<=[aeiou])w|(?<=a)a|(?<=e)e|(?<=o)o|(?<=d)d")


def untelex(word: str) -> str:
    """One folded word without its Telex keys, final y as i, as fold() writes words."""
    if len(word) > 2:
        word = _TELEX_TONE.sub("", word)
    word = _TELEX_MARK.sub("", word)
    return y_as_i(word)


def telex_repaired(text: str, english_words: AbstractSet[str]) -> str:
    """The message without Telex keys, when at least two of its words carry them and fewer
    are English ("see", "tax" look like keys; "do", "an" are also Vietnamese): "lys lichj tuw
    phaps giowf ai caasp" becomes "li lich tu phap gio ai cap". Otherwise the text unchanged."""
    words = fold(text).split()
    english = sum(word in english_words for word in words)
    keyed = [word for word in words if word not in english_words and untelex(word) != word]
    if len(keyed) < 2 or english >= max(2, len(keyed)):
        return text
    return " ".join(word if word in english_words else untelex(word) for word in words)


def contains_phrase(folded_text: str, folded_phrase: str) -> bool:
    """Whole-word containment, so 'ks' does not match inside 'ksa'."""
    return f" {folded_phrase} " in f" {folded_text} "


# "còn X thì sao", "thế còn X", "X thì sao": the citizen asks the previous question again.
_FOLLOW_UP = re.compile(r"^(the |vay )?con |\bthi sao\b|\bthi the nao\b|"
                        r"^(and|what about|how about|and for|and what about|what if|and if) ")
# "à không, tôi hỏi X chứ", "nhầm, X", "lộn, ý là X", "ý tôi là X", "không phải A mà là X":
# the citizen corrects which procedure the previous question was about.
_CORRECTION = re.compile(
    r"^(a khong\b|ah khong\b|khong khong\b|nham\b|lon\b|xin loi\b|sorry\b|y la\b)"
    r"|\b(y toi la|y em la|y minh la|y la|toi hoi|em hoi|minh hoi|toi dinh hoi|em dinh hoi|"
    r"toi muon hoi|em muon hoi|khong phai .{1,60} ma la|go nham|hoi nham|hoi lon|i mean|"
    r"i meant)\b")


def is_follow_up(text: str) -> bool:
    return bool(_FOLLOW_UP.search(fold(text)))


def is_correction(text: str) -> bool:
    folded = fold(text)
    return bool(_CORRECTION.search(folded)) and len(folded.split()) <= 20
