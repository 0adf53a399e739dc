"""A Telegram user ("resident" of the town) who talks to the bot under test.

The Resident builds Telegram-shaped update dicts and hands them to `deliver` (typically
"validate into an aiogram Update and await dispatcher.feed_update"), then reads what the
bot sent back from the emulator. Because `deliver` returns only once the bot has finished,
each action returns exactly the bot's replies to it.
"""

from __future__ import annotations

import itertools
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from types import EllipsisType
from typing import Any

from bot.fake_telegram import SentMessage

from .server import BotAPIEmulator

JSON = dict[str, Any]
Deliver = Callable[[JSON], Awaitable[Any]]

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,})?")
_callback_ids = itertools.count(1)


def _utf16_len(text: str) -> int:
    # Telegram entity offsets and lengths count UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2


class Replies(list[SentMessage]):
    """What the bot sent to the chat during one action: new messages then edited ones."""

    def __init__(self, new: list[SentMessage], edited: list[SentMessage], deleted: list[SentMessage]) -> None:
        super().__init__([*new, *edited])
        self.new = new
        self.edited = edited  # messages sent before the action and edited during it
        self.deleted = deleted  # messages deleted during the action (may also be in new)

    @property
    def texts(self) -> list[str]:
        """Texts (or captions) as the bot sent them, markup included."""
        return [m.text or "" for m in self]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def plain_texts(self) -> list[str]:
        """Texts as the user sees them (HTML tags removed)."""
        return [m.plain_text or "" for m in self]

    @property
    def plain_text(self) -> str:
        """All visible texts joined, handy for `assert "Merci" in replies.plain_text`."""
        return "\n".join(self.plain_texts)


