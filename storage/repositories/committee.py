"""The committee's records: members added with /admins, ambassadors, dates moved.

The effective calendar (the file's with these changes, held by the first ballot) is
`storage.phase_gate.effective_campaign`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Table, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from campaign.calendar_changes import CalendarChange
from storage.models.committee import CalendarChangeRow, CommitteeRoleRow
from storage.upsert import insert_for


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


# Read again by every worker whenever the campaign changed (a ballot, a moved date): built once.
_ROLES: Table = CommitteeRoleRow.__table__  # type: ignore[assignment]
_CHANGES: Table = CalendarChangeRow.__table__  # type: ignore[assignment]
_MEMBERS = (
    select(_ROLES)
    .where(_ROLES.c.campaign_id == bindparam("campaign_id"), _ROLES.c.role == bindparam("role"))
    .order_by(_ROLES.c.id)
)
_CALENDAR_CHANGES = select(_CHANGES).where(_CHANGES.c.campaign_id == bindparam("campaign_id")).order_by(_CHANGES.c.id)

ADMIN = "admin"
AMBASSADOR = "ambassador"
ROLES = (ADMIN, AMBASSADOR)


@dataclass(frozen=True)
class Member:
    telegram_id: int
    role: str
    added_by: int | None
    added_at: datetime


class CommitteeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- roles ------------------------------------------------------------------------------

    async def add_member(
        self, campaign_id: str, role: str, telegram_id: int, added_by: int | None, now: datetime
    ) -> bool:
        """True if added, False if they already had the role."""
        assert role in ROLES
        statement = (
            insert_for(self.session, CommitteeRoleRow)
            .values(campaign_id=campaign_id, role=role, telegram_id=telegram_id, added_by=added_by, added_at=_utc(now))
            .on_conflict_do_nothing(index_elements=["campaign_id", "role", "telegram_id"])
        )
        result = await self.session.execute(statement)
        return bool(result.rowcount)

    async def remove_member(self, campaign_id: str, role: str, telegram_id: int) -> bool:
        result = await self.session.execute(
            delete(CommitteeRoleRow).where(
                CommitteeRoleRow.campaign_id == campaign_id,
                CommitteeRoleRow.role == role,
                CommitteeRoleRow.telegram_id == telegram_id,
            )
        )
        return bool(result.rowcount)

    async def members(self, campaign_id: str, role: str) -> list[Member]:
        rows = await self.session.execute(_MEMBERS, {"campaign_id": campaign_id, "role": role})
        return [Member(r.telegram_id, r.role, r.added_by, _aware(r.added_at)) for r in rows]

    async def has_role(self, campaign_id: str, role: str, telegram_id: int) -> bool:
        found = await self.session.scalar(
            select(CommitteeRoleRow.id).where(
                CommitteeRoleRow.campaign_id == campaign_id,
                CommitteeRoleRow.role == role,
                CommitteeRoleRow.telegram_id == telegram_id,
            )
        )
        return found is not None

    async def is_admin(self, campaign_id: str, telegram_id: int) -> bool:
        return await self.has_role(campaign_id, ADMIN, telegram_id)

    async def is_ambassador(self, campaign_id: str, telegram_id: int) -> bool:
        return await self.has_role(campaign_id, AMBASSADOR, telegram_id)

    # --- the calendar -----------------------------------------------------------------------

    async def record_calendar_change(
        self, campaign_id: str, field: str, at: datetime, changed_by: int | None, now: datetime
    ) -> None:
        self.session.add(
            CalendarChangeRow(
                campaign_id=campaign_id, field=field, at=_utc(at), changed_by=changed_by, changed_at=_utc(now)
            )
        )
        await self.session.flush()

    async def calendar_changes(self, campaign_id: str) -> list[CalendarChange]:
        rows = await self.session.execute(_CALENDAR_CHANGES, {"campaign_id": campaign_id})
        return [CalendarChange(r.field, _aware(r.at), r.changed_by, _aware(r.changed_at)) for r in rows]

    async def calendar_version(self, campaign_id: str) -> tuple[int, int]:
        """Cheap to ask on every update: changes only when a date was moved (count and last id,
        so that a change committed late with a lower id is noticed too)."""
        result = await self.session.execute(
            select(func.count(), func.coalesce(func.max(CalendarChangeRow.id), 0)).where(
                CalendarChangeRow.campaign_id == campaign_id
            )
        )
        count, last = result.one()
        return int(count), int(last)
