"""What the calendar announces, and when: pure rules, no clock, no database.

The plan of a campaign is a list of `Planned` items, each with a stable key:

- one announcement per phase boundary, keyed by the calendar field that starts the phase
  (`proposals_open`, `proposals_close`, `voting_open`, `voting_close`, `results`);
- the optional "finalists chosen" announcement, keyed `finalists`, at `review_close`, only when
  the campaign file gives a text for it (`[announcements.finalists]`); otherwise the
  `voting_open` announcement lists the finalists;
- one reminder per `[[reminders]]` entry, keyed `reminder:<id>`, at `calendar.<before> - days`.

`due(plan, now, done)` says what to do at a moment, given the keys already queued:

- announcements: only the LATEST boundary that has passed is sent, if it was not already.
  A bot that was down across several boundaries announces where the campaign stands now,
  once and late, not a burst of stale history. Earlier missed boundaries are never sent.
- reminders: sent if their moment passed less than `grace` ago (a job firing a little late,
  a restart a few minutes after); older ones are dropped, never sent late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from campaign.calendar import PHASE_STARTS, Phase

# How late a reminder may still go out (a restart, a slow job).
REMINDER_GRACE = timedelta(minutes=15)

FINALISTS = "finalists"
REMINDER_PREFIX = "reminder:"


@dataclass(frozen=True)
class Planned:
    key: str
    kind: Literal["announcement", "reminder"]
    at: datetime
    audience: str = "all"
    phase: Phase | None = None  # the phase an announcement opens
    reminder_id: str | None = None


@dataclass(frozen=True)
class Due:
    send: list[Planned] = field(default_factory=list)
    drop: list[Planned] = field(default_factory=list)


def announcement_plan(campaign: object) -> list[Planned]:
    """Every announcement and reminder of the campaign, in time order (ties: announcements first)."""
    calendar = getattr(campaign, "calendar")  # noqa: B009 - `campaign` is typed object: this module does not import the schema
    plan = [
        Planned(key=field_name, kind="announcement", at=getattr(calendar, field_name), phase=phase)
        for phase, field_name in PHASE_STARTS.items()
    ]
    if FINALISTS in (getattr(campaign, "announcements", None) or {}):
        plan.append(Planned(key=FINALISTS, kind="announcement", at=calendar.review_close, phase=Phase.REVIEW))
    for reminder in getattr(campaign, "reminders", None) or []:
        plan.append(
            Planned(
                key=REMINDER_PREFIX + reminder.id,
                kind="reminder",
                at=getattr(calendar, reminder.before) - timedelta(days=reminder.days),
                audience=reminder.audience,
                reminder_id=reminder.id,
            )
        )
    return sorted(plan, key=lambda item: (item.at, item.kind != "announcement"))


def due(plan: list[Planned], now: datetime, done: set[str], grace: timedelta = REMINDER_GRACE) -> Due:
    """What to queue and what to drop at `now`, given the keys already queued or dropped."""
    send: list[Planned] = []
    drop: list[Planned] = []
    passed = [item for item in plan if item.kind == "announcement" and item.at <= now]
    if passed:
        latest = max(passed, key=lambda item: item.at)  # max keeps the first of equal moments
        if latest.key not in done:
            send.append(latest)
    for item in plan:
        if item.kind != "reminder" or item.key in done or item.at > now:
            continue
        (send if now - item.at <= grace else drop).append(item)
    return Due(send=send, drop=drop)


def upcoming(plan: list[Planned], now: datetime) -> list[Planned]:
    """Items still ahead of `now`: what the scheduler must wake up for."""
    return [item for item in plan if item.at > now]
