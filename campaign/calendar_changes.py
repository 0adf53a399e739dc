"""The committee moves dates: the effective calendar is the file's, with the changes applied.

Changes are kept in order (storage keeps them in a table); `apply_calendar_changes` replays
them over the campaign file's calendar. Each change is checked with the `Calendar` model's own
validation (the dates must stay in order), so a bad change is refused when it is made; one that
no longer fits — a campaign file with relative dates that moved on restart — is skipped on
replay rather than stopping the bot.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from campaign.calendar import PHASE_STARTS, next_boundary
from campaign.schema import Calendar, Campaign

log = logging.getLogger(__name__)

# The calendar fields in the order their dates must follow.
CALENDAR_FIELDS: tuple[str, ...] = tuple(Calendar.model_fields)


@dataclass(frozen=True)
class CalendarChange:
    field: str
    at: datetime
    changed_by: int | None = None
    changed_at: datetime | None = None


class CalendarChangeError(ValueError):
    """`code`: unknown_field | bad_format | out_of_order | nothing_to_advance; `params` for the message."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(code, params)


def with_date(calendar: Calendar, field: str, at: datetime) -> Calendar:
    """The calendar with `field` moved to `at`; CalendarChangeError if the order breaks."""
    return with_dates(calendar, {field: at})


def with_dates(calendar: Calendar, moves: dict[str, datetime]) -> Calendar:
    for field in moves:
        if field not in CALENDAR_FIELDS:
            raise CalendarChangeError("unknown_field", field=field)
    values = {**calendar.model_dump(), **moves}
    try:
        return Calendar.model_validate(values)
    except ValidationError:
        earlier, later = _first_disorder(values)
        raise CalendarChangeError("out_of_order", earlier=earlier, later=later) from None


def _first_disorder(values: dict[str, datetime]) -> tuple[str, str]:
    for earlier, later in zip(CALENDAR_FIELDS, CALENDAR_FIELDS[1:]):
        if values[later] < values[earlier]:
            return earlier, later
    return CALENDAR_FIELDS[0], CALENDAR_FIELDS[1]  # pragma: no cover - validation said otherwise


def apply_calendar_changes(campaign: Campaign, changes: Iterable[CalendarChange]) -> Campaign:
    """The campaign with its calendar as the committee left it (changes in the order made)."""
    calendar = campaign.calendar
    applied = False
    for change in changes:
        try:
            calendar = with_date(calendar, change.field, change.at)
            applied = True
        except CalendarChangeError as error:
            log.warning("calendar change %s -> %s no longer fits (%s); skipped", change.field, change.at, error.code)
    if not applied:
        return campaign
    return campaign.model_copy(update={"calendar": calendar})


def advance_moves(calendar: Calendar, now: datetime) -> dict[str, datetime]:
    """What `/advance` changes: the next phase boundary moves to now, and any earlier date
    still in the future with it (opening the vote early also ends the review)."""
    boundary = next_boundary(calendar, now)
    if boundary is None:
        raise CalendarChangeError("nothing_to_advance")
    field = PHASE_STARTS[boundary.phase]
    moves: dict[str, datetime] = {}
    for name in CALENDAR_FIELDS[: CALENDAR_FIELDS.index(field) + 1]:
        if getattr(calendar, name) > now:
            moves[name] = now
    return moves


_LOCAL = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?\s*$")


def parse_local(text: str, zone: ZoneInfo) -> datetime:
    """ "2030-05-20 09:00" (or a date alone, midnight) read in the campaign's time zone."""
    match = _LOCAL.match(text or "")
    if not match:
        raise CalendarChangeError("bad_format", text=text)
    year, month, day, hour, minute = match.groups()
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), tzinfo=zone)
    except ValueError:
        raise CalendarChangeError("bad_format", text=text) from None
