"""Cutting a long bot answer into messages a chat platform accepts, at the coarsest boundary
that fits: paragraphs (blank lines) stay together when possible; only a paragraph that is
itself too long is broken at lines, then (where the channel wants it) sentences, then words;
a single word longer than a message (a huge URL) is cut where it still fits.

Each channel says what fits (Telegram measures the escaped HTML in UTF-16 units, Zalo counts
characters) and which boundaries it uses.
"""

from __future__ import annotations

import re
from typing import Callable, List, Sequence, Tuple

Separator = Tuple["re.Pattern[str]", str]  # (pattern, joiner)
PARAGRAPHS: Separator = (re.compile(r"\n[ \t]*\n+"), "\n\n")
LINES: Separator = (re.compile(r"\n"), "\n")
SENTENCES: Separator = (re.compile(r"(?<=[.!?…])[ \t]+"), " ")
WORDS: Separator = (re.compile(r"[ \t]+"), " ")

Fits = Callable[[str], bool]


def _hard_cut(piece: str, fits: Fits, limit: int) -> List[str]:
    """Last resort for one unbreakable run (e.g. a huge URL): cut where it still fits."""
    chunks = []
    while piece and not fits(piece):
        cut = min(len(piece), limit)
        while cut > 1 and not fits(piece[:cut]):
            cut -= max(1, cut // 20)
        chunks.append(piece[:cut])
        piece = piece[cut:]
    return chunks + ([piece] if piece else [])


def _split_at(text: str, fits: Fits, limit: int, separators: Sequence[Separator],
              level: int) -> List[str]:
    """Greedily pack the parts of one separator level; recurse for parts still too long."""
    if fits(text):
        return [text]
    if level >= len(separators):
        return _hard_cut(text, fits, limit)
    pattern, joiner = separators[level]
    chunks: List[str] = []
    current = ""
    for part in pattern.split(text):
        if not part.strip():
            continue
        if not fits(part):
            chunks.extend([current] if current else [])
            chunks.extend(_split_at(part, fits, limit, separators, level + 1))
            current = ""
            continue
        candidate = f"{current}{joiner}{part}" if current else part
        if fits(candidate):
            current = candidate
        else:
            chunks.append(current)
            current = part
    return chunks + ([current] if current else [])


def split_text(text: str, fits: Fits, limit: int,
               separators: Sequence[Separator] = (PARAGRAPHS, LINES, WORDS)) -> List[str]:
    """Chunks of `text` that each `fits` one message (`limit`: the platform's length, where a
    hard cut starts looking), cut at the coarsest of `separators` that works."""
    return [chunk.strip() for chunk in _split_at(text.strip(), fits, limit, separators, 0)
            if chunk.strip()]
