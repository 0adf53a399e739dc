"""`pbbot console` for real: scripted lines through the real dispatcher and dialogs, printed
through the console's own Bot API session; and the `pbbot console` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import App
from bot.console import run_console
from bot.console_render import Screen, keyboard_lines
from bot.console_session import ConsoleSession
from bot.telegram_html import html_to_text
from bot.settings import Settings
from tests.emulator import BotAPIEmulator

REPOSITORY = Path(__file__).resolve().parents[2]
USER_ID = 1001


def scripted(lines: Iterable[str]) -> Callable[[str], str]:
    """An `input()` that types these lines, then presses Ctrl-D."""
    pending = iter(lines)

    def read_line(prompt: str) -> str:
        try:
            return next(pending)
        except StopIteration:
            raise EOFError from None

    return read_line


async def run_script(settings: Settings, lines: list[str], *, phase: str = "proposals", language: str = "en") -> str:
    output: list[str] = []
    await run_console(
        settings, phase=phase, user_id=USER_ID, language=language, output=output.append, read_line=scripted(lines)
    )
    return "\n".join(output)


# `app` empties the database (SQLite or PostgreSQL, per --db) so that project numbers start at 1;
# the console then builds its own app on that database, with its own in-process session.
async def test_proposal_wizard_in_the_console(app: App, settings: Settings, emulator: BotAPIEmulator) -> None:
    transcript = await run_script(
        settings,
        [
            "/start",
            "1",  # 📝 Propose a project
            "A bench on the square",
            "A wooden bench in front of the church for the elders.",
            "A solid oak bench with a backrest near the church door, in the shade of the lime tree.",
            "1",  # Environment
            ":location 50.5 4.5",
            "1 500 €",
            "/skip",
            "8",  # ✅ Submit
            "/myproposals",
        ],
    )

    assert "pbbot console — Testville participatory budget (Testville)" in transcript
    assert "phase: proposals" in transcript
    assert "[1] 📝 Propose a project" in transcript
    assert "(you press “📝 Propose a project”)" in transcript
    assert "[1] Environment" in transcript and "[2] Mobility" in transcript
    assert "Location: map pin (50.50000, 4.50000)" in transcript
    assert "Estimated cost: €1,500" in transcript
    assert "[8] ✅ Submit" in transcript
    assert "bot 🔔 Submitted!" in transcript
    assert "Your project is registered as #1." in transcript  # <b>#1</b> shown without its tags
    assert "#1 A bench on the square — €1,500" in transcript
    assert "<b>" not in transcript and "\x1b[" not in transcript  # output is not a tty: no ANSI
    assert "the bot failed" not in transcript
    assert emulator.calls == []  # nothing went to a Bot API server, though BOT_API_URL points at one


async def test_console_survives_odd_input(app: App, settings: Settings, emulator: BotAPIEmulator) -> None:
    transcript = await run_script(
        settings,
        [
            "/start",
            "42",  # no such button: sent as text
            ":photo a photo with a caption",
            ":contact",
            ":location somewhere",
            ":bogus",
            "/nosuchcommand",
            ":phase proposals",
            "/start",
            ":quit",
            "/start",  # never read
        ],
        phase="upcoming",
    )

    assert "phase: upcoming" in transcript
    assert "Propose a project" not in transcript.split(":phase proposals")[0]  # not before proposals open
    assert "usage: :location LAT LON" in transcript
    assert "console commands:" in transcript  # :bogus shows the help
    assert "I don't know this command" in transcript
    assert "phase proposals" in transcript and "[1] 📝 Propose a project" in transcript
    assert transcript.count("> /start") == 2
    assert "the bot failed" not in transcript
    assert emulator.calls == []


def test_html_is_shown_as_telegram_shows_it() -> None:
    assert html_to_text("<b>#1</b> &lt;script&gt; &amp; co") == "#1 <script> & co"
    assert html_to_text('<a href="https://example.org">the site</a>') == "the site (https://example.org)"
    assert html_to_text("<b>bold</b>", ansi=True) == "\x1b[1mbold\x1b[22m"
    for bad in ("a < b", "<b>unclosed", "<div>x</div>", "<b><i>x</b></i>"):
        with pytest.raises(ValueError, match="can't parse entities"):
            html_to_text(bad)
    markup = {"keyboard": [[{"text": "📱 Share my number", "request_contact": True}, {"text": "Cancel"}]]}
    assert keyboard_lines(markup) == ["[1] 📱 Share my number (shares your phone number)   [2] Cancel"]


def test_pbbot_console_command(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BOT_", "DATABASE_", "REDIS_", "ADMIN_", "CAMPAIGN_", "WEBHOOK_", "SECRET_"))
    }
    env.update(PYTHONPATH=str(REPOSITORY))
    # Run from an empty directory, so that no developer's .env leaks in.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "console",
            "--phase",
            "proposals",
            "--campaign",
            "tests/campaigns/town.toml",
            "--database",
            str(tmp_path / "console.sqlite3"),
        ],  # relative: found in the checkout
        input="/start\n1\nUn banc sur la place\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "pbbot console — Budget participatif de Testville" in result.stdout
    assert "Bonjour Console !" in result.stdout
    assert "> Un banc sur la place" in result.stdout  # piped input is echoed into the transcript
    assert "Traceback" not in result.stderr


async def test_console_session_answers_like_telegram() -> None:
    """Edits, deletions, media and errors, straight through a Bot on a ConsoleSession."""
    shown: list[str] = []
    session = ConsoleSession(Screen(shown.append))
    session.user_chat_id = USER_ID
    bot = Bot("0:console", session=session, default=DefaultBotProperties(parse_mode="HTML"))
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="Yes", callback_data="y"),
                InlineKeyboardButton(text="Site", url="https://example.org"),
            ]
        ]
    )

    me = await bot.get_me()
    assert (me.id, me.username) == (1, "pbbot_console")
    sent = await bot.send_message(USER_ID, "Is <b>this</b> fine?", reply_markup=keyboard)
    assert (sent.message_id, sent.text, sent.from_user.id) == (1, "Is this fine?", 1)
    assert session.pressable() == (
        session.messages[(USER_ID, 1)],
        [{"text": "Yes", "callback_data": "y"}, {"text": "Site", "url": "https://example.org"}],
    )
    assert shown[-2:] == ["bot › Is this fine?", "      [1] Yes   [2] Site → https://example.org"]

    edited = await bot.edit_message_text("Is <i>that</i> fine?", chat_id=USER_ID, message_id=1)
    assert edited.text == "Is that fine?" and edited.reply_markup is None  # no keyboard given: removed
    assert session.pressable() == (None, [])
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Is <i>that</i> fine?", chat_id=USER_ID, message_id=1)
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER_ID, "1 < 2")
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_reply_markup(chat_id=USER_ID, message_id=99)

    photo = await bot.send_photo(USER_ID, BufferedInputFile(b"jpeg", "bench.jpg"), caption="<b>A</b> bench")
    assert photo.caption == "A bench" and photo.photo[-1].file_id.startswith("console-upload-")
    pin = await bot.send_location(-1009000, 50.5, 4.5)
    assert pin.location.latitude == 50.5 and pin.chat.type == "supergroup"
    assert shown[-1] == "bot → chat -1009000 › 📍 map pin 50.50000, 4.50000"
    assert await bot.delete_message(USER_ID, photo.message_id) is True
    assert await bot.answer_callback_query("q1", text="Saved.", show_alert=True) is True
    assert "q1" in session.answered and shown[-1] == "bot ⚠ alert: Saved."
    assert await bot.send_chat_action(USER_ID, "typing") is True
    await bot.session.close()
