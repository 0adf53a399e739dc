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
    assert (
        cal.proposals_open.date().isoformat(),
        cal.voting_open.date().isoformat(),
        cal.results.date().isoformat(),
    ) == ("2020-04-09", "2020-06-01", "2020-07-17")
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
    for expected in (
        "envelope:",
        "calendar.voting_open:",
        "ballot.type:",
        "colour: is not a known setting",
        "town: is missing",
    ):
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


def test_check_campaign_warns_about_a_calendar_entirely_past(capsys):
    assert pbbot(["check-campaign", str(ROOT / "examples" / "bertrix-2020.toml")]) == 0
    err = capsys.readouterr().err
    assert "warning: calendar: every date is in the past (the results were due on 2020-07-17)" in err
    assert "pbbot init" in err
    assert pbbot(["check-campaign", str(ROOT / "examples" / "demo.toml")]) == 0
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "start, end, name",
    [
        ("proposals_open", "proposals_close", "the proposals phase"),
        ("proposals_close", "voting_open", "the committee's review"),
        ("voting_open", "voting_close", "the vote"),
        ("voting_close", "results", "the count"),
    ],
)
def test_a_phase_that_lasts_no_time_is_refused(start, end, name):
    data = _town()
    cal = data["calendar"]
    cal[end] = cal[start]
    if end == "voting_open":
        cal["review_close"] = cal[start]
    with pytest.raises(CampaignError) as caught:
        parse_campaign(data)
    assert caught.value.problems == [
        f"calendar.{end}: is the same moment as calendar.{start}, so {name} would last no time"
    ]


def test_a_text_missing_in_a_language_of_the_campaign_is_refused():
    data = _town()
    data["name"] = {"fr": "Budget participatif"}
    data["categories"][1]["names"] = {"en": "Mobility", "fr": " "}
    data["description"] = {"fr": "…", "en": "…", "nl": "…"}  # an extra language is no problem
    with pytest.raises(CampaignError) as caught:
        parse_campaign(data)
    assert caught.value.problems == [
        'name: no text in English ("en"), though languages lists it',
        'categories #2 names: no text in French ("fr"), though languages lists it',
    ]
    data["languages"], data["default_language"] = ["fr"], "fr"
    data["categories"][1]["names"] = {"fr": "Mobilité"}
    assert parse_campaign(data).name == {"fr": "Budget participatif"}


def test_every_message_names_its_setting_in_plain_words():
    data = _town()
    data["id"] = "Testville 2030"
    data["currency"] = "euro"
    data["categories"][0]["id"] = "Espaces verts"
    data["verification"] = {"methods": ["phone"], "phone_prefixes": ["0032"]}
    data["population"] = "many"
    data["ballot"]["max_choices"] = 0
    data["outcome"]["rule"] = "biggest"
    data["calendar"]["results"] = "soon"
    with pytest.raises(CampaignError) as caught:
        parse_campaign(data)
    problems = caught.value.problems
    assert (
        'id: use 1 to 64 small letters a-z, digits, "-" or "_" (no spaces, capitals or accents), e.g. "bertrix-2027"'
        in problems
    )
    assert 'currency: write the three-letter currency code in capitals, e.g. "EUR"' in problems
    assert any(p.startswith("categories #1 id: use 1 to 32 small letters") for p in problems)
    assert 'verification.phone_prefixes #1: write a country calling code: "+" and 1 to 4 digits, e.g. "+32"' in problems
    assert "population: must be a number written with digits, without quotes" in problems
    assert "ballot.max_choices: must be at least 1" in problems
    assert any(p.startswith("outcome.rule: must be 'most-voted', 'greedy'") for p in problems)
    assert (
        'calendar.results: is not a date: write it like 2027-04-01T09:00:00, or as days from today like "+7d" or "-1d 18:00"'
        in problems
    )
    assert not any("pattern" in p or "(file)" in p or "Input should" in p for p in problems), problems


def test_an_error_across_two_settings_names_them_without_a_file_prefix():
    data = _town()
    data["default_language"] = "en"
    data["languages"] = ["fr"]
    data["name"] = data["description"] = {"fr": "x"}
    for category in data["categories"]:
        category["names"] = {"fr": "x"}
    with pytest.raises(CampaignError) as caught:
        parse_campaign(data)
    assert caught.value.problems == ["default_language 'en' is not in languages"]


@pytest.mark.parametrize(
    "verification", [None, {"methods": ["phone"]}, {"methods": ["code", "phone"], "phone_prefixes": []}]
)
def test_the_phone_method_without_prefixes_is_refused_in_plain_words(verification, tmp_path, capsys):
    """Without prefixes any number in the world would verify as a resident (issue 8)."""
    data = _town()
    data.pop("verification", None)
    if verification is not None:
        data["verification"] = verification
    with pytest.raises(CampaignError) as caught:
        parse_campaign(data)
    (problem,) = caught.value.problems
    assert problem.startswith(
        "verification: the phone method needs phone_prefixes, the country calling codes of the town's numbers"
    )
    assert "from anywhere in the world" in problem


def test_code_and_committee_need_no_prefixes():
    data = _town()
    data["verification"] = {"methods": ["code", "committee"]}
    assert parse_campaign(data).verification.phone_prefixes == []


def test_check_campaign_refuses_a_phone_campaign_without_prefixes(tmp_path, capsys):
    text = (ROOT / "tests" / "campaigns" / "town.toml").read_text().replace('phone_prefixes = ["+32"]\n', "")
    path = tmp_path / "no-prefix.toml"
    path.write_text(text)
    assert pbbot(["check-campaign", str(path)]) == 1
    assert "the phone method needs phone_prefixes" in capsys.readouterr().err
