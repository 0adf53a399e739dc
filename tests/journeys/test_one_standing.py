"""/start, /vote, /myvote, /results and the announcements agree on where the campaign stands
(campaign.standing): with the results date passed and nothing published, nobody is told the
results are announced; after an early /publish, nobody is told a results date still to come."""

from __future__ import annotations

from datetime import timedelta

from bot.scheduler import CalendarScheduler
from tests.journeys.committee_steps import anne  # noqa: F401  (fixture)
from tests.journeys.results_steps import cast, close_voting, run_broadcaster
from tests.journeys.voting_helpers import make_finalists, open_voting

PROJECTS = [("Bench on the square", 1500), ("Trees along the river", 5500), ("Playground", 12000)]
BALLOTS = [(1, 3), (3,), (2, 3), (1,)]
VERY_SOON = "The committee is finishing the count: the results will be published very soon."
PUBLISHED = "The results have been published: send /results to see them."


async def _seeded(app, clock) -> None:
    await make_finalists(app, PROJECTS)
    open_voting(app, clock)
    await cast(app, BALLOTS)


async def test_results_date_passed_but_nothing_published_nobody_says_announced(app, john, clock, emulator) -> None:
    await _seeded(app, clock)
    await john.send("/start")
    clock.set(app.campaign.calendar.results + timedelta(days=3))

    start = (await john.send("/start")).text
    vote = (await john.send("/vote")).text
    my_vote = (await john.send("/myvote")).text
    results = (await john.send("/results")).text
    scheduler = CalendarScheduler(campaign=app.campaign, sessionmaker=app.sessionmaker, clock=clock, i18n=app.i18n)
    assert [b.key for b in await scheduler.run_due()] == ["results"]
    await run_broadcaster(app)
    announcement = emulator.messages(john.chat_id)[-1].plain_text

    assert f"Voting is closed. {VERY_SOON}" in start
    assert vote == f"Voting closed on 31 May 2030, 23:59. {VERY_SOON}"
    assert my_vote == f"You have not voted. Voting closed on 31 May 2030, 23:59. {VERY_SOON}"
    assert results == f"Voting is closed. {VERY_SOON}"
    assert f"Voting is closed. {VERY_SOON}" in announcement
    for text in (start, vote, my_vote, results, announcement):
        assert "announced" not in text and "results are in" not in text
        assert "10 June 2030" not in text  # a date already past is not promised


async def test_after_an_early_publication_nobody_is_told_a_results_date(app, anne, john, clock, emulator) -> None:
    await _seeded(app, clock)
    await john.send("/start")
    close_voting(app, clock)
    assert clock.now() < app.campaign.calendar.results
    assert "Le vote est clos. Les résultats seront publiés le 10 juin 2030, 18:00." in (await anne.send("/start")).text
    await anne.send("/publish")
    await anne.press("📣 Publier les résultats")

    start = (await john.send("/start")).text
    vote = (await john.send("/vote")).text
    my_vote = (await john.send("/myvote")).text
    results = (await john.send("/results")).text

    assert f"Voting is closed. {PUBLISHED}" in start
    assert vote == f"Voting closed on 31 May 2030, 23:59. {PUBLISHED}"
    assert my_vote == f"You have not voted. Voting closed on 31 May 2030, 23:59. {PUBLISHED}"
    assert results.startswith("<b>Results — Testville participatory budget</b>\n4 residents voted")
    for text in (start, vote, my_vote):
        assert "10 June" not in text and "Results on" not in text
    # The calendar's own results announcement is not sent on the results date: it would say it again.
    clock.set(app.campaign.calendar.results + timedelta(hours=1))
    scheduler = CalendarScheduler(campaign=app.campaign, sessionmaker=app.sessionmaker, clock=clock, i18n=app.i18n)
    assert await scheduler.run_due() == []
