"""Shortcuts for the verification and voting journeys: finalists, phases, verified residents."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from campaign.clock import SettableClock
from campaign.proposal import ProposalDraft, ProposalStatus
from storage.models import ProposalRow
from storage.models.secrecy import SealedBallotRow
from storage.models.voting import VerificationRow
from storage.repositories import Repositories
from tests.emulator import Resident

AUTHOR_TELEGRAM_ID = 777000


async def set_status(session: AsyncSession, proposal_id: int, status: ProposalStatus) -> None:
    """Make a proposal a finalist (or any status) without the committee dialog: tests and benchmarks only."""
    await session.execute(update(ProposalRow).where(ProposalRow.id == proposal_id).values(status=status))


def phone_of(resident: Resident) -> str:
    """A Belgian mobile number of the resident's own (as Telegram sends it: no plus)."""
    return f"3247{resident.user_id:07d}"


async def make_finalists(
    app: App, specs: list[tuple[str, int]], *, status: ProposalStatus = ProposalStatus.FINALIST
) -> list[int]:
    """Projects put straight on the ballot (the committee's review is another dialog)."""
    now = app.clock.now()
    async with app.sessionmaker() as session:
        repos = Repositories(session)
        author = await repos.users.seen(AUTHOR_TELEGRAM_ID, "Author", "en", now)
        ids = []
        for title, cost in specs:
            draft = ProposalDraft(
                title=title,
                summary=f"{title}: a short summary of the project.",
                description=f"{title}. " + "A longer description of what it is, where, and for whom. " * 2,
                category="environment",
                location_text="Main square",
                cost=Decimal(cost),
                photo_skipped=True,
            )
            proposal = await repos.proposals.submit(app.campaign.id, author.id, draft, now)
            await set_status(session, proposal.id, status)
            ids.append(proposal.id)
        await session.commit()
    return ids


def open_voting(app: App, clock: SettableClock) -> None:
    clock.set(app.campaign.calendar.voting_open + timedelta(days=1))


async def verify_by_phone(resident: Resident) -> None:
    """For campaigns with the phone method only and no attestation."""
    await resident.send("/verify")
    replies = await resident.share_contact(phone_of(resident))
    assert "verified" in replies.text or "vérifié" in replies.text, replies.text


async def ballot_count(app: App) -> int:
    """Ballots stored: sealed while voting, opened once counted."""
    async with app.sessionmaker() as session:
        return await Repositories(session).ballots.count(app.campaign.id)


async def sealed_count(app: App) -> int:
    async with app.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(SealedBallotRow)) or 0


async def ballots(app: App) -> list[SealedBallotRow]:
    """The sealed ballots as stored (in the order of their random ids)."""
    async with app.sessionmaker() as session:
        return list(await session.scalars(select(SealedBallotRow).order_by(SealedBallotRow.id)))


async def opened_choices(app: App) -> list[tuple[int, ...]]:
    """What the counting key reads in the sealed ballots, sorted (tests hold the key)."""
    from storage.secrecy import open_ballots, parse_private_key
    from tests.conftest import TEST_COUNTING_KEY

    opened = open_ballots(parse_private_key(TEST_COUNTING_KEY), app.campaign.id, [b.sealed for b in await ballots(app)])
    assert opened.unreadable == 0
    return sorted(opened.ballots)


async def verifications(app: App) -> list[VerificationRow]:
    async with app.sessionmaker() as session:
        return list(await session.scalars(select(VerificationRow).order_by(VerificationRow.id)))
