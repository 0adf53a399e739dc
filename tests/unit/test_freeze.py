"""What stays fixed once residents vote: the ballot settings, and the finalists as read."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from campaign.calendar import Phase
from campaign.freeze import SETTING_FIELDS, ballot_settings, changed_settings, finalist_digest, finalists_frozen
from campaign.proposal import Proposal, ProposalStatus
from campaign.schema import load_campaign

TOWN = load_campaign(Path(__file__).parents[1] / "campaigns" / "town.toml")
BENCH = Proposal(
    id=1,
    campaign_id="t",
    author_id=1,
    status=ProposalStatus.FINALIST,
    title="Bench",
    summary="A bench.",
    description="A bench on the square.",
    category="environment",
    location_text="Square",
    latitude=None,
    longitude=None,
    cost=Decimal(1500),
    photo_file_id=None,
)


def test_the_same_file_changes_no_setting():
    assert changed_settings(ballot_settings(TOWN), ballot_settings(TOWN)) == []
    assert set(ballot_settings(TOWN)) == set(SETTING_FIELDS)


@pytest.mark.parametrize(
    ("section", "field", "value", "name"),
    [
        ("ballot", "type", "knapsack", "ballot.type"),
        ("ballot", "max_choices", 2, "ballot.max_choices"),
        ("ballot", "changeable", False, "ballot.changeable"),
        ("ballot", "points", 7, "ballot.points"),
        ("outcome", "rule", "most-voted", "outcome.rule"),
    ],
)
def test_each_changed_setting_is_named_with_both_values(section, field, value, name):
    part = getattr(TOWN, section).model_copy(update={field: value})
    changed = TOWN.model_copy(update={section: part})
    (found,) = changed_settings(ballot_settings(TOWN), ballot_settings(changed))
    assert found[0] == name and found[1] != found[2]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Car park on the square"),
        ("summary", "Parking."),
        ("description", "Private parking."),
        ("cost", Decimal(19900)),
        ("category", "mobility"),
        ("location_text", "Elsewhere"),
        ("latitude", 50.5),
        ("photo_file_id", "photo-2"),
    ],
)
def test_every_field_a_voter_reads_changes_the_digest(field, value):
    assert finalist_digest(replace(BENCH, **{field: value})) != finalist_digest(BENCH)


def test_the_status_does_not_change_the_digest():
    assert finalist_digest(replace(BENCH, status=ProposalStatus.WINNER)) == finalist_digest(BENCH)


@pytest.mark.parametrize("phase", list(Phase))
def test_finalists_freeze_when_voting_opens_or_at_the_first_ballot(phase):
    assert finalists_frozen(phase, locked=False) == (phase in (Phase.VOTING, Phase.COUNTING, Phase.RESULTS))
    assert finalists_frozen(phase, locked=True)
