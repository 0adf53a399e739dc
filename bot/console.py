"""`pbbot console`: chat with the bot in a terminal — no Telegram, no token, no network.

The bot is the real one (same `build_app`, dispatcher, dialogs and database); only its HTTP
session is replaced by `ConsoleSession`, which answers Bot API calls in-process and prints what
the bot sends. What you type becomes Telegram-shaped updates fed to the dispatcher.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

from aiogram.methods import TelegramMethod
from aiogram.types import Update
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.app import App, build_app
from bot.console_render import JSON, Screen
from bot.console_sandbox import InProcessServices
from bot.console_session import ConsoleSession
from bot.settings import Settings
from campaign.calendar import Phase, phase_at, phase_start
from campaign.clock import SettableClock
from campaign.phase_guard import PhaseRuleError
from campaign.schema import pick
from storage.phase_gate import effective_campaign, guard_phase_jump
from storage.repositories import Repositories

log = logging.getLogger(__name__)

CONSOLE_TOKEN = "0:console"
DEFAULT_PHONE = "+32470123456"
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,})?")
HELP = """console commands:
  N                  press button N of the latest message with buttons
  :contact [PHONE]   share your own phone number (default {phone})
  :location LAT LON  send a map pin, e.g. :location 50.5 4.5
  :photo [CAPTION]   send a photo
  :send TEXT         send TEXT as it is (a number that is not a button press)
  :phase PHASE       move the clock to a phase: {phases}
  :reset             start over: a new empty database, the clock back at today
  :help              this list
  :quit              leave (Ctrl-D too)
anything else is sent as a message; /commands work as in Telegram"""


def phase_moment(calendar: object, phase: Phase) -> datetime:
    """A moment inside `phase`: an hour after it starts (a day before proposals open for upcoming)."""
    start = phase_start(calendar, phase)
    if start is None:
        proposals_open = phase_start(calendar, Phase.PROPOSALS)
        assert proposals_open is not None  # every calendar has proposals_open
        return proposals_open - timedelta(days=1)
    return start + timedelta(hours=1)


async def _in_thread(read_line: Callable[[str], str], prompt: str) -> str:
    """`read_line` in a daemon thread: unlike asyncio.to_thread, Ctrl-C never waits for a pending input()."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def settle(result: str | None, error: BaseException | None) -> None:
        if not future.done():
            future.set_exception(error) if error is not None else future.set_result(result or "")

    def work() -> None:
        try:
            loop.call_soon_threadsafe(settle, read_line(prompt), None)
        except BaseException as error:  # EOFError above all: hand it to the loop
            loop.call_soon_threadsafe(settle, None, error)

    threading.Thread(target=work, daemon=True, name="console-input").start()
    return await future


