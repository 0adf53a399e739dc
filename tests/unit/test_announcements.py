"""The calendar's announcement rules, without a clock or a database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from campaign.announcements import REMINDER_GRACE, announcement_plan, due, upcoming
from campaign.calendar import Phase
from campaign.schema import load_campaign

TOWN = Path(__file__).parent.parent / "campaigns" / "town.toml"


def campaign_with(reminders: list[dict] | None = None, announcements: dict | None = None):
    import tomllib

    from campaign.schema import parse_campaign

    data = tomllib.loads(TOWN.read_text(encoding="utf-8"))
    if reminders is not None:
        data["reminders"] = reminders
    if announcements is not None:
        data["announcements"] = announcements
    return parse_campaign(data)


VOTE_SOON = {
    "id": "vote-soon",
    "before": "voting_close",
    "days": 3,
    "audience": "not_voted",
    "text": {"fr": "Plus que 3 jours pour voter", "en": "3 days left to vote"},
}


def test_the_plan_has_one_announcement_per_boundary_and_one_entry_per_reminder_in_time_order():
    campaign = campaign_with([VOTE_SOON])
    plan = announcement_plan(campaign)
    assert [item.key for item in plan] == [
        "proposals_open",
        "proposals_close",
        "voting_open",
        "reminder:vote-soon",
        "voting_close",
        "results",
    ]
    reminder = plan[3]
    assert reminder.at == campaign.calendar.voting_close - timedelta(days=3)
    assert reminder.audience == "not_voted" and reminder.kind == "reminder"
    assert plan[2].phase == Phase.VOTING


def test_the_finalists_announcement_is_planned_only_when_the_campaign_gives_its_text():
    assert "finalists" not in {i.key for i in announcement_plan(campaign_with())}
    campaign = campaign_with(announcements={"finalists": {"fr": "Finalistes !", "en": "Finalists!"}})
    finalists = next(i for i in announcement_plan(campaign) if i.key == "finalists")
    assert finalists.at == campaign.calendar.review_close


def test_nothing_is_due_before_the_first_boundary():
    campaign = load_campaign(TOWN)
    plan = announcement_plan(campaign)
    result = due(plan, campaign.calendar.proposals_open - timedelta(seconds=1), set())
    assert result.send == [] and result.drop == []


def test_a_boundary_is_due_from_its_moment_until_it_is_done():
    campaign = load_campaign(TOWN)
    plan = announcement_plan(campaign)
    at = campaign.calendar.voting_open
    assert [i.key for i in due(plan, at, {"proposals_open", "proposals_close"}).send] == ["voting_open"]
    assert due(plan, at, {"proposals_open", "proposals_close", "voting_open"}).send == []


def test_after_a_long_outage_only_the_latest_passed_boundary_is_announced():
    campaign = load_campaign(TOWN)
    plan = announcement_plan(campaign)
    # Down since proposals opened; back in the middle of the vote.
    now = campaign.calendar.voting_open + timedelta(days=2)
    assert [i.key for i in due(plan, now, {"proposals_open"}).send] == ["voting_open"]
    # And once that is done, proposals_close is never sent.
    assert due(plan, now, {"proposals_open", "voting_open"}).send == []


def test_a_reminder_is_sent_within_the_grace_and_dropped_after():
    campaign = campaign_with([VOTE_SOON])
    plan = announcement_plan(campaign)
    at = campaign.calendar.voting_close - timedelta(days=3)
    done = {"proposals_open", "proposals_close", "voting_open"}
    assert [i.key for i in due(plan, at + REMINDER_GRACE, done).send] == ["reminder:vote-soon"]
    late = due(plan, at + REMINDER_GRACE + timedelta(seconds=1), done)
    assert late.send == [] and [i.key for i in late.drop] == ["reminder:vote-soon"]
    assert due(plan, at + timedelta(days=1), done | {"reminder:vote-soon"}).drop == []


def test_upcoming_lists_what_is_still_ahead():
    campaign = campaign_with([VOTE_SOON])
    plan = announcement_plan(campaign)
    keys = [i.key for i in upcoming(plan, campaign.calendar.voting_open)]
    assert keys == ["reminder:vote-soon", "voting_close", "results"]


@pytest.mark.parametrize("before", ["proposals_open", "proposals_close", "voting_open", "voting_close", "results"])
def test_a_reminder_can_hang_on_any_calendar_field(before):
    campaign = campaign_with([{**VOTE_SOON, "before": before, "days": 1.5}])
    item = next(i for i in announcement_plan(campaign) if i.kind == "reminder")
    assert item.at == getattr(campaign.calendar, before) - timedelta(days=1.5)
