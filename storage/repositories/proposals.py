from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from collections.abc import Collection

from sqlalchemy import Table, bindparam, event, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from campaign.proposal import Proposal, ProposalDraft, ProposalStatus
from storage.models import ProposalRevisionRow, ProposalRow, UserRow


@dataclass(frozen=True)
class OnBehalf:
    """A proposal an ambassador submitted for a resident without a smartphone."""

    name: str | None
    contact: str | None
    helped_by_user_id: int | None


@dataclass(frozen=True)
class Revision:
    number: int
    editor_id: int | None
    fields: dict
    note: str | None
    created_at: datetime


def proposal_of(row: Any, author_telegram_id: int | None = None) -> Proposal:
    """A Proposal from a ProposalRow or from a row of the table's columns."""
    return Proposal(
        id=row.id,
        campaign_id=row.campaign_id,
        author_id=row.author_id,
        status=ProposalStatus(row.status),
        title=row.title,
        summary=row.summary,
        description=row.description,
        category=row.category,
        location_text=row.location_text,
        latitude=row.latitude,
        longitude=row.longitude,
        cost=row.cost,
        photo_file_id=row.photo_file_id,
        status_reason=row.status_reason,
        merged_into_id=row.merged_into_id,
        submitted_at=row.submitted_at,
        author_telegram_id=author_telegram_id,
    )


_proposal = proposal_of

# Read or written once per update of the hot paths: built once, on the tables (no ORM entity,
# no statement built and no cache key computed per update).
PROPOSALS: Table = ProposalRow.__table__  # type: ignore[assignment]
_REVISIONS: Table = ProposalRevisionRow.__table__  # type: ignore[assignment]
_USERS: Table = UserRow.__table__  # type: ignore[assignment]
_SUBMIT = (
    insert(PROPOSALS)
    .values(
        {
            name: bindparam(name)
            for name in (
                "campaign_id",
                "author_id",
                "status",
                "title",
                "summary",
                "description",
                "category",
                "location_text",
                "latitude",
                "longitude",
                "cost",
                "photo_file_id",
                "on_behalf_name",
                "on_behalf_contact",
                "helped_by_user_id",
                "submission_key",
                "created_at",
                "submitted_at",
                "updated_at",
            )
        }
    )
    .returning(PROPOSALS.c.id)
)
_BY_SUBMISSION = select(PROPOSALS).where(
    PROPOSALS.c.campaign_id == bindparam("campaign_id"),
    PROPOSALS.c.author_id == bindparam("author_id"),
    PROPOSALS.c.submission_key == bindparam("submission_key"),
)
_FIRST_REVISION = insert(_REVISIONS).values(
    proposal_id=bindparam("proposal_id"),
    number=1,
    editor_id=bindparam("editor_id"),
    fields=bindparam("fields"),
    created_at=bindparam("created_at"),
)
_WITH_AUTHOR = (
    select(PROPOSALS, _USERS.c.telegram_id.label("author_telegram_id"))
    .join(_USERS, _USERS.c.id == PROPOSALS.c.author_id)
    .where(PROPOSALS.c.id == bindparam("proposal_id"), PROPOSALS.c.campaign_id == bindparam("campaign_id"))
)
_BY_ID = select(PROPOSALS).where(PROPOSALS.c.id == bindparam("proposal_id"))
_BY_AUTHOR = (
    select(PROPOSALS)
    .where(PROPOSALS.c.campaign_id == bindparam("campaign_id"), PROPOSALS.c.author_id == bindparam("author_id"))
    .order_by(PROPOSALS.c.id)
)

# Bumped when this process writes to the proposals and again when that transaction commits:
# what is kept of them between updates (the finalists, storage.repositories.ballots) is read
# again after it.
_WRITES = [0]
_WROTE = "pbbot_proposals_written"


def proposals_written() -> int:
    return _WRITES[0]


def _written(session: AsyncSession) -> None:
    _WRITES[0] += 1
    session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_WROTE, False):
        _WRITES[0] += 1


def _apply(row: ProposalRow, draft: ProposalDraft) -> None:
    if not draft.is_complete:
        raise ValueError(f"the draft misses {draft.first_missing()}")
    row.title = draft.title or ""
    row.summary = draft.summary or ""
    row.description = draft.description or ""
    row.category = draft.category or ""
    row.location_text = draft.location_text
    row.latitude = draft.latitude
    row.longitude = draft.longitude
    assert draft.cost is not None
    row.cost = draft.cost
    row.photo_file_id = draft.photo_file_id


