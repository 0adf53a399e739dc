"""`pbbot init`: a campaign file live from today, that `pbbot check-campaign` accepts."""

from __future__ import annotations

import argparse
import tomllib
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from bot.cli import main as pbbot
from bot.init_campaign import add_arguments, run_init
from bot.init_campaign_file import Answers, render_campaign, slug
from campaign.calendar import Phase, phase_at
from campaign.schema import load_campaign, parse_campaign

BRUSSELS = ZoneInfo("Europe/Brussels")


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_init_from_flags_writes_a_campaign_live_today(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "town" / "campaign.toml"
    code = pbbot(
        [
            "init",
            "--town",
            "Saint-Hubert",
            "--population",
            "5 800",
            "--envelope",
            "15000",
            "--languages",
            "en,fr",
            "--phone-prefix",
            "+32",
            "--output",
            str(output),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert f"wrote {output}" in capsys.readouterr().out

    campaign = load_campaign(output)
    now = datetime.now(BRUSSELS)
    assert phase_at(campaign.calendar, now) == Phase.PROPOSALS
    assert campaign.calendar.proposals_open.date() == now.date()
    assert (campaign.town, campaign.population, campaign.envelope) == ("Saint-Hubert", 5800, Decimal(15000))
    assert campaign.languages == ["en", "fr"] and campaign.default_language == "en"
    assert campaign.name == {"en": "Saint-Hubert participatory budget", "fr": "Budget participatif de Saint-Hubert"}
    assert campaign.verification.methods == ["phone", "code", "committee"]
    assert campaign.verification.phone_prefixes == ["+32"]
    assert campaign.id == f"saint-hubert-{now.year}"
    # Each phase lasts as long as asked (defaults: 28 days of proposals, 14 of voting).
    cal = campaign.calendar
    assert cal.proposals_close - cal.proposals_open == timedelta(days=27, hours=23, minutes=59)
    assert cal.voting_close - cal.voting_open == timedelta(days=13, hours=23, minutes=59)
    assert cal.review_close - cal.proposals_close == timedelta(days=14)  # two weeks of review
    assert (cal.results.date() - cal.voting_close.date()).days == 7  # results a week after the vote
    assert cal.proposals_close < cal.review_close < cal.voting_open < cal.voting_close < cal.results

    assert pbbot(["check-campaign", str(output)]) == 0
    checked = capsys.readouterr()
    assert "OK" in checked.out and "warning" not in checked.err.lower()


def test_init_without_a_phone_prefix_verifies_by_code_and_committee(tmp_path: Path) -> None:
    output = tmp_path / "c.toml"
    assert run_init(_args("--town", "Bertrix", "--population", "8000", "--envelope", "20000", "-o", str(output))) == 0
    assert load_campaign(output).verification.methods == ["code", "committee"]


def test_init_asks_what_the_flags_did_not_say(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = iter(["Libramont", "eleven thousand", "11000", "30 000", "", "", "fr", "2031-03-01", "+32"])
    questions: list[str] = []

    def ask(question: str, default: str) -> str:
        questions.append(question)
        return next(answers)

    output = tmp_path / "libramont.toml"
    assert run_init(_args("--output", str(output)), ask=ask, today=date(2031, 2, 20)) == 0
    assert "population: 'eleven thousand' is not a whole number" in capsys.readouterr().err
    assert questions[1] == questions[2] == "Number of inhabitants"  # asked again after a bad answer
    campaign = load_campaign(output, now=datetime(2031, 2, 20, tzinfo=BRUSSELS))
    assert (campaign.town, campaign.population, campaign.envelope, campaign.currency) == (
        "Libramont",
        11000,
        Decimal(30000),
        "EUR",
    )
    assert campaign.languages == ["fr"] and campaign.name == {"fr": "Budget participatif de Libramont"}
    assert campaign.calendar.proposals_open == datetime(2031, 3, 1, tzinfo=BRUSSELS)


def test_init_without_a_terminal_names_the_missing_flag_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "c.toml"
    assert run_init(_args("--town", "Bertrix", "--envelope", "20000", "-o", str(output))) == 1
    assert "--population is required" in capsys.readouterr().err
    assert not output.exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--envelope", "lots"], "envelope: 'lots' is not an amount"),
        (["--envelope", "-5"], "envelope: must be more than 0"),
        (["--languages", "fr,xx"], "languages: xx"),
        (["--timezone", "Mars/Olympus"], "timezone: unknown time zone"),
        (["--starts", "01/04/2031"], "starts: '01/04/2031' is not a date"),
        (["--phone-prefix", "0032"], "phone prefix: '0032' is not a country code"),
        (["--voting-days", "0"], "--voting-days: a phase lasts at least one day"),
    ],
)
def test_init_explains_a_bad_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    base = {"--town": "Bertrix", "--population": "8000", "--envelope": "20000"}
    for flag, value in zip(argv[::2], argv[1::2]):
        base[flag] = value
    output = tmp_path / "c.toml"
    flat = [part for pair in base.items() for part in pair]
    assert run_init(_args(*flat, "-o", str(output))) == 1
    assert message in capsys.readouterr().err
    assert not output.exists()


def test_init_never_overwrites_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "c.toml"
    output.write_text("mine")
    flags = ("--town", "Bertrix", "--population", "8000", "--envelope", "20000", "-o", str(output))
    assert run_init(_args(*flags)) == 1
    assert "already exists" in capsys.readouterr().err and output.read_text() == "mine"
    assert run_init(_args(*flags, "--force")) == 0
    assert load_campaign(output).town == "Bertrix"


def test_slug_spells_out_letters_unicode_cannot_split() -> None:
    assert slug("Łódź", 2027) == "lodz-2027"
    assert slug("Saint-Gérard (Mettet)", 2027) == "saint-gerard-mettet-2027"
    assert slug("東京", 2027) == "campaign-2027"


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    town=st.text(min_size=1, max_size=60).filter(lambda t: t.strip()),
    envelope=st.decimals(min_value=1, max_value=10**9, places=2),
    days=st.integers(min_value=1, max_value=120),
    starts=st.dates(min_value=date(2025, 1, 1), max_value=date(2090, 1, 1)),
)
def test_any_answers_make_a_valid_campaign_in_proposals_on_its_first_day(town, envelope, days, starts) -> None:
    answers = Answers(
        town=town.strip(),
        population=1000,
        envelope=envelope,
        starts=starts,
        proposal_days=days,
        voting_days=days,
        phone_prefix="+32",
    )
    text = render_campaign(answers, today=starts)
    noon = datetime.combine(starts, time(12), BRUSSELS)
    campaign = parse_campaign(tomllib.loads(text), now=noon)
    assert campaign.town == town.strip() and campaign.envelope == envelope
    assert phase_at(campaign.calendar, noon) == Phase.PROPOSALS


def test_env_example_points_at_the_file_pbbot_init_writes_and_it_is_live(tmp_path: Path, monkeypatch) -> None:
    """`.env.example` and the README's walk-through: `pbbot init` with no --output writes the very
    file CAMPAIGN_FILE names, and the bot would find proposals open today."""
    example = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    settings = dict(line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#"))
    assert set(settings) >= {"BOT_TOKEN", "SECRET_KEY", "ADMIN_IDS", "CAMPAIGN_FILE"}
    monkeypatch.chdir(tmp_path)
    assert pbbot(["init", "--town", "Bertrix", "--population", "8000", "--envelope", "20000"]) == 0
    campaign = load_campaign(tmp_path / settings["CAMPAIGN_FILE"])
    assert phase_at(campaign.calendar, datetime.now(BRUSSELS)) == Phase.PROPOSALS
