"""A fake Telegram Bot API server for tests and benchmarks.

It speaks the real wire protocol (``{base}/bot{token}/{method}``, form / multipart / JSON
bodies, ``{"ok": ..., "result": ...}`` answers), so the bot under test runs aiogram's real
``AiohttpSession`` against it. It keeps state like Telegram does (per-chat message ids,
edits, deletions, uploaded files, an update queue) and reproduces the Bad Request errors
that real bots trip over (unparsable HTML, "message is not modified", oversized
callback_data...), so a test passing here has a fair chance to pass against Telegram.

Run ``python -m tests.emulator.server --port 8081`` to talk to a bot by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import itertools
import json
import re
import secrets
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSON = dict[str, Any]

BOT_USER: JSON = {
    "id": 424242,
    "is_bot": True,
    "first_name": "pbbot",
    "username": "pbbot_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}

# Parameters that are plain strings on the wire. aiogram JSON-encodes every non-string
# value, so everything else is JSON-decoded; these must not be, or a text "42" would
# turn into an int.
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "file_id",
        "url",
        "action",
        "description",
        "short_description",
        "name",
        "title",
        "emoji",
        "language_code",
        "inline_message_id",
        "business_connection_id",
        "secret_token",
        "ip_address",
        "photo",
        "document",
        "video",
        "audio",
        "voice",
        "animation",
        "sticker",
        "video_note",
        "thumbnail",
        "message_effect_id",
        "phone_number",
        "first_name",
        "last_name",
        "address",
        "question",
        "foursquare_id",
        "google_place_id",
    }
)

# Send methods that create a message, and under which key the file goes.
MEDIA_METHODS: dict[str, str] = {
    "sendphoto": "photo",
    "senddocument": "document",
    "sendvideo": "video",
    "sendaudio": "audio",
    "sendvoice": "voice",
    "sendanimation": "animation",
    "sendsticker": "sticker",
    "sendvideonote": "video_note",
}
# Extra fields each media object needs to validate as the aiogram type.
MEDIA_EXTRA: dict[str, JSON] = {
    "document": {},
    "video": {"width": 640, "height": 480, "duration": 1},
    "audio": {"duration": 1},
    "voice": {"duration": 1},
    "animation": {"width": 320, "height": 240, "duration": 1},
    "sticker": {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False},
    "video_note": {"length": 240, "duration": 1},
}
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


class ApiError(Exception):
    """An error answer: raised anywhere in a method handler, turned into Telegram's JSON."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


@dataclass
class Upload:
    """A file that came as a multipart part."""

    content: bytes
    filename: str | None
    content_type: str | None = None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes | None  # None for files known only by URL
    filename: str | None = None
    mime_type: str | None = None
    url: str | None = None

    @property
    def size(self) -> int:
        return len(self.content) if self.content is not None else 0


@dataclass
class Fault:
    error_code: int
    description: str
    retry_after: int | None
    times: int


@dataclass
class Hold:
    """A Bot API call the emulator keeps unanswered until the test releases it (see `hold`)."""

    method: str
    chat_id: int | None
    reached: asyncio.Event = field(default_factory=asyncio.Event)  # the call has arrived and waits
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def matches(self, method: str, params: JSON) -> bool:
        return method.lower() == self.method.lower() and (self.chat_id is None or params.get("chat_id") == self.chat_id)

    def release(self) -> None:
        self.released.set()


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
    media_kind: str | None = None  # "photo", "document", ... for media messages
    file: bytes | str | None = None  # uploaded bytes, or the file_id / URL string the bot gave
    file_id: str | None = None  # file_id the emulator assigned (or the one reused)
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
        if not self.reply_markup:
            return []
        return [list(row) for row in self.reply_markup.get("inline_keyboard", [])]

    @property
    def reply_keyboard(self) -> list[list[JSON]] | None:
        """Rows of KeyboardButton dicts if this message sets a reply keyboard."""
        if not self.reply_markup or "keyboard" not in self.reply_markup:
            return None
        return [[b if isinstance(b, dict) else {"text": b} for b in row] for row in self.reply_markup["keyboard"]]

    @property
    def removes_keyboard(self) -> bool:
        return bool(self.reply_markup and self.reply_markup.get("remove_keyboard"))

    def button_labels(self) -> list[str]:
        """Labels of whichever keyboard (inline or reply) this message carries."""
        rows = self.buttons or self.reply_keyboard or []
        return [b["text"] for row in rows for b in row]

    def button(self, label: str) -> JSON:
        for row in self.buttons or self.reply_keyboard or []:
            for b in row:
                if b["text"] == label:
                    return b
        raise AssertionError(f"no button {label!r} in message {self.message_id}: {self.button_labels()}")


