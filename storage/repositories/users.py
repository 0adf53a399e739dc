from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.core_rows import first_row
from storage.models import UserRow
from storage.upsert import insert_for

# How fresh `last_seen_at` is kept: refreshing it on every update would make every update write.
SEEN_EVERY = timedelta(days=1)


@dataclass(frozen=True)
class User:
    id: int
    telegram_id: int
    first_name: str
    language: str
    language_chosen: bool
    subscribed: bool
    unreachable: bool
    created_at: datetime


# Read on every update: a plain row, not an ORM object (no identity map, no change tracking),
# by a statement built once.
_USERS = UserRow.__table__
_BY_TELEGRAM_ID: Select[Any] = select(_USERS).where(_USERS.c.telegram_id == bindparam("telegram_id"))


def _user(row: Any) -> User:
    return User(
        id=row.id,
        telegram_id=row.telegram_id,
        first_name=row.first_name,
        language=row.language,
        language_chosen=row.language_chosen,
        subscribed=row.subscribed,
        unreachable=row.unreachable,
        created_at=row.created_at,
    )


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        row = await self.session.scalar(select(UserRow).where(UserRow.telegram_id == telegram_id))
        return _user(row) if row else None

    async def by_id(self, user_id: int) -> User | None:
        row = await self.session.get(UserRow, user_id)
        return _user(row) if row else None

    async def seen(self, telegram_id: int, first_name: str, language: str, now: datetime) -> User:
        """Register a Telegram user on first contact, refresh them afterwards.

        `language` is used only until the resident picks one with /language. A known resident
        costs one SELECT and writes nothing unless something changed: their name, their
        Telegram language, a resident the broadcaster had marked unreachable, or a
        `last_seen_at` more than SEEN_EVERY old (it is a day's resolution, not a clock).
        The first contact is an upsert, because two first messages from one person may arrive
        on two workers at once.
        """
        name = first_name[:128]
        # Seen on which day, not at what time: a resident is seen when they confirm a vote, and
        # the time would date it (README, "Who can learn what").
        today = now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
        row = await first_row(self.session, _BY_TELEGRAM_ID, {"telegram_id": telegram_id})
        if row is None:
            statement = insert_for(self.session, UserRow).values(
                telegram_id=telegram_id,
                first_name=name,
                language=language,
                language_chosen=False,
                subscribed=True,
                unreachable=False,
                created_at=now,
                last_seen_at=today,
            )
            statement = statement.on_conflict_do_update(
                index_elements=[UserRow.telegram_id],
                set_={"first_name": name, "last_seen_at": today, "unreachable": False},
            )
            await self.session.execute(statement)
            row = (await self.session.execute(_BY_TELEGRAM_ID, {"telegram_id": telegram_id})).one()
        # Written only when something changed: a known resident's update costs the one SELECT.
        changes: dict[str, Any] = {}
        if row.first_name != name:
            changes["first_name"] = name
        if row.unreachable:
            changes["unreachable"] = False
        last = row.last_seen_at if row.last_seen_at.tzinfo else row.last_seen_at.replace(tzinfo=timezone.utc)
        if today - last >= SEEN_EVERY:
            changes["last_seen_at"] = today
        if not row.language_chosen and row.language != language:
            changes["language"] = language
        if changes:
            await self.session.execute(update(UserRow).where(UserRow.id == row.id).values(**changes))
        user = _user(row)
        return replace(user, **{k: v for k, v in changes.items() if k != "last_seen_at"}) if changes else user

    async def set_language(self, user_id: int, language: str) -> None:
        await self.session.execute(
            update(UserRow).where(UserRow.id == user_id).values(language=language, language_chosen=True)
        )

    async def set_subscribed(self, user_id: int, subscribed: bool) -> None:
        await self.session.execute(update(UserRow).where(UserRow.id == user_id).values(subscribed=subscribed))
