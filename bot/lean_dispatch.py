"""Two costs aiogram adds to every update, removed once the routers are in place (bot/app.py).

- **A thread for every plain-function filter.** aiogram runs a filter or handler that is not a
  coroutine function with `asyncio.to_thread`: a round trip to the thread pool and back (a
  future, a thread wake-up, an event-loop wake-up) each time it is tried. The dialogs' bare
  `State` filters were the many such (conversations/routing_index.py now gives them as
  StateFilters); any plain callable left or added later is wrapped in a coroutine function that
  calls it in place. Our sync filters only compare values (no I/O): they cannot hold up the loop.
- **functools.wraps for every router tried.** For each router an event passes, aiogram wraps the
  next step in the router's middlewares, copying the handler's name and docstring with
  `functools.update_wrapper` even when the router has no middleware. `LeanMiddlewareManager`
  builds the same chain without that copy (nothing reads the wrapper's name).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.bases import MiddlewareEventType, MiddlewareType, NextMiddlewareType
from aiogram.dispatcher.event.handler import CallableObject, CallbackType
from aiogram.dispatcher.middlewares.manager import MiddlewareManager
from aiogram.types import TelegramObject


class LeanMiddlewareManager(MiddlewareManager):
    @staticmethod
    def wrap_middlewares(
        middlewares: Sequence[MiddlewareType[MiddlewareEventType]], handler: CallbackType
    ) -> NextMiddlewareType[MiddlewareEventType]:
        def handler_wrapper(event: TelegramObject, kwargs: dict[str, Any]) -> Any:
            return handler(event, **kwargs)

        middleware: Any = handler_wrapper
        for m in reversed(middlewares):
            middleware = functools.partial(m, middleware)
        return middleware  # type: ignore[no-any-return]


def _in_place(callable_object: CallableObject) -> None:
    """Call a plain function in the event loop's thread rather than through `to_thread`."""
    if callable_object.awaitable:
        return
    plain = callable_object.callback

    async def called_in_place(*args: Any, **kwargs: Any) -> Any:
        return plain(*args, **kwargs)

    # The parameters aiogram passes were read from `plain`'s signature already, and stay.
    callable_object.callback = called_in_place
    callable_object.awaitable = True


def streamline(dispatcher: Router) -> None:
    """Apply both to every router under `dispatcher`; call it after the routers are included."""
    for router in dispatcher.chain_tail:
        for observer in router.observers.values():
            for manager in (observer.middleware, observer.outer_middleware):
                if type(manager) is MiddlewareManager:
                    manager.__class__ = LeanMiddlewareManager
            for handler in [observer._handler, *observer.handlers]:
                _in_place(handler)
                for event_filter in handler.filters or ():
                    _in_place(event_filter)
