"""aiogram conversation state kept in our database, so a restart loses no draft."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.middlewares.database import current_repositories
from storage.repositories.conversation_state import ConversationStateRepository


class DatabaseStorage(BaseStorage):
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        self.key_builder = DefaultKeyBuilder(with_destiny=True)

    @asynccontextmanager
    async def _states(self) -> AsyncIterator[ConversationStateRepository]:
        repos = current_repositories.get()
        if repos is not None:
            yield repos.states
            return
        async with self.sessionmaker() as session:
            yield ConversationStateRepository(session)
            await session.commit()

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._states() as states:
            await states.set_state(self.key_builder.build(key), value)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._states() as states:
            state, _ = await states.get(self.key_builder.build(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._states() as states:
            await states.set_data(self.key_builder.build(key), dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._states() as states:
            _, data = await states.get(self.key_builder.build(key))
        return data

    async def close(self) -> None:
        pass
