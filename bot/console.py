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
from collections.abc import AsyncGenerator, Callable
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import TelegramMethod
from aiogram.types import Message, Update, User
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.app import App, build_app
from bot.console_render import JSON, Screen, as_text, flat_buttons
from bot.settings import Settings
from campaign.calendar import Phase, phase_at, phase_start
from campaign.clock import Clock, SettableClock, SystemClock
from campaign.schema import pick

log = logging.getLogger(__name__)

CONSOLE_TOKEN = "0:console"
BOT_USER: JSON = {"id": 1, "is_bot": True, "first_name": "pbbot", "username": "pbbot_console"}
DEFAULT_PHONE = "+32470123456"
_MEDIA = {"sendPhoto": "photo", "sendDocument": "document"}
_EDITS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup"})
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,})?")
HELP = """console commands:
  N                  press button N of the latest message with buttons
  :contact [PHONE]   share your own phone number (default {phone})
  :location LAT LON  send a map pin, e.g. :location 50.5 4.5
  :photo [CAPTION]   send a photo
  :send TEXT         send TEXT as it is (a number that is not a button press)
  :phase PHASE       move the clock to a phase: {phases}
  :help              this list
  :quit              leave (Ctrl-D too)
anything else is sent as a message; /commands work as in Telegram"""


def phase_moment(calendar: object, phase: Phase) -> datetime:
    """A moment inside `phase`: an hour after it starts (a day before proposals open for upcoming)."""
    start = phase_start(calendar, phase)
    if start is None:
        return phase_start(calendar, Phase.PROPOSALS) - timedelta(days=1)  # type: ignore[operator]
    return start + timedelta(hours=1)


