"""How `pbbot console` shows what the bot sends: Telegram HTML as terminal text, keyboards as
numbered buttons. The parser is as strict as Telegram's, so HTML that Telegram would refuse
("can't parse entities") fails in the console too instead of looking fine."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]

# Telegram's HTML tags and the ANSI codes that switch their style on and off.
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


def html_to_text(text: str, *, ansi: bool = False) -> str:
    """The text a Telegram client shows for `text` sent with parse_mode HTML.

    Raises ValueError with Telegram's wording when Telegram would reject the markup."""
    out: list[str] = []
    stack: list[tuple[str, str | None, int]] = []  # tag, href, where its text starts in `out`
    pos = 0
    while (start := text.find("<", pos)) >= 0:
        out.append(html.unescape(text[pos:start]))
        offset = len(text[:start].encode())
        match = _TAG.match(text, start)
        if match is None:
            raise ValueError(f"can't parse entities: unsupported start tag at byte offset {offset}")
        closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3) or ""
        if name not in _STYLES:
            raise ValueError(
                f'can\'t parse entities: unsupported {"end" if closing else "start"} tag "{name}" at byte offset {offset}'
            )
        if not closing:
            href = _HREF.search(attributes)
            stack.append((name, (href.group(1) or href.group(2)) if href else None, len(out) + 1))
            out.append(_sgr(_STYLES[name][0], ansi))
        elif not stack or stack[-1][0] != name:
            raise ValueError(f'can\'t parse entities: unmatched end tag "</{name}>" at byte offset {offset}')
        else:
            _, href, begins = stack.pop()
            shown = _ANSI.sub("", "".join(out[begins:]))
            out.append(_sgr(_STYLES[name][1], ansi))
            if href and href != shown:
                out.append(f" ({href})")  # a terminal cannot hide the address behind the words
        pos = match.end()
    if stack:
        raise ValueError(f"can't parse entities: can't find end tag corresponding to start tag \"{stack[-1][0]}\"")
    out.append(html.unescape(text[pos:]))
    return "".join(out)


def as_text(text: str, parse_mode: str | None, *, ansi: bool = False) -> str:
    return html_to_text(text, ansi=ansi) if (parse_mode or "").lower() == "html" else text


def keyboard_rows(markup: JSON | None) -> list[list[JSON]]:
    """Rows of button dicts of an inline or reply keyboard (a reply button may be a bare string)."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [[b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows]


def flat_buttons(markup: JSON | None) -> list[JSON]:
    """Buttons in the order the console numbers them: row by row, left to right."""
    return [button for row in keyboard_rows(markup) for button in row]


def _hint(button: JSON) -> str:
    if button.get("request_contact"):
        return " (shares your phone number)"
    if button.get("request_location"):
        return " (sends a map pin: use :location LAT LON)"
    if button.get("url"):
        return f" → {button['url']}"
    others = [k for k in button if k not in ("text", "callback_data", "style", "icon_custom_emoji_id")]
    return f" ({others[0]}: not available in the console)" if others else ""


def keyboard_lines(markup: JSON | None) -> list[str]:
    """`[1] 📝 Propose a project   [2] ...`, one line per row."""
    lines: list[str] = []
    number = 0
    for row in keyboard_rows(markup):
        cells = []
        for button in row:
            number += 1
            cells.append(f"[{number}] {button.get('text', '')}{_hint(button)}")
        lines.append("   ".join(cells))
    return lines


@dataclass
class Screen:
    """Where the console writes; `output` is print in a terminal and a list's append in tests."""

    output: Callable[[str], None]
    ansi: bool = False

    def dim(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[22m" if self.ansi else text

    def bold(self, text: str) -> str:
        return f"\x1b[1m{text}\x1b[22m" if self.ansi else text

    def line(self, text: str = "") -> None:
        self.output(text)

    def note(self, text: str) -> None:
        self.output(self.dim(f"   ({text})"))

    def message(self, body: str, markup: JSON | None, *, prefix: str = "bot ›") -> None:
        """A bot message: first line after the prefix, the others and the buttons indented."""
        indent = " " * (len(prefix) + 1)
        lines = body.split("\n") if body else []
        if markup and "keyboard" in markup:
            lines += ["⌨ " + line for line in keyboard_lines(markup)]
        elif markup:
            lines += keyboard_lines(markup)
        if markup and markup.get("remove_keyboard"):
            lines.append(self.dim("(keyboard removed)"))
        first, *rest = lines or [""]
        self.output(f"{self.bold(prefix)} {first}")
        for line in rest:
            self.output(f"{indent}{line}" if line else "")