class Resident:
    def __init__(
        self,
        emulator: BotAPIEmulator,
        deliver: Deliver,
        user_id: int,
        first_name: str = "Marie",
        language_code: str | None = "fr",
        chat_id: int | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
    ) -> None:
        self.emulator = emulator
        self._deliver = deliver
        self.user_id = user_id
        self.first_name = first_name
        self.chat_id = user_id if chat_id is None else chat_id
        self.user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username), ("language_code", language_code)):
            if value is not None:
                self.user[key] = value
        if self.chat_id > 0:
            self.chat: JSON = {"id": self.chat_id, "type": "private", "first_name": first_name}
            for key in ("last_name", "username"):
                if key in self.user:
                    self.chat[key] = self.user[key]
        else:
            self.chat = emulator.chat_json(self.chat_id)

    # -- what the resident sees ---------------------------------------------------------

    @property
    def inbox(self) -> list[SentMessage]:
        """Every message the bot sent to this chat, oldest first (deleted ones flagged)."""
        return self.emulator.messages(self.chat_id)

    @property
    def last(self) -> SentMessage | None:
        """The latest message from the bot in this chat that is still there."""
        return self.emulator.last_message(self.chat_id)

    # -- actions ------------------------------------------------------------------------

    async def send(self, text: str, *, reply_to: SentMessage | int | None = None) -> Replies:
        message = self._message(text=text)
        if command := _COMMAND_RE.match(text):
            # Telegram marks a leading /command with a bot_command entity.
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command.group())}]
        if reply_to is not None:
            message["reply_to_message"] = self._referenced(reply_to)
        return await self._act({"message": message})

    async def send_sticker(self, emoji: str = "👍") -> Replies:
        n = next(_callback_ids)
        sticker = {
            "file_id": f"CAACAgIAAxkBAAI{n:06d}",
            "file_unique_id": f"AgAD{n:06d}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self._act({"message": self._message(sticker=sticker)})

    async def send_photo(
        self,
        width: int = 800,
        height: int = 600,
        *,
        caption: str | None = None,
        content: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
    ) -> Replies:
        stored = self.emulator.add_file(content, "photo.jpg", mime_type="image/jpeg", folder="photos")
        message = self._message(photo=self.emulator.photo_sizes(stored, width, height))
        if caption is not None:
            message["caption"] = caption
        return await self._act({"message": message})

    async def send_location(self, latitude: float, longitude: float) -> Replies:
        return await self._act({"message": self._message(location={"latitude": latitude, "longitude": longitude})})

    async def share_contact(
        self,
        phone: str,
        user_id: int | None | EllipsisType = ...,
        first_name: str | None = None,
    ) -> Replies:
        """Send a contact. By default it is the resident's own (what a request_contact
        button sends); pass another user_id, or None, for a forwarded / typed contact."""
        contact: JSON = {"phone_number": phone, "first_name": first_name or self.first_name}
        owner = self.user_id if user_id is ... else user_id
        if owner is not None:
            contact["user_id"] = owner
        return await self._act({"message": self._message(contact=contact)})

    async def send_document(
        self, filename: str, content: bytes, *, mime_type: str | None = None, caption: str | None = None
    ) -> Replies:
        mime = mime_type or _guess_mime(filename)
        stored = self.emulator.add_file(content, filename, mime_type=mime)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "mime_type": mime,
            "file_size": len(content),
        }
        message = self._message(document=document)
        if caption is not None:
            message["caption"] = caption
        return await self._act({"message": message})

    async def forward_text(self, text: str, from_user_id: int, from_first_name: str = "Someone") -> Replies:
        sender = {"id": from_user_id, "is_bot": False, "first_name": from_first_name}
        date = int(time.time()) - 60
        message = self._message(text=text)
        message["forward_origin"] = {"type": "user", "sender_user": sender, "date": date}
        message["forward_from"], message["forward_date"] = sender, date  # legacy fields, still parsed
        return await self._act({"message": message})

    async def press(
        self,
        label: str,
        *,
        in_message: SentMessage | int | None = None,
        phone: str | None = None,
        location: tuple[float, float] | None = None,
    ) -> Replies:
        """Press a button the bot showed: an inline button (most recent message first), or
        a button of the current reply keyboard. Exact label beats substring match."""
        if in_message is not None:
            target = self._referenced_message(in_message)
            candidates = [target]
            keyboard = None
        else:
            candidates = [m for m in reversed(self.inbox) if not m.deleted]
            keyboard = self.reply_keyboard()
        for matches in (lambda text: text == label, lambda text: label in text):
            for message in candidates:
                for button in _flat(message.buttons):
                    if matches(button["text"]):
                        return await self._press_inline(message, button)
            for button in _flat(keyboard or []):
                if matches(button["text"]):
                    return await self._press_reply(button, phone, location)
        inline = {m.message_id: m.button_labels() for m in candidates if m.buttons}
        reply = [b["text"] for b in _flat(keyboard or [])]
        raise AssertionError(
            f"no button {label!r} for chat {self.chat_id}. Inline buttons by message id: {inline or 'none'}; "
            f"reply keyboard: {reply or 'none'}"
        )

    async def press_data(self, data: str, message_id: int | None = None) -> Replies:
        """Send a callback_query with arbitrary data, as a tampered or stale client could."""
        if message_id is None:
            message = self.last
        else:
            message = self.emulator.message(self.chat_id, message_id)
        if message is not None:
            message_json = self.emulator.message_json(message)
        else:
            # Telegram sends an InaccessibleMessage (date 0) for messages it cannot show.
            message_json = {"message_id": message_id or 1, "date": 0, "chat": self.chat}
        return await self._callback(message_json, data)

    def reply_keyboard(self) -> list[list[JSON]] | None:
        """The reply keyboard currently shown in this chat (the latest one not removed since)."""
        for message in reversed(self.inbox):
            if message.removes_keyboard:
                return None
            if (keyboard := message.reply_keyboard) is not None:
                return keyboard
        return None

    # -- plumbing -----------------------------------------------------------------------

    async def _press_inline(self, message: SentMessage, button: JSON) -> Replies:
        if "callback_data" not in button:
            kind = ", ".join(k for k in button if k != "text")
            raise AssertionError(f"button {button['text']!r} has no callback_data (it is a {kind} button)")
        return await self._callback(self.emulator.message_json(message), button["callback_data"])

    async def _press_reply(self, button: JSON, phone: str | None, location: tuple[float, float] | None) -> Replies:
        if button.get("request_contact"):
            if phone is None:
                raise AssertionError(f"button {button['text']!r} requests a contact: pass press(..., phone=...)")
            return await self.share_contact(phone)
        if button.get("request_location"):
            if location is None:
                raise AssertionError(
                    f"button {button['text']!r} requests a location: pass press(..., location=(lat, lon))"
                )
            return await self.send_location(*location)
        return await self.send(button["text"])

    async def _callback(self, message_json: JSON, data: str) -> Replies:
        query = {
            "id": f"{self.user_id}{next(_callback_ids):08d}",
            "from": self.user,
            "chat_instance": f"ci{self.chat_id}",
            "message": message_json,
            "data": data,
        }
        return await self._act({"callback_query": query})

    def _message(self, **content: Any) -> JSON:
        return {
            "message_id": self.emulator.next_message_id(self.chat_id),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            **content,
        }

    def _referenced_message(self, ref: SentMessage | int) -> SentMessage:
        if isinstance(ref, SentMessage):
            return ref
        found = self.emulator.message(self.chat_id, ref)
        if found is None:
            raise AssertionError(f"no message {ref} from the bot in chat {self.chat_id}")
        return found

    def _referenced(self, ref: SentMessage | int) -> JSON:
        return self.emulator.message_json(self._referenced_message(ref))

    async def _act(self, body: JSON) -> Replies:
        update = {"update_id": self.emulator.next_update_id(), **body}
        mark = len(self.emulator.events)
        self.emulator.observe_update(update)
        await self._deliver(update)
        found: dict[str, dict[int, SentMessage]] = {"sent": {}, "edited": {}, "deleted": {}}
        for kind, message in self.emulator.events[mark:]:
            if message.chat_id == self.chat_id:
                found[kind].setdefault(message.message_id, message)
        new = list(found["sent"].values())
        # A message both sent and edited during the action is reported once, as new.
        edited = [m for m_id, m in found["edited"].items() if m_id not in found["sent"]]
        return Replies(new, edited, list(found["deleted"].values()))


def _flat(rows: Iterable[list[JSON]]) -> list[JSON]:
    return [button for row in rows for button in row]


def _guess_mime(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"
