"""Commit, then speak: what a handler says to Telegram waits until its update has committed.

While an update's transaction is open (see `bot.middlewares.database.UpdateTransaction`), every
Bot API call that speaks (send, edit, delete, answer a button...) made through the app's `Bot` is
not sent: the request middleware `HoldUntilCommit` appends it to the update's `Outbox` and
returns a `NotSentYet` placeholder at once. The middleware commits, closes the session, and only
then sends the outbox, in the order the handler spoke. If anything fails before or during the
commit, the outbox is dropped: no one is told something that is not true, and the error
handler (which runs outside the update's transaction) answers the sender.

Handlers need to do nothing for this. Two things to know:

- A call that reads (`get_file`, `get_chat`, `download`...) goes through at once: the handler needs
  its answer. Any method whose name starts with `get` is a read.
- A handler that needs Telegram's answer (the id of a message to edit later, whether the
  author could be reached) cannot have it before the commit. It registers an after-commit step
  (`conversations.after_commit`), which runs in order with the held calls and may open a
  second short transaction to record what Telegram answered:

      async def remember(transaction) -> None:
          sent = await bot.send_message(chat_id, text)   # sent now: the update has committed
          async with transaction() as repos:             # a new, short transaction
              await repos.something.remember(sent.message_id)

      after_commit(remember)

A call that fails once the update has committed (the resident blocked the bot, an edit of a
message that did not change) is logged and the next one is sent: what was committed stays true.
When a message to the sender's own chat could not be sent (and not because they blocked the
bot), `send` raises `RepliesFailed` at the end, so that the error handler tells them something
went wrong: they would otherwise wait for an answer that never comes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import Response
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.methods import TelegramMethod
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.after_commit import Step
from storage.repositories import Repositories

log = logging.getLogger(__name__)


class NotSentYet:
    """What a speaking Bot API call returns while the update's transaction is open."""

    __slots__ = ("method",)

    def __init__(self, method: str) -> None:
        self.method = method

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(
            f"{self.method} is sent only after the update commits, so its answer ({name}) is not known yet: "
            "read it in an after_commit step (see bot/outbox.py)"
        )

    def __repr__(self) -> str:
        return f"<{self.method}: sent after the commit>"


class RepliesFailed(Exception):
    """A message to the update's own chat could not be sent after the commit."""


