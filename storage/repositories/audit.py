"""The audit log, hash-chained (campaign.audit_chain): one chain over every campaign, in id order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from campaign.audit_chain import ChainedEntry, chain_hash, content_hash
from storage.models import AuditRow

CHAIN_LOCK = 7262009  # PostgreSQL advisory lock: one writer extends the chain at a time


@dataclass(frozen=True)
class AuditEntry:
    actor_telegram_id: int | None
    action: str
    target: str | None
    details: dict
    at: datetime


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        campaign_id: str,
        actor_telegram_id: int | None,
        action: str,
        at: datetime,
        target: str | None = None,
        **details: object,
    ) -> None:
        if self.session.get_bind().dialect.name == "postgresql":
            # Held to the end of the transaction: two writers never chain onto the same entry.
            # (SQLite's BEGIN IMMEDIATE already lets one writer in at a time.)
            await self.session.execute(text(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})"))
        prev = await self.session.scalar(select(AuditRow.entry_hash).order_by(AuditRow.id.desc()).limit(1))
        entry_hash = chain_hash(prev, content_hash(campaign_id, actor_telegram_id, action, target, details, at))
        self.session.add(
            AuditRow(
                campaign_id=campaign_id,
                actor_telegram_id=actor_telegram_id,
                action=action,
                target=target,
                details=details,
                at=at,
                prev_hash=prev,
                entry_hash=entry_hash,
            )
        )
        await self.session.flush()  # the next entry of this transaction chains onto this one

    async def latest(self, campaign_id: str, limit: int = 20) -> list[AuditEntry]:
        rows = await self.session.scalars(
            select(AuditRow).where(AuditRow.campaign_id == campaign_id).order_by(AuditRow.id.desc()).limit(limit)
        )
        return [AuditEntry(r.actor_telegram_id, r.action, r.target, r.details, r.at) for r in rows]

    async def chain(self) -> list[ChainedEntry]:
        rows = await self.session.execute(
            select(
                AuditRow.id,
                AuditRow.campaign_id,
                AuditRow.actor_telegram_id,
                AuditRow.action,
                AuditRow.target,
                AuditRow.details,
                AuditRow.at,
                AuditRow.prev_hash,
                AuditRow.entry_hash,
            ).order_by(AuditRow.id)
        )
        return [ChainedEntry(*row) for row in rows.all()]
