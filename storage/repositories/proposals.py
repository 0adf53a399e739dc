from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from collections.abc import Collection

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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


def _proposal(row: ProposalRow, author_telegram_id: int | None = None) -> Proposal:
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
    ) -> Proposal:
        """`on_behalf`: {"name", "contact"} when an ambassador (the author) submits for a resident."""
        row = ProposalRow(
            campaign_id=campaign_id,
            author_id=author_id,
            status=ProposalStatus.SUBMITTED,
            created_at=now,
            submitted_at=now,
            updated_at=now,
        )
        if on_behalf:
            row.on_behalf_name = str(on_behalf.get("name") or "")[:200] or None
            row.on_behalf_contact = str(on_behalf.get("contact") or "")[:200] or None
            row.helped_by_user_id = author_id
        _apply(row, draft)
        self.session.add(row)
        await self.session.flush()
        self.session.add(
            ProposalRevisionRow(
                proposal_id=row.id, number=1, editor_id=author_id, fields=_snapshot(draft), created_at=now
            )
        )
        await self.session.flush()
        return _proposal(row)

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
        result = await self.session.execute(
            select(ProposalRow, UserRow.telegram_id)
            .join(UserRow, UserRow.id == ProposalRow.author_id)
            .where(ProposalRow.id == proposal_id, ProposalRow.campaign_id == campaign_id)
        )
        found = result.first()
        return _proposal(found[0], found[1]) if found else None

    async def by_author(self, campaign_id: str, author_id: int) -> list[Proposal]:
        rows = await self.session.scalars(
            select(ProposalRow)
            .where(ProposalRow.campaign_id == campaign_id, ProposalRow.author_id == author_id)
            .order_by(ProposalRow.id)
        )
        return [_proposal(row) for row in rows]

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
        row = await self.session.get(ProposalRow, proposal_id, populate_existing=True)
        assert row is not None
        return _proposal(row)

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
