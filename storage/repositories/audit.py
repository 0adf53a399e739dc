from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditRow


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
        self, campaign_id: str, actor_telegram_id: int | None, action: str, at: datetime,
        target: str | None = None, **details: object,
    ) -> None:
        self.session.add(
            AuditRow(campaign_id=campaign_id, actor_telegram_id=actor_telegram_id, action=action,
                     target=target, details=details, at=at)
        )

    async def latest(self, campaign_id: str, limit: int = 20) -> list[AuditEntry]:
        rows = await self.session.scalars(
            select(AuditRow).where(AuditRow.campaign_id == campaign_id).order_by(AuditRow.id.desc()).limit(limit)
        )
        return [AuditEntry(r.actor_telegram_id, r.action, r.target, r.details, r.at) for r in rows]
