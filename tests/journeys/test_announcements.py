"""The calendar runs the campaign: phase announcements and reminders, through the real app.

The clock is a SettableClock: the tests move it across boundaries and call `run_due()` (what
an APScheduler job does when it fires), then let the broadcaster send with an instant timer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.app import App, build_app
from bot.broadcaster import Broadcaster
from bot.scheduler import CalendarScheduler
from bot.settings import Settings
from campaign.clock import SettableClock
from storage.models import ProposalRow, UserRow
from storage.models.broadcasts import BroadcastRow
from tests.conftest import TEST_CAMPAIGN

REMINDERS = """
[[reminders]]
id = "ideas-soon"
before = "proposals_close"
days = 2
text = { fr = "Plus que 2 jours pour proposer un projet à {town} !", en = "2 days left to propose a project in {town}!" }

[[reminders]]
id = "vote-soon"
before = "voting_close"
days = 3
audience = "not_voted"
text = { fr = "Plus que 3 jours pour voter.", en = "3 days left to vote." }

[announcements.voting_open]
fr = "Votez avant le {date} <b>ici</b> !"
en = "Vote before {date} <b>here</b>!"
"""


@pytest.fixture
def campaign_file(tmp_path: Path) -> Path:
    path = tmp_path / "town-with-reminders.toml"
    path.write_text(TEST_CAMPAIGN.read_text(encoding="utf-8") + REMINDERS, encoding="utf-8")
    return path


class InstantTimer:
    """Virtual time for the broadcaster: sleeping advances it and returns at once."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def services(app: App) -> tuple[CalendarScheduler, Broadcaster]:
    broadcaster = Broadcaster(app.sessionmaker, app.bot, rate=25, timer=InstantTimer())
    calendar = CalendarScheduler(
        campaign=app.campaign, sessionmaker=app.sessionmaker, clock=app.clock, i18n=app.i18n, broadcaster=broadcaster
    )
    return calendar, broadcaster


@pytest.fixture
async def calendar(app: App) -> AsyncIterator[tuple[CalendarScheduler, Broadcaster]]:
    calendar, broadcaster = services(app)
    yield calendar, broadcaster
    await calendar.aclose()


async def registered(resident_factory, *people: tuple[int, str, str]):
    residents = []
    for user_id, name, language in people:
        resident = resident_factory(user_id, name, language)
        await resident.send("/start")
        residents.append(resident)
    return residents


def inbox_after(resident, mark: int) -> list[str]:
    return [m.plain_text or "" for m in resident.emulator.messages(resident.chat_id)[mark:]]


def marks(*residents) -> list[int]:
    return [len(r.emulator.messages(r.chat_id)) for r in residents]


async def test_each_boundary_is_announced_once_to_each_subscribed_resident_in_their_language(
    app: App, calendar, resident_factory, clock: SettableClock
):
    scheduler, broadcaster = calendar
    marie, john, paul = await registered(
        resident_factory, (1001, "Marie", "fr"), (1002, "John", "en"), (1003, "Paul", "fr")
    )
    await paul.send("/stop")

    before = marks(marie, john, paul)
    await scheduler.start()  # in the proposals phase: "proposals are open" was never announced
    await broadcaster.run_once()
    assert [t for t in inbox_after(marie, before[0])] == [
        "📣 Budget participatif de Testville : les propositions sont ouvertes ! Envoyez /propose pour proposer un "
        "projet pour la commune, jusqu'au 30 avril 2030, 23:59.\n\nEnvoyez /stop pour ne plus recevoir ces annonces."
    ]
    assert inbox_after(john, before[1]) == [
        "📣 Testville participatory budget: proposals are open! Send /propose to suggest a project for the town, "
        "until 30 April 2030, 23:59.\n\nSend /stop to stop receiving these announcements."
    ]
    assert inbox_after(paul, before[2]) == []

    # The jobs, with ids: what is still ahead.
    assert scheduler.job_ids() == [
        "calendar:proposals_close",
        "calendar:reminder:ideas-soon",
        "calendar:reminder:vote-soon",
        "calendar:results",
        "calendar:voting_close",
        "calendar:voting_open",
    ]

    cal = app.campaign.calendar
    expected = {
        "proposals_close": ("propositions sont closes", "proposals are closed"),
        # The campaign's own text, plain text: its markup is shown, not interpreted.
        "voting_open": (
            "Votez avant le 31 mai 2030, 23:59 <b>ici</b> !",
            "Vote before 31 May 2030, 23:59 <b>here</b>!",
        ),
        "voting_close": ("le vote est clos", "voting is closed"),
        # The results date passed and nothing is published: the words /start and /results use,
        # not the campaign's "here are the results" (campaign.standing; issue 11).
        "results": ("les résultats seront publiés très bientôt", "the results will be published very soon"),
    }
    for key, (french, english) in expected.items():
        before = marks(marie, john, paul)
        clock.set(getattr(cal, key) + timedelta(seconds=1))
        queued = await scheduler.run_due()
        assert [b.key for b in queued] == [key] and queued[0].recipients == 2
        assert await scheduler.run_due() == []  # a second firing queues nothing
        await broadcaster.run_once()
        assert len(inbox_after(marie, before[0])) == 1 and french in inbox_after(marie, before[0])[0]
        assert len(inbox_after(john, before[1])) == 1 and english in inbox_after(john, before[1])[0]
        assert inbox_after(paul, before[2]) == []

    async with app.sessionmaker() as session:
        keys = (await session.scalars(select(BroadcastRow.key).order_by(BroadcastRow.id))).all()
    # The reminders' moments passed while the clock jumped: dropped, not sent late.
    assert keys == [
        "proposals_open",
        "reminder:ideas-soon",
        "proposals_close",
        "voting_open",
        "reminder:vote-soon",
        "voting_close",
        "results",
    ]
    async with app.sessionmaker() as session:
        dropped = (await session.scalars(select(BroadcastRow.key).where(BroadcastRow.status == "dropped"))).all()
    assert sorted(dropped) == ["reminder:ideas-soon", "reminder:vote-soon"]


