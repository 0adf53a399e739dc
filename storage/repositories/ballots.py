"""Ballots: sealed while voting, opened once by the count, never next to a person.

While voting, a ballot is a ciphertext (`storage.secrecy.seal`) under a random id, with its
tracker. "Has voted" is a separate row (`vote_receipts`: campaign and user, nothing else); it
is also what makes a ballot one per person: the receipt's primary key is the guard, inserted
in the same transaction as the ballot. When the campaign lets people change their vote, the
sealed ballot also carries a `link`, a keyed hash of the voter (under SECRET_KEY, which is
not in the database), so that a new vote replaces the old; otherwise there is no link at all.

No time is written with a ballot: only a count of first ballots per day (`ballot_days`).
The count (`store_count`) writes the opened ballots shuffled, under random ids, with the
trackers in a separate table, and deletes the sealed ballots, all in one transaction: a
crash before the commit leaves the sealed ballots as they were.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from typing import Any

from sqlalchemy import Table, Text, bindparam, cast, delete, exists, func, insert, literal, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from campaign.proposal import Proposal, ProposalStatus
from storage.models.secrecy import DAY_SHARDS, BallotDayRow, CountedBallotRow, CountedTrackerRow, SealedBallotRow
from storage.models.voting import VerificationRow, VoteReceiptRow
from storage.repositories.proposals import PROPOSALS, proposal_of, proposals_written


class CastOutcome(StrEnum):
    RECORDED = "recorded"  # first ballot of this voter
    CHANGED = "changed"  # an earlier ballot replaced (campaign allows changes)
    ALREADY_VOTED = "already_voted"  # an earlier ballot, and the campaign forbids changes


@dataclass(frozen=True)
class SealedBallot:
    tracker: str
    sealed: bytes


@dataclass(frozen=True)
class Voter:
    """What the vote's buttons check on every press, read in one statement."""

    verified: bool
    voted: bool


def random_id() -> str:
    return secrets.token_hex(16)


# The vote's statements, built once (a press of a ballot button runs two or three of them): on
# the tables rather than the ORM classes, so no statement is built, no cache key computed and
# no ORM entity loaded per update.
_RECEIPTS: Table = VoteReceiptRow.__table__  # type: ignore[assignment]
_SEALED: Table = SealedBallotRow.__table__  # type: ignore[assignment]
_DAYS: Table = BallotDayRow.__table__  # type: ignore[assignment]
_VERIFIED: Table = VerificationRow.__table__  # type: ignore[assignment]
_FINALISTS = (
    select(PROPOSALS)
    .where(PROPOSALS.c.campaign_id == bindparam("campaign_id"), PROPOSALS.c.status == ProposalStatus.FINALIST.value)
    .order_by(PROPOSALS.c.id)
)
_HAS_VOTED = select(_RECEIPTS.c.user_id).where(
    _RECEIPTS.c.campaign_id == bindparam("campaign_id"), _RECEIPTS.c.user_id == bindparam("user_id")
)
_VOTER = select(
    exists().where(_VERIFIED.c.user_id == bindparam("user_id")),
    exists().where(_RECEIPTS.c.campaign_id == bindparam("campaign_id"), _RECEIPTS.c.user_id == bindparam("user_id")),
)
_REPLACE = (  # an UPDATE's parameters may not be named after a column
    update(_SEALED)
    .where(_SEALED.c.campaign_id == bindparam("of_campaign"), _SEALED.c.link == bindparam("of_link"))
    .values(sealed=bindparam("new_sealed"), tracker=bindparam("new_tracker"))
)
_SEAL = insert(_SEALED).values(
    id=bindparam("id"),
    campaign_id=bindparam("campaign_id"),
    link=bindparam("link"),
    sealed=bindparam("sealed"),
    tracker=bindparam("tracker"),
)


def _receipt(dialect: Any) -> Any:
    return (
        dialect.insert(_RECEIPTS)
        .values(campaign_id=bindparam("campaign_id"), user_id=bindparam("user_id"))
        .on_conflict_do_nothing()
    )


def _first_of_day(dialect: Any) -> Any:
    # One of the day's rows, at random (see BallotDayRow): held until the ballot commits.
    return (
        dialect.insert(_DAYS)
        .values(campaign_id=bindparam("campaign_id"), day=bindparam("day"), shard=bindparam("shard"), count=literal(1))
        .on_conflict_do_update(
            index_elements=[_DAYS.c.campaign_id, _DAYS.c.day, _DAYS.c.shard], set_={"count": _DAYS.c.count + 1}
        )
    )


