"""Once the first ballot exists, the campaign only moves forward.

Before any ballot the committee may move every date (the calendar only has to stay in order,
see campaign.calendar_changes). From the first ballot on, what residents voted on and when must
stay as it was: a date that has passed stays where it is, and no change may put the campaign
back into an earlier phase. In detail, with `now` the moment of the change:

| date           | once the first ballot exists                                               |
|----------------|----------------------------------------------------------------------------|
| voting_open    | may not move after now (it would close the vote that people used)          |
| voting_close   | may move (later or to now) only while voting is open; never before now     |
| any other date | a date that has passed stays; one still ahead may move, but not before now |
| the result     | never an earlier phase than the one in force                               |

`check_moves` says whether a change is allowed (it raises `PhaseRuleError` with a code the
dialogs turn into a sentence). `check_phase_target` is the same rule for a jump to a phase (the
console's clock). `held_calendar` is the rule on the reading side: whatever the file or the
replayed changes say (a demo file with dates relative to the day it is loaded moves on every
restart), the vote counts as opened at the first ballot and as closed when it was sealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from campaign.calendar import PHASE_ORDER, Phase, phase_at
from campaign.schema import Calendar

# The calendar fields in the order their dates must follow (the Calendar model's order).
FIELDS: tuple[str, ...] = tuple(Calendar.model_fields)


class PhaseRuleError(ValueError):
    """`code`: voting_open_after_now | close_outside_voting | passed | before_now | earlier_phase;
    `params` for the message (field, phase, target)."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(code, params)


@dataclass(frozen=True)
class Lock:
    """What the database knows: when the first ballot was accepted, when the vote was sealed
    (the tally first computed: no ballot is accepted after that)."""

    first_ballot_at: datetime | None = None
    sealed_at: datetime | None = None

    @property
    def locked(self) -> bool:
        return self.first_ballot_at is not None or self.sealed_at is not None


def earlier(phase: Phase, than: Phase) -> bool:
    return PHASE_ORDER.index(phase) < PHASE_ORDER.index(than)


def check_moves(calendar: Calendar, moves: dict[str, datetime], now: datetime, lock: Lock) -> None:
    """Raise PhaseRuleError if moving these dates at `now` breaks the forward-only rule."""
    if not lock.locked:
        return
    current = phase_at(calendar, now)
    for field, moment in moves.items():
        was = getattr(calendar, field)
        if moment == was:
            continue
        if field == "voting_open" and moment > now:
            raise PhaseRuleError("voting_open_after_now", field=field, phase=current)
        if field == "voting_close" and (current != Phase.VOTING or lock.sealed_at is not None):
            raise PhaseRuleError("close_outside_voting", field=field, phase=current)
        if was <= now:
            raise PhaseRuleError("passed", field=field, phase=current)
        if moment < now:
            raise PhaseRuleError("before_now", field=field, phase=current)
    values = {name: moves.get(name, getattr(calendar, name)) for name in FIELDS}
    target = phase_at(Calendar.model_construct(**values), now)
    if earlier(target, current):  # pragma: no cover - the rules above already prevent it
        raise PhaseRuleError("earlier_phase", phase=current, target=target)


def check_phase_target(current: Phase, target: Phase, lock: Lock) -> None:
    """A jump straight to a phase (the console's clock): never back once a ballot exists."""
    if lock.locked and earlier(target, current):
        raise PhaseRuleError("earlier_phase", phase=current, target=target)
    if lock.sealed_at is not None and target == Phase.VOTING:
        raise PhaseRuleError("earlier_phase", phase=current, target=target)


def held_calendar(calendar: Calendar, lock: Lock) -> Calendar:
    """The calendar with what happened held in place: voting opened no later than the first
    ballot, closed no later than the seal (and the earlier dates with them, to stay in order)."""
    values = {name: getattr(calendar, name) for name in FIELDS}
    holds = []
    if lock.first_ballot_at is not None:
        holds.append(("voting_open", lock.first_ballot_at))
    if lock.sealed_at is not None:
        holds.append(("voting_close", lock.sealed_at))
    changed = False
    for field, moment in holds:
        for name in FIELDS[: FIELDS.index(field) + 1]:
            if values[name] > moment:
                values[name] = moment
                changed = True
    return Calendar.model_validate(values) if changed else calendar
