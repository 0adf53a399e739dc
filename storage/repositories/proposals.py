from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from campaign.proposal import Proposal, ProposalDraft, ProposalStatus
from storage.models import ProposalRevisionRow, ProposalRow, UserRow


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

    async def submit(self, campaign_id: str, author_id: int, draft: ProposalDraft, now: datetime) -> Proposal:
        row = ProposalRow(
            campaign_id=campaign_id,
            author_id=author_id,
            status=ProposalStatus.SUBMITTED,
            created_at=now,
            submitted_at=now,
            updated_at=now,
        )
        _apply(row, draft)
        self.session.add(row)
        await self.session.flush()
        self.session.add(
            ProposalRevisionRow(proposal_id=row.id, number=1, editor_id=author_id, fields=_snapshot(draft), created_at=now)
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
