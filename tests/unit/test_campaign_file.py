"""The campaign file: what is accepted, and what a mistake is told."""
from __future__ import annotations

import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from bot.cli import main as pbbot
from campaign.calendar import Phase, next_boundary, phase_at
from campaign.schema import CampaignError, load_campaign, parse_campaign

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml")) + [ROOT / "tests" / "campaigns" / "town.toml"]


def _town() -> dict:
    return tomllib.loads((ROOT / "tests" / "campaigns" / "town.toml").read_text())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_shipped_campaign_files_are_valid(path):
    campaign = load_campaign(path)
    assert campaign.categories and campaign.envelope > 0


def test_bertrix_is_as_it_happened():
    bertrix = load_campaign(ROOT / "examples" / "bertrix-2020.toml")
    assert bertrix.envelope == 20000 and bertrix.town == "Bertrix" and bertrix.population == 8000
    assert bertrix.ballot.type == "single" and bertrix.verification.phone_prefixes == ["+32"]
    cal = bertrix.calendar
    assert (cal.proposals_open.date().isoformat(), cal.voting_open.date().isoformat(), cal.results.date().isoformat()) == (
        "2020-04-09", "2020-06-01", "2020-07-17")
    assert cal.voting_open.utcoffset() == timedelta(hours=2)  # Brussels summer time


def test_demo_dates_follow_the_day_it_is_loaded():
    now = datetime(2031, 1, 10, 12, tzinfo=timezone.utc)
    demo = load_campaign(ROOT / "examples" / "demo.toml", now=now)
    assert phase_at(demo.calendar, now) == Phase.PROPOSALS
    assert demo.calendar.proposals_open.date().isoformat() == "2031-01-09"


def test_each_problem_names_its_field():
    data = _town()
    data["envelope"] = -5
    data["calendar"]["voting_open"] = "soon"
    data["ballot"]["type"] = "ranked"
    data["colour"] = "blue"
    del data["town"]
    with pytest.raises(CampaignError) as caught:
        parse_campaign(data)
    text = str(caught.value)
    for expected in ("envelope:", "calendar.voting_open:", "ballot.type:", "colour: is not a known setting", "town: is missing"):
        assert expected in text


def test_calendar_out_of_order_is_refused():
    data = _town()
    data["calendar"]["voting_open"] = data["calendar"]["proposals_open"]
    with pytest.raises(CampaignError, match="voting_open .* is before review_close"):
        parse_campaign(data)


def test_max_cost_above_the_envelope_is_refused():
    data = _town()
    data["cost"]["maximum"] = 30000
    with pytest.raises(CampaignError, match="above the envelope"):
        parse_campaign(data)


def test_check_campaign_command(capsys, tmp_path):
    assert pbbot(["check-campaign", str(ROOT / "examples" / "bertrix-2020.toml")]) == 0
    assert "bertrix-2020" in capsys.readouterr().out
    broken = tmp_path / "broken.toml"
    broken.write_text('id = "x"\nenvelope = "lots"\n')
    assert pbbot(["check-campaign", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "envelope:" in err and "calendar: is missing" in err
    assert pbbot(["check-campaign", str(tmp_path / "absent.toml")]) == 1
    assert "cannot be read" in capsys.readouterr().err


CALENDAR = load_campaign(ROOT / "tests" / "campaigns" / "town.toml").calendar
START = CALENDAR.proposals_open - timedelta(days=30)


@given(st.integers(min_value=0, max_value=200 * 24 * 60))
def test_phase_at_follows_the_calendar_order(minutes):
    now = START + timedelta(minutes=minutes)
    phase = phase_at(CALENDAR, now)
    later = phase_at(CALENDAR, now + timedelta(days=1))
    order = list(Phase)
    assert order.index(later) >= order.index(phase)
    boundary = next_boundary(CALENDAR, now)
    if boundary is not None:
        assert boundary.at > now and order.index(boundary.phase) == order.index(phase) + 1


def test_phase_boundaries_are_inclusive_at_their_start():
    assert phase_at(CALENDAR, CALENDAR.proposals_open - timedelta(seconds=1)) == Phase.UPCOMING
    assert phase_at(CALENDAR, CALENDAR.proposals_open) == Phase.PROPOSALS
    assert phase_at(CALENDAR, CALENDAR.proposals_close) == Phase.REVIEW
    assert phase_at(CALENDAR, CALENDAR.voting_open - timedelta(seconds=1)) == Phase.REVIEW
    assert phase_at(CALENDAR, CALENDAR.voting_open) == Phase.VOTING
    assert phase_at(CALENDAR, CALENDAR.voting_close) == Phase.COUNTING
    assert phase_at(CALENDAR, CALENDAR.results) == Phase.RESULTS
