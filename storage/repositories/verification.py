"""Verified residents, the phone register, invitation codes and committee requests.

Every "only once" rule here is a unique constraint, hit by an INSERT ... ON CONFLICT DO NOTHING
or inside a SAVEPOINT, never a check-then-insert: two updates racing each other get one success
and one clear refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum

from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from campaign.clock import aware as aware  # ballots and locks find it here
from storage.models import UserRow
from storage.models.voting import (
    CodeAttemptRow,
    InvitationCodeRow,
    PhoneRegisterRow,
    VerificationRequestRow,
    VerificationRow,
)


@dataclass(frozen=True)
class Verification:
    user_id: int | None
    method: str
    attested_age: bool | None
    attested_residency: bool | None
    verified_at: datetime


@dataclass(frozen=True)
class VerificationRequest:
    id: int
    campaign_id: str
    user_id: int
    telegram_id: int
    full_name: str
    street: str
    status: str
    created_at: datetime


class VerifyOutcome(StrEnum):
    VERIFIED = "verified"
    ALREADY_VERIFIED = "already_verified"
    PHONE_TAKEN = "phone_taken"


class CodeOutcome(StrEnum):
    VERIFIED = "verified"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ALREADY_VERIFIED = "already_verified"


def utc(moment: datetime) -> datetime:
    """Stored and compared in UTC: SQLite keeps no offset, so every value must share one."""
    return moment.astimezone(timezone.utc)


def _verification(row: Any) -> Verification:
    return Verification(row.user_id, row.method, row.attested_age, row.attested_residency, aware(row.verified_at))


# Asked on most updates of the vote and of /verify: built once, on the table.
_VERIFICATIONS: Table = VerificationRow.__table__  # type: ignore[assignment]
_OF_USER = select(
    _VERIFICATIONS.c.user_id,
    _VERIFICATIONS.c.method,
    _VERIFICATIONS.c.attested_age,
    _VERIFICATIONS.c.attested_residency,
    _VERIFICATIONS.c.verified_at,
).where(_VERIFICATIONS.c.user_id == bindparam("user_id"))
_IS_VERIFIED = select(_VERIFICATIONS.c.id).where(_VERIFICATIONS.c.user_id == bindparam("user_id"))


def _verify(dialect: Any) -> Any:
    # No conflict target: a row that would repeat the user or the phone number is not written.
    columns = ("user_id", "method", "phone_hash", "attested_age", "attested_residency", "approved_by", "verified_at")
    return dialect.insert(_VERIFICATIONS).values({name: bindparam(name) for name in columns}).on_conflict_do_nothing()


_VERIFY = {"postgresql": _verify(postgresql), "sqlite": _verify(sqlite)}


class VerificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- verified residents ------------------------------------------------------------

    async def of_user(self, user_id: int) -> Verification | None:
        row = (await self.session.execute(_OF_USER, {"user_id": user_id})).first()
        return _verification(row) if row else None

    async def is_verified(self, user_id: int) -> bool:
        return (await self.session.execute(_IS_VERIFIED, {"user_id": user_id})).first() is not None

    async def verify(
        self,
        user_id: int,
        method: str,
        now: datetime,
        *,
        phone_hash: str | None = None,
        attested_age: bool | None = None,
        attested_residency: bool | None = None,
        approved_by: int | None = None,
    ) -> VerifyOutcome:
        """Record a verification; the unique constraints decide between racing attempts."""
        inserted = await self.session.execute(
            _VERIFY[self.session.get_bind().dialect.name],
            {
                "user_id": user_id,
                "method": method,
                "phone_hash": phone_hash,
                "attested_age": attested_age,
                "attested_residency": attested_residency,
                "approved_by": approved_by,
                "verified_at": utc(now),
            },
        )
        if inserted.rowcount == 1:
            return VerifyOutcome.VERIFIED
        if await self.is_verified(user_id):
            return VerifyOutcome.ALREADY_VERIFIED
        return VerifyOutcome.PHONE_TAKEN

    async def count(self) -> int:
        return await self.session.scalar(select(func.count()).select_from(VerificationRow)) or 0

    async def verified_user_ids(self) -> list[int]:
        """For broadcasts to the `verified` audience."""
        return list(await self.session.scalars(select(VerificationRow.user_id).order_by(VerificationRow.user_id)))

    # --- the phone register ------------------------------------------------------------

    async def import_register(self, campaign_id: str, phone_hashes: set[str], now: datetime) -> int:
        """Add numbers to the register; returns how many were new."""
        existing = set(
            await self.session.scalars(
                select(PhoneRegisterRow.phone_hash).where(PhoneRegisterRow.campaign_id == campaign_id)
            )
        )
        new = sorted(phone_hashes - existing)
        self.session.add_all(PhoneRegisterRow(campaign_id=campaign_id, phone_hash=h, imported_at=utc(now)) for h in new)
        await self.session.flush()
        return len(new)

    async def in_register(self, campaign_id: str, phone_hash: str) -> bool:
        found = await self.session.scalar(
            select(PhoneRegisterRow.id).where(
                PhoneRegisterRow.campaign_id == campaign_id, PhoneRegisterRow.phone_hash == phone_hash
            )
        )
        return found is not None

    # --- invitation codes -------------------------------------------------------------

    async def add_codes(
        self, campaign_id: str, code_hashes: list[str], created_by: int | None, now: datetime, expires_at: datetime
    ) -> None:
        self.session.add_all(
            InvitationCodeRow(
                campaign_id=campaign_id,
                code_hash=h,
                created_by=created_by,
                created_at=utc(now),
                expires_at=utc(expires_at),
            )
            for h in code_hashes
        )
        await self.session.flush()

    async def redeem_code(
        self,
        campaign_id: str,
        code_hash: str,
        user_id: int,
        now: datetime,
        *,
        attested_age: bool | None = None,
        attested_residency: bool | None = None,
    ) -> CodeOutcome:
        """Use a code to verify a resident: the code is spent and the resident verified together, or neither."""
        if await self.is_verified(user_id):
            return CodeOutcome.ALREADY_VERIFIED
        now = utc(now)
        try:
            async with self.session.begin_nested():
                spent = await self.session.execute(
                    update(InvitationCodeRow)
                    .where(
                        InvitationCodeRow.campaign_id == campaign_id,
                        InvitationCodeRow.code_hash == code_hash,
                        InvitationCodeRow.used_at.is_(None),
                        InvitationCodeRow.expires_at > now,
                    )
                    .values(used_by_user_id=user_id, used_at=now)
                )
                if spent.rowcount == 1:
                    self.session.add(
                        VerificationRow(
                            user_id=user_id,
                            method="code",
                            attested_age=attested_age,
                            attested_residency=attested_residency,
                            verified_at=now,
                        )
                    )
                    await self.session.flush()
        except IntegrityError:  # verified meanwhile by another update: the code stays unused
            return CodeOutcome.ALREADY_VERIFIED
        if spent.rowcount == 1:
            await self.session.execute(delete(CodeAttemptRow).where(CodeAttemptRow.user_id == user_id))
            return CodeOutcome.VERIFIED
        row = await self.session.scalar(
            select(InvitationCodeRow).where(
                InvitationCodeRow.campaign_id == campaign_id, InvitationCodeRow.code_hash == code_hash
            )
        )
        if row is None:
            return CodeOutcome.UNKNOWN
        if row.used_at is not None:
            return CodeOutcome.USED
        return CodeOutcome.EXPIRED

    async def code_failures(self, user_id: int) -> tuple[int, datetime | None]:
        row = await self.session.get(CodeAttemptRow, user_id)
        return (row.failures, aware(row.last_failure_at)) if row else (0, None)

    async def record_code_failure(self, user_id: int, now: datetime) -> int:
        now = utc(now)
        row = await self.session.get(CodeAttemptRow, user_id, with_for_update=True)
        if row is None:
            try:
                async with self.session.begin_nested():
                    self.session.add(CodeAttemptRow(user_id=user_id, failures=1, last_failure_at=now))
                    await self.session.flush()
                return 1
            except IntegrityError:
                row = await self.session.get(CodeAttemptRow, user_id, with_for_update=True, populate_existing=True)
                assert row is not None
        row.failures += 1
        row.last_failure_at = now
        await self.session.flush()
        return row.failures

    # --- committee approval ------------------------------------------------------------

    async def pending_request(self, campaign_id: str, user_id: int) -> VerificationRequest | None:
        result = await self.session.execute(
            select(VerificationRequestRow, UserRow.telegram_id)
            .join(UserRow, UserRow.id == VerificationRequestRow.user_id)
            .where(
                VerificationRequestRow.campaign_id == campaign_id,
                VerificationRequestRow.user_id == user_id,
                VerificationRequestRow.status == "pending",
            )
        )
        found = result.first()
        return _request(*found) if found else None

    async def request(self, request_id: int) -> VerificationRequest | None:
        result = await self.session.execute(
            select(VerificationRequestRow, UserRow.telegram_id)
            .join(UserRow, UserRow.id == VerificationRequestRow.user_id)
            .where(VerificationRequestRow.id == request_id)
        )
        found = result.first()
        return _request(*found) if found else None

    async def add_request(
        self,
        campaign_id: str,
        user_id: int,
        full_name: str,
        street: str,
        now: datetime,
        *,
        attested_age: bool | None = None,
        attested_residency: bool | None = None,
    ) -> int:
        row = VerificationRequestRow(
            campaign_id=campaign_id,
            user_id=user_id,
            full_name=full_name[:200],
            street=street[:200],
            attested_age=attested_age,
            attested_residency=attested_residency,
            status="pending",
            created_at=utc(now),
        )
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def open_requests(self, campaign_id: str) -> list[VerificationRequest]:
        """Pending and approved requests, to compare a new one with (campaign.verification.person_key)."""
        result = await self.session.execute(
            select(VerificationRequestRow, UserRow.telegram_id)
            .join(UserRow, UserRow.id == VerificationRequestRow.user_id)
            .where(
                VerificationRequestRow.campaign_id == campaign_id,
                VerificationRequestRow.status.in_(["pending", "approved"]),
            )
            .order_by(VerificationRequestRow.id)
        )
        return [_request(row, telegram_id) for row, telegram_id in result.all()]

    async def request_attestation(self, request_id: int) -> tuple[bool | None, bool | None]:
        row = await self.session.get(VerificationRequestRow, request_id)
        return (row.attested_age, row.attested_residency) if row else (None, None)

    async def decide_request(
        self, request_id: int, approve: bool, decided_by: int, now: datetime
    ) -> VerificationRequest | None:
        """Approve or refuse a pending request (None if it was decided already)."""
        result = await self.session.execute(
            update(VerificationRequestRow)
            .where(VerificationRequestRow.id == request_id, VerificationRequestRow.status == "pending")
            .values(status="approved" if approve else "refused", decided_by=decided_by, decided_at=utc(now))
        )
        if result.rowcount != 1:
            return None
        decided = await self.request(request_id)
        assert decided is not None
        if approve:
            row = await self.session.get(VerificationRequestRow, request_id)
            assert row is not None
            await self.verify(
                decided.user_id,
                "committee",
                now,
                attested_age=row.attested_age,
                attested_residency=row.attested_residency,
                approved_by=decided_by,
            )
        return decided

    # --- /forgetme -----------------------------------------------------------------------

    async def forget(self, user_id: int) -> None:
        """Erase what identifies a resident: the link to their verification, name and street, code, first name."""
        # The keyed phone hash stays, linked to no one: the number cannot verify another account.
        await self.session.execute(
            update(VerificationRow)
            .where(VerificationRow.user_id == user_id)
            .values(user_id=None, attested_age=None, attested_residency=None, approved_by=None)
        )
        await self.session.execute(delete(VerificationRequestRow).where(VerificationRequestRow.user_id == user_id))
        # The wrong-code counter stays: it says nothing about who they are, and erasing it
        # would let /forgetme reset the guessing limit.
        await self.session.execute(
            update(InvitationCodeRow).where(InvitationCodeRow.used_by_user_id == user_id).values(used_by_user_id=None)
        )
        await self.session.execute(update(UserRow).where(UserRow.id == user_id).values(first_name=""))


def _request(row: VerificationRequestRow, telegram_id: int) -> VerificationRequest:
    return VerificationRequest(
        row.id, row.campaign_id, row.user_id, telegram_id, row.full_name, row.street, row.status, aware(row.created_at)
    )
