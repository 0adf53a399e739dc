"""Telegram's rules for what the bot sends, as strict as Telegram: its HTML (what a client shows,
or "can't parse entities"), keyboards (what it refuses), and how a terminal shows both. Part of
the fake Telegram (bot/fake_telegram.py) that `pbbot console` and the tests' emulator share."""

from __future__ import annotations

import html
import re
from typing import Any

JSON = dict[str, Any]


class BadRequest(ValueError):
    """What Telegram answers with 400 "Bad Request: <text>"."""


# ---------------------------------------------------------------------------------------
# Telegram HTML, parsed as strictly as Telegram does.

# Telegram's HTML tags and the ANSI codes that switch their style on and off in a terminal.
_STYLES: dict[str, tuple[str, str]] = {
    "b": ("1", "22"),
    "strong": ("1", "22"),
    "i": ("3", "23"),
    "em": ("3", "23"),
    "u": ("4", "24"),
    "ins": ("4", "24"),
    "s": ("9", "29"),
    "strike": ("9", "29"),
    "del": ("9", "29"),
    "a": ("4", "24"),
    "code": ("36", "39"),
    "pre": ("36", "39"),
    "span": ("7", "27"),
    "tg-spoiler": ("7", "27"),
    "tg-emoji": ("", ""),
    "blockquote": ("2", "22"),
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>")
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _sgr(code: str, ansi: bool) -> str:
    return f"\x1b[{code}m" if ansi and code else ""


def _refused(why: str) -> BadRequest:
    return BadRequest(f"can't parse entities: {why}")


def html_to_text(text: str, *, ansi: bool = False, links: bool = True) -> str:
    """The text a Telegram client shows for `text` sent with parse_mode HTML; with `ansi`, styled
    for a terminal; with `links`, each link's address after its words (a terminal cannot hide it).

    Raises BadRequest with Telegram's wording when Telegram would reject the markup."""
    out: list[str] = []
    stack: list[tuple[str, str | None, int]] = []  # tag, href, where its text starts in `out`
    pos = 0

    # Where a refused tag starts, in bytes as Telegram counts: worked out only for the error (each
    # tag's prefix encoded again made a long message's check quadratic; the tests' emulator and
    # the in-process benches check every message the bot sends).
    def offset() -> int:
        return len(text[:start].encode())

    while (start := text.find("<", pos)) >= 0:
        out.append(html.unescape(text[pos:start]))
        match = _TAG.match(text, start)
        if match is None:  # a bare "<" (unescaped user input) is the classic failure
            bare = re.match(r"</?([^\s>]*)", text[start:])
            raise _refused(f'Unsupported start tag "{bare.group(1) if bare else ""}" at byte offset {offset()}')
        closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3) or ""
        if name not in _STYLES:
            raise _refused(f'Unsupported {"end" if closing else "start"} tag "{name}" at byte offset {offset()}')
        if not closing:
            if name == "span" and "tg-spoiler" not in attributes:
                raise _refused(f'Tag "span" must have class "tg-spoiler" at byte offset {offset()}')
            link = _HREF.search(attributes) if attributes else None
            stack.append((name, (link.group(1) or link.group(2)) if link else None, len(out) + 1))
            out.append(_sgr(_STYLES[name][0], ansi))
        elif not stack or stack[-1][0] != name:
            expected = f'"</{stack[-1][0]}>"' if stack else "nothing"
            raise _refused(f'Unmatched end tag at byte offset {offset()}, expected {expected}, found "</{name}>"')
        else:
            _, href, begins = stack.pop()
            out.append(_sgr(_STYLES[name][1], ansi))
            if links and href and href != _ANSI.sub("", "".join(out[begins:-1])):
                out.append(f" ({href})")
        pos = match.end()
    if stack:
        raise _refused(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    out.append(html.unescape(text[pos:]))
    return "".join(out)


def as_text(text: str, parse_mode: str | None, *, ansi: bool = False, links: bool = True) -> str:
    """What a Telegram client shows; the bot sends HTML or plain text, nothing else."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return html_to_text(text, ansi=ansi, links=links)
    if mode:
        raise BadRequest("unsupported parse_mode")  # MarkdownV2 is not modelled: the bot never uses it
    return text


def keyboard_rows(markup: JSON | None) -> list[list[JSON]]:
    """Rows of button dicts of an inline or reply keyboard (a reply button may be a bare string)."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [[b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows]


def check_markup(markup: Any) -> JSON | None:
    """Refuse keyboards Telegram refuses; the markup as a dict."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise BadRequest("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not set(button) - {"text", "style", "icon_custom_emoji_id"}:
                raise BadRequest(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise BadRequest("BUTTON_DATA_INVALID")
    return markup
