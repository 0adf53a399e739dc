"""Verification of residents and their ballots.

Phone numbers and invitation codes are stored only as keyed hashes. Ballots are in
storage.models.secrecy; here only that someone has voted (`vote_receipts`), never how or when.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow, UTCDateTime


class VerificationRow(Base):
    """A verified resident: one row per user, one user per phone number."""

    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # NULL once the resident used /forgetme: the phone hash stays, linked to no one, so that
    # the number cannot verify a second account and vote again.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True, nullable=True)
    method: Mapped[str] = mapped_column(String(16))
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    attested_age: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    attested_residency: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    approved_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PhoneRegisterRow(Base):
    """Phone numbers the committee imported: only these may verify when the campaign says so."""

    __tablename__ = "phone_register"
    __table_args__ = (UniqueConstraint("campaign_id", "phone_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(64))
    phone_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InvitationCodeRow(Base):
    __tablename__ = "invitation_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CodeAttemptRow(Base):
    """Wrong codes in a row, to slow down guessing."""

    __tablename__ = "code_attempts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class VerificationRequestRow(Base):
    """A resident asking the committee to confirm they live in the town."""

    __tablename__ = "verification_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    attested_age: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    attested_residency: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | refused
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class VoteReceiptRow(Base):
    """That a resident has voted in a campaign — not how, and not when — for the
    "not voted yet" reminders. No timestamp, so it cannot be matched to a ballot by time."""

    __tablename__ = "vote_receipts"

    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
