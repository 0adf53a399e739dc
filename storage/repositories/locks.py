"""The campaign's lock row (see storage.models.campaign_lock): written by ballots and the seal.

`admit_ballot` is called in the ballot's transaction before the ballot is written: it creates
the row at the first ballot (recording the settings and finalists then in force), and otherwise
holds the row with a shared lock (FOR SHARE) — False means "sealed, refuse the ballot". `seal` is
called in the tally's transaction before the ballots are read, and updates the row. So on
PostgreSQL the seal waits for every ballot holding the row to commit (then reads them all), and a
ballot waits for a seal under way (then, in READ COMMITTED, sees it); ballots do not wait for one
another (they bumped a counter on the row until 4 December: each waited for the previous one to
commit, and with several workers the vote's confirmations queued up to a second). On SQLite
writes are serialised anyway.

The workers cache the vote's lock (first ballot, seal: bot/middlewares/campaign.py) and read it
again when the row is written (storage/changes.py). Only the first ballot, which makes the row,
and the seal change it: the first ballot's insert, tried by any ballot that finds no row, is
marked as changing nothing cached and says so itself when it made the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from campaign.phase_guard import Lock
from storage.changes import UNWATCHED, changed
from storage.models.campaign_lock import CampaignLockRow
from storage.repositories.verification import aware, utc

# Read whenever the campaign is read again and written by every ballot: built once, on the table.
_LOCKS: Table = CampaignLockRow.__table__  # type: ignore[assignment]
_GET = select(_LOCKS).where(_LOCKS.c.campaign_id == bindparam("campaign_id"))


def _insert_lock(dialect: Any, ballots_accepted: int) -> Any:
    return dialect.insert(_LOCKS).values(
        campaign_id=bindparam("campaign_id"),
        first_ballot_at=bindparam("first_ballot_at"),
        ballot_settings=bindparam("ballot_settings"),
        finalists=bindparam("finalists"),
        ballots_accepted=ballots_accepted,
    )


def _ensure_statement(dialect: Any) -> Any:
    return _insert_lock(dialect, 0).on_conflict_do_nothing(index_elements=["campaign_id"])


def _first_ballot_statement(dialect: Any) -> Any:
    # The row, made by the first ballot; RETURNING says whether this statement made it.
    return (
        _insert_lock(dialect, 1)
        .on_conflict_do_nothing(index_elements=["campaign_id"])
        .returning(_LOCKS.c.campaign_id)
        .execution_options(**{UNWATCHED: True})
    )


# A ballot's hold on the row until it commits: shared, so ballots do not wait for one another,
# but the seal's UPDATE waits for every ballot holding it, and a ballot for a seal under way
# (then sees it). SQLite, which has one writer at a time, has no FOR SHARE and needs none.
_SHARE = select(_LOCKS.c.sealed_at).where(_LOCKS.c.campaign_id == bindparam("campaign_id")).with_for_update(read=True)
_ENSURE = {"postgresql": _ensure_statement(postgresql), "sqlite": _ensure_statement(sqlite)}
_FIRST_BALLOT = {"postgresql": _first_ballot_statement(postgresql), "sqlite": _first_ballot_statement(sqlite)}


@dataclass(frozen=True)
class CampaignLock:
    lock: Lock
    ballot_settings: dict[str, str]
    finalists: dict[str, str]  # proposal id (as text) -> digest of what voters saw


class LockRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, campaign_id: str) -> CampaignLock | None:
        row = (await self.session.execute(_GET, {"campaign_id": campaign_id})).first()
        if row is None:
            return None
        lock = Lock(aware(row.first_ballot_at), aware(row.sealed_at))
        return CampaignLock(lock, dict(row.ballot_settings), dict(row.finalists))

    async def lock(self, campaign_id: str) -> Lock:
        found = await self.get(campaign_id)
        return found.lock if found else Lock()

    async def _ensure(
        self, campaign_id: str, settings: dict[str, str], finalists: dict[str, str], first_ballot_at: datetime | None
    ) -> None:
        await self.session.execute(
            _ENSURE[self.session.get_bind().dialect.name],
            {
                "campaign_id": campaign_id,
                "first_ballot_at": first_ballot_at,
                "ballot_settings": settings,
                "finalists": finalists,
            },
        )

    async def admit_ballot(
        self, campaign_id: str, now: datetime, settings: dict[str, str], finalists: dict[str, str]
    ) -> bool:
        """True: the ballot may be written (this transaction holds the row, shared, until it
        commits); False: the vote is sealed."""
        key = {"campaign_id": campaign_id}
        row = (await self.session.execute(_SHARE, key)).first()
        if row is None:  # no ballot yet: this one makes the row, unless another just did
            values = {**key, "first_ballot_at": utc(now), "ballot_settings": settings, "finalists": finalists}
            made = (await self.session.execute(_FIRST_BALLOT[self.session.get_bind().dialect.name], values)).first()
            if made is not None:  # the vote's lock is set now: every worker reads it again
                await self.session.run_sync(lambda session: changed(session.connection()))
                return True
            row = (await self.session.execute(_SHARE, key)).one()
        return row.sealed_at is None

    async def seal(self, campaign_id: str, now: datetime, settings: dict[str, str], finalists: dict[str, str]) -> bool:
        """True if this call sealed the vote (the first tally), False if it was sealed already."""
        await self._ensure(campaign_id, settings, finalists, None)
        result = await self.session.execute(
            update(CampaignLockRow)
            .where(CampaignLockRow.campaign_id == campaign_id, CampaignLockRow.sealed_at.is_(None))
            .values(sealed_at=utc(now))
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)
