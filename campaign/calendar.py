"""The phase calendar: which step of the campaign a moment belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Phase(StrEnum):
    UPCOMING = "upcoming"
    PROPOSALS = "proposals"
    REVIEW = "review"
    VOTING = "voting"
    COUNTING = "counting"
    RESULTS = "results"


PHASE_ORDER: tuple[Phase, ...] = tuple(Phase)

# The calendar field at which each phase (after the first) begins.
PHASE_STARTS: dict[Phase, str] = {
    Phase.PROPOSALS: "proposals_open",
    Phase.REVIEW: "proposals_close",
    Phase.VOTING: "voting_open",
    Phase.COUNTING: "voting_close",
    Phase.RESULTS: "results",
}


@dataclass(frozen=True)
class Boundary:
    phase: Phase
    at: datetime


def boundaries(calendar: object) -> list[Boundary]:
    """Phase starts in time order; `calendar` is anything with the calendar fields."""
    return [Boundary(phase, getattr(calendar, field)) for phase, field in PHASE_STARTS.items()]


def phase_at(calendar: object, now: datetime) -> Phase:
    """The phase in force at `now` (boundaries are inclusive at their start)."""
    current = Phase.UPCOMING
    for boundary in boundaries(calendar):
        if now >= boundary.at:
            current = boundary.phase
    return current


def next_boundary(calendar: object, now: datetime) -> Boundary | None:
    for boundary in boundaries(calendar):
        if boundary.at > now:
            return boundary
    return None


def phase_start(calendar: object, phase: Phase) -> datetime | None:
    field = PHASE_STARTS.get(phase)
    return getattr(calendar, field) if field else None