class ConsoleSession(BaseSession):
    """Answers Bot API calls in-process: what the bot sends is printed, never sent anywhere."""

    def __init__(self, screen: Screen, clock: Clock | None = None) -> None:
        super().__init__()
        self.screen = screen
        self.clock = clock or SystemClock()
        self.user_chat_id: int | None = None  # messages to other chats are marked as such
        self.messages: dict[tuple[int, int], JSON] = {}  # the bot's messages, as Telegram keeps them
        self.reply_keyboard: tuple[int, JSON] | None = None  # (message id that set it, markup)
        self.answered: set[str] = set()  # callback query ids the bot answered
        self._last_id: dict[int, int] = {}
        self._files = itertools.count(1)

    def next_message_id(self, chat_id: int) -> int:
        """Ids are per chat and shared by the user's and the bot's messages, as in Telegram."""
        self._last_id[chat_id] = self._last_id.get(chat_id, 0) + 1
        return self._last_id[chat_id]

    async def close(self) -> None:
        return None  # no connection was ever opened

    async def stream_content(
        self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
        chunk_size: int = 65536, raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("the console has no Telegram file server to download from")
        yield b""  # an async generator, as the base class declares

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        name = method.__api_method__
        params = {key: bot.default[value.name] if isinstance(value, Default) else value
                  for key, value in method.model_dump(warnings=False, exclude_none=True).items()}
        try:
            if name == "getMe":
                return User.model_validate(BOT_USER)
            if name in _EDITS:
                return self._edit(bot, name, params)
            if name == "deleteMessage":
                if self.messages.pop((params.get("chat_id"), params.get("message_id")), None) is not None:
                    self.screen.note(f"the bot deleted its message #{params['message_id']}")
                return True
            if name == "answerCallbackQuery":
                return self._answer_callback(params)
            if method.__returning__ is Message and "chat_id" in params:
                return self._send(bot, name, params)
        except ValueError as error:  # what Telegram answers with 400 Bad Request
            raise TelegramBadRequest(method=method, message=f"Bad Request: {error}") from None
        return True  # setMyCommands, sendChatAction...: nothing to show

    def _date(self) -> int:
        return int(self.clock.now().timestamp())

    def _chat(self, chat_id: Any) -> JSON:
        if isinstance(chat_id, int) and chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Console" if chat_id == self.user_chat_id else "User"}
        return {"id": chat_id if isinstance(chat_id, int) else -1, "type": "supergroup", "title": f"Group {chat_id}"}

    def _prefix(self, chat_id: Any, mark: str = "›") -> str:
        return f"bot {mark}" if chat_id == self.user_chat_id else f"bot → chat {chat_id} {mark}"

    def _content(self, name: str, params: JSON) -> tuple[JSON, str]:
        """The message body Telegram would return, and how the terminal shows it."""
        mode, ansi = params.get("parse_mode"), self.screen.ansi
        if name in _MEDIA:
            kind, file = _MEDIA[name], params.get(_MEDIA[name])
            file_id = file if isinstance(file, str) else f"console-upload-{next(self._files)}"
            unique = {"file_id": file_id, "file_unique_id": file_id[-16:]}
            body: JSON = {"photo": [{**unique, "width": 800, "height": 600}]} if kind == "photo" else \
                {"document": {**unique, "file_name": getattr(file, "filename", None) or "document"}}
            shown = f"[{kind} {getattr(file, 'filename', None) or file_id}]"
            if caption := params.get("caption"):
                body["caption"] = as_text(caption, mode)
                shown += "\n" + as_text(caption, mode, ansi=ansi)
            return body, shown
        if name == "sendLocation":
            lat, lon = params["latitude"], params["longitude"]
            return {"location": {"latitude": lat, "longitude": lon}}, f"📍 map pin {lat:.5f}, {lon:.5f}"
        text = str(params.get("text") or params.get("caption") or "")
        plain = as_text(text, mode)
        if name == "sendMessage" and not plain.strip():
            raise ValueError("message text is empty")
        if len(plain) > 4096:
            raise ValueError("message is too long")
        return {"text": plain or f"({name})"}, as_text(text, mode, ansi=ansi) or f"({name})"

    def _send(self, bot: Bot, name: str, params: JSON) -> Message:
        chat_id, markup = params["chat_id"], params.get("reply_markup")
        body, shown = self._content(name, params)
        message_id = self.next_message_id(chat_id)
        message = {"message_id": message_id, "date": self._date(), "chat": self._chat(chat_id), "from": BOT_USER, **body}
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes only inline keyboards
        self.messages[(chat_id, message_id)] = message
        if chat_id == self.user_chat_id and markup and "keyboard" in markup:
            self.reply_keyboard = (message_id, markup)
        elif chat_id == self.user_chat_id and markup and markup.get("remove_keyboard"):
            self.reply_keyboard = None
        self.screen.message(shown, markup, prefix=self._prefix(chat_id))
        return Message.model_validate(message, context={"bot": bot})

    def _edit(self, bot: Bot, name: str, params: JSON) -> Message | bool:
        if params.get("inline_message_id"):
            return True
        chat_id = params.get("chat_id")
        old = self.messages.get((chat_id, params.get("message_id")))  # type: ignore[arg-type]
        if old is None:
            raise ValueError("message to edit not found")
        new = {key: value for key, value in old.items() if key not in ("reply_markup", "edit_date")}
        if markup := params.get("reply_markup"):
            new["reply_markup"] = markup  # like Telegram, an edit without a keyboard removes it
        mode = params.get("parse_mode")
        shown = None
        if name == "editMessageText":
            if "text" not in old:
                raise ValueError("there is no text in the message to edit")
            new["text"], shown = as_text(params.get("text", ""), mode), as_text(params.get("text", ""), mode, ansi=self.screen.ansi)
        elif name == "editMessageCaption":
            if "text" in old or "location" in old:
                raise ValueError("there is no caption in the message to edit")
            new["caption"] = shown = as_text(params.get("caption") or "", mode)
        if new == {key: value for key, value in old.items() if key != "edit_date"}:
            raise ValueError("message is not modified: specified new message content and reply markup are exactly the same")
        self.messages[(chat_id, old["message_id"])] = {**new, "edit_date": self._date()}  # type: ignore[index]
        if shown is None:
            first = str(old.get("text") or old.get("caption") or "").split("\n")[0][:40]
            shown = self.screen.dim(f"(buttons of “{first}…” {'changed' if markup else 'removed'})")
        self.screen.message(shown, markup, prefix=self._prefix(chat_id, "✎"))
        return Message.model_validate(self.messages[(chat_id, old["message_id"])], context={"bot": bot})  # type: ignore[index]

    def _answer_callback(self, params: JSON) -> bool:
        self.answered.add(str(params.get("callback_query_id")))
        if text := params.get("text"):
            if len(text) > 200:
                raise ValueError("MESSAGE_TOO_LONG")
            self.screen.message(text, None, prefix="bot ⚠ alert:" if params.get("show_alert") else "bot 🔔")
        return True

    def pressable(self) -> tuple[JSON | None, list[JSON]]:
        """The latest keyboard in the user's chat: (its message, or None for the reply keyboard; its buttons)."""
        inline = max((m for (chat, _), m in self.messages.items() if chat == self.user_chat_id and m.get("reply_markup")),
                     key=lambda m: m["message_id"], default=None)
        if self.reply_keyboard and (inline is None or self.reply_keyboard[0] > inline["message_id"]):
            return None, flat_buttons(self.reply_keyboard[1])
        return (inline, flat_buttons(inline["reply_markup"])) if inline else (None, [])


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

    def __init__(self, app: App, session: ConsoleSession, *, user_id: int, language: str,
                 read_line: Callable[[str], str], echo: bool) -> None:
        self.app, self.session, self.screen = app, session, session.screen
        self.read_line, self.echo = read_line, echo
        self.user: JSON = {"id": user_id, "is_bot": False, "first_name": "Console", "language_code": language}
        self.chat: JSON = {"id": user_id, "type": "private", "first_name": "Console"}
        session.user_chat_id = user_id
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)

    def banner(self) -> None:
        campaign, settings, now = self.app.campaign, self.app.settings, self.app.clock.now()
        role = " — a committee member (ADMIN_IDS)" if self.user["id"] in settings.admin_ids else ""
        for line in (
            f"pbbot console — {pick(campaign.name, self.user['language_code'], campaign.default_language)} ({campaign.town})",
            f"phase: {phase_at(campaign.calendar, now)} — clock at {now.astimezone(campaign.zone):%Y-%m-%d %H:%M %Z}",
            f"database: {make_url(settings.database_url).render_as_string(hide_password=True)}",
            f"you: user {self.user['id']} “Console”, Telegram language {self.user['language_code']}{role}",
            "Type a message as in Telegram (send /start to begin); type a button's number to press it.",
            ":help lists the console commands; :quit or Ctrl-D leaves.",
        ):
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
        if name == "send" and argument:
            await self.send_text(argument)
        elif name == "contact":
            await self.feed(message=self._message(contact={
                "phone_number": argument or DEFAULT_PHONE, "first_name": "Console", "user_id": self.user["id"]}))
        elif name == "location":
            try:
                latitude, longitude = (float(part) for part in argument.replace(",", " ").split())
            except ValueError:
                self.screen.note("usage: :location LAT LON, e.g. :location 50.5 4.5")
            else:
                await self.feed(message=self._message(location={"latitude": latitude, "longitude": longitude}))
        elif name == "photo":
            n = next(self._ids)
            sizes = [{"file_id": f"console-photo-{n}-{w}", "file_unique_id": f"cp{n}{w}", "width": w, "height": w * 3 // 4} for w in (90, 800)]
            await self.feed(message=self._message(photo=sizes, **({"caption": argument} if argument else {})))
        elif name == "phase" and argument in set(Phase):
            self.app.clock.set(phase_moment(self.app.campaign.calendar, Phase(argument)))  # type: ignore[attr-defined]
            self.screen.note(f"clock moved to {self.app.clock.now():%Y-%m-%d %H:%M} UTC: phase {argument}")
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
            await self.feed(callback_query={"id": query_id, "from": self.user, "chat_instance": f"console{self.chat['id']}",
                                            "message": message, "data": button["callback_data"]})
            if query_id not in self.session.answered:
                self.screen.note("the bot did not answer this press: Telegram would show a spinner on the button")
        else:
            self.screen.note(f"{button.get('url') or 'this button'} is not something the console can open")
        return True

    async def send_text(self, text: str) -> None:
        message = self._message(text=text)
        if command := _COMMAND.match(text):
            # Telegram marks a leading /command with a bot_command entity (length in UTF-16 units).
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.group().encode("utf-16-le")) // 2}]
        await self.feed(message=message)

    def _message(self, **content: Any) -> JSON:
        return {"message_id": self.session.next_message_id(self.chat["id"]), "date": int(self.app.clock.now().timestamp()),
                "chat": self.chat, "from": self.user, **content}

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


async def run_console(
    settings: Settings, *, phase: str | None = None, user_id: int = 1001, language: str = "fr",
    output: Callable[[str], None] | None = None, read_line: Callable[[str], str] | None = None,
) -> None:
    """`output` (default print) and `read_line` (default input) are injectable for tests."""
    screen = Screen(output or partial(print, flush=True), ansi=output is None and sys.stdout.isatty())
    if settings.secret_key is None:
        # Hashes made with this key only concern the console user; production keeps its own key.
        settings = settings.model_copy(update={"secret_key": SecretStr("pbbot-console-throwaway-key")})
    # Built at the real now, so that relative dates ("+7d") resolve as for the real bot; then moved.
    clock = SettableClock(datetime.now(timezone.utc))
    session = ConsoleSession(screen, clock)
    app = await build_app(settings, clock=clock, session=session, token=CONSOLE_TOKEN)
    try:
        if phase:
            clock.set(phase_moment(app.campaign.calendar, Phase(phase)))
        console = Console(app, session, user_id=user_id, language=language, read_line=read_line or input,
                          echo=read_line is not None or not sys.stdin.isatty())
        console.banner()
        await console.run()
    finally:
        await app.close()
