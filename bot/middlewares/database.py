"""One database session, and so one transaction, per update."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories import Repositories

# The conversation-state storage writes through the update's own transaction when there is
# one, so that "proposal saved" and "wizard finished" commit together or not at all.
current_repositories: ContextVar[Repositories | None] = ContextVar("current_repositories", default=None)


class DatabaseSession(BaseMiddleware):
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self.sessionmaker() as session:
            repos = Repositories(session)
            token = current_repositories.set(repos)
            try:
                data["repos"] = repos
                result = await handler(event, data)
                await session.commit()
                return result
            finally:
                current_repositories.reset(token)
