"""Broadcasts, their deliveries, and announcements already queued (filled by the calendar work).

A broadcast is one message (a text per language, optionally a photo) to an audience. It is
queued as one `deliveries` row per recipient, written by an INSERT ... SELECT from `users`, and
the broadcaster walks those rows by id. An announcement from the calendar carries a `key`
("voting_open", "reminder:vote-soon"): UNIQUE(campaign_id, key) makes queueing it twice
impossible, whichever worker tries. Committee broadcasts have no key (NULLs never collide).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow, UTCDateTime


class BroadcastRow(Base):
    __tablename__ = "broadcasts"
    __table_args__ = (UniqueConstraint("campaign_id", "key", name="uq_broadcasts_campaign_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(64))
    # "announcement" (a phase boundary), "reminder", or "message" (from the committee).
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    audience: Mapped[str] = mapped_column(String(16))
    # {"fr": "...", "en": "..."}: HTML, ready to send.
    text: Mapped[dict] = mapped_column(JSON)
    photo: Mapped[str | None] = mapped_column(String(256), nullable=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # Telegram id; None = the calendar
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # queued -> sending -> done; "dropped" for a reminder whose moment passed while the bot was down.
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class DeliveryRow(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "user_id", name="uq_deliveries_broadcast_user"),
        Index("ix_deliveries_broadcast_status_id", "broadcast_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # pending -> sending -> sent | unreachable | failed; sending left by a crash -> unknown.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