# ---------------------------------------------------------------------------------------
# Parse-mode handling: Telegram rejects what it cannot parse, so we do too.

_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "blockquote",
    }
)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>")


def html_to_plain(text: str) -> str:
    """Validate Telegram-HTML like the Bot API does and return the visible text."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while (start := text.find("<", pos)) >= 0:
        out.append(text[pos:start])
        offset = len(text[:start].encode())
        match = _TAG_RE.match(text, start)
        if match is None:
            # A bare "<" (e.g. unescaped user input) is the classic failure.
            name = re.match(r"</?([^\s>]*)", text[start:])
            raise ValueError(f'Unsupported start tag "{name.group(1) if name else ""}" at byte offset {offset}')
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3) or ""
        if name not in _HTML_TAGS:
            kind = "end" if closing else "start"
            raise ValueError(f'Unsupported {kind} tag "{name}" at byte offset {offset}')
        if closing:
            if not stack or stack[-1] != name:
                expected = f'"</{stack[-1]}>"' if stack else "nothing"
                raise ValueError(f'Unmatched end tag at byte offset {offset}, expected {expected}, found "</{name}>"')
            stack.pop()
        else:
            if name == "span" and "tg-spoiler" not in attrs:
                raise ValueError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
            stack.append(name)
        pos = match.end()
    if stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    out.append(text[pos:])
    return html.unescape("".join(out))


_MD2_MARKERS = frozenset("*_~|`[")
_MD2_RESERVED = frozenset("#+-={}.!()>]")


def markdown_v2_to_plain(text: str) -> str:
    """Check MarkdownV2 escaping (the usual "Character '.' is reserved" error) and strip markers."""
    out: list[str] = []
    i, in_code, in_url = 0, False, False
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if c == "`":
            in_code = not in_code
        elif in_code:
            out.append(c)
        elif in_url:
            in_url = c != ")"
        elif c == "]" and text.startswith("](", i):
            in_url, i = True, i + 1
        elif c == ">" and (i == 0 or text[i - 1] == "\n"):
            pass  # blockquote marker
        elif c == "!" and text.startswith("![", i):
            pass  # custom emoji: ![👍](tg://emoji?id=...)
        elif c in _MD2_RESERVED:
            raise ValueError(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
        elif c not in _MD2_MARKERS:
            out.append(c)
        i += 1
    return "".join(out)


def to_plain(text: str, parse_mode: str | None) -> str:
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            return html_to_plain(text)
        if mode == "markdownv2":
            return markdown_v2_to_plain(text)
    except ValueError as e:
        raise bad_request(f"can't parse entities: {e}") from None
    if mode not in ("", "markdown"):
        raise bad_request("unsupported parse_mode")
    return text


def check_markup(markup: Any) -> JSON | None:
    """Reject keyboards Telegram rejects; return the markup as a dict."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


# ---------------------------------------------------------------------------------------


