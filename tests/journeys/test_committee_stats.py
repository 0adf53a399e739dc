"""/stats: residents, verification, projects, ballots and turnout, the chart per day; /export stats."""

from __future__ import annotations

import csv
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest

from conversations.charts import BLUE, ORANGE
from tests.conftest import COMMITTEE_ID
from tests.journeys.committee_steps import anne, seed  # noqa: F401  (fixtures)
from tests.journeys.results_steps import audit_actions, cast, count_colour, image, verified_residents
from tests.journeys.voting_helpers import make_finalists, open_voting

CAMPAIGNS = Path(__file__).resolve().parents[1] / "campaigns"
REFUSED = "This command is for the steering committee only."


def flat(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


@pytest.fixture
def anne_en(resident_factory):
    return resident_factory(COMMITTEE_ID, "Anne", "en")


async def test_the_figures_of_a_campaign_under_way(app, anne_en, marie, john, clock, emulator):
    await marie.send("/start")
    await john.send("/start")
    await seed(app, 1004, "Paul", "fr", 3)  # three submitted projects (environment)
    await seed(app, 1005, "Lea", "fr", 1, status="eligible")
    await verified_residents(app, 40)
    finalists = await make_finalists(app, [("Bench", 1500), ("Trees", 8000)])
    open_voting(app, clock)
    await cast(app, [(finalists[0],)] * 20 + [tuple(finalists)] * 12)
    replies = await anne_en.send("/stats")
    text = flat(replies.text)
    # Marie, John, Paul, Lea, 40 verified, the finalists' author, Anne: 46 of 8,000.
    assert "<b>Figures — Testville participatory budget</b>" in text
    assert "Phase: voting. Voting is open until 31 May 2030, 23:59." in text
    assert "👤 Registered with the bot: 46 (0.6% of the population)" in text
    assert "✅ Verified residents: 40 (0.5% of the population)" in text
    assert "<b>Projects</b>: 6 submitted" in text
    assert "By status: submitted, waiting for review: 3 · eligible: 1 · finalist: 2" in text
    assert "By category: Environment: 6 · Mobility: 0" in text
    assert "🗳 Ballots cast: 32" in text
    assert "Turnout: 0.4% of the population, 80.0% of verified residents" in text
    assert "Ages are not collected" in text
    chart = replies[-1]
    assert chart.media_kind == "photo" and chart.filename == "stats.png"
    assert chart.caption == "New residents and ballots cast per day."
    picture = image(chart.photo)
    assert picture.width == 1200
    assert count_colour(picture, BLUE) > 200 and count_colour(picture, ORANGE) > 200
    if os.environ.get("PBBOT_KEEP_CHARTS"):
        picture.save(Path(os.environ["PBBOT_KEEP_CHARTS"]) / "stats.png")
    # Looking is not an action: nothing in the audit log.
    assert await audit_actions(app) == []


async def test_a_fresh_campaign_has_empty_figures_in_french(app, anne):
    replies = await anne.send("/stats")
    text = flat(replies.text)
    assert "<b>Chiffres — Budget participatif de Testville</b>" in text
    assert "👤 Inscrits auprès du bot : 1 (0,0 % de la population)" in text
    assert "Par statut : aucun pour l'instant" in text
    assert "🗳 Bulletins déposés : 0" in text
    assert "Participation : 0,0 % de la population, — des habitants vérifiés" in text
    assert replies[-1].media_kind == "photo"
    assert (
        "Chiffres et résultats : /stats, /results, /publish, /export, /broadcast, /broadcasts."
        in (await anne.send("/admin")).text
    )


class TestWithAMinimumAge:
    @pytest.fixture
    def campaign_file(self) -> Path:
        return CAMPAIGNS / "verify-all.toml"

    async def test_ages_are_attested_not_recorded(self, app, anne_en):
        await verified_residents(app, 5, attested_age=True)
        text = (await anne_en.send("/stats")).text
        assert (
            "Ages are not recorded: residents only confirm they are at least 16 (5 did), so there are no age bands."
            in text
        )


async def test_the_figures_export_has_one_figure_per_row(app, anne, john, clock):
    await john.send("/start")
    await verified_residents(app, 4)
    finalists = await make_finalists(app, [("Bench", 1500)])
    open_voting(app, clock)
    await cast(app, [(finalists[0],)] * 3)
    clock.advance(timedelta(days=1))
    await cast(app, [(finalists[0],)] * 2, first_voter=61_000)
    replies = await anne.send("/export stats")
    document = replies[-1]
    assert document.media_kind == "document" and document.filename == "testville-2030-stats.csv"
    rows = list(csv.reader(io.StringIO(document.document.decode("utf-8-sig"))))
    assert rows[0] == ["figure", "key", "value"]
    figures = {(figure, key): value for figure, key, value in rows[1:]}
    assert figures[("registered_residents", "")] == "7"  # John, 4 verified, the author, Anne
    assert figures[("verified_residents", "")] == "4"
    assert figures[("ballots", "")] == "5"
    assert figures[("turnout_of_verified", "")] == "1.2500"
    assert figures[("proposals_by_status", "finalist")] == "1"
    assert figures[("ballots_per_day", "2030-05-17")] == "3" and figures[("ballots_per_day", "2030-05-18")] == "2"
    # Anne's first message came during the vote.
    assert (
        figures[("registrations_per_day", "2030-04-04")] == "6"
        and figures[("registrations_per_day", "2030-05-18")] == "1"
    )
    assert "export" in await audit_actions(app)
    assert (await john.send("/export stats")).text.startswith(REFUSED)
    assert (await john.send("/stats")).text.startswith(REFUSED)
