from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationStateRow
from storage.upsert import insert_for


class ConversationStateRepository:
    """State and data of one conversation, under an opaque key."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: str) -> tuple[str | None, dict]:
        row = await self.session.get(ConversationStateRow, key, populate_existing=True)
        return (row.state, dict(row.data or {})) if row else (None, {})

    async def set_state(self, key: str, state: str | None) -> None:
        await self._upsert(key, state=state)

    async def set_data(self, key: str, data: dict) -> None:
        await self._upsert(key, data=data)

    async def _upsert(self, key: str, **values: object) -> None:
        now = datetime.now(timezone.utc)
        statement = insert_for(self.session, ConversationStateRow).values(
            key=key, state=values.get("state"), data=values.get("data", {}), updated_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=[ConversationStateRow.key], set_={**values, "updated_at": now}
        )
        await self.session.execute(statement)

    async def forget(self, key_prefix: str) -> None:
        await self.session.execute(delete(ConversationStateRow).where(ConversationStateRow.key.startswith(key_prefix)))

