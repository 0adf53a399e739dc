"""aiogram conversation state kept in our database, so a restart loses no draft.

Read and written through the update's own transaction (`current_repositories`, set by
bot/middlewares/database.py); outside an update (a test, a script), in a short one of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.middlewares.database import current_repositories
from storage.repositories.conversation_state import ConversationStateRepository

T = TypeVar("T")


class DatabaseStorage(BaseStorage):
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        self.key_builder = DefaultKeyBuilder(with_destiny=True)

    async def _with_states(self, use: Callable[[ConversationStateRepository], Awaitable[T]]) -> T:
        repos = current_repositories.get()
        if repos is not None:  # the update's transaction: the usual case, no context manager
            return await use(repos.states)
        async with self.sessionmaker() as session:
            result = await use(ConversationStateRepository(session))
            await session.commit()
            return result

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        storage_key = self.key_builder.build(key)
        await self._with_states(lambda states: states.set_state(storage_key, value))

    async def get_state(self, key: StorageKey) -> str | None:
        storage_key = self.key_builder.build(key)
        return await self._with_states(lambda states: states.state(storage_key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        storage_key = self.key_builder.build(key)
        await self._with_states(lambda states: states.set_data(storage_key, dict(data)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        storage_key = self.key_builder.build(key)
        return (await self._with_states(lambda states: states.get(storage_key)))[1]

    async def get_value(self, storage_key: StorageKey, dict_key: str, default: Any | None = None) -> Any | None:
        key = self.key_builder.build(storage_key)
        return await self._with_states(lambda states: states.entry(key, dict_key, default))

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        storage_key = self.key_builder.build(key)
        return await self._with_states(lambda states: states.update_data(storage_key, data))

    async def close(self) -> None:
        pass
