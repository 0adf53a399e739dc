"""Free text a resident types: titles, summaries, descriptions, places in words.

Decisions worth knowing (pinned by ``tests/unit/test_fields_text.py``):

* Lengths are counted in Unicode code points after :func:`clean_text`,
  which is what a database ``VARCHAR(n)`` counts.  An emoji flag counts 2.
* HTML is kept verbatim: "<b>" in a title is text, and escaping it is the
  renderer's job.  Stripping tags would mangle honest text like "3 < 5".
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from campaign.fields.errors import FieldError

# Windows, old-Mac and Unicode line breaks all mean "new line" to a resident.
_LINE_BREAKS: Final = re.compile("\r\n|[\r\x85\u2028\u2029]")

# Invisible format characters that carry no meaning in a proposal but can
# hide text or reorder it on screen (bidi overrides are a spoofing vector).
# ZWJ/ZWNJ are deliberately kept: emoji sequences and several scripts need them.
_INVISIBLE: Final = frozenset(
    "\u200b\u2060\ufeff"  # zero-width space, word joiner, BOM
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings / overrides
    "\u2066\u2067\u2068\u2069"  # bidi isolates
)

SPACE_RUN: Final = re.compile(" {2,}")


def clean_text(text: str | None) -> str:
    """Normalise what a resident typed.

    NFC, strip, collapse runs of spaces/tabs to one space, at most one blank
    line between paragraphs, no control characters except ``\\n``.
    ``None`` (a sticker or photo has no text) becomes ``""``.  Idempotent.
    """
    if text is None:
        return ""
    text = _LINE_BREAKS.sub("\n", str(text))

    kept: list[str] = []
    for ch in text:
        if ch == "\n":
            kept.append(ch)
            continue
        category = unicodedata.category(ch)
        if ch == "\t" or category == "Zs":
            # All space flavours (no-break, narrow, ideographic, ...) become
            # a plain space so that "only spaces" really is empty.
            kept.append(" ")
        elif category in ("Cc", "Cs") or ch in _INVISIBLE:
            # Lone surrogates (Cs) cannot be encoded to UTF-8 and would crash
            # the database driver or the Telegram API call later on.
            continue
        else:
            kept.append(ch)

    paragraphs: list[str] = []
    previous_blank = True  # also drops leading blank lines
    for raw_line in "".join(kept).split("\n"):
        line = SPACE_RUN.sub(" ", raw_line).strip(" ")
        if not line:
            if not previous_blank:
                paragraphs.append("")
            previous_blank = True
            continue
        paragraphs.append(line)
        previous_blank = False
    while paragraphs and not paragraphs[-1]:
        paragraphs.pop()

    # NFC last: removing an invisible character can bring a base letter and
    # a combining mark together, and normalising earlier would then leave a
    # decomposed pair behind (breaking idempotence).  NFC never creates
    # spaces, newlines or control characters, so the layout above survives.
    return unicodedata.normalize("NFC", "\n".join(paragraphs))


def _check_length(text: str, min_length: int, max_length: int) -> str:
    if min_length > max_length:
        # Campaign misconfiguration: no resident input could ever pass.
        raise ValueError(f"min_length {min_length} > max_length {max_length}")
    if not text:
        raise FieldError("empty")
    length = len(text)
    if length < min_length:
        raise FieldError("too_short", {"min": min_length, "length": length})
    if length > max_length:
        raise FieldError("too_long", {"max": max_length, "length": length})
    return text


def single_line(text: str) -> str:
    return SPACE_RUN.sub(" ", text.replace("\n", " "))


def parse_title(text: str | None, *, min_length: int = 5, max_length: int = 80) -> str:
    """A proposal title: one line (newlines become spaces)."""
    return _check_length(single_line(clean_text(text)), min_length, max_length)


def parse_summary(text: str | None, *, min_length: int = 20, max_length: int = 300) -> str:
    """A short summary; paragraphs are kept."""
    return _check_length(clean_text(text), min_length, max_length)


def parse_description(text: str | None, *, min_length: int = 50, max_length: int = 3000) -> str:
    """The full description; paragraphs are kept.

    Telegram caps one message at 4096 characters, so the default maximum is
    below what a resident can send and ``too_long`` is reachable.
    """
    return _check_length(clean_text(text), min_length, max_length)


def parse_location_text(text: str | None, *, min_length: int = 3, max_length: int = 200) -> str:
    """A place described in words ("behind the school, rue Haute").

    Shown inline next to a pin, so it is one line: an address typed over
    several lines becomes "line 1, line 2".
    """
    lines = [line.rstrip(" ,;") for line in clean_text(text).split("\n")]
    joined = ", ".join(line for line in lines if line)
    return _check_length(joined, min_length, max_length)