_RECEIPT = {"postgresql": _receipt(postgresql), "sqlite": _receipt(sqlite)}
_FIRST_OF_DAY = {"postgresql": _first_of_day(postgresql), "sqlite": _first_of_day(sqlite)}


@dataclass
class _Kept:
    bind: object  # the engine read from: each app (each test) has its own database
    revision: object
    writes: int
    finalists: list[Proposal]


# The finalists as last read, by campaign: see BallotRepository.finalists.
_KEPT: dict[str, _Kept] = {}


class BallotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def finalists(self, campaign_id: str, *, frozen_in: object | None = None) -> list[Proposal]:
        """The projects on the ballot, in a stable order (the caller must not change the list).

        `frozen_in`: given only by a caller that checked the vote is open in this campaign (the
        object bot.middlewares.campaign hands to each update: replaced whenever a date is moved
        or the vote's lock changes). The list cannot change while the vote is open (the
        committee's ticks and edits are refused then, campaign.review), and the vote can only
        close or reopen through a new campaign object; so the list read once under an object is
        kept while that object is the campaign, unless this process wrote to the proposals since
        (the console's clock can go back to the review before the first ballot). Recording a
        ballot reads them afresh (no `frozen_in`)."""
        bind = self.session.get_bind()
        kept = _KEPT.get(campaign_id) if frozen_in is not None else None
        if kept is not None and kept.revision is frozen_in and kept.bind is bind and kept.writes == proposals_written():
            return kept.finalists
        writes = proposals_written()
        rows = await self.session.execute(_FINALISTS, {"campaign_id": campaign_id})
        finalists = [proposal_of(row) for row in rows]
        if frozen_in is not None and finalists:
            _KEPT[campaign_id] = _Kept(bind, frozen_in, writes, finalists)
        return finalists

    async def voter(self, campaign_id: str, user_id: int) -> Voter:
        """Whether the resident is verified and has voted in this campaign (one statement)."""
        verified, voted = (await self.session.execute(_VOTER, {"campaign_id": campaign_id, "user_id": user_id})).one()
        return Voter(bool(verified), bool(voted))

    # --- while voting ----------------------------------------------------------------------------

    async def cast(
        self,
        campaign_id: str,
        *,
        user_id: int,
        sealed: bytes,
        tracker: str,
        today: date,
        link: str | None,
    ) -> CastOutcome:
        """Record a sealed ballot (its choices already validated against the rules).

        `link` is None when votes cannot be changed. The receipt's primary key decides between
        two confirmations that arrive together: one inserts it, the other finds it.
        """
        dialect = self.session.get_bind().dialect.name
        voter = {"campaign_id": campaign_id, "user_id": user_id}
        first = (await self.session.execute(_RECEIPT[dialect], voter)).rowcount == 1
        if not first and link is None:
            return CastOutcome.ALREADY_VOTED
        if not first:
            replaced = await self.session.execute(
                _REPLACE, {"of_campaign": campaign_id, "of_link": link, "new_sealed": sealed, "new_tracker": tracker}
            )
            if replaced.rowcount == 1:
                return CastOutcome.CHANGED
        await self.session.execute(
            _SEAL, {"id": random_id(), "campaign_id": campaign_id, "link": link, "sealed": sealed, "tracker": tracker}
        )
        if first:
            shard = secrets.randbelow(DAY_SHARDS)
            await self.session.execute(
                _FIRST_OF_DAY[dialect], {"campaign_id": campaign_id, "day": today, "shard": shard}
            )
        return CastOutcome.RECORDED if first else CastOutcome.CHANGED

    async def has_voted(self, campaign_id: str, user_id: int) -> bool:
        found = (await self.session.execute(_HAS_VOTED, {"campaign_id": campaign_id, "user_id": user_id})).first()
        return found is not None

    async def sealed_tracker(self, campaign_id: str, tracker: str) -> bool:
        """Whether a sealed (not yet counted) ballot has this tracker."""
        found = await self.session.scalar(
            select(SealedBallotRow.id).where(
                SealedBallotRow.campaign_id == campaign_id, SealedBallotRow.tracker == tracker
            )
        )
        return found is not None

    async def count(self, campaign_id: str) -> int:
        """Ballots so far: the sealed ones while voting, the counted ones after the count."""
        sealed = (
            await self.session.scalar(
                select(func.count()).select_from(SealedBallotRow).where(SealedBallotRow.campaign_id == campaign_id)
            )
            or 0
        )
        counted = (
            await self.session.scalar(
                select(func.count()).select_from(CountedBallotRow).where(CountedBallotRow.campaign_id == campaign_id)
            )
            or 0
        )
        return sealed + counted

    async def per_day(self, campaign_id: str) -> list[tuple[date, int]]:
        rows = await self.session.execute(
            select(BallotDayRow.day, func.sum(BallotDayRow.count))
            .where(BallotDayRow.campaign_id == campaign_id)
            .group_by(BallotDayRow.day)
            .order_by(BallotDayRow.day)
        )
        return [(day, int(count)) for day, count in rows.all()]

    # --- the count --------------------------------------------------------------------------------

    async def sealed(self, campaign_id: str) -> list[SealedBallot]:
        rows = await self.session.execute(
            select(SealedBallotRow.tracker, SealedBallotRow.sealed).where(SealedBallotRow.campaign_id == campaign_id)
        )
        return [SealedBallot(tracker, bytes(sealed)) for tracker, sealed in rows.all()]

    async def store_count(self, campaign_id: str, opened: Sequence[Sequence[int]], trackers: Sequence[str]) -> None:
        """Write the opened ballots (already shuffled by the caller) and the trackers, and drop
        the sealed ballots. The caller marks the count done in the same transaction."""
        if opened:
            await self.session.execute(
                insert(CountedBallotRow),
                [
                    {"id": random_id(), "campaign_id": campaign_id, "choices": sorted(int(c) for c in choices)}
                    for choices in opened
                ],
            )
        if trackers:
            await self.session.execute(
                insert(CountedTrackerRow), [{"campaign_id": campaign_id, "tracker": t} for t in sorted(set(trackers))]
            )
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        if sqlite:
            # Zero the freed pages (as they are written back), rather than leave the ciphertexts there.
            await self.session.execute(text("PRAGMA secure_delete = ON"))
        await self.session.execute(delete(SealedBallotRow).where(SealedBallotRow.campaign_id == campaign_id))
        if sqlite:
            await self.session.execute(text("PRAGMA secure_delete = OFF"))

    async def all_choices(self, campaign_id: str) -> list[tuple[int, ...]]:
        """Every counted ballot's choices, ordered by their random ids: nothing says whose."""
        rows = await self.session.scalars(
            select(CountedBallotRow.choices)
            .where(CountedBallotRow.campaign_id == campaign_id)
            .order_by(CountedBallotRow.id)
        )
        return [tuple(int(c) for c in choices) for choices in rows]

    async def choice_counts(self, campaign_id: str) -> Counter[tuple[int, ...]]:
        """How many counted ballots made each choice: what the tally needs, since it reads each
        distinct ballot once. The database groups them (a million ballots of 30 projects are a
        few thousand distinct ones), so the read is of those few thousand rows, not of every
        ballot through the ORM. Grouped counts say less than the ballots themselves."""
        # PostgreSQL's json type has no equality: group its text (one writer, store_count, so one
        # spelling per choice; the Counter merges any other spelling anyway).
        stored = cast(CountedBallotRow.choices, Text)
        rows = await self.session.execute(
            select(stored, func.count())
            .where(CountedBallotRow.campaign_id == campaign_id)
            .group_by(stored)
            .order_by(stored)  # the same database, the same order, the same tally
        )
        counts: Counter[tuple[int, ...]] = Counter()
        for choices, times in rows.all():
            counts[tuple(int(c) for c in json.loads(choices))] += times
        return counts

    async def counted_trackers(self, campaign_id: str) -> list[str]:
        return list(
            await self.session.scalars(
                select(CountedTrackerRow.tracker)
                .where(CountedTrackerRow.campaign_id == campaign_id)
                .order_by(CountedTrackerRow.tracker)
            )
        )

    async def is_counted_tracker(self, campaign_id: str, tracker: str) -> bool:
        found = await self.session.scalar(
            select(CountedTrackerRow.tracker).where(
                CountedTrackerRow.campaign_id == campaign_id, CountedTrackerRow.tracker == tracker
            )
        )
        return found is not None
