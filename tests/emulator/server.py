"""A fake Telegram Bot API server for tests and benchmarks.

It speaks the real wire protocol (``{base}/bot{token}/{method}``, form / multipart / JSON
bodies, ``{"ok": ..., "result": ...}`` answers), so the bot under test runs aiogram's real
``AiohttpSession`` against it. It answers the methods the bot calls, keeps state like Telegram
does and refuses what Telegram refuses (bot/fake_telegram.py, shared with `pbbot console`), so
a test passing here has a fair chance to pass against Telegram. Files are in files.py; injected
errors, held calls and the flood limit in faults.py.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.fake_telegram import BadRequest, SentMessage

from .faults import ApiError, Faults, Hold, bad_request
from .files import Files, StoredFile, Upload

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
    {"text", "caption", "parse_mode", "callback_query_id", "file_id", "url", "secret_token", "photo", "document"}
)


def _answering(handler: Callable[[JSON], Any]) -> Callable[[JSON], Any]:
    """The handler with the shared model's refusals as Telegram's 400 answers."""

    def answer(p: JSON) -> Any:
        try:
            return handler(p)
        except BadRequest as refused:
            raise bad_request(str(refused)) from None

    return answer


class BotAPIEmulator(Files, Faults):
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
        Files.__init__(self, bot_user=dict(BOT_USER), keep_messages=keep_messages, on_event=on_event)
        Faults.__init__(self, rate_limit_per_second=rate_limit_per_second, strict_chats=strict_chats)
        self.method_counts: Counter[str] = Counter()
        self.bodies: Counter[tuple[str, str]] = Counter()  # (method, the request's content type)
        self.calls: list[tuple[str, JSON]] | deque[tuple[str, JSON]] = [] if keep_messages else deque(maxlen=1000)
        self.errors: list[BaseException] = []  # emulator bugs (answered as 500)
        self.webhook_url = ""
        self.webhook_max_connections = 40  # Telegram's default
        self.allowed_updates: list[str] | None = None
        self.my_commands: dict[tuple[str, str], list[JSON]] = {}
        self._updates: deque[JSON] = deque()
        self._next_update_id = 1
        self._update_signal = asyncio.Event()
        self._message_signal = asyncio.Event()
        self._poll_generation = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        sent = self._sent
        self._handlers: dict[str, Callable[[JSON], Any]] = {
            "getme": lambda p: self.bot_user,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "setmycommands": _answering(self._set_my_commands),
            "sendmessage": sent(lambda chat_id, p: self.send_message(chat_id, p)),
            "sendlocation": sent(lambda chat_id, p: self.send_location(chat_id, p)),
            "sendphoto": sent(lambda chat_id, p: self._send_file("photo", chat_id, p)),
            "senddocument": sent(lambda chat_id, p: self._send_file("document", chat_id, p)),
            "editmessagetext": _answering(lambda p: self._edited(self.edit("editMessageText", p))),
            "editmessagereplymarkup": _answering(lambda p: self._edited(self.edit("editMessageReplyMarkup", p))),
            "deletemessage": _answering(lambda p: self.delete(p) or True),
            "answercallbackquery": _answering(lambda p: bool(self.answer_callback(p))),
            "getfile": self._get_file,
            "getchat": self._get_chat,
        }

    def _sent(self, send: Callable[[int, JSON], SentMessage]) -> Callable[[JSON], JSON]:
        return _answering(lambda p: self.message_json(send(self._target_chat(p), p)))

    def _edited(self, m: SentMessage | None) -> JSON | bool:
        return True if m is None else self.message_json(m)  # Telegram answers True for inline messages

    def _record(self, kind: str, m: SentMessage) -> None:
        super()._record(kind, m)
        if kind != "deleted":
            self._wake("_message_signal")

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

    # -- test-facing API (reading messages: bot/fake_telegram.py) -----------------------

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

    # -- HTTP ---------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await self._read_params(request)
        except Exception:  # noqa: BLE001 - a malformed body is the client's fault
            return web.json_response(bad_request("can't parse request body").payload(), status=400)
        self.method_counts[method] += 1
        self.bodies[method, request.content_type] += 1
        self.calls.append((method, params))
        handler = self._handlers.get(method.lower())
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        await self._wait_if_held(method, params)
        try:
            self._inject_fault(method)
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as e:
            return web.json_response(e.payload(), status=e.code)
        except Exception as e:  # noqa: BLE001 - an emulator bug must not look like a network error
            self.errors.append(e)
            description = f"Internal Server Error: emulator {type(e).__name__}: {e}"
            return web.json_response({"ok": False, "error_code": 500, "description": description}, status=500)
        return web.json_response({"ok": True, "result": result})

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

    # -- the rest the bot calls ---------------------------------------------------------

    def _set_my_commands(self, p: JSON) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise BadRequest('parameter "commands" is required')
        if not all(re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", "")) for c in commands):
            raise BadRequest("BOT_COMMAND_INVALID")
        scope = p.get("scope") or {"type": "default"}
        self.my_commands[json.dumps(scope, sort_keys=True), p.get("language_code") or ""] = commands
        return True

    def _get_chat(self, p: JSON) -> JSON:
        chat_id = p.get("chat_id")
        if not isinstance(chat_id, int):
            raise bad_request("chat not found")
        if self.strict_chats and chat_id > 0 and chat_id not in self.chats:
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


__all__ = ["BOT_USER", "ApiError", "BotAPIEmulator", "Hold", "SentMessage", "StoredFile", "Upload"]
