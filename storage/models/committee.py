"""The committee's own records: who has which role, and the dates it moved.

`committee_roles`: people added with /admins (role "admin") or /ambassadors (role "ambassador"),
besides the ADMIN_IDS of the settings; by Telegram id, since they may not have talked to the
bot yet. `calendar_changes`: every date the committee set, in order; the effective calendar is
the campaign file's with these applied (see campaign.calendar_changes).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow, UTCDateTime


class CommitteeRoleRow(Base):
    __tablename__ = "committee_roles"
    __table_args__ = (
        UniqueConstraint("campaign_id", "role", "telegram_id", name="uq_committee_roles_campaign_role_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # admin | ambassador
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    added_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CalendarChangeRow(Base):
    __tablename__ = "calendar_changes"
    __table_args__ = (Index("ix_calendar_changes_campaign_id_id", "campaign_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # Telegram id
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
