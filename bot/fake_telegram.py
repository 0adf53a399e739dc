"""A fake Telegram's memory of the bot's messages, shared by `pbbot console` (bot/console_session.py)
and the tests' Bot API emulator (tests/emulator), so both answer the bot as Telegram does.

It keeps messages as Telegram does (ids per chat, shared with the users' own messages; edits;
deletions; keyboards) and refuses what Telegram refuses with its own words: HTML it cannot parse,
"message is not modified", an empty or too long text, oversized callback_data... A refusal is a
`BadRequest` (a ValueError) whose text follows Telegram's "Bad Request: ".
Only what the bot uses is modelled: HTML (no MarkdownV2), text, photo, document and location
messages, inline and reply keyboards, callback answers."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.telegram_html import JSON, BadRequest, as_text, check_markup, keyboard_rows

__all__ = ["JSON", "BadRequest", "Edit", "FakeTelegram", "SentMessage", "as_text", "keyboard_rows"]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


@dataclass
class Edit:
    """One edit of a SentMessage, keeping what it replaced."""

    method: str
    date: int
    old_text: str | None
    old_reply_markup: JSON | None


@dataclass(eq=False)  # identity semantics: a message is edited in place, tests compare objects
class SentMessage:
    message_id: int
    chat_id: int
    method: str
    text: str | None = None  # text, or caption for media, as the bot sent it (markup included)
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    date: int = 0
    media_kind: str | None = None  # "photo" or "document"
    file: bytes | str | None = None  # uploaded bytes, or the file_id / URL string the bot gave
    file_id: str | None = None  # the file_id Telegram assigned (or the one reused)
    filename: str | None = None
    location: tuple[float, float] | None = None
    reply_to: int | None = None
    plain_text: str | None = None  # text as a Telegram client shows it (HTML tags removed)
    media_json: Any = None  # the photo sizes / document object returned to the bot
    params: JSON = field(default_factory=dict, repr=False)
    deleted: bool = False
    edits: list[Edit] = field(default_factory=list)
    edit_date: int | None = None

    @property
    def caption(self) -> str | None:
        return self.text if self.media_kind else None

    @property
    def photo(self) -> bytes | str | None:
        return self.file if self.media_kind == "photo" else None

    @property
    def document(self) -> bytes | str | None:
        return self.file if self.media_kind == "document" else None

    @property
    def edited(self) -> bool:
        return bool(self.edits)

    @property
    def buttons(self) -> list[list[JSON]]:
        """Rows of inline keyboard buttons (empty if the message has no inline keyboard)."""
        return keyboard_rows(self.reply_markup) if self.reply_markup and "inline_keyboard" in self.reply_markup else []

    @property
    def reply_keyboard(self) -> list[list[JSON]] | None:
        """Rows of KeyboardButton dicts if this message sets a reply keyboard."""
        return keyboard_rows(self.reply_markup) if self.reply_markup and "keyboard" in self.reply_markup else None

    @property
    def removes_keyboard(self) -> bool:
        return bool(self.reply_markup and self.reply_markup.get("remove_keyboard"))

    def button_labels(self) -> list[str]:
        """Labels of whichever keyboard (inline or reply) this message carries."""
        return [b["text"] for row in keyboard_rows(self.reply_markup) for b in row]

    def button(self, label: str) -> JSON:
        for row in keyboard_rows(self.reply_markup):
            for b in row:
                if b["text"] == label:
                    return b
        raise AssertionError(f"no button {label!r} in message {self.message_id}: {self.button_labels()}")


class FakeTelegram:
    """The bot's messages as Telegram keeps them, and the checks Telegram makes on them."""

    def __init__(
        self,
        bot_user: JSON,
        *,
        now: Callable[[], int] = lambda: int(time.time()),
        keep_messages: bool = True,
        on_event: Callable[[str, SentMessage], None] | None = None,
    ) -> None:
        """
        keep_messages: store messages, events and callback answers; False keeps memory flat for
            benches (counters, users and chats seen, the last 1000 callback answers).
        on_event: called with ("sent" | "edited" | "deleted", message) as they happen.
        """
        self.bot_user = bot_user
        self.now = now
        self.keep_messages = keep_messages
        self.on_event = on_event
        self.sent_count = 0
        self.events: list[tuple[str, SentMessage]] = []
        self.callback_answers: list[JSON] | deque[JSON] = [] if keep_messages else deque(maxlen=1000)
        self.stored: dict[tuple[int, int], SentMessage] = {}  # by (chat id, message id)
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, JSON] = {}
        self._messages: list[SentMessage] = []
        self._by_chat: dict[int, list[SentMessage]] = {}  # a resident's inbox costs no scan of all
        self._last_message_id: dict[int, int] = {}
        self._global_message_id = 0
        self._open_callbacks: set[str] = set()
        self._answered_callbacks: set[str] = set()

    # -- reading ------------------------------------------------------------------------

    def messages(self, chat_id: int | None = None, *, include_deleted: bool = True) -> list[SentMessage]:
        source = self._messages if chat_id is None else self._by_chat.get(chat_id, [])
        return [m for m in source if include_deleted or not m.deleted]

    def last_message(self, chat_id: int) -> SentMessage | None:
        """Latest message to the chat that has not been deleted."""
        return next((m for m in reversed(self._by_chat.get(chat_id, [])) if not m.deleted), None)

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        return self.stored.get((chat_id, message_id))

    def next_message_id(self, chat_id: int) -> int:
        """Message ids are per chat and shared between the user's and the bot's messages."""
        if not self.keep_messages:
            self._global_message_id += 1  # no per-chat dict: memory stays flat
            return self._global_message_id
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def observe_update(self, update: JSON) -> None:
        """Learn users, chats and callback ids from an update the bot is about to receive."""
        for kind in ("message", "edited_message", "callback_query"):
            body = update.get(kind)
            if not body:
                continue
            if user := body.get("from"):
                self.users[user["id"]] = user
            if chat := body.get("chat") or (body.get("message") or {}).get("chat"):
                self.chats[chat["id"]] = chat
            if kind == "callback_query" and self.keep_messages:  # bench mode: no per-query memory
                self._open_callbacks.add(body["id"])

    def chat_json(self, chat_id: int) -> JSON:
        if chat_id in self.chats:
            return dict(self.chats[chat_id])
        if chat_id < 0:
            kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
            return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
        user = self.users.get(chat_id, {})
        chat: JSON = {"id": chat_id, "type": "private", "first_name": user.get("first_name", "User")}
        chat.update({key: user[key] for key in ("last_name", "username") if key in user})
        return chat

    def message_json(self, m: SentMessage) -> JSON:
        """The Message object Telegram would return for this message (current state)."""
        body: JSON = {
            "message_id": m.message_id,
            "date": m.date,
            "chat": self.chat_json(m.chat_id),
            "from": self.bot_user,
        }
        if m.edit_date:
            body["edit_date"] = m.edit_date
        if m.media_kind:
            body[m.media_kind] = m.media_json
            if m.plain_text:
                body["caption"] = m.plain_text
        elif m.location:
            body["location"] = {"latitude": m.location[0], "longitude": m.location[1]}
        else:
            body["text"] = m.plain_text
        if m.reply_markup and "inline_keyboard" in m.reply_markup:  # Telegram echoes only inline keyboards
            body["reply_markup"] = m.reply_markup
        return body

    # -- the bot's calls (params as the Bot API receives them) ---------------------------

    def send_message(self, chat_id: int, p: JSON) -> SentMessage:
        text = p.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadRequest("message text is empty")
        plain = as_text(text, p.get("parse_mode"), links=False)
        if not plain.strip():
            raise BadRequest("message text is empty")
        if len(plain) > TEXT_LIMIT:
            raise BadRequest("message is too long")
        return self._store(self._new_message("sendMessage", chat_id, p, text=text, plain_text=plain))

    def send_location(self, chat_id: int, p: JSON) -> SentMessage:
        lat, lon = p.get("latitude"), p.get("longitude")
        if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)) or abs(lat) > 90 or abs(lon) > 180:
            raise BadRequest("wrong latitude or longitude")
        return self._store(self._new_message("sendLocation", chat_id, p, location=(float(lat), float(lon))))

    def send_media(self, kind: str, chat_id: int, p: JSON, **media: Any) -> SentMessage:
        """A photo or document; `media` holds the file's fields (file, file_id, filename, media_json)."""
        caption = p.get("caption")
        plain = as_text(caption, p.get("parse_mode"), links=False) if caption else None
        if plain and len(plain) > CAPTION_LIMIT:
            raise BadRequest("message caption is too long")
        method = f"send{kind.title()}"
        return self._store(
            self._new_message(method, chat_id, p, text=caption, plain_text=plain, media_kind=kind, **media)
        )

    def edit(self, method: str, p: JSON) -> SentMessage | None:
        """editMessageText or editMessageReplyMarkup; None for an inline message (not tracked)."""
        if p.get("inline_message_id"):
            return None
        chat_id, message_id = p.get("chat_id"), p.get("message_id")
        if not isinstance(chat_id, int) or not isinstance(message_id, int):
            raise BadRequest("message to edit not found")
        markup = check_markup(p.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise BadRequest("inline keyboard expected")
        m = self.stored.get((chat_id, message_id))
        if m is None and not self.keep_messages:  # nothing is kept in bench mode: the edit succeeds
            ghost = self._new_message(method, chat_id, p, text=p.get("text"))
            ghost.message_id, ghost.plain_text = message_id, ghost.text
            return ghost
        if m is None or m.deleted:
            raise BadRequest("message to edit not found")
        text, plain, parse_mode = m.text, m.plain_text, m.parse_mode
        if method == "editMessageText":
            if m.media_kind or m.location:
                raise BadRequest("there is no text in the message to edit")
            text, parse_mode = p.get("text"), p.get("parse_mode")
            if not isinstance(text, str) or not text.strip():
                raise BadRequest("message text is empty")
            plain = as_text(text, parse_mode, links=False)
            if len(plain) > TEXT_LIMIT:
                raise BadRequest("message is too long")
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        if text == m.text and plain == m.plain_text and markup == m.reply_markup:
            raise BadRequest(
                "message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message"
            )
        m.edits.append(Edit(method, self.now(), m.text, m.reply_markup))
        m.text, m.plain_text, m.parse_mode, m.reply_markup = text, plain, parse_mode, markup
        m.edit_date = self.now()
        self._record("edited", m)
        return m

    def delete(self, p: JSON) -> None:
        chat_id, message_id = p.get("chat_id"), p.get("message_id")
        if not self.keep_messages or not isinstance(chat_id, int) or not isinstance(message_id, int):
            if self.keep_messages:
                raise BadRequest("message to delete not found")
            return
        m = self.stored.get((chat_id, message_id))
        if m is None and 0 < message_id <= self._last_message_id.get(chat_id, 0):
            return  # a user's own message (not stored): Telegram lets the bot delete it
        if m is None or m.deleted:
            raise BadRequest("message to delete not found")
        m.deleted = True
        self._record("deleted", m)

    def answer_callback(self, p: JSON) -> JSON:
        query_id = str(p.get("callback_query_id") or "")
        if not query_id or query_id in self._answered_callbacks:
            raise BadRequest("query is too old and response timeout expired or query ID is invalid")
        if query_id in self._open_callbacks:
            self._open_callbacks.discard(query_id)
            self._answered_callbacks.add(query_id)
        text = p.get("text")
        if text is not None and len(text) > 200:
            raise BadRequest("MESSAGE_TOO_LONG")
        answer = {
            "callback_query_id": query_id,
            "text": text,
            "show_alert": bool(p.get("show_alert")),
            "url": p.get("url"),
            "cache_time": p.get("cache_time"),
        }
        self.callback_answers.append(answer)
        return answer

    # -- keeping ------------------------------------------------------------------------

    def _new_message(self, method: str, chat_id: int, p: JSON, **fields: Any) -> SentMessage:
        reply_to = p.get("reply_to_message_id") or (p.get("reply_parameters") or {}).get("message_id")
        return SentMessage(
            message_id=self.next_message_id(chat_id),
            chat_id=chat_id,
            method=method,
            parse_mode=p.get("parse_mode"),
            reply_markup=check_markup(p.get("reply_markup")),
            date=self.now(),
            reply_to=reply_to,
            params=p if self.keep_messages else {},
            **fields,
        )

    def _store(self, m: SentMessage) -> SentMessage:
        self.sent_count += 1
        if self.keep_messages:
            self._messages.append(m)
            self._by_chat.setdefault(m.chat_id, []).append(m)
            self.stored[(m.chat_id, m.message_id)] = m
        self._record("sent", m)
        return m

    def _record(self, kind: str, m: SentMessage) -> None:
        if self.keep_messages:
            self.events.append((kind, m))
        if self.on_event is not None:
            self.on_event(kind, m)
