"""A project proposal: its fields, its draft while the wizard fills it, its life cycle."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from campaign.calendar import Phase


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    MERGED = "merged"
    FINALIST = "finalist"
    WINNER = "winner"


# The wizard asks for these one at a time, in this order.
FIELD_ORDER: tuple[str, ...] = ("title", "summary", "description", "category", "location", "cost", "photo")
OPTIONAL_FIELDS: frozenset[str] = frozenset({"photo"})

# An author may still change these; after review starts, the committee's word stands.
AUTHOR_EDITABLE = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.CHANGES_REQUESTED})


@dataclass(frozen=True)
class ProposalDraft:
    """What the resident has entered so far; every field may still be missing."""

    title: str | None = None
    summary: str | None = None
    description: str | None = None
    category: str | None = None
    location_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    cost: Decimal | None = None
    photo_file_id: str | None = None
    photo_skipped: bool = False

    def has(self, name: str) -> bool:
        if name == "location":
            return self.location_text is not None or self.latitude is not None
        if name == "photo":
            return self.photo_file_id is not None or self.photo_skipped
        return getattr(self, name) is not None

    def first_missing(self) -> str | None:
        return next((name for name in FIELD_ORDER if not self.has(name)), None)

    def filled_count(self) -> int:
        return sum(1 for name in FIELD_ORDER if self.has(name))

    @property
    def is_complete(self) -> bool:
        return self.first_missing() is None

    @property
    def is_empty(self) -> bool:
        return self.filled_count() == 0

    def with_values(self, **values: Any) -> "ProposalDraft":
        return replace(self, **values)

    def to_data(self) -> dict:
        """JSON-safe form, kept in the conversation state between messages."""
        # Every field is a plain value: read as is, without asdict's deep copy of each (~20 us a
        # draft, on most wizard steps).
        data = {name: getattr(self, name) for name in _DRAFT_FIELDS}
        data["cost"] = str(self.cost) if self.cost is not None else None
        return data

    @classmethod
    def from_data(cls, data: dict | None) -> "ProposalDraft":
        if not data:
            return cls()
        values = {k: v for k, v in data.items() if k in _DRAFT_FIELDS}
        if values.get("cost") is not None:
            values["cost"] = Decimal(values["cost"])
        return cls(**values)


_DRAFT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ProposalDraft))


def previous_field(name: str) -> str | None:
    index = FIELD_ORDER.index(name)
    return FIELD_ORDER[index - 1] if index > 0 else None


def next_field(name: str, draft: ProposalDraft) -> str | None:
    """The next field after `name` that still needs an answer."""
    for candidate in FIELD_ORDER[FIELD_ORDER.index(name) + 1 :]:
        if not draft.has(candidate):
            return candidate
    return draft.first_missing()


@dataclass(frozen=True)
class Proposal:
    id: int
    campaign_id: str
    author_id: int
    status: ProposalStatus
    title: str
    summary: str
    description: str
    category: str
    location_text: str | None
    latitude: float | None
    longitude: float | None
    cost: Decimal
    photo_file_id: str | None
    status_reason: str | None = None
    merged_into_id: int | None = None
    submitted_at: datetime | None = None
    author_telegram_id: int | None = None

    def as_draft(self) -> ProposalDraft:
        return ProposalDraft(
            title=self.title,
            summary=self.summary,
            description=self.description,
            category=self.category,
            location_text=self.location_text,
            latitude=self.latitude,
            longitude=self.longitude,
            cost=self.cost,
            photo_file_id=self.photo_file_id,
            photo_skipped=self.photo_file_id is None,
        )


def author_may_edit(status: ProposalStatus, phase: Phase) -> bool:
    """Authors edit their sheet while proposals are open, or when the committee asks them to."""
    if status == ProposalStatus.CHANGES_REQUESTED:
        return phase in (Phase.PROPOSALS, Phase.REVIEW)
    return status in AUTHOR_EDITABLE and phase == Phase.PROPOSALS


def changed_fields(before: ProposalDraft, after: ProposalDraft) -> list[str]:
    names = [
        "title",
        "summary",
        "description",
        "category",
        "location_text",
        "latitude",
        "longitude",
        "cost",
        "photo_file_id",
    ]
    return [name for name in names if getattr(before, name) != getattr(after, name)]


SHEET_FIELDS = tuple(f.name for f in fields(ProposalDraft) if f.name != "photo_skipped")