async def test_voting_open_lists_the_finalists_and_results_wait_for_the_publication(
    app: App, calendar, resident_factory, clock
):
    scheduler, broadcaster = calendar
    (john,) = await registered(resident_factory, (1002, "John", "en"))
    async with app.sessionmaker() as session:
        author = await session.scalar(select(UserRow.id).where(UserRow.telegram_id == 1002))
        for title, status, cost in [
            ("A <bench>", "finalist", 1500),
            ("Trees", "winner", 8000),
            ("Draft", "submitted", 10),
        ]:
            session.add(
                ProposalRow(
                    campaign_id=app.campaign.id,
                    author_id=author,
                    status=status,
                    title=title,
                    summary="s",
                    description="d",
                    category="environment",
                    cost=cost,
                )
            )
        await session.commit()
    clock.set(app.campaign.calendar.voting_open)
    await scheduler.start()
    await broadcaster.run_once()
    text = john.emulator.messages(john.chat_id)[-1]
    assert "The finalists:\n• A <bench> — €1,500" in text.plain_text and "Trees" not in text.plain_text
    assert "A &lt;bench&gt;" in (text.text or "")  # titles are escaped in the HTML sent
    clock.set(app.campaign.calendar.results)
    await scheduler.run_due()
    await broadcaster.run_once()
    # Not published by the committee: no winner is named, and no "the results are in".
    text = john.emulator.messages(john.chat_id)[-1].plain_text
    assert "the results will be published very soon" in text
    assert "Trees" not in text and "the results are in" not in text


async def test_a_restart_after_a_boundary_sends_the_missed_announcement_once(
    app: App, settings: Settings, resident_factory, clock: SettableClock
):
    marie, john = await registered(resident_factory, (1001, "Marie", "fr"), (1002, "John", "en"))
    scheduler, broadcaster = services(app)
    await scheduler.start()
    await broadcaster.run_once()  # proposals_open
    await scheduler.aclose()
    before = marks(marie, john)

    # The bot is down from the end of April to the middle of the vote: proposals_close and
    # voting_open pass unseen. On restart, where the campaign stands now is announced, once.
    clock.set(app.campaign.calendar.voting_open + timedelta(days=2))
    for _ in range(2):
        second = await build_app(settings, clock=clock)
        try:
            scheduler2, broadcaster2 = services(second)
            await scheduler2.start()
            await broadcaster2.run_once()
            await scheduler2.aclose()
        finally:
            await second.close()
    assert len(inbox_after(marie, before[0])) == 1 and "Votez avant le" in inbox_after(marie, before[0])[0]
    assert len(inbox_after(john, before[1])) == 1 and "Vote before" in inbox_after(john, before[1])[0]
    async with app.sessionmaker() as session:
        keys = set((await session.scalars(select(BroadcastRow.key))).all())
    assert "proposals_close" not in keys  # an older missed boundary is not history to replay