def _snapshot(draft: ProposalDraft) -> dict:
    data = draft.to_data()
    data.pop("photo_skipped", None)
    return data


class ProposalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def submit(
        self,
        campaign_id: str,
        author_id: int,
        draft: ProposalDraft,
        now: datetime,
        *,
        on_behalf: dict | None = None,
        submission_key: str | None = None,
    ) -> Proposal:
        """`on_behalf`: {"name", "contact"} when an ambassador (the author) submits for a resident;
        `submission_key`: the wizard draft's, found again by `submitted_with`."""
        if not draft.is_complete:
            raise ValueError(f"the draft misses {draft.first_missing()}")
        assert draft.cost is not None
        on_behalf = on_behalf or {}
        values = {
            "campaign_id": campaign_id,
            "author_id": author_id,
            "status": ProposalStatus.SUBMITTED.value,
            "title": draft.title or "",
            "summary": draft.summary or "",
            "description": draft.description or "",
            "category": draft.category or "",
            "location_text": draft.location_text,
            "latitude": draft.latitude,
            "longitude": draft.longitude,
            "cost": draft.cost,
            "photo_file_id": draft.photo_file_id,
            "on_behalf_name": str(on_behalf.get("name") or "")[:200] or None,
            "on_behalf_contact": str(on_behalf.get("contact") or "")[:200] or None,
            "helped_by_user_id": author_id if on_behalf else None,
            "submission_key": submission_key,
            "created_at": now,
            "submitted_at": now,
            "updated_at": now,
        }
        _written(self.session)
        proposal_id = (await self.session.execute(_SUBMIT, values)).scalar_one()
        await self.session.execute(
            _FIRST_REVISION,
            {"proposal_id": proposal_id, "editor_id": author_id, "fields": _snapshot(draft), "created_at": now},
        )
        return Proposal(
            id=proposal_id,
            campaign_id=campaign_id,
            author_id=author_id,
            status=ProposalStatus.SUBMITTED,
            title=draft.title or "",
            summary=draft.summary or "",
            description=draft.description or "",
            category=draft.category or "",
            location_text=draft.location_text,
            latitude=draft.latitude,
            longitude=draft.longitude,
            cost=draft.cost,
            photo_file_id=draft.photo_file_id,
            status_reason=None,
            merged_into_id=None,
            submitted_at=now,
        )

    async def submitted_with(self, campaign_id: str, author_id: int, submission_key: str) -> Proposal | None:
        """The project this author made from the draft with this key, if it was submitted."""
        values = {"campaign_id": campaign_id, "author_id": author_id, "submission_key": submission_key}
        row = (await self.session.execute(_BY_SUBMISSION, values)).first()
        return None if row is None else proposal_of(row)

    async def revise(
        self,
        proposal_id: int,
        draft: ProposalDraft,
        editor_id: int,
        now: datetime,
        *,
        note: str | None = None,
        status: ProposalStatus | None = None,
    ) -> Proposal:
        """Change the sheet and keep the new version as a revision."""
        row = await self.session.get(ProposalRow, proposal_id, with_for_update=True)
        if row is None:
            raise LookupError(proposal_id)
        _written(self.session)
        _apply(row, draft)
        row.updated_at = now
        if status is not None:
            row.status = status
        number = await self.session.scalar(
            select(func.coalesce(func.max(ProposalRevisionRow.number), 0)).where(
                ProposalRevisionRow.proposal_id == proposal_id
            )
        )
        self.session.add(
            ProposalRevisionRow(
                proposal_id=proposal_id,
                number=(number or 0) + 1,
                editor_id=editor_id,
                fields=_snapshot(draft),
                note=note,
                created_at=now,
            )
        )
        await self.session.flush()
        return _proposal(row)

    async def get(self, proposal_id: int, campaign_id: str) -> Proposal | None:
        result = await self.session.execute(_WITH_AUTHOR, {"proposal_id": proposal_id, "campaign_id": campaign_id})
        found = result.first()
        return proposal_of(found, found.author_telegram_id) if found else None

    async def by_author(self, campaign_id: str, author_id: int) -> list[Proposal]:
        rows = await self.session.execute(_BY_AUTHOR, {"campaign_id": campaign_id, "author_id": author_id})
        return [proposal_of(row) for row in rows]

    async def revisions(self, proposal_id: int) -> list[Revision]:
        rows = await self.session.scalars(
            select(ProposalRevisionRow)
            .where(ProposalRevisionRow.proposal_id == proposal_id)
            .order_by(ProposalRevisionRow.number)
        )
        return [Revision(r.number, r.editor_id, r.fields, r.note, r.created_at) for r in rows]

    async def count_by_status(self, campaign_id: str) -> dict[ProposalStatus, int]:
        result = await self.session.execute(
            select(ProposalRow.status, func.count())
            .where(ProposalRow.campaign_id == campaign_id)
            .group_by(ProposalRow.status)
        )
        return {ProposalStatus(status): count for status, count in result.all()}

    # --- the committee's queries (review, lists, decisions) ------------------------------------

    async def page(
        self,
        campaign_id: str,
        statuses: Collection[ProposalStatus] | None,
        *,
        offset: int = 0,
        limit: int = 10,
    ) -> tuple[list[Proposal], int]:
        """Proposals (all but drafts when `statuses` is None) by number, and how many in all."""
        where = [ProposalRow.campaign_id == campaign_id]
        if statuses is not None:
            where.append(ProposalRow.status.in_([str(s) for s in statuses]))
        else:
            where.append(ProposalRow.status != ProposalStatus.DRAFT)
        total = await self.session.scalar(select(func.count()).select_from(ProposalRow).where(*where))
        rows = await self.session.scalars(
            select(ProposalRow).where(*where).order_by(ProposalRow.id).offset(max(offset, 0)).limit(limit)
        )
        return [_proposal(row) for row in rows], int(total or 0)

    async def next_waiting(self, campaign_id: str, after_id: int = 0) -> Proposal | None:
        """The oldest submitted proposal after `after_id`; from the start again if none."""
        for bound in (after_id, 0) if after_id else (0,):
            result = await self.session.execute(
                select(ProposalRow, UserRow.telegram_id)
                .join(UserRow, UserRow.id == ProposalRow.author_id)
                .where(
                    ProposalRow.campaign_id == campaign_id,
                    ProposalRow.status == ProposalStatus.SUBMITTED,
                    ProposalRow.id > bound,
                )
                .order_by(ProposalRow.id)
                .limit(1)
            )
            found = result.first()
            if found:
                return _proposal(found[0], found[1])
        return None

    async def set_status(
        self,
        proposal_id: int,
        campaign_id: str,
        status: ProposalStatus,
        now: datetime,
        *,
        expected: Collection[ProposalStatus],
        reason: str | None = None,
        merged_into_id: int | None = None,
    ) -> Proposal | None:
        """Change the status if it is still one of `expected` (checked and changed in one
        statement, so two committee members deciding at once cannot both succeed)."""
        _written(self.session)
        result = await self.session.execute(
            update(ProposalRow)
            .where(
                ProposalRow.id == proposal_id,
                ProposalRow.campaign_id == campaign_id,
                ProposalRow.status.in_([str(s) for s in expected]),
            )
            .values(status=status, status_reason=reason, merged_into_id=merged_into_id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:
            return None
        # The row as it is now, whatever the session holds of it.
        return proposal_of((await self.session.execute(_BY_ID, {"proposal_id": proposal_id})).one())

    async def merge(
        self, proposal_id: int, into_id: int, campaign_id: str, now: datetime, *, expected: Collection[ProposalStatus]
    ) -> Proposal | None:
        return await self.set_status(
            proposal_id, campaign_id, ProposalStatus.MERGED, now, expected=expected, merged_into_id=into_id
        )

    async def on_behalf(self, proposal_id: int) -> OnBehalf | None:
        result = await self.session.execute(
            select(ProposalRow.on_behalf_name, ProposalRow.on_behalf_contact, ProposalRow.helped_by_user_id).where(
                ProposalRow.id == proposal_id
            )
        )
        found = result.first()
        if not found or (found[0] is None and found[2] is None):
            return None
        return OnBehalf(found[0], found[1], found[2])
