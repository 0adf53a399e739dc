"""The cumulative ballot through the whole vote: a resident shares 5 points among the finalists,
confirms, the sealed ballot holds the points, and the committee's count and Pabulib export
count points (tests/campaigns/cumulative.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.pabulib import read_pb
from campaign.tally import select_winners
from tests.journeys.committee_steps import anne  # noqa: F401  (fixture)
from tests.journeys.results_steps import cast, close_voting
from tests.journeys.voting_helpers import ballot_count, make_finalists, open_voting, opened_choices, verify_by_phone

PROJECTS = [("Bench on the square", 1500), ("Trees along the river", 8000), ("Bike racks", 3000)]


@pytest.fixture
def campaign_file() -> Path:
    return Path(__file__).resolve().parents[1] / "campaigns" / "cumulative.toml"


def alert(emulator) -> str:  # noqa: ANN001
    return emulator.callback_answers[-1]["text"] or ""


async def test_a_resident_shares_points_and_they_are_counted_and_exported(app, john, anne, clock, emulator):  # noqa: F811
    await make_finalists(app, PROJECTS)
    open_voting(app, clock)
    await verify_by_phone(john)
    replies = await john.send("/vote")
    assert "share your 5 points" in replies.text

    for _ in range(3):
        replies = await john.press("Give a point")
    assert "3 points for this project." in alert(emulator)
    assert "Points given: 3 of 5" in replies.text and "➕ Give a point (3 so far)" in replies[-1].button_labels()
    await john.press("▶️")
    await john.press("Give a point (0 so far)")
    replies = await john.press("Give a point (1 so far)")
    assert "Points given: 5 of 5" in replies.text and "↩️ Take back its 2 points" in replies[-1].button_labels()
    await john.press("▶️")
    await john.press("Give a point (0 so far)")  # the bike racks: none left
    assert "You have given all your 5 points" in alert(emulator)
    # Taking points back, then giving one to the bike racks.
    await john.press("◀️")
    replies = await john.press("Take back its 2 points")
    assert "Points given: 3 of 5" in replies.text
    await john.press("▶️")
    await john.press("Give a point (0 so far)")
    await john.press("◀️")
    await john.press("Give a point (0 so far)")

    replies = await john.press("Submit my ballot (3)")
    assert "Bench on the square</b> — €1,500: 3 points" in replies.text
    assert (
        "Trees along the river</b> — €8,000: 1 point" in replies.text
        and "Bike racks</b> — €3,000: 1 point" in replies.text
    )
    replies = await john.press("✅ Confirm my vote")
    assert "Your vote is recorded" in replies.text
    assert await ballot_count(app) == 1
    assert await opened_choices(app) == [(1, 1, 1, 2, 3)]

    await cast(app, [(3, 3, 3, 3, 3), (2, 2, 2, 3, 3), (1, 2)], first_voter=61_000)
    close_voting(app, clock)
    replies = await anne.send("/results")
    assert "Bike racks" in replies.text
    document = (await anne.send("/export pabulib"))[-1]
    election = read_pb(document.document.decode("utf-8"))
    assert election.meta["vote_type"] == "cumulative" and election.meta["max_sum_points"] == "5"
    # Points, not voters: the bike racks have 1 + 5 + 2 = 8 points from 3 voters.
    assert {p: election.projects[p].votes for p in ("1", "2", "3")} == {"1": 4, "2": 5, "3": 8}
    assert sorted(v.points for v in election.votes) == sorted([(3, 1, 1), (5,), (3, 2), (1, 1)])
    outcome = select_winners(
        election.rule, election.tally_projects(), election.ballots(), election.budget, **election.tally_options()
    )
    assert outcome.winners[0] == "3"