class Console:
    """The user's side: turns typed lines into updates for the dispatcher."""

    def __init__(
        self,
        app: App,
        session: ConsoleSession,
        *,
        user_id: int,
        language: str,
        read_line: Callable[[str], str],
        echo: bool,
        services: InProcessServices | None = None,
        can_reset: bool = False,
    ) -> None:
        self.app, self.session, self.screen = app, session, session.screen
        self.read_line, self.echo = read_line, echo
        self.services, self.can_reset = services, can_reset
        self.reset_requested = False
        self.user: JSON = {"id": user_id, "is_bot": False, "first_name": "Console", "language_code": language}
        self.chat: JSON = {"id": user_id, "type": "private", "first_name": "Console"}
        session.user_chat_id = user_id
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)

    def banner(self) -> None:
        campaign, settings, now = self.app.campaign, self.app.settings, self.app.clock.now()
        committee = self.user["id"] in settings.admin_ids
        role = (
            " — a committee member (/admin opens its menu)"
            if committee
            else " — a resident (--committee to play the committee)"
        )
        database = make_url(settings.database_url).render_as_string(hide_password=True)
        lines = [
            f"pbbot console — {pick(campaign.name, self.user['language_code'], campaign.default_language)} ({campaign.town})",
            f"phase: {phase_at(campaign.calendar, now)} — clock at {now.astimezone(campaign.zone):%Y-%m-%d %H:%M %Z}",
            f"database: {database}" + (" (the console's own: :reset starts over)" if self.can_reset else ""),
            f"you: user {self.user['id']} “Console”, Telegram language {self.user['language_code']}{role}",
        ]
        if self.session.files_dir is not None:
            lines.append(f"files the bot sends are saved in {self.session.files_dir}")
        if self.services is not None:
            lines.append("announcements and broadcasts are sent here as the calendar and the committee trigger them")
        lines += [
            "Type a message as in Telegram (send /start to begin); type a button's number to press it.",
            ":help lists the console commands; :quit or Ctrl-D leaves.",
        ]
        for line in lines:
            self.screen.line(self.screen.dim(line))

    async def run(self) -> None:
        while True:
            try:
                line = await _in_thread(self.read_line, "" if self.echo else "> ")
            except (EOFError, KeyboardInterrupt):
                break
            if self.echo:
                self.screen.line(f"> {line}")  # piped or scripted input: keep a readable transcript
            if not await self.handle(line.strip()):
                break
            if self.services is not None:
                try:
                    await self.services.settle()
                except Exception:
                    log.exception("the scheduler or the broadcaster failed")
                    self.screen.note("the scheduler or the broadcaster failed: the traceback is above")

    async def handle(self, line: str) -> bool:
        """One line of input; False ends the session."""
        if line.isdigit() and await self.press(int(line)):
            return True
        command = re.match(r":([a-z]+)\s*(.*)$", line)
        if command is None:
            if line:
                await self.send_text(line)
            return True
        name, argument = command.groups()
        if name in ("quit", "q", "exit"):
            return False
        if name == "reset":
            if self.can_reset:
                self.reset_requested = True
                return False
            self.screen.note(
                "only the console's own database can be reset; this one was chosen with --database or --env"
            )
            return True
        if name == "send" and argument:
            await self.send_text(argument)
        elif name == "contact":
            await self.feed(
                message=self._message(
                    contact={
                        "phone_number": argument or DEFAULT_PHONE,
                        "first_name": "Console",
                        "user_id": self.user["id"],
                    }
                )
            )
        elif name == "location":
            try:
                latitude, longitude = (float(part) for part in argument.replace(",", " ").split())
            except ValueError:
                self.screen.note("usage: :location LAT LON, e.g. :location 50.5 4.5")
            else:
                await self.feed(message=self._message(location={"latitude": latitude, "longitude": longitude}))
        elif name == "photo":
            n = next(self._ids)
            sizes = [
                {"file_id": f"console-photo-{n}-{w}", "file_unique_id": f"cp{n}{w}", "width": w, "height": w * 3 // 4}
                for w in (90, 800)
            ]
            await self.feed(message=self._message(photo=sizes, **({"caption": argument} if argument else {})))
        elif name == "phase" and argument in set(Phase):
            if await jump_to_phase(self.app, Phase(argument), self.screen.note):
                self.screen.note(
                    f"clock moved to {self.app.clock.now().astimezone(self.app.campaign.zone):%Y-%m-%d %H:%M %Z}: phase {argument}"
                )
        else:
            self.screen.line(HELP.format(phone=DEFAULT_PHONE, phases=", ".join(Phase)))
        return True

    async def press(self, number: int) -> bool:
        """Press button `number` of the latest keyboard; False if there is no such button."""
        message, buttons = self.session.pressable()
        if not 1 <= number <= len(buttons):
            return False
        button = buttons[number - 1]
        self.screen.note(f"you press “{button.get('text', '')}”")
        if message is None:  # a reply keyboard button sends a message
            if self.session.reply_keyboard and self.session.reply_keyboard[1].get("one_time_keyboard"):
                self.session.reply_keyboard = None
            if button.get("request_contact"):
                await self.handle(":contact")
            elif button.get("request_location"):
                self.screen.note("pick the place with :location LAT LON")
            else:
                await self.send_text(button["text"])
        elif "callback_data" in button:
            query_id = f"console-{next(self._ids)}"
            await self.feed(
                callback_query={
                    "id": query_id,
                    "from": self.user,
                    "chat_instance": f"console{self.chat['id']}",
                    "message": self.session.telegram.message_json(message),
                    "data": button["callback_data"],
                }
            )
            if query_id not in self.session.answered:
                self.screen.note("the bot did not answer this press: Telegram would show a spinner on the button")
        else:
            self.screen.note(f"{button.get('url') or 'this button'} is not something the console can open")
        return True

    async def send_text(self, text: str) -> None:
        message = self._message(text=text)
        if command := _COMMAND.match(text):
            # Telegram marks a leading /command with a bot_command entity (length in UTF-16 units).
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(command.group().encode("utf-16-le")) // 2}
            ]
        await self.feed(message=message)

    def _message(self, **content: Any) -> JSON:
        return {
            "message_id": self.session.next_message_id(self.chat["id"]),
            "date": int(self.app.clock.now().timestamp()),
            "chat": self.chat,
            "from": self.user,
            **content,
        }

    async def feed(self, **body: Any) -> None:
        bot = self.app.bot
        update = Update.model_validate({"update_id": next(self._update_ids), **body}, context={"bot": bot})
        try:
            result = await self.app.dispatcher.feed_update(bot, update)
            if isinstance(result, TelegramMethod):  # a handler may return its reply, as in webhook mode
                await bot(result)
        except Exception:
            log.exception("update %s failed", update.update_id)
            self.screen.note("the bot failed on this update: the traceback is above")


