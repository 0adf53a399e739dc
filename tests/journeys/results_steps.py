"""Shortcuts for the figures, results and broadcast journeys: ballots, verified residents,
the broadcaster run once, chart images read back."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from bot.app import App
from bot.broadcaster import Broadcaster
from campaign.clock import SettableClock
from storage.secrecy import seal, tracker
from storage.models.secrecy import BallotDayRow, SealedBallotRow
from storage.repositories.ballots import random_id
from storage.models import AuditRow
from storage.models.broadcasts import BroadcastRow
from storage.repositories import Repositories

SECRET = b"test-secret-key-not-for-production"


async def cast(app: App, ballots: Sequence[Sequence[int]], *, first_voter: int = 60_000) -> None:
    """Ballots straight into the database, sealed to the campaign's key as the voting dialog
    seals them, counted in the day's figure (made-up voters: no resident, no receipt)."""
    now = app.clock.now()
    async with app.sessionmaker() as session:
        repos = Repositories(session)
        public_key = (await repos.counting.get(app.campaign.id)).public_key
        for choices in ballots:
            sealed = seal(public_key, app.campaign.id, tuple(sorted(choices)))
            session.add(
                SealedBallotRow(id=random_id(), campaign_id=app.campaign.id, sealed=sealed, tracker=tracker(sealed))
            )
        day = now.astimezone(app.campaign.zone).date()
        row = await session.get(BallotDayRow, (app.campaign.id, day, 0))
        if row is None:
            session.add(BallotDayRow(campaign_id=app.campaign.id, day=day, count=len(ballots)))
        else:
            row.count += len(ballots)
        await session.commit()


async def verified_residents(
    app: App, count: int, *, first: int = 70_000, language: str = "fr", attested_age: bool | None = None
) -> None:
    now = app.clock.now()
    async with app.sessionmaker() as session:
        repos = Repositories(session)
        for index in range(count):
            user = await repos.users.seen(first + index, f"V{index}", language, now)
            await repos.verification.verify(
                user.id, "phone", now, phone_hash=f"hash-{first + index}", attested_age=attested_age
            )
        await session.commit()


def close_voting(app: App, clock: SettableClock) -> None:
    clock.set(app.campaign.calendar.voting_close + timedelta(hours=2))


class InstantTimer:
    """Virtual time for the broadcaster: sleeping returns at once."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def run_broadcaster(app: App) -> None:
    await Broadcaster(app.sessionmaker, app.bot, rate=1000, timer=InstantTimer()).run_once()


async def broadcasts(app: App) -> list[BroadcastRow]:
    async with app.sessionmaker() as session:
        return list(await session.scalars(select(BroadcastRow).order_by(BroadcastRow.id)))


async def audit_actions(app: App) -> list[str]:
    async with app.sessionmaker() as session:
        return list(await session.scalars(select(AuditRow.action).order_by(AuditRow.id)))


def image(data: bytes | str | None) -> Image.Image:
    assert isinstance(data, bytes), "the bot uploaded no image"
    return Image.open(io.BytesIO(data)).convert("RGB")


def count_colour(picture: Image.Image, colour: tuple[int, int, int], tolerance: int = 12) -> int:
    """How many pixels have (about) this colour."""
    return sum(
        count
        for count, pixel in picture.getcolors(picture.width * picture.height) or []
        if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))
    )
