"""The console's Bot API: `ConsoleSession` answers API calls in-process, as Telegram would
(bot/fake_telegram.py, the model the tests' emulator uses too), and prints what the bot sends
instead of sending it. Used by `pbbot console` (bot/console.py)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import TelegramMethod
from aiogram.types import InputFile, Message, User

from bot.console_render import Screen, flat_buttons
from bot.fake_telegram import JSON, BadRequest, FakeTelegram, SentMessage, as_text
from campaign.clock import Clock, SystemClock

BOT_USER: JSON = {"id": 1, "is_bot": True, "first_name": "pbbot", "username": "pbbot_console"}
_MEDIA = {"sendPhoto": "photo", "sendDocument": "document"}
_EDITS = frozenset({"editMessageText", "editMessageReplyMarkup"})


class ConsoleTelegram(FakeTelegram):
    """The console's chats: the user's own, other users', and groups (as supergroups)."""

    user_chat_id: int | None = None

    def chat_json(self, chat_id: int) -> JSON:
        if chat_id > 0:
            return {
                "id": chat_id,
                "type": "private",
                "first_name": "Console" if chat_id == self.user_chat_id else "User",
            }
        return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}


class ConsoleSession(BaseSession):
    """Answers Bot API calls in-process: what the bot sends is printed, never sent anywhere."""

    def __init__(self, screen: Screen, clock: Clock | None = None, files_dir: Path | None = None) -> None:
        super().__init__()
        self.files_dir = files_dir  # where the files the bot sends are saved, if anywhere
        self.screen = screen
        self.clock = clock or SystemClock()
        self.telegram = ConsoleTelegram(BOT_USER, now=lambda: int(self.clock.now().timestamp()), on_event=self._show)
        self.reply_keyboard: tuple[int, JSON] | None = None  # (message id that set it, markup)
        self.answered: set[str] = set()  # callback query ids the bot answered
        self._files = itertools.count(1)

    @property
    def user_chat_id(self) -> int | None:
        """The console user's chat; messages to other chats are marked as such."""
        return self.telegram.user_chat_id

    @user_chat_id.setter
    def user_chat_id(self, chat_id: int | None) -> None:
        self.telegram.user_chat_id = chat_id

    @property
    def messages(self) -> dict[tuple[int, int], SentMessage]:
        """The bot's messages by (chat id, message id), as Telegram keeps them."""
        return self.telegram.stored

    def next_message_id(self, chat_id: int) -> int:
        """Ids are per chat and shared by the user's and the bot's messages, as in Telegram."""
        return self.telegram.next_message_id(chat_id)

    async def close(self) -> None:
        return None  # no connection was ever opened

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("the console has no Telegram file server to download from")
        yield b""  # an async generator, as the base class declares

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        name, telegram = method.__api_method__, self.telegram
        params = {
            key: bot.default[value.name] if isinstance(value, Default) else value
            for key, value in method.model_dump(warnings=False, exclude_none=True).items()
        }
        try:
            if name == "getMe":
                return User.model_validate(BOT_USER)
            if name in _EDITS:
                edited = telegram.edit(name, params)
                return True if edited is None else self._message(bot, edited)
            if name == "deleteMessage":
                telegram.delete(params)
                return True
            if name == "answerCallbackQuery":
                return self._answer_callback(params)
            if method.__returning__ is Message and "chat_id" in params:
                chat_id = params["chat_id"]
                if not isinstance(chat_id, int):
                    raise BadRequest("chat not found")
                if name in _MEDIA:
                    sent = await self._send_file(bot, _MEDIA[name], chat_id, params)
                elif name == "sendLocation":
                    sent = telegram.send_location(chat_id, params)
                elif name == "sendMessage":
                    sent = telegram.send_message(chat_id, params)
                else:
                    raise BadRequest(f"{name} is not modelled by the console")
                return self._message(bot, sent)
        except ValueError as error:  # what Telegram answers with 400 Bad Request
            raise TelegramBadRequest(method=method, message=f"Bad Request: {error}") from None
        return True  # setMyCommands, sendChatAction...: nothing to show

    def _message(self, bot: Bot, sent: SentMessage) -> Message:
        return Message.model_validate(self.telegram.message_json(sent), context={"bot": bot})

    async def _send_file(self, bot: Bot, kind: str, chat_id: int, params: JSON) -> SentMessage:
        file = params.get(kind)
        if isinstance(file, InputFile) and self.files_dir is not None:
            params["saved_to"] = await self._save(bot, file)
        file_id = file if isinstance(file, str) else f"console-upload-{next(self._files)}"
        filename = getattr(file, "filename", None)
        unique = {"file_id": file_id, "file_unique_id": file_id[-16:]}
        media_json = (
            [{**unique, "width": 800, "height": 600}]
            if kind == "photo"
            else {**unique, "file_name": filename or "document"}
        )
        return self.telegram.send_media(
            kind, chat_id, params, file=file_id, file_id=file_id, filename=filename, media_json=media_json
        )

    async def _save(self, bot: Bot, file: InputFile) -> Path:
        """The file's bytes in `files_dir`, under its own name (numbered if the name is taken)."""
        assert self.files_dir is not None
        self.files_dir.mkdir(parents=True, exist_ok=True)
        name = Path(file.filename or "file").name or "file"
        target, number = self.files_dir / name, 1
        while target.exists():
            number += 1
            target = self.files_dir / f"{Path(name).stem}-{number}{Path(name).suffix}"
        with target.open("wb") as out:
            async for chunk in file.read(bot):
                out.write(chunk)
        return target

    def _answer_callback(self, params: JSON) -> bool:
        self.telegram.answer_callback(params)
        self.answered.add(str(params.get("callback_query_id")))
        if text := params.get("text"):
            self.screen.message(text, None, prefix="bot ⚠ alert:" if params.get("show_alert") else "bot 🔔")
        return True

    # -- what the terminal shows ----------------------------------------------------------

    def _show(self, kind: str, m: SentMessage) -> None:
        """Print a message the bot sent, edited or deleted (FakeTelegram's event hook)."""
        if kind == "deleted":
            self.screen.note(f"the bot deleted its message #{m.message_id}")
            return
        mine = m.chat_id == self.user_chat_id
        prefix = ("bot" if mine else f"bot → chat {m.chat_id}") + (" ✎" if kind == "edited" else " ›")
        if kind == "sent" and mine and m.reply_keyboard is not None:
            self.reply_keyboard = (m.message_id, m.reply_markup or {})
        elif kind == "sent" and mine and m.removes_keyboard:
            self.reply_keyboard = None
        self.screen.message(self._shown(kind, m), m.reply_markup, prefix=prefix)

    def _shown(self, kind: str, m: SentMessage) -> str:
        ansi = self.screen.ansi
        if kind == "edited" and m.edits[-1].method == "editMessageReplyMarkup":
            first = (m.plain_text or "").split("\n")[0][:40]
            return self.screen.dim(f"(buttons of “{first}…” {'changed' if m.reply_markup else 'removed'})")
        if m.media_kind:
            shown = f"[{m.media_kind} {m.filename or m.file_id}]"
            if saved := m.params.get("saved_to"):
                shown += f" saved as {saved}"
            if m.text:
                shown += "\n" + as_text(m.text, m.parse_mode, ansi=ansi)
            return shown
        if m.location:
            return f"📍 map pin {m.location[0]:.5f}, {m.location[1]:.5f}"
        return as_text(m.text or "", m.parse_mode, ansi=ansi) or f"({m.method})"

    def pressable(self) -> tuple[SentMessage | None, list[JSON]]:
        """The latest keyboard in the user's chat: (its message, or None for the reply keyboard; its buttons)."""
        inline = max(
            (m for m in self.telegram.messages(self.user_chat_id) if m.buttons and not m.deleted)
            if self.user_chat_id is not None
            else (),
            key=lambda m: m.message_id,
            default=None,
        )
        if self.reply_keyboard and (inline is None or self.reply_keyboard[0] > inline.message_id):
            return None, flat_buttons(self.reply_keyboard[1])
        return (inline, flat_buttons(inline.reply_markup)) if inline else (None, [])