async def test_a_reminder_on_time_is_sent_and_a_passed_one_is_dropped(app: App, calendar, resident_factory, clock):
    scheduler, broadcaster = calendar
    marie, john = await registered(resident_factory, (1001, "Marie", "fr"), (1002, "John", "en"))
    cal = app.campaign.calendar
    async with app.sessionmaker() as session:  # proposals_open was announced long ago
        await session.execute(update(UserRow).values(subscribed=True))
        session.add(
            BroadcastRow(
                campaign_id=app.campaign.id,
                kind="announcement",
                key="proposals_open",
                audience="all",
                text={},
                status="done",
            )
        )
        await session.commit()

    # The job fires a minute late: still sent, in each language.
    clock.set(cal.proposals_close - timedelta(days=2) + timedelta(minutes=1))
    before = marks(marie, john)
    await scheduler.start()
    await broadcaster.run_once()
    assert inbox_after(marie, before[0])[0].startswith("Plus que 2 jours pour proposer un projet à Testville !")
    assert inbox_after(john, before[1])[0].startswith("2 days left to propose a project in Testville!")
    await scheduler.aclose()

    # Down from before the vote-soon reminder until a day after it: dropped on start, not sent.
    clock.set(cal.voting_close - timedelta(days=2))
    before = marks(marie, john)
    restarted, restarted_broadcaster = services(app)
    queued = await restarted.run_due()
    await restarted_broadcaster.run_once()
    assert [b.key for b in queued] == ["voting_open"]  # the latest boundary, late but true
    assert all(
        "3 days" not in t and "3 jours" not in t for t in inbox_after(marie, before[0]) + inbox_after(john, before[1])
    )
    async with app.sessionmaker() as session:
        status = await session.scalar(select(BroadcastRow.status).where(BroadcastRow.key == "reminder:vote-soon"))
    assert status == "dropped"
    await restarted.aclose()


async def test_reschedule_rebuilds_the_jobs_from_a_changed_calendar(app: App, calendar, clock):
    scheduler, _ = calendar
    await scheduler.start()
    assert "calendar:voting_open" in scheduler.job_ids()
    moved = app.campaign.model_copy(
        update={"calendar": app.campaign.calendar.model_copy(update={"voting_open": clock.now() + timedelta(hours=1)})}
    )
    ids = scheduler.reschedule(moved)
    job = scheduler.scheduler.get_job("calendar:voting_open")
    assert job is not None and job.trigger.run_date == clock.now() + timedelta(hours=1)
    assert sorted(ids) == scheduler.job_ids()
    assert scheduler.scheduler.get_job("calendar-catch-up") is not None


async def test_stop_and_subscribe(app: App, resident_factory):
    (marie,) = await registered(resident_factory, (1001, "Marie", "fr"))
    replies = await marie.send("/stop")
    assert "vous ne recevrez plus les annonces" in replies.plain_text
    assert "déjà" in (await marie.send("/stop")).plain_text
    async with app.sessionmaker() as session:
        assert await session.scalar(select(UserRow.subscribed).where(UserRow.telegram_id == 1001)) is False
    replies = await marie.send("/subscribe")
    assert "vous recevrez à nouveau" in replies.plain_text
    assert "déjà" in (await marie.send("/subscribe")).plain_text
    async with app.sessionmaker() as session:
        assert await session.scalar(select(UserRow.subscribed).where(UserRow.telegram_id == 1001)) is True


async def test_the_runner_starts_the_calendar_and_the_broadcaster_and_stops_them(app: App, resident_factory, emulator):
    from bot.background import background_services

    (marie,) = await registered(resident_factory, (1001, "Marie", "fr"))
    before = len(emulator.messages(marie.chat_id))
    async with background_services(app, stop_timeout=5) as (scheduler, broadcaster):
        # Started in the proposals phase: the never-announced opening goes out by itself.
        messages = await emulator.wait_for_messages(marie.chat_id, before + 1, timeout=10)
        assert "les propositions sont ouvertes" in (messages[-1].plain_text or "")
        assert scheduler.scheduler.running and "calendar:voting_open" in scheduler.job_ids()
        assert app.dispatcher["calendar"] is scheduler and app.dispatcher["broadcaster"] is broadcaster
    assert not scheduler.scheduler.running
