"""Where the campaign stands, as residents are told it: the one rule behind every sentence
about the phase and the results (/start, /vote, /myvote, /results, the announcements).

The calendar alone says the phase; what residents may be told about the results also depends
on whether the committee has published them, which the calendar cannot know:

| phase (calendar) | published | standing      | what residents are told                      |
|------------------|-----------|---------------|----------------------------------------------|
| upcoming…voting  | no        | = the phase   | the phase and its next date                  |
| counting         | no        | COUNTING      | the results date                             |
| results          | no        | RESULTS_DUE   | "very soon" — never "announced" nor the date |
| any              | yes       | PUBLISHED     | "published" — never a date still to come     |

Publishing is only possible once voting has closed, so PUBLISHED after counting or results; the
rule does not depend on it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from campaign.calendar import Phase, phase_at


class Standing(StrEnum):
    UPCOMING = "upcoming"
    PROPOSALS = "proposals"
    REVIEW = "review"
    VOTING = "voting"
    COUNTING = "counting"  # voting closed, the results date still ahead, nothing published
    RESULTS_DUE = "results_due"  # the results date passed, nothing published yet
    PUBLISHED = "published"  # the committee published the results (whatever the date)


# What the vote is, per standing: still to come, open, or over.
VOTE_OVER = frozenset({Standing.COUNTING, Standing.RESULTS_DUE, Standing.PUBLISHED})


def standing(calendar: object, now: datetime, *, published: bool) -> Standing:
    if published:
        return Standing.PUBLISHED
    phase = phase_at(calendar, now)
    if phase == Phase.RESULTS:
        return Standing.RESULTS_DUE
    return Standing(phase.value)