class BotAPIEmulator:
    def __init__(
        self,
        *,
        keep_messages: bool = True,
        rate_limit_per_second: float | None = None,
        strict_chats: bool = False,
        on_event: Callable[[str, SentMessage], None] | None = None,
    ) -> None:
        """
        keep_messages: store messages, events and calls; False keeps memory flat for benches
            (only counters, users/chats seen, and the last 1000 calls and callback answers).
        strict_chats: refuse to write first to a private chat never seen in an update,
            like Telegram ("bot can't initiate conversation with a user").
        on_event: called with ("sent" | "edited" | "deleted", message) as they happen.
        """
        self.bot_user: JSON = dict(BOT_USER)
        self.keep_messages = keep_messages
        self.rate_limit_per_second = rate_limit_per_second
        self.strict_chats = strict_chats
        self.on_event = on_event
        self.blocked_chats: set[int] = set()

        self.sent_count = 0
        self.too_many_requests = 0
        self.method_counts: Counter[str] = Counter()
        self.calls: list[tuple[str, JSON]] | deque[tuple[str, JSON]] = [] if keep_messages else deque(maxlen=1000)
        self.callback_answers: list[JSON] | deque[JSON] = [] if keep_messages else deque(maxlen=1000)
        self.errors: list[BaseException] = []  # emulator bugs (answered as 500)
        self.events: list[tuple[str, SentMessage]] = []
        self.files: dict[str, StoredFile] = {}
        self.webhook_url = ""
        self.webhook_max_connections = 40  # Telegram's default
        self.allowed_updates: list[str] | None = None
        self.my_commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}

        self._messages: list[SentMessage] = []
        self._by_chat: dict[int, list[SentMessage]] = {}
        self._by_key: dict[tuple[int, int], SentMessage] = {}
        self._last_message_id: dict[int, int] = {}
        self._global_message_id = 0
        self._updates: deque[JSON] = deque()
        self._next_update_id = 1
        self._update_signal = asyncio.Event()
        self._message_signal = asyncio.Event()
        self._poll_generation = 0
        self._send_window: deque[float] = deque()
        self._faults: dict[str, deque[Fault]] = {}
        self._holds: list[Hold] = []
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._open_callbacks: set[str] = set()
        self._answered_callbacks: set[str] = set()
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._handlers: dict[str, Callable[[JSON], Any]] = {
            "getme": lambda p: self.bot_user,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setchatmenubutton": self._set_chat_menu_button,
            "getchatmenubutton": lambda p: self.menu_buttons.get(p.get("chat_id"), {"type": "default"}),
            "setmydescription": lambda p: True,
            "setmyshortdescription": lambda p: True,
            "setmyname": lambda p: True,
            "sendmessage": self._send_message,
            "sendlocation": self._send_location,
            "sendchataction": self._send_chat_action,
            "editmessagetext": lambda p: self._edit(p, "editMessageText"),
            "editmessagecaption": lambda p: self._edit(p, "editMessageCaption"),
            "editmessagereplymarkup": lambda p: self._edit(p, "editMessageReplyMarkup"),
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "getfile": self._get_file,
            "getchat": self._get_chat,
            "close": lambda p: True,
            "logout": lambda p: True,
        }
        for name in MEDIA_METHODS:
            self._handlers[name] = lambda p, name=name: self._send_media(p, name)

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        # Events must belong to the running loop (the emulator may be built outside it).
        self._update_signal = asyncio.Event()
        self._message_signal = asyncio.Event()
        app = web.Application(client_max_size=60 * 1024 * 1024)  # Telegram accepts 50 MB uploads
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # Short shutdown: long polls are woken by stop(), nothing else lingers.
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._port = self._runner.addresses[0][1]  # the real port when port=0
        self._host = host

    async def stop(self) -> None:
        self._closing = True
        self._update_signal.set()  # release pending long polls so shutdown is immediate
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotAPIEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("emulator not started")
        return f"http://{self._host}:{self._port}"

    # -- test-facing API ----------------------------------------------------------------

    def messages(self, chat_id: int | None = None, *, include_deleted: bool = True) -> list[SentMessage]:
        source = self._messages if chat_id is None else self._by_chat.get(chat_id, [])
        return [m for m in source if include_deleted or not m.deleted]

    def last_message(self, chat_id: int) -> SentMessage | None:
        """Latest message to the chat that has not been deleted."""
        for m in reversed(self._by_chat.get(chat_id, [])):
            if not m.deleted:
                return m
        return None

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        return self._by_key.get((chat_id, message_id))

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 5) -> list[SentMessage]:
        """Wait until the bot has sent at least `count` messages (deleted ones included) to the chat."""
        try:
            async with asyncio.timeout(timeout):
                while len(found := self.messages(chat_id)) < count:
                    await self._message_signal.wait()
        except TimeoutError:
            texts = [m.text for m in self.messages(chat_id)]
            raise AssertionError(
                f"expected {count} messages to chat {chat_id} within {timeout}s, got {texts}"
            ) from None
        return found

    def push_update(self, update: JSON) -> JSON:
        """Queue an update for getUpdates; assigns update_id unless given."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self.next_update_id()
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self.observe_update(update)
        self._updates.append(update)
        self._wake("_update_signal")
        return update

    def pending_updates(self) -> list[JSON]:
        return list(self._updates)

    def next_update_id(self) -> int:
        self._next_update_id += 1
        return self._next_update_id - 1

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
                self._users[user["id"]] = user
            chat = body.get("chat") or (body.get("message") or {}).get("chat")
            if chat:
                self._chats[chat["id"]] = chat
            if kind == "callback_query" and self.keep_messages:  # bench mode: no per-query memory
                self._open_callbacks.add(body["id"])

    def fail_next(
        self,
        method: str,
        error_code: int = 400,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail with this error."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = {
                400: "Bad Request: injected failure",
                403: "Forbidden: bot was blocked by the user",
                429: f"Too Many Requests: retry after {retry_after}",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }.get(error_code, "injected failure")
        fault = Fault(error_code, description, retry_after, times)
        self._faults.setdefault(method.lower(), deque()).append(fault)

    def hold(self, method: str, chat_id: int | None = None) -> Hold:
        """Keep the next call of `method` (to `chat_id`, if given) unanswered until `release()`:
        `reached` is set once the bot is waiting on it. For ordering tests: what else can the
        bot do while one of its calls is in flight?"""
        hold = Hold(method, chat_id)
        self._holds.append(hold)
        return hold

    def add_file(
        self,
        content: bytes | None,
        filename: str | None = None,
        *,
        mime_type: str | None = None,
        folder: str = "documents",
        file_id: str | None = None,
        url: str | None = None,
        register: bool = True,
    ) -> StoredFile:
        """Register a file (as if uploaded by a user) so getFile and downloads work."""
        n = next(self._file_counter)
        ext = ""
        if filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1]
        elif folder == "photos":
            ext = ".jpg"
        stored = StoredFile(
            file_id=file_id or f"{folder[:2].upper()}AAC{n:06d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AQAD{n:06d}",
            file_path=f"{folder}/file_{n}{ext}",
            content=content,
            filename=filename,
            mime_type=mime_type,
            url=url,
        )
        if register:
            self.files[stored.file_id] = stored
            self._files_by_path[stored.file_path] = stored
        return stored

    def photo_sizes(self, stored: StoredFile, width: int = 800, height: int = 600) -> list[JSON]:
        """PhotoSize list as Telegram sends it: a thumbnail and the full size."""
        thumb_w = 90
        thumb_h = max(1, height * thumb_w // max(width, 1))
        thumb = self.add_file(stored.content, stored.filename, folder="photos", register=self.keep_messages)
        return [
            {
                "file_id": thumb.file_id,
                "file_unique_id": thumb.file_unique_id,
                "width": thumb_w,
                "height": thumb_h,
                "file_size": thumb.size,
            },
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": stored.size,
            },
        ]

    def chat_json(self, chat_id: int) -> JSON:
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if chat_id < 0:
            kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
            return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
        user = self._users.get(chat_id, {})
        chat: JSON = {"id": chat_id, "type": "private", "first_name": user.get("first_name", "User")}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
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
        # Telegram echoes only inline keyboards in Message.reply_markup.
        if m.reply_markup and "inline_keyboard" in m.reply_markup:
            body["reply_markup"] = m.reply_markup
        return body

    # -- HTTP ---------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await self._read_params(request)
        except Exception:  # noqa: BLE001 - a malformed body is the client's fault
            return web.json_response(bad_request("can't parse request body").payload(), status=400)
        self.method_counts[method] += 1
        self.calls.append((method, params))
        handler = self._handlers.get(method.lower())
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        for hold in self._holds:
            if hold.matches(method, params):
                self._holds.remove(hold)
                hold.reached.set()
                await hold.released.wait()
                break
        try:
            self._inject_fault(method)
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as e:
            return web.json_response(e.payload(), status=e.code)
        except Exception as e:  # noqa: BLE001 - an emulator bug must not look like a network error
            self.errors.append(e)
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 500,
                    "description": f"Internal Server Error: emulator {type(e).__name__}: {e}",
                },
                status=500,
            )
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None or stored.content is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    async def _read_params(self, request: web.Request) -> JSON:
        raw: dict[str, Any] = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.content_type == "application/json":
            raw.update(await request.json())
        elif request.body_exists:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[key] = Upload(value.file.read(), value.filename, value.content_type)
                else:
                    raw[key] = value
        params: JSON = {}
        for key, value in raw.items():
            if isinstance(value, str) and key not in STRING_PARAMS:
                try:
                    value = json.loads(value)
                except ValueError:
                    pass  # e.g. chat_id="@channel"
            params[key] = value
        for key, value in list(params.items()):
            # aiogram always uploads as `attach://<random>` parts; other clients name the part.
            if isinstance(value, str) and value.startswith("attach://"):
                name = value.removeprefix("attach://")
                if name not in uploads:
                    raise ValueError(f"missing part {name}")
                params[key] = uploads.pop(name)
        for key, upload in uploads.items():
            params.setdefault(key, upload)
        return params

    def _inject_fault(self, method: str) -> None:
        queue = self._faults.get(method.lower())
        if not queue:
            return
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.popleft()
        raise ApiError(fault.error_code, fault.description, fault.retry_after)

    def _wake(self, attr: str) -> None:
        # Swap the event before setting it: current waiters wake, later ones wait afresh.
        event: asyncio.Event = getattr(self, attr)
        setattr(self, attr, asyncio.Event())
        event.set()

    # -- updates ------------------------------------------------------------------------

    async def _get_updates(self, p: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            )
        if "allowed_updates" in p:
            self.allowed_updates = p["allowed_updates"] or None  # Telegram remembers it
        offset = p.get("offset")
        if isinstance(offset, int):
            if offset < 0:
                while len(self._updates) > -offset:
                    self._updates.popleft()
            else:
                while self._updates and self._updates[0]["update_id"] < offset:
                    self._updates.popleft()
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake("_update_signal")  # a newer poll ends an older one, as on Telegram
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        while not self._closing and not self._deliverable():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            signal = self._update_signal
            try:
                await asyncio.wait_for(signal.wait(), remaining)
            except TimeoutError:
                break
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        return self._deliverable()[:limit]

    def _deliverable(self) -> list[JSON]:
        if self.allowed_updates:
            # Telegram never produces updates of types the bot did not ask for.
            allowed = set(self.allowed_updates)
            kept = [u for u in self._updates if next(k for k in u if k != "update_id") in allowed]
            self._updates = deque(kept)
        return list(self._updates)

    def _delete_webhook(self, p: JSON) -> bool:
        self.webhook_url = ""
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _set_webhook(self, p: JSON) -> bool:
        self.webhook_url = str(p.get("url") or "")
        self.webhook_max_connections = int(p.get("max_connections") or 40)
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, p: JSON) -> JSON:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    # -- bot settings -------------------------------------------------------------------

    @staticmethod
    def _commands_key(p: JSON) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), p.get("language_code") or ""

    def _set_my_commands(self, p: JSON) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad_request('parameter "commands" is required')
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", "")):
                raise bad_request("BOT_COMMAND_INVALID")
        self.my_commands[self._commands_key(p)] = commands
        return True

    def _get_my_commands(self, p: JSON) -> list[JSON]:
        return self.my_commands.get(self._commands_key(p), [])

    def _delete_my_commands(self, p: JSON) -> bool:
        self.my_commands.pop(self._commands_key(p), None)
        return True

    def _set_chat_menu_button(self, p: JSON) -> bool:
        self.menu_buttons[p.get("chat_id")] = p.get("menu_button") or {"type": "default"}
        return True

    # -- sending ------------------------------------------------------------------------

    def _target_chat(self, p: JSON, *, counts_for_rate: bool = True) -> int:
        chat_id = p.get("chat_id")
        if not isinstance(chat_id, int):
            raise bad_request("chat not found")
        if counts_for_rate:
            self._check_rate()
        if chat_id in self.blocked_chats:
            if chat_id < 0:
                raise ApiError(403, "Forbidden: bot was kicked from the group chat")
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.strict_chats and chat_id > 0 and chat_id not in self._chats:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat_id

    def _check_rate(self) -> None:
        if self.rate_limit_per_second is None:
            return
        now = time.monotonic()
        window = self._send_window
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= self.rate_limit_per_second:
            self.too_many_requests += 1
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        window.append(now)

    def _new_message(self, method: str, chat_id: int, p: JSON, **fields: Any) -> SentMessage:
        reply_to = p.get("reply_to_message_id") or (p.get("reply_parameters") or {}).get("message_id")
        return SentMessage(
            message_id=self.next_message_id(chat_id),
            chat_id=chat_id,
            method=method,
            parse_mode=p.get("parse_mode"),
            reply_markup=check_markup(p.get("reply_markup")),
            date=int(time.time()),
            reply_to=reply_to,
            params=p if self.keep_messages else {},
            **fields,
        )

    def _store(self, m: SentMessage) -> JSON:
        self.sent_count += 1
        if self.keep_messages:
            self._messages.append(m)
            self._by_chat.setdefault(m.chat_id, []).append(m)  # per chat: a resident's inbox costs no scan of all
            self._by_key[(m.chat_id, m.message_id)] = m
        self._record("sent", m)
        self._wake("_message_signal")
        return self.message_json(m)

    def _record(self, kind: str, m: SentMessage) -> None:
        if self.keep_messages:
            self.events.append((kind, m))
        if self.on_event is not None:
            self.on_event(kind, m)

    def _send_message(self, p: JSON) -> JSON:
        chat_id = self._target_chat(p)
        text = p.get("text")
        if not isinstance(text, str) or not text.strip():
            raise bad_request("message text is empty")
        plain = to_plain(text, p.get("parse_mode"))
        if not plain.strip():
            raise bad_request("message text is empty")
        if len(plain) > TEXT_LIMIT:
            raise bad_request("message is too long")
        return self._store(self._new_message("sendMessage", chat_id, p, text=text, plain_text=plain))

    def _send_location(self, p: JSON) -> JSON:
        chat_id = self._target_chat(p)
        lat, lon = p.get("latitude"), p.get("longitude")
        if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)) or abs(lat) > 90 or abs(lon) > 180:
            raise bad_request("wrong latitude or longitude")
        return self._store(self._new_message("sendLocation", chat_id, p, location=(float(lat), float(lon))))

    def _send_media(self, p: JSON, method_key: str) -> JSON:
        kind = MEDIA_METHODS[method_key]
        chat_id = self._target_chat(p)
        caption = p.get("caption")
        plain = to_plain(caption, p.get("parse_mode")) if caption else None
        if plain and len(plain) > CAPTION_LIMIT:
            raise bad_request("message caption is too long")
        value = p.get(kind)
        folder = "photos" if kind == "photo" else f"{kind}s"
        keep = self.keep_messages  # bench mode registers nothing, so memory stays flat
        if isinstance(value, Upload):
            if not value.content:
                raise bad_request("file must be non-empty")
            stored = self.add_file(
                value.content if keep else None,
                value.filename,
                mime_type=value.content_type,
                folder=folder,
                register=keep,
            )
            file: bytes | str = value.content if keep else b""
        elif isinstance(value, str) and value in self.files:
            stored, file = self.files[value], value
        elif isinstance(value, str) and (value.startswith(("http://", "https://")) or (value and not keep)):
            url = value if value.startswith("http") else None
            stored = self.add_file(None, value.rsplit("/", 1)[-1], folder=folder, url=url, register=keep)
            file = value
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if kind == "photo":
            media_json: Any = self.photo_sizes(stored)
        else:
            media_json = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.size,
                **MEDIA_EXTRA[kind],
            }
            if kind == "document":
                media_json["file_name"] = stored.filename or "document"
                media_json["mime_type"] = stored.mime_type or "application/octet-stream"
        message = self._new_message(
            f"send{kind.title().replace('_', '')}",
            chat_id,
            p,
            text=caption,
            plain_text=plain,
            media_kind=kind,
            file=file,
            file_id=stored.file_id,
            filename=stored.filename,
            media_json=media_json,
        )
        return self._store(message)

    def _send_chat_action(self, p: JSON) -> bool:
        self._target_chat(p, counts_for_rate=False)  # actions are not messages
        if not p.get("action"):
            raise bad_request("wrong parameter action in request")
        return True

    # -- editing ------------------------------------------------------------------------

    def _edit(self, p: JSON, method: str) -> JSON | bool:
        if p.get("inline_message_id"):
            return True  # inline messages are not tracked; Telegram answers True for them
        chat_id, message_id = p.get("chat_id"), p.get("message_id")
        if not isinstance(chat_id, int) or not isinstance(message_id, int):
            raise bad_request("message to edit not found")
        markup = check_markup(p.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        m = self._by_key.get((chat_id, message_id))
        if m is None and not self.keep_messages:
            # Nothing is kept in bench mode: answer as if the edit succeeded.
            ghost = self._new_message(method, chat_id, p, text=p.get("text") or p.get("caption"))
            ghost.message_id, ghost.plain_text = message_id, ghost.text
            return self.message_json(ghost)
        if m is None or m.deleted:
            raise bad_request("message to edit not found")

        text, plain, parse_mode = m.text, m.plain_text, m.parse_mode
        if method == "editMessageText":
            if m.media_kind or m.location:
                raise bad_request("there is no text in the message to edit")
            text, parse_mode = p.get("text"), p.get("parse_mode")
            if not isinstance(text, str) or not text.strip():
                raise bad_request("message text is empty")
            plain = to_plain(text, parse_mode)
            if len(plain) > TEXT_LIMIT:
                raise bad_request("message is too long")
        elif method == "editMessageCaption":
            if not m.media_kind:
                raise bad_request("there is no caption in the message to edit")
            text, parse_mode = p.get("caption"), p.get("parse_mode")
            plain = to_plain(text, parse_mode) if text else None
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        if text == m.text and plain == m.plain_text and markup == m.reply_markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message"
            )
        m.edits.append(Edit(method, int(time.time()), m.text, m.reply_markup))
        m.text, m.plain_text, m.parse_mode, m.reply_markup = text, plain, parse_mode, markup
        m.edit_date = int(time.time())
        self._record("edited", m)
        self._wake("_message_signal")
        return self.message_json(m)

    def _delete_message(self, p: JSON) -> bool:
        chat_id, message_id = p.get("chat_id"), p.get("message_id")
        if not self.keep_messages:
            return True
        m = self._by_key.get((chat_id, message_id))  # type: ignore[arg-type]
        if m is None:
            # Users' own messages are not stored; deleting them is allowed in Telegram.
            if (
                isinstance(message_id, int)
                and isinstance(chat_id, int)
                and 0 < message_id <= self._last_message_id.get(chat_id, 0)
            ):
                return True
            raise bad_request("message to delete not found")
        if m.deleted:
            raise bad_request("message to delete not found")
        m.deleted = True
        self._record("deleted", m)
        return True

    # -- misc ---------------------------------------------------------------------------

    def _answer_callback_query(self, p: JSON) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        if not query_id or query_id in self._answered_callbacks:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if query_id in self._open_callbacks:
            self._open_callbacks.discard(query_id)
            self._answered_callbacks.add(query_id)
        text = p.get("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": bool(p.get("show_alert")),
                "url": p.get("url"),
                "cache_time": p.get("cache_time"),
            }
        )
        return True

    def _get_file(self, p: JSON) -> JSON:
        stored = self.files.get(str(p.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    def _get_chat(self, p: JSON) -> JSON:
        chat_id = p.get("chat_id")
        if not isinstance(chat_id, int):
            raise bad_request("chat not found")
        if self.strict_chats and chat_id > 0 and chat_id not in self._chats:
            raise bad_request("chat not found")  # a user who never talked to the bot
        return {
            **self.chat_json(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }


# ---------------------------------------------------------------------------------------
# Standalone: `python -m tests.emulator.server --port 8081`, then point the bot at it.


async def _serve(port: int) -> None:
    from .resident import Resident

    def show(kind: str, m: SentMessage) -> None:
        if kind == "deleted":
            return print(f"  [{m.chat_id}] (deleted #{m.message_id})")
        body = m.plain_text or (f"<{m.media_kind}>" if m.media_kind else f"<location {m.location}>")
        labels = f"  {m.button_labels()}" if m.button_labels() else ""
        print(f"{'~ edited' if kind == 'edited' else '<-'} [{m.chat_id}] #{m.message_id}: {body}{labels}", flush=True)

    emu = BotAPIEmulator(on_event=show)
    await emu.start(port=port)

    async def deliver(update: JSON) -> None:
        emu.push_update(update)

    user = Resident(emu, deliver, user_id=1001)
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str] = asyncio.Queue()
    # A daemon thread reads stdin so Ctrl-C never waits for a pending readline.
    threading.Thread(
        target=lambda: [loop.call_soon_threadsafe(lines.put_nowait, line) for line in sys.stdin], daemon=True
    ).start()
    print(
        f"Bot API emulator on {emu.base_url} (BOT_API_URL={emu.base_url}). "
        "Type a message as user 1001; [Label] presses a button.",
        flush=True,
    )
    try:
        while True:
            line = (await lines.get()).strip()
            if not line:
                continue
            try:
                if line.startswith("[") and line.endswith("]"):
                    await user.press(line[1:-1])
                else:
                    await user.send(line)
            except AssertionError as e:
                print(f"!! {e}", flush=True)
    finally:
        await emu.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    # Run the importable copy, so its classes are the ones resident.py uses.
    from tests.emulator.server import main as canonical_main

    canonical_main()


__all__ = ["BOT_USER", "ApiError", "BotAPIEmulator", "Edit", "SentMessage", "StoredFile", "Upload"]
