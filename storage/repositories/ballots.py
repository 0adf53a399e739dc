"""Ballots and the finalists they choose from.

A ballot row holds the campaign, a keyed hash of the voter (`campaign.verification.voter_key`)
and the chosen proposal ids; UNIQUE(campaign_id, voter_key) is what makes it one per person.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from campaign.proposal import Proposal, ProposalStatus
from storage.models import ProposalRow
from storage.models.voting import BallotRow, VoteReceiptRow
from storage.repositories.proposals import _proposal
from storage.repositories.verification import aware, utc
from storage.upsert import insert_for


@dataclass(frozen=True)
class StoredBallot:
    campaign_id: str
    choices: tuple[int, ...]
    cast_at: datetime
    updated_at: datetime


class CastOutcome(StrEnum):
    RECORDED = "recorded"  # first ballot of this voter
    CHANGED = "changed"  # an earlier ballot replaced (campaign allows changes)
    UNCHANGED = "unchanged"  # the same choices again (a double tap, a replayed update)
    ALREADY_VOTED = "already_voted"  # an earlier ballot, and the campaign forbids changes


@dataclass(frozen=True)
class CastResult:
    outcome: CastOutcome
    ballot: StoredBallot


def _ballot(row: BallotRow) -> StoredBallot:
    return StoredBallot(row.campaign_id, tuple(int(c) for c in row.choices), aware(row.cast_at), aware(row.updated_at))


class BallotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def finalists(self, campaign_id: str) -> list[Proposal]:
        """The projects on the ballot, in a stable order."""
        rows = await self.session.scalars(
            select(ProposalRow)
            .where(ProposalRow.campaign_id == campaign_id, ProposalRow.status == ProposalStatus.FINALIST)
            .order_by(ProposalRow.id)
        )
        return [_proposal(row) for row in rows]

    async def of_voter(self, campaign_id: str, voter_key: str) -> StoredBallot | None:
        row = await self.session.scalar(
            select(BallotRow)
            .where(BallotRow.campaign_id == campaign_id, BallotRow.voter_key == voter_key)
            .execution_options(populate_existing=True)
        )
        return _ballot(row) if row else None

    async def cast(
        self, campaign_id: str, voter_key: str, choices: tuple[int, ...], now: datetime, *, changeable: bool,
        user_id: int | None = None,
    ) -> CastResult:
        """Record a ballot (already validated against the rules).

        An INSERT guarded by the unique constraint, in a SAVEPOINT: of two racing casts one
        inserts, the other finds the ballot and changes it (if allowed) or is refused.
        """
        now = utc(now)
        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    insert(BallotRow).values(
                        campaign_id=campaign_id, voter_key=voter_key, choices=list(choices), cast_at=now, updated_at=now
                    )
                )
        except IntegrityError:
            pass
        else:
            if user_id is not None:
                await self.session.execute(
                    insert_for(self.session, VoteReceiptRow)
                    .values(campaign_id=campaign_id, user_id=user_id)
                    .on_conflict_do_nothing()
                )
            return CastResult(CastOutcome.RECORDED, StoredBallot(campaign_id, choices, now, now))
        existing = await self.of_voter(campaign_id, voter_key)
        assert existing is not None, "the unique constraint fired, so the ballot exists"
        if existing.choices == tuple(choices):
            return CastResult(CastOutcome.UNCHANGED, existing)
        if not changeable:
            return CastResult(CastOutcome.ALREADY_VOTED, existing)
        await self.session.execute(
            update(BallotRow)
            .where(BallotRow.campaign_id == campaign_id, BallotRow.voter_key == voter_key)
            .values(choices=list(choices), updated_at=now)
        )
        return CastResult(CastOutcome.CHANGED, StoredBallot(campaign_id, tuple(choices), existing.cast_at, now))

    async def has_voted(self, campaign_id: str, voter_key: str) -> bool:
        found = await self.session.scalar(
            select(BallotRow.id).where(BallotRow.campaign_id == campaign_id, BallotRow.voter_key == voter_key)
        )
        return found is not None

    async def voter_keys(self, campaign_id: str) -> set[str]:
        """Who has voted, as voter keys: a broadcaster computes `voter_key(secret, campaign, telegram_id)`
        for each resident and skips those in this set (the `not_voted` audience)."""
        return set(await self.session.scalars(select(BallotRow.voter_key).where(BallotRow.campaign_id == campaign_id)))

    async def count(self, campaign_id: str) -> int:
        return await self.session.scalar(
            select(func.count()).select_from(BallotRow).where(BallotRow.campaign_id == campaign_id)
        ) or 0

    async def all_choices(self, campaign_id: str) -> list[tuple[int, ...]]:
        """Every ballot's choices, for the tally; nothing that says whose."""
        rows = await self.session.scalars(
            select(BallotRow.choices).where(BallotRow.campaign_id == campaign_id).order_by(BallotRow.id)
        )
        return [tuple(int(c) for c in choices) for choices in rows]

    async def set_status_for_tests(self, proposal_id: int, status: ProposalStatus) -> None:
        """Make a proposal a finalist without the committee dialog (tests and the console only)."""
        await self.session.execute(update(ProposalRow).where(ProposalRow.id == proposal_id).values(status=status))
