"""The broadcaster against the Bot API emulator: rate, 429, 403, network errors, kill -9."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from bot.app import App, make_bot
from bot.broadcaster import Broadcaster, RealTimer
from storage.models import UserRow
from storage.models.broadcasts import DeliveryRow
from storage.repositories.broadcasts import Broadcast, BroadcastRepository
from tests.emulator import BotAPIEmulator
from tests.journeys.test_announcements import InstantTimer

REPOSITORY = Path(__file__).resolve().parents[2]
FIRST = 50_000  # Telegram ids of the residents these tests insert


async def residents(app: App, count: int, *, start: int = FIRST) -> list[int]:
    """`count` subscribed residents, half French, half English; their chat ids."""
    now = app.clock.now()
    rows = [
        {
            "telegram_id": start + i,
            "first_name": f"R{i}",
            "language": "fr" if i % 2 == 0 else "en",
            "language_chosen": False,
            "subscribed": True,
            "unreachable": False,
            "created_at": now,
            "last_seen_at": now,
        }
        for i in range(count)
    ]
    async with app.sessionmaker() as session:
        await session.execute(insert(UserRow), rows)
        await session.commit()
    return [start + i for i in range(count)]


async def queue(
    app: App, *, text: dict[str, str] | None = None, photo: str | None = None, audience: str = "all"
) -> Broadcast:
    async with app.sessionmaker() as session:
        broadcast = await BroadcastRepository(session).queue(
            app.campaign.id,
            kind="message",
            audience=audience,
            text=text or {"fr": "Bonjour", "en": "Hello"},
            now=app.clock.now(),
            photo=photo,
            created_by=9000,
        )
        await session.commit()
    assert broadcast is not None
    return broadcast


async def progress(app: App, broadcast_id: int) -> dict[str, int]:
    async with app.sessionmaker() as session:
        return await BroadcastRepository(session).progress(broadcast_id)


def per_chat(emulator: BotAPIEmulator) -> Counter[int]:
    return Counter(m.chat_id for m in emulator.messages())


@pytest.fixture
def timer() -> InstantTimer:
    return InstantTimer()


async def test_a_broadcast_reaches_each_resident_once_in_their_language_at_the_rate(app: App, emulator, timer):
    chats = await residents(app, 50)
    broadcast = await queue(app)
    assert broadcast.recipients == 50
    batches: list[int] = []

    async def on_batch(batch):
        batches.append(len(batch))

    stats = await Broadcaster(app.sessionmaker, app.bot, rate=25, timer=timer, on_batch=on_batch).run_once()
    assert stats.sent == 50 and stats.broadcasts_finished == 1
    assert per_chat(emulator) == {chat: 1 for chat in chats}
    assert emulator.messages(chats[0])[0].text == "Bonjour" and emulator.messages(chats[1])[0].text == "Hello"
    # Streamed a batch at a time (a quarter of a second of sending at 25/s), paced at 25/s.
    assert batches == [6] * 8 + [2]
    assert timer.now == pytest.approx(49 / 25)
    assert (await progress(app, broadcast.id))["sent"] == 50
    # Nothing left: a second round sends nothing.
    assert (await Broadcaster(app.sessionmaker, app.bot, rate=25, timer=timer).run_once()).sent == 0
    assert len(emulator.messages()) == 50


async def test_a_photo_broadcast_and_the_authors_audience(app: App, emulator, timer):
    chats = await residents(app, 3)
    photo = emulator.add_file(b"\xff\xd8jpeg", "poster.jpg", folder="photos").file_id
    broadcast = await queue(app, photo=photo, text={"fr": "Affiche", "en": "Poster"})
    await Broadcaster(app.sessionmaker, app.bot, rate=25, timer=timer).run_once()
    assert [(m.media_kind, m.caption) for m in emulator.messages(chats[0])] == [("photo", "Affiche")]
    assert broadcast.recipients == 3
    nobody = await queue(app, audience="authors")
    assert nobody.recipients == 0  # no proposals yet, so no authors


async def test_a_429_pauses_the_whole_worker_and_the_message_is_retried(app: App, emulator, timer):
    chats = await residents(app, 10)
    await queue(app)
    emulator.fail_next("sendMessage", 429, retry_after=7)
    broadcaster = Broadcaster(app.sessionmaker, app.bot, rate=25, timer=timer)
    stats = await broadcaster.run_once()
    assert stats.too_many_requests == 1 and stats.sent == 10
    assert per_chat(emulator) == {chat: 1 for chat in chats}
    assert any(s >= 6.9 for s in timer.sleeps)  # the pause, shared by every send
    assert timer.now >= 7 + 8 / 25


async def test_the_emulator_rate_limit_is_honoured(app: App, emulator):
    """A real limit, real time: 5/s at the emulator, 10/s asked of the broadcaster."""
    emulator.rate_limit_per_second = 5
    chats = await residents(app, 12)
    await queue(app)
    stats = await Broadcaster(app.sessionmaker, app.bot, rate=10, timer=RealTimer()).run_once()
    assert emulator.too_many_requests >= 1 and stats.too_many_requests == emulator.too_many_requests
    assert stats.sent == 12 and per_chat(emulator) == {chat: 1 for chat in chats}


async def test_a_403_marks_the_resident_unreachable_and_the_broadcast_moves_on(
    app: App, emulator, timer, resident_factory
):
    chats = await residents(app, 4)
    emulator.blocked_chats.add(chats[1])
    broadcast = await queue(app)
    stats = await Broadcaster(app.sessionmaker, app.bot, rate=25, timer=timer).run_once()
    assert stats.unreachable == 1 and stats.sent == 3
    counts = await progress(app, broadcast.id)
    assert counts["unreachable"] == 1 and counts["sent"] == 3
    async with app.sessionmaker() as session:
        assert await session.scalar(select(UserRow.unreachable).where(UserRow.telegram_id == chats[1])) is True
    assert (await queue(app)).recipients == 3  # left out of the next broadcast
    # Writing to the bot again makes them reachable.
    emulator.blocked_chats.discard(chats[1])
    await resident_factory(chats[1], "Back", "fr").send("/start")
    assert (await queue(app)).recipients == 4


async def test_network_errors_are_retried_with_backoff_then_failed(app: App, emulator, timer):
    chats = await residents(app, 2)
    broadcast = await queue(app)
    emulator.fail_next("sendMessage", 502, times=1)  # once: retried, delivered
    stats = await Broadcaster(app.sessionmaker, app.bot, rate=25, timer=timer).run_once()
    assert stats.sent == 2 and stats.network_retries == 1 and 1.0 in timer.sleeps
    assert per_chat(emulator) == {chats[0]: 1, chats[1]: 1}

    # The Bot API unreachable: 4 attempts, 1 + 2 + 4 s of backoff, then failed.
    broadcast = await queue(app)
    dead = make_bot("123456:TEST-TOKEN", "http://127.0.0.1:9")  # nothing listens on the discard port
    timer2 = InstantTimer()
    try:
        stats = await Broadcaster(app.sessionmaker, dead, rate=25, timer=timer2, batch_size=1).run_once()
    finally:
        await dead.session.close()
    assert stats.failed == 2 and stats.sent == 0
    # Each delivery backs off 1, 2 then 4 s; the two overlap (the next batch is sent while the
    # last one's answers are awaited), so their sleeps may interleave.
    assert sorted(s for s in timer2.sleeps if s >= 1) == [1.0, 1.0, 2.0, 2.0, 4.0, 4.0]
    counts = await progress(app, broadcast.id)
    assert counts["failed"] == 2
    async with app.sessionmaker() as session:
        rows = (
            await session.execute(
                select(DeliveryRow.attempts, DeliveryRow.last_error).where(DeliveryRow.broadcast_id == broadcast.id)
            )
        ).all()
    assert all(attempts == 1 and "TelegramNetworkError" in error for attempts, error in rows)


async def test_a_broadcast_killed_mid_way_resumes_with_no_duplicate(app: App, emulator, settings, timer):
    """kill -9 of a broadcaster process while messages are in flight, then a new worker."""
    total, kill_at = 60, 23
    chats = await residents(app, total)
    broadcast = await queue(app)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.journeys.broadcast_worker",
        settings.database_url,
        emulator.base_url,
        "20",
        cwd=REPOSITORY,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )

    def kill_when_enough(kind: str, message) -> None:
        # Inside the emulator, before the answer goes back: this message is delivered, but
        # the worker never learns it. The kill is real: SIGKILL, no cleanup.
        if kind == "sent" and emulator.sent_count >= kill_at and process.returncode is None:
            os.kill(process.pid, signal.SIGKILL)

    emulator.on_event = kill_when_enough
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == -signal.SIGKILL, stderr.decode()[-2000:]
    emulator.on_event = None
    delivered_before = len(emulator.messages())
    assert kill_at <= delivered_before < total

    before = await progress(app, broadcast.id)
    in_flight = before["sending"]
    assert in_flight >= 1 and before["sent"] + in_flight <= delivered_before + in_flight

    stats = await Broadcaster(app.sessionmaker, app.bot, rate=25, timer=timer).run_once()
    after = await progress(app, broadcast.id)
    counts = per_chat(emulator)
    assert max(counts.values()) == 1  # nobody twice
    assert stats.unknown == in_flight and after["unknown"] == in_flight
    assert after["sent"] + after["unknown"] == total and after["pending"] == after["sending"] == 0
    # Everyone marked sent got it exactly once; only in-flight ones may have been missed.
    async with app.sessionmaker() as session:
        sent_chats = set(
            (
                await session.scalars(
                    select(UserRow.telegram_id)
                    .join(DeliveryRow, DeliveryRow.user_id == UserRow.id)
                    .where(DeliveryRow.broadcast_id == broadcast.id, DeliveryRow.status == "sent")
                )
            ).all()
        )
        assert await session.scalar(select(func.count()).select_from(DeliveryRow)) == total
    assert all(counts[chat] == 1 for chat in sent_chats)
    assert len(set(chats) - set(counts)) <= in_flight
