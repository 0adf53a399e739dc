"""What the committee's figures, results, exports and broadcast reports read: counts, counts
per hour, the projects on the ballot, the publication of the results, recent broadcasts.

Read-only, except nothing: the writes these features make go through the repositories of
their aggregates (proposals, ballots, broadcasts, audit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from campaign.proposal import Proposal, ProposalStatus
from storage.models import AuditRow, ProposalRow, UserRow
from storage.models.broadcasts import BroadcastRow, DeliveryRow
from storage.models.voting import VerificationRow
from storage.repositories.broadcasts import Broadcast, _broadcast, recipients_condition
from storage.repositories.proposals import proposal_of as _proposal

PUBLICATION_ACTION = "results_published"
# The broadcast that announces the published results; its unique key makes publishing once.
PUBLICATION_KEY = "results_published"
ON_BALLOT = (ProposalStatus.FINALIST, ProposalStatus.WINNER)

# Asked by /start, /vote and /myvote outside the vote: built once, on the table.
_AUDIT: Table = AuditRow.__table__  # type: ignore[assignment]
_PUBLICATION = (
    select(_AUDIT.c.actor_telegram_id, _AUDIT.c.at, _AUDIT.c.details)
    .where(_AUDIT.c.campaign_id == bindparam("campaign_id"), _AUDIT.c.action == PUBLICATION_ACTION)
    .order_by(_AUDIT.c.id.desc())
    .limit(1)
)


@dataclass(frozen=True)
class Publication:
    by: int | None  # Telegram id of the committee member
    at: datetime
    snapshot: dict  # what was published: rule, ballots, winners, votes per project


@dataclass(frozen=True)
class SentBroadcast:
    broadcast: Broadcast
    created_by: int | None  # Telegram id of the committee member; None: the calendar


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


class StatisticsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    # --- residents ---------------------------------------------------------------------------

    async def registered(self) -> int:
        return await self.session.scalar(select(func.count()).select_from(UserRow)) or 0

    async def attested_age(self) -> int:
        """Verified residents who confirmed the minimum age (no age is ever recorded)."""
        return (
            await self.session.scalar(
                select(func.count()).select_from(VerificationRow).where(VerificationRow.attested_age.is_(True))
            )
            or 0
        )

    # --- proposals ---------------------------------------------------------------------------

    async def proposals_by_category(self, campaign_id: str) -> dict[str, int]:
        result = await self.session.execute(
            select(ProposalRow.category, func.count())
            .where(ProposalRow.campaign_id == campaign_id, ProposalRow.status != ProposalStatus.DRAFT)
            .group_by(ProposalRow.category)
        )
        return {category: count for category, count in result.all()}

    async def all_proposals(self, campaign_id: str) -> list[Proposal]:
        """Every proposal but drafts, by number (for the export)."""
        rows = await self.session.scalars(
            select(ProposalRow)
            .where(ProposalRow.campaign_id == campaign_id, ProposalRow.status != ProposalStatus.DRAFT)
            .order_by(ProposalRow.id)
        )
        return [_proposal(row) for row in rows]

    async def on_ballot(self, campaign_id: str) -> list[Proposal]:
        """The projects voted on: finalists, and those of them already declared winners."""
        rows = await self.session.scalars(
            select(ProposalRow)
            .where(ProposalRow.campaign_id == campaign_id, ProposalRow.status.in_([str(s) for s in ON_BALLOT]))
            .order_by(ProposalRow.id)
        )
        return [_proposal(row) for row in rows]

    # --- activity per hour ---------------------------------------------------------------------

    async def _hourly(self, column, *where) -> list[tuple[datetime, int]]:  # noqa: ANN001 (a column)
        if self._dialect == "postgresql":
            bucket = func.date_trunc("hour", column)
        else:
            bucket = func.strftime("%Y-%m-%d %H:00:00", column)
        result = await self.session.execute(
            select(bucket, func.count()).where(*where).group_by(bucket).order_by(bucket)
        )
        hours = []
        for value, count in result.all():
            if value is None:
                continue
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            hours.append((_utc(moment), int(count)))
        return hours

    async def registrations_per_hour(self) -> list[tuple[datetime, int]]:
        """New residents per UTC hour (`users.created_at`)."""
        return await self._hourly(UserRow.created_at)

    # --- broadcasts ----------------------------------------------------------------------------

    async def deliveries_waiting(self) -> int:
        """Messages of broadcasts still to send (pending or being sent), for /metrics."""
        return (
            await self.session.scalar(
                select(func.count()).select_from(DeliveryRow).where(DeliveryRow.status.in_(("pending", "sending")))
            )
            or 0
        )

    async def recipients(self, campaign_id: str, audience: str) -> int:
        """How many residents a broadcast to `audience` would be queued for right now (the
        same condition `BroadcastRepository.queue` writes its delivery rows with)."""
        return (
            await self.session.scalar(
                select(func.count()).select_from(UserRow).where(recipients_condition(audience, campaign_id))
            )
            or 0
        )

    async def recent_broadcasts(self, campaign_id: str, limit: int = 10) -> list[SentBroadcast]:
        """The latest broadcasts of the campaign (not those dropped unsent), newest first."""
        rows = await self.session.scalars(
            select(BroadcastRow)
            .where(BroadcastRow.campaign_id == campaign_id, BroadcastRow.status != "dropped")
            .order_by(BroadcastRow.id.desc())
            .limit(limit)
        )
        return [SentBroadcast(_broadcast(row), row.created_by) for row in rows]

    # --- the publication of the results --------------------------------------------------------

    async def publication(self, campaign_id: str) -> Publication | None:
        row = (await self.session.execute(_PUBLICATION, {"campaign_id": campaign_id})).first()
        return Publication(row.actor_telegram_id, _utc(row.at), dict(row.details or {})) if row else None