async def jump_to_phase(app: App, phase: Phase, note: Callable[[str], None]) -> bool:
    """Move the console's clock into `phase`, through the same forward-only rule as /calendar
    (storage.phase_gate): once a ballot exists the clock cannot go back to an earlier phase."""
    async with app.sessionmaker() as session:
        repos = Repositories(session)
        campaign = await effective_campaign(repos, app.campaign)
        try:
            await guard_phase_jump(repos, campaign, phase, app.clock.now(), None)
        except PhaseRuleError:
            await session.commit()  # the refused attempt stays in the audit log
            note(
                f"refused: ballots exist, the campaign cannot go back to {phase} "
                f"(now {phase_at(campaign.calendar, app.clock.now())})"
            )
            return False
    app.clock.set(phase_moment(campaign.calendar, phase))  # type: ignore[attr-defined]
    return True


async def run_console(
    settings: Settings,
    *,
    phase: str | None = None,
    user_id: int = 1001,
    language: str = "fr",
    output: Callable[[str], None] | None = None,
    read_line: Callable[[str], str] | None = None,
    files_dir: Path | None = None,
    own_database: Path | None = None,
    background: bool = True,
) -> None:
    """`output` (default print) and `read_line` (default input) are injectable for tests.
    `own_database`: the SQLite file that `:reset` deletes (only the sandbox's own);
    `background`: run the scheduler and the broadcaster in-process."""
    screen = Screen(output or partial(print, flush=True), ansi=output is None and sys.stdout.isatty())
    if settings.secret_key is None:
        # Hashes made with this key only concern the console user; production keeps its own key.
        settings = settings.model_copy(update={"secret_key": SecretStr("pbbot-console-throwaway-key")})
    echo = read_line is not None or not sys.stdin.isatty()
    while True:
        # Built at the real now, so that relative dates ("+7d") resolve as for the real bot; then moved.
        clock = SettableClock(datetime.now(timezone.utc))
        session = ConsoleSession(screen, clock, files_dir=files_dir)
        app = await build_app(settings, clock=clock, session=session, token=CONSOLE_TOKEN)
        services = InProcessServices(app) if background else None
        try:
            if phase:
                await jump_to_phase(app, Phase(phase), screen.note)
            console = Console(
                app,
                session,
                user_id=user_id,
                language=language,
                read_line=read_line or input,
                echo=echo,
                services=services,
                can_reset=own_database is not None,
            )
            console.banner()
            if services is not None:
                await services.start()
            try:
                await console.run()
            finally:
                if not echo and not console.reset_requested:
                    screen.line()  # after Ctrl-D or Ctrl-C the cursor still sits after the prompt
        finally:
            if services is not None:
                services.close()
            await app.close()
        if not console.reset_requested or own_database is None:
            return
        own_database.unlink(missing_ok=True)
        screen.note("starting over: a new empty database, the clock back at today")
