"""The committee's figures: shares, turnout, and counts per day in the campaign's time zone.

The database counts by hour (in UTC); `daily_counts` folds those hours into the campaign's
local days, so a vote cast at 00:30 in Brussels counts on its Brussels day, summer time or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from zoneinfo import ZoneInfo

# A chart of more days than this shows the latest ones.
MAX_DAYS = 366


def share(part: int, whole: int) -> Fraction | None:
    """part / whole, or None when there is no whole to speak of."""
    return Fraction(part, whole) if whole > 0 else None


@dataclass(frozen=True)
class Turnout:
    ballots: int
    population: int
    verified: int

    @property
    def of_population(self) -> Fraction | None:
        return share(self.ballots, self.population)

    @property
    def of_verified(self) -> Fraction | None:
        return share(self.ballots, self.verified)


def daily_counts(hourly: Iterable[tuple[datetime, int]], zone: ZoneInfo) -> dict[date, int]:
    """Counts per UTC hour (naive datetimes are UTC) -> counts per local day."""
    days: dict[date, int] = {}
    for hour, count in hourly:
        moment = hour if hour.tzinfo is not None else hour.replace(tzinfo=timezone.utc)
        day = moment.astimezone(zone).date()
        days[day] = days.get(day, 0) + count
    return days


def day_range(start: date, end: date, data: Iterable[Mapping[date, int]] = (), *, limit: int = MAX_DAYS) -> list[date]:
    """Every day from `start` to `end`, widened to take in the days that have data; at most
    `limit` days (the latest)."""
    first, last = start, end
    for counts in data:
        for day, count in counts.items():
            if count:
                first, last = min(first, day), max(last, day)
    if last < first:
        last = first
    first = max(first, last - timedelta(days=limit - 1))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def series(counts: Mapping[date, int], days: Iterable[date]) -> list[int]:
    return [counts.get(day, 0) for day in days]
