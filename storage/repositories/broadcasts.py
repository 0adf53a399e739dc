"""Broadcasts and their deliveries: queueing, the broadcaster's bookkeeping, progress.

A broadcast to 100,000 residents never goes through Python: the delivery rows are written by
one INSERT ... SELECT from `users`, and the broadcaster reads them back a batch at a time,
by id. Like every repository, this one never commits: the caller decides the transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, exists, func, literal, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import UserRow
from storage.models.broadcasts import BroadcastRow, DeliveryRow
from storage.models.voting import VerificationRow, VoteReceiptRow
from storage.models.core import ProposalRow
from storage.upsert import insert_for

log = logging.getLogger(__name__)

DELIVERY_STATUSES = ("pending", "sending", "sent", "unreachable", "failed", "unknown")
# Proposal statuses that make a resident an "author" for the audience of that name.
_AUTHOR_STATUSES = ("submitted", "changes_requested", "eligible", "ineligible", "merged", "finalist", "winner")


@dataclass(frozen=True)
class Broadcast:
    id: int
    campaign_id: str
    kind: str
    key: str | None
    audience: str
    text: dict[str, str]
    photo: str | None
    status: str
    recipients: int
    created_at: datetime


@dataclass(frozen=True)
class PendingDelivery:
    id: int
    user_id: int
    chat_id: int
    language: str
    attempts: int


def _broadcast(row: BroadcastRow) -> Broadcast:
    return Broadcast(
        row.id,
        row.campaign_id,
        row.kind,
        row.key,
        row.audience,
        dict(row.text),
        row.photo,
        row.status,
        row.recipients,
        row.created_at,
    )


# -- audiences --------------------------------------------------------------------------


def audience_condition(audience: str, campaign_id: str) -> ColumnElement[bool]:
    """Which residents an audience is, as a condition on `users` (subscription aside).

    - all: every resident.
    - verified: residents with a verification.
    - authors: residents with at least one submitted proposal in this campaign.
    - not_voted: verified residents without a vote receipt for this campaign.
    """
    if audience == "all":
        return true()
    if audience == "verified":
        return verified_condition(campaign_id)
    if audience == "authors":
        return exists().where(
            ProposalRow.author_id == UserRow.id,
            ProposalRow.campaign_id == campaign_id,
            ProposalRow.status.in_(_AUTHOR_STATUSES),
        )
    if audience == "not_voted":
        return not_voted_condition(campaign_id)
    raise ValueError(f"unknown audience {audience!r}")


def verified_condition(campaign_id: str) -> ColumnElement[bool]:
    return exists().where(VerificationRow.user_id == UserRow.id)


def not_voted_condition(campaign_id: str) -> ColumnElement[bool]:
    voted = exists().where(VoteReceiptRow.campaign_id == campaign_id, VoteReceiptRow.user_id == UserRow.id)
    return and_(verified_condition(campaign_id), ~voted)


def recipients_condition(audience: str, campaign_id: str) -> ColumnElement[bool]:
    """Subscribed, reachable residents in the audience."""
    return and_(UserRow.subscribed.is_(True), UserRow.unreachable.is_(False), audience_condition(audience, campaign_id))


# -- the repository ---------------------------------------------------------------------


class BroadcastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def queue(
        self,
        campaign_id: str,
        *,
        kind: str,
        audience: str,
        text: dict[str, str],
        now: datetime,
        key: str | None = None,
        photo: str | None = None,
        created_by: int | None = None,
    ) -> Broadcast | None:
        """Queue a broadcast and its delivery rows; None if `key` was already queued for the campaign."""
        condition = recipients_condition(audience, campaign_id)  # an unknown audience fails before writing
        statement = (
            insert_for(self.session, BroadcastRow)
            .values(
                campaign_id=campaign_id,
                kind=kind,
                key=key,
                audience=audience,
                text=text,
                photo=photo,
                created_by=created_by,
                created_at=now,
                status="queued",
                recipients=0,
            )
            .on_conflict_do_nothing(index_elements=[BroadcastRow.campaign_id, BroadcastRow.key])
            .returning(BroadcastRow.id)
        )
        broadcast_id = (await self.session.execute(statement)).scalar_one_or_none()
        if broadcast_id is None:
            return None
        recipients = (
            select(literal(broadcast_id), UserRow.id, literal("pending"), literal(0))
            .where(condition)
            .order_by(UserRow.id)
        )
        result = await self.session.execute(
            insert_for(self.session, DeliveryRow).from_select(
                [DeliveryRow.broadcast_id, DeliveryRow.user_id, DeliveryRow.status, DeliveryRow.attempts], recipients
            )
        )
        count = (
            result.rowcount if result.rowcount is not None and result.rowcount >= 0 else await self._count(broadcast_id)
        )
        await self.session.execute(update(BroadcastRow).where(BroadcastRow.id == broadcast_id).values(recipients=count))
        return await self.get(broadcast_id)

    async def record_dropped(self, campaign_id: str, *, kind: str, key: str, audience: str, now: datetime) -> bool:
        """Remember that a keyed broadcast will never be sent (a reminder whose moment passed)."""
        statement = (
            insert_for(self.session, BroadcastRow)
            .values(
                campaign_id=campaign_id,
                kind=kind,
                key=key,
                audience=audience,
                text={},
                created_at=now,
                status="dropped",
                recipients=0,
                finished_at=now,
            )
            .on_conflict_do_nothing(index_elements=[BroadcastRow.campaign_id, BroadcastRow.key])
            .returning(BroadcastRow.id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def _count(self, broadcast_id: int) -> int:
        return (
            await self.session.scalar(
                select(func.count()).select_from(DeliveryRow).where(DeliveryRow.broadcast_id == broadcast_id)
            )
            or 0
        )

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self.session.get(BroadcastRow, broadcast_id, populate_existing=True)
        return _broadcast(row) if row else None

    async def by_key(self, campaign_id: str, key: str) -> Broadcast | None:
        row = await self.session.scalar(
            select(BroadcastRow).where(BroadcastRow.campaign_id == campaign_id, BroadcastRow.key == key)
        )
        return _broadcast(row) if row else None

    async def keys(self, campaign_id: str) -> set[str]:
        """Keys of the announcements already queued (or dropped) for the campaign."""
        rows = await self.session.scalars(
            select(BroadcastRow.key).where(BroadcastRow.campaign_id == campaign_id, BroadcastRow.key.is_not(None))
        )
        return {key for key in rows if key is not None}

    async def projects(self, campaign_id: str, status: str) -> list[tuple[str, Decimal]]:
        """(title, cost) of the campaign's proposals in a status, for the finalists / winners lists.

        Read-only; it belongs with the proposals repository once that one offers it.
        """
        rows = await self.session.execute(
            select(ProposalRow.title, ProposalRow.cost)
            .where(ProposalRow.campaign_id == campaign_id, ProposalRow.status == status)
            .order_by(ProposalRow.id)
        )
        return [(title, cost) for title, cost in rows.all()]

    async def active(self) -> list[Broadcast]:
        """Broadcasts with deliveries left to send, oldest first."""
        rows = await self.session.scalars(
            select(BroadcastRow).where(BroadcastRow.status.in_(("queued", "sending"))).order_by(BroadcastRow.id)
        )
        return [_broadcast(row) for row in rows]

    async def progress(self, broadcast_id: int) -> dict[str, int]:
        """Deliveries by status, every status present (0 when none)."""
        result = await self.session.execute(
            select(DeliveryRow.status, func.count())
            .where(DeliveryRow.broadcast_id == broadcast_id)
            .group_by(DeliveryRow.status)
        )
        counts = dict.fromkeys(DELIVERY_STATUSES, 0)
        counts.update({status: count for status, count in result.all()})
        return counts

    # -- the broadcaster's bookkeeping ---------------------------------------------------

    async def recover_in_flight(self) -> int:
        """Deliveries a crashed worker left in `sending`: maybe sent, maybe not. Never resent."""
        result = await self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.status == "sending")
            .values(status="unknown", last_error="in flight when the broadcaster stopped")
        )
        return result.rowcount or 0

    async def claim(self, broadcast_id: int, after_id: int, limit: int) -> list[PendingDelivery]:
        """The next pending deliveries by id, marked `sending` (commit before sending them)."""
        rows = (
            await self.session.execute(
                select(DeliveryRow.id, DeliveryRow.user_id, UserRow.telegram_id, UserRow.language, DeliveryRow.attempts)
                .join(UserRow, UserRow.id == DeliveryRow.user_id)
                .where(
                    DeliveryRow.broadcast_id == broadcast_id, DeliveryRow.status == "pending", DeliveryRow.id > after_id
                )
                .order_by(DeliveryRow.id)
                .limit(limit)
            )
        ).all()
        if not rows:
            return []
        ids = [row[0] for row in rows]
        await self.session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(ids), DeliveryRow.status == "pending")
            .values(status="sending", attempts=DeliveryRow.attempts + 1)
        )
        return [
            PendingDelivery(id, user_id, chat_id, language, attempts + 1)
            for id, user_id, chat_id, language, attempts in rows
        ]

    async def mark_sending_broadcast(self, broadcast_id: int) -> None:
        await self.session.execute(
            update(BroadcastRow)
            .where(BroadcastRow.id == broadcast_id, BroadcastRow.status == "queued")
            .values(status="sending")
        )

    async def mark_sent(self, delivery_ids: Sequence[int], now: datetime) -> None:
        if delivery_ids:
            await self.session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id.in_(delivery_ids))
                .values(status="sent", sent_at=now, last_error=None)
            )

    async def mark_unreachable(self, deliveries: Sequence[tuple[int, int, str]]) -> None:
        """(delivery id, user id, error): the resident blocked the bot or deleted their account."""
        for delivery_id, _, error in deliveries:
            await self.session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id)
                .values(status="unreachable", last_error=error[:500])
            )
        user_ids = sorted({user_id for _, user_id, _ in deliveries})
        if user_ids:
            await self.session.execute(update(UserRow).where(UserRow.id.in_(user_ids)).values(unreachable=True))

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        await self.session.execute(
            update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(status="failed", last_error=error[:500])
        )

    async def finish_if_done(self, broadcast_id: int, now: datetime) -> bool:
        """Mark the broadcast done when nothing is pending or sending any more."""
        left = await self.session.scalar(
            select(func.count())
            .select_from(DeliveryRow)
            .where(DeliveryRow.broadcast_id == broadcast_id, DeliveryRow.status.in_(("pending", "sending")))
        )
        if left:
            return False
        await self.session.execute(
            update(BroadcastRow).where(BroadcastRow.id == broadcast_id).values(status="done", finished_at=now)
        )
        return True
