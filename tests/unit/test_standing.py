"""The one rule behind what residents are told about the phase and the results."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import given, strategies as st

from campaign.calendar import Phase, phase_at
from campaign.schema import load_campaign
from campaign.standing import VOTE_OVER, Standing, standing

CALENDAR = load_campaign(Path(__file__).parents[1] / "campaigns" / "town.toml").calendar
START = CALENDAR.proposals_open - timedelta(days=10)


def test_each_phase_without_a_publication():
    assert standing(CALENDAR, CALENDAR.proposals_open - timedelta(days=1), published=False) == Standing.UPCOMING
    assert standing(CALENDAR, CALENDAR.proposals_open, published=False) == Standing.PROPOSALS
    assert standing(CALENDAR, CALENDAR.proposals_close, published=False) == Standing.REVIEW
    assert standing(CALENDAR, CALENDAR.voting_open, published=False) == Standing.VOTING
    assert standing(CALENDAR, CALENDAR.voting_close, published=False) == Standing.COUNTING


def test_the_results_date_passed_without_a_publication_is_not_results():
    assert standing(CALENDAR, CALENDAR.results, published=False) == Standing.RESULTS_DUE
    assert standing(CALENDAR, CALENDAR.results + timedelta(days=30), published=False) == Standing.RESULTS_DUE


def test_an_early_publication_is_published_before_the_results_date():
    early = CALENDAR.voting_close + timedelta(hours=2)
    assert early < CALENDAR.results
    assert standing(CALENDAR, early, published=True) == Standing.PUBLISHED


@given(minutes=st.integers(min_value=0, max_value=120 * 24 * 60), published=st.booleans())
def test_the_standing_follows_the_phase_and_the_publication(minutes, published):
    now = START + timedelta(minutes=minutes)
    where = standing(CALENDAR, now, published=published)
    phase = phase_at(CALENDAR, now)
    assert (where == Standing.PUBLISHED) == published
    assert (where == Standing.RESULTS_DUE) == (not published and phase == Phase.RESULTS)
    if not published:
        # Nothing about the results is said before the calendar allows it, and the vote is over
        # exactly when the calendar closed it.
        assert (where in VOTE_OVER) == (phase in (Phase.COUNTING, Phase.RESULTS))
        if phase not in (Phase.COUNTING, Phase.RESULTS):
            assert where.value == phase.value


def test_the_results_announcement_names_winners_only_once_published():
    from decimal import Decimal

    from bot.announcements import Project, render
    from bot.i18n import make_i18n
    from campaign.announcements import announcement_plan

    campaign = load_campaign(Path(__file__).parents[1] / "campaigns" / "town.toml")
    item = next(p for p in announcement_plan(campaign) if p.key == "results")
    i18n = make_i18n(campaign.default_language)
    winners = [Project("Trees", Decimal(8000))]
    published = render(item, campaign, i18n, winners=winners, where=Standing.PUBLISHED)
    waiting = render(item, campaign, i18n, winners=winners, where=Standing.RESULTS_DUE)
    assert "Trees" in published["en"] and "Trees" in published["fr"]
    assert "Trees" not in waiting["en"] and "published very soon" in waiting["en"]
    assert "publiés très bientôt" in waiting["fr"]
