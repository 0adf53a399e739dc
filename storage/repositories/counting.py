"""The campaign's counting key (its public half) and the count's own record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.secrecy import CountingKeyRow
from storage.upsert import insert_for

ENVIRONMENT = "environment"
SHARES = "shares"


@dataclass(frozen=True)
class CountingKey:
    campaign_id: str
    public_key: str
    mode: str  # ENVIRONMENT | SHARES
    threshold: int | None
    shares: int | None
    counted_at: datetime | None
    ballots: int | None
    unreadable: int | None

    @property
    def counted(self) -> bool:
        return self.counted_at is not None


# Read by every ballot's confirmation: built once, on the table.
_KEYS: Table = CountingKeyRow.__table__  # type: ignore[assignment]
_GET = select(_KEYS).where(_KEYS.c.campaign_id == bindparam("campaign_id"))


def _key(row: Any) -> CountingKey:
    return CountingKey(
        row.campaign_id,
        row.public_key,
        row.mode,
        row.threshold,
        row.shares,
        row.counted_at,
        row.ballots,
        row.unreadable,
    )


class CountingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, campaign_id: str) -> CountingKey | None:
        row = (await self.session.execute(_GET, {"campaign_id": campaign_id})).first()
        return _key(row) if row else None

    async def create(
        self,
        campaign_id: str,
        public_key: str,
        mode: str,
        now: datetime,
        *,
        threshold: int | None = None,
        shares: int | None = None,
        by: int | None = None,
    ) -> bool:
        """Record the public key; False if the campaign already has one (two workers starting,
        or two members at once: the first one wins)."""
        result = await self.session.execute(
            insert_for(self.session, CountingKeyRow)
            .values(
                campaign_id=campaign_id,
                public_key=public_key,
                mode=mode,
                threshold=threshold,
                shares=shares,
                created_by=by,
                created_at=now,
            )
            .on_conflict_do_nothing()
        )
        return result.rowcount == 1

    async def replace(
        self, campaign_id: str, public_key: str, threshold: int, shares: int, by: int | None, now: datetime
    ) -> None:
        """A new key in the shares mode (allowed by the caller only while no ballot is sealed)."""
        await self.session.execute(
            update(CountingKeyRow)
            .where(CountingKeyRow.campaign_id == campaign_id, CountingKeyRow.counted_at.is_(None))
            .values(
                public_key=public_key, mode=SHARES, threshold=threshold, shares=shares, created_by=by, created_at=now
            )
        )

    async def mark_counted(
        self, campaign_id: str, now: datetime, by: int | None, ballots: int, unreadable: int
    ) -> bool:
        """Claim the count; False if it was already done (by another member, at the same time)."""
        result = await self.session.execute(
            update(CountingKeyRow)
            .where(CountingKeyRow.campaign_id == campaign_id, CountingKeyRow.counted_at.is_(None))
            .values(counted_at=now, counted_by=by, ballots=ballots, unreadable=unreadable)
        )
        return result.rowcount == 1
