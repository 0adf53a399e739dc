"""What stays fixed once residents vote: the ballot's settings and the finalists' texts.

`ballot_settings(campaign)` is what the first ballot records; `changed_settings` names the
fields a campaign file changed since (the bot refuses to start rather than count the same
ballots under other rules). `finalist_digest` fingerprints what a voter reads of a finalist;
`finalists_frozen` says from when the committee may no longer touch them: from the moment
voting opens (even before the first ballot: someone may be reading the cards), or as soon as a
ballot exists whatever the calendar says.
"""

from __future__ import annotations

import hashlib
import json

from campaign.calendar import Phase
from campaign.proposal import Proposal
from campaign.schema import Campaign

SETTING_FIELDS: tuple[str, ...] = (
    "ballot.type",
    "ballot.max_choices",
    "ballot.changeable",
    "ballot.points",
    "outcome.rule",
)
FROZEN_FROM = (Phase.VOTING, Phase.COUNTING, Phase.RESULTS)


def ballot_settings(campaign: Campaign) -> dict[str, str]:
    values = {
        "ballot.type": campaign.ballot.type,
        "ballot.max_choices": campaign.ballot.max_choices,
        "ballot.changeable": campaign.ballot.changeable,
        "ballot.points": campaign.ballot.points,
        "outcome.rule": campaign.outcome.rule,
    }
    return {name: json.dumps(value) for name, value in values.items()}


def changed_settings(recorded: dict[str, str], current: dict[str, str]) -> list[tuple[str, str, str]]:
    """(field, recorded, now) for each ballot setting that differs; values as in the file."""
    return [
        (name, recorded[name], current.get(name, "null"))
        for name in SETTING_FIELDS
        if name in recorded and recorded[name] != current.get(name)
    ]


def finalist_digest(project: Proposal) -> str:
    """What a voter sees of a finalist: title, summary, description, cost, category, place, photo."""
    seen = [
        project.title,
        project.summary,
        project.description,
        str(project.cost),
        project.category,
        project.location_text,
        project.latitude,
        project.longitude,
        project.photo_file_id,
    ]
    return hashlib.sha256(json.dumps(seen, ensure_ascii=False).encode()).hexdigest()[:16]


def finalists_frozen(phase: Phase, locked: bool) -> bool:
    return locked or phase in FROZEN_FROM
