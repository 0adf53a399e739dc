"""How `pbbot console` shows what the bot sends: keyboards as numbered buttons, and the lines of
a message (Telegram HTML becomes terminal text in bot/fake_telegram.py, as strict as Telegram)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.fake_telegram import JSON, keyboard_rows


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
