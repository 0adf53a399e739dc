"""After the commit: for the few handlers that need to know what Telegram answered.

Everything a handler says is held until its update has committed, then sent in order
(bot/outbox.py does it; the dialogs need not think about it). So a handler cannot know, while
it runs, whether a message went through or which id Telegram gave it. When it needs that, it
registers a step with `after_commit(step)`: the step runs after the commit, in order with the
held messages, with Bot API calls sent at once, and gets `transaction`, a factory of second,
short transactions (`async with transaction() as repos: ...`, committed at the end).

`say_later(bot, chat_id, render)` sends a message whose text depends on what happened before it
(e.g. "the author was told"): `render` is called after the steps registered before it, in the
language of the handler that registered it.

The runtime (bot/middlewares/database.py) sets the hook for each update; this module only
declares it, so that the dialogs do not import the runtime.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.utils.i18n import I18n

from storage.repositories import Repositories

Transaction = Callable[[], AbstractAsyncContextManager[Repositories]]
Step = Callable[[Transaction], Awaitable[None]]
T = TypeVar("T")

hook: ContextVar[Callable[[Step], None] | None] = ContextVar("after_commit_hook", default=None)


def after_commit(step: Step) -> None:
    """Run `step(transaction)` once the current update has committed."""
    register = hook.get()
    if register is None:
        raise RuntimeError("after_commit() outside an update: there is no transaction to wait for")
    register(step)


def localized(render: Callable[[], T]) -> Callable[[], T]:
    """`render`, to be called later (after the commit), in the language of the handler now."""
    i18n = I18n.get_current(no_error=True)
    if i18n is None:
        return render
    locale = i18n.current_locale

    def in_language() -> T:
        with i18n.context(), i18n.use_locale(locale):
            return render()

    return in_language


def say_later(bot: Bot, chat_id: int, render: Callable[[], str], **kwargs: Any) -> None:
    """Send `render()` after the commit and the steps before it, in the handler's language."""
    text = localized(render)

    async def say(_: Transaction) -> None:
        await bot.send_message(chat_id, text(), **kwargs)

    after_commit(say)


__all__ = ["Step", "Transaction", "after_commit", "hook", "localized", "say_later"]