class Outbox:
    """What one update will say, once its transaction has committed."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], chat_id: int | None = None) -> None:
        self.sessionmaker = sessionmaker
        self.chat_id = chat_id  # the sender's chat: a reply there that fails is reported
        self.open = True  # closed once sent or dropped: later calls (a task it spawned) go straight out
        self._items: list[tuple[Bot, TelegramMethod[Any]] | Step] = []

    def __len__(self) -> int:
        return len(self._items)

    def hold(self, bot: Bot, method: TelegramMethod[Any]) -> NotSentYet:
        self._items.append((bot, method))
        return NotSentYet(method.__api_method__)

    def after_commit(self, step: Step) -> None:
        """Run `step(transaction)` after the commit, in order with the queued calls."""
        if not self.open:
            raise RuntimeError("after_commit() called after the update was answered")
        self._items.append(step)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        """A second, short transaction for an after-commit step; commits when the block ends."""
        async with self.sessionmaker() as session:
            yield Repositories(session)
            await session.commit()

    def drop(self) -> None:
        self.open = False
        self._items.clear()

    async def send(self) -> None:
        """Send what was held, in order; called once the update's transaction has committed.

        Two kinds of call keep no order with the replies and go out alongside them, instead of
        one Bot API round trip each (~50 ms from Europe) before or after them: a button's answer
        (`answerCallbackQuery`, which stops the spinner on the button, no message in the chat)
        and a deletion (of a message sent before this update: a held one has no id yet), which
        leaves the chat the same whichever lands first.
        """
        self.open = False
        items, self._items = self._items, []
        alongside = [item for item in items if _alongside(item)]
        if alongside and len(alongside) < len(items):
            answering = [asyncio.create_task(self._deliver(item)) for item in alongside]
            try:
                failures = [await self._deliver(item) for item in items if not _alongside(item)]
                failures += await asyncio.gather(*answering)
            finally:
                for task in answering:
                    task.cancel()  # only if this was cancelled half-way: they are done otherwise
        else:
            failures = [await self._deliver(item) for item in items]
        unanswered = next((failure for failure in failures if failure is not None), None)
        if unanswered is not None:
            raise RepliesFailed(f"a reply to chat {self.chat_id} could not be sent") from unanswered

    async def _deliver(self, item: tuple[Bot, TelegramMethod[Any]] | Step) -> TelegramAPIError | None:
        """Send one held call or run one step; the error, if it leaves the sender unanswered."""
        try:
            if isinstance(item, tuple):
                bot, method = item
                token = _answer_unread.set(True)
                try:
                    await bot(method)
                finally:
                    _answer_unread.reset(token)
            else:
                await item(self.transaction)
        except TelegramAPIError as error:
            # Committed already: a resident who blocked the bot, or an edit that changed
            # nothing, must not stop the replies after it.
            log.warning("after commit: %s failed: %s", _name(item), error)
            if self._is_reply(item) and not isinstance(error, TelegramForbiddenError):
                return error
        except Exception:  # noqa: BLE001 - same: the update is committed, tell the others
            log.exception("after commit: %s failed", _name(item))
        return None

    def _is_reply(self, item: object) -> bool:
        if not isinstance(item, tuple) or self.chat_id is None:
            return False
        method = item[1]
        return method.__api_method__.startswith("send") and getattr(method, "chat_id", None) == self.chat_id


_ALONGSIDE = frozenset({"answerCallbackQuery", "deleteMessage"})


def _alongside(item: object) -> bool:
    return isinstance(item, tuple) and item[1].__api_method__ in _ALONGSIDE


def _name(item: object) -> str:
    if isinstance(item, tuple):
        return item[1].__api_method__
    return getattr(item, "__qualname__", repr(item))


current_outbox: ContextVar[Outbox | None] = ContextVar("current_outbox", default=None)

# Set while `Outbox.send` sends a held call, whose answer no one reads (the handler had a
# `NotSentYet`). Turning Telegram's answer (a whole Message, say) into pydantic objects costs
# ~60 us a reply (a few per cent of an update's CPU), for nothing: `_skip_unread_result` drops it.
# After-commit steps read their answers: the flag is off while they run.
_answer_unread: ContextVar[bool] = ContextVar("answer_unread", default=False)


def _skip_unread_result(json_loads: Callable[..., Any]) -> Callable[..., Any]:
    """A session's JSON loader that drops the `result` of a successful answer no one reads.

    aiogram's `BaseSession.check_response`, which every session that talks JSON calls (aiohttp
    in production, the bench's and the tests' emulators), validates the whole answer into
    `Response[T]`, whose `result` may be None. Only a successful answer loses it: an error
    (ok false) keeps its description and parameters, so it raises exactly as before
    (TelegramForbiddenError, retry_after...).
    """

    def loads(content: Any, *args: Any, **kwargs: Any) -> Any:
        data = json_loads(content, *args, **kwargs)
        if _answer_unread.get() and isinstance(data, dict) and data.get("ok") is True:
            data.pop("result", None)
        return data

    return loads


class HoldUntilCommit(BaseRequestMiddleware):
    """Bot API request middleware: while the update's transaction is open, speaking waits.

    It also keeps each method's `Response[...]` class alive: aiogram parametrizes the pydantic
    generic on every answer, and pydantic caches that class only while something refers to it,
    so that every garbage collection made the next answer build its schema again (milliseconds).
    """

    def __init__(self) -> None:
        self._responses: dict[type, Any] = {}

    async def __call__(
        self, make_request: NextRequestMiddlewareType[Any], bot: Bot, method: TelegramMethod[Any]
    ) -> Any:
        if type(method) not in self._responses:
            self._responses[type(method)] = Response[method.__returning__]  # type: ignore[name-defined]
        outbox = current_outbox.get()
        if outbox is None or not outbox.open or method.__api_method__.startswith("get"):
            return await make_request(bot, method)
        return outbox.hold(bot, method)


def install(bot: Bot) -> None:
    """Hold this bot's speaking calls while an update's transaction is open (idempotent)."""
    if not any(isinstance(m, HoldUntilCommit) for m in bot.session.middleware):
        bot.session.middleware(HoldUntilCommit())
        bot.session.json_loads = _skip_unread_result(bot.session.json_loads)
