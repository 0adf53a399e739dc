"""The console's Bot API: `ConsoleSession` answers API calls in-process, as Telegram would,
and prints what the bot sends instead of sending it. Used by `pbbot console` (bot/console.py)."""

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

from bot.console_render import JSON, Screen, as_text, flat_buttons
from campaign.clock import Clock, SystemClock

BOT_USER: JSON = {"id": 1, "is_bot": True, "first_name": "pbbot", "username": "pbbot_console"}
_MEDIA = {"sendPhoto": "photo", "sendDocument": "document"}
_EDITS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup"})


class ConsoleSession(BaseSession):
    """Answers Bot API calls in-process: what the bot sends is printed, never sent anywhere."""

    def __init__(self, screen: Screen, clock: Clock | None = None, files_dir: Path | None = None) -> None:
        super().__init__()
        self.files_dir = files_dir  # where the files the bot sends are saved, if anywhere
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
        name = method.__api_method__
        params = {
            key: bot.default[value.name] if isinstance(value, Default) else value
            for key, value in method.model_dump(warnings=False, exclude_none=True).items()
        }
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
                if name in _MEDIA and isinstance(params.get(_MEDIA[name]), InputFile) and self.files_dir is not None:
                    params["saved_to"] = await self._save(bot, params[_MEDIA[name]])
                return self._send(bot, name, params)
        except ValueError as error:  # what Telegram answers with 400 Bad Request
            raise TelegramBadRequest(method=method, message=f"Bad Request: {error}") from None
        return True  # setMyCommands, sendChatAction...: nothing to show

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

    def _date(self) -> int:
        return int(self.clock.now().timestamp())

    def _chat(self, chat_id: Any) -> JSON:
        if isinstance(chat_id, int) and chat_id > 0:
            return {
                "id": chat_id,
                "type": "private",
                "first_name": "Console" if chat_id == self.user_chat_id else "User",
            }
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
            body: JSON = (
                {"photo": [{**unique, "width": 800, "height": 600}]}
                if kind == "photo"
                else {"document": {**unique, "file_name": getattr(file, "filename", None) or "document"}}
            )
            shown = f"[{kind} {getattr(file, 'filename', None) or file_id}]"
            if saved := params.get("saved_to"):
                shown += f" saved as {saved}"
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
        message = {
            "message_id": message_id,
            "date": self._date(),
            "chat": self._chat(chat_id),
            "from": BOT_USER,
            **body,
        }
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
            new["text"], shown = (
                as_text(params.get("text", ""), mode),
                as_text(params.get("text", ""), mode, ansi=self.screen.ansi),
            )
        elif name == "editMessageCaption":
            if "text" in old or "location" in old:
                raise ValueError("there is no caption in the message to edit")
            new["caption"] = shown = as_text(params.get("caption") or "", mode)
        if new == {key: value for key, value in old.items() if key != "edit_date"}:
            raise ValueError(
                "message is not modified: specified new message content and reply markup are exactly the same"
            )
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
        inline = max(
            (m for (chat, _), m in self.messages.items() if chat == self.user_chat_id and m.get("reply_markup")),
            key=lambda m: m["message_id"],
            default=None,
        )
        if self.reply_keyboard and (inline is None or self.reply_keyboard[0] > inline["message_id"]):
            return None, flat_buttons(self.reply_keyboard[1])
        return (inline, flat_buttons(inline["reply_markup"])) if inline else (None, [])
