"""What goes wrong on Telegram's side, on demand: injected errors, held calls, the flood limit,
blocked users and chats the bot may not write to first."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


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


class Faults:
    """The emulator's part that fails on purpose (a mixin of BotAPIEmulator)."""

    chats: dict[int, JSON]  # chats seen in updates (FakeTelegram)

    def __init__(self, *, rate_limit_per_second: float | None, strict_chats: bool) -> None:
        self.rate_limit_per_second = rate_limit_per_second
        self.strict_chats = strict_chats
        self.blocked_chats: set[int] = set()
        self.too_many_requests = 0
        self._send_window: deque[float] = deque()
        self._faults: dict[str, deque[Fault]] = {}
        self._holds: list[Hold] = []

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

    async def _wait_if_held(self, method: str, params: JSON) -> None:
        for hold in self._holds:
            if hold.matches(method, params):
                self._holds.remove(hold)
                hold.reached.set()
                await hold.released.wait()
                return

    def _inject_fault(self, method: str) -> None:
        queue = self._faults.get(method.lower())
        if not queue:
            return
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.popleft()
        raise ApiError(fault.error_code, fault.description, fault.retry_after)

    def _target_chat(self, p: JSON) -> int:
        """The chat a send goes to, if Telegram would let the bot write there now."""
        chat_id = p.get("chat_id")
        if not isinstance(chat_id, int):
            raise bad_request("chat not found")
        self._check_rate()
        if chat_id in self.blocked_chats:
            if chat_id < 0:
                raise ApiError(403, "Forbidden: bot was kicked from the group chat")
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.strict_chats and chat_id > 0 and chat_id not in self.chats:
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
