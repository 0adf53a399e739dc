"""Committee members, and projects to decide on, for the committee journeys."""

from __future__ import annotations

import re

import pytest

from tests.conftest import COMMITTEE_CHAT_ID, COMMITTEE_ID
from tests.emulator import Resident
from tests.journeys.wizard_steps import fill_until_cost

NUMBER = re.compile(r"(?:#|n°)(\d+)")


async def propose(resident: Resident, cost: str = "1500") -> int:
    """A resident (French or English) submits the standard project; its number."""
    await fill_until_cost(resident)
    await resident.send(cost)
    await resident.send("/skip")
    replies = await resident.press("✅")
    found = NUMBER.search(replies.text)
    assert found, replies.text
    return int(found.group(1))


@pytest.fixture
def anne(resident_factory) -> Resident:
    """A committee member (ADMIN_IDS), French-speaking, in private."""
    return resident_factory(COMMITTEE_ID, "Anne", "fr")


@pytest.fixture
def anne_in_group(resident_factory) -> Resident:
    return resident_factory(COMMITTEE_ID, "Anne", "fr", chat_id=COMMITTEE_CHAT_ID)


@pytest.fixture
def eve_in_group(resident_factory) -> Resident:
    """Not on the committee, but in the committee group."""
    return resident_factory(1003, "Eve", "en", chat_id=COMMITTEE_CHAT_ID)


async def seed(
    app, telegram_id: int, first_name: str, language: str, count: int, *, status: str | None = None
) -> list[int]:
    """`count` projects by one resident, straight into the database (faster than the wizard)."""
    from decimal import Decimal

    from campaign.proposal import ProposalDraft, ProposalStatus
    from storage.repositories import Repositories

    now = app.clock.now()
    numbers = []
    async with app.sessionmaker() as session:
        repos = Repositories(session)
        author = await repos.users.seen(telegram_id, first_name, language, now)
        for index in range(count):
            draft = ProposalDraft(
                title=f"Project number {index + 1:02d}",
                summary="A summary long enough to be valid.",
                description="A description that is long enough to pass the validation of the wizard.",
                category="environment",
                location_text="Main square",
                cost=Decimal(1000 + index),
                photo_skipped=True,
            )
            proposal = await repos.proposals.submit(app.campaign.id, author.id, draft, now)
            if status is not None:
                await repos.proposals.set_status(
                    proposal.id, app.campaign.id, ProposalStatus(status), now, expected=[ProposalStatus.SUBMITTED]
                )
            numbers.append(proposal.id)
        await session.commit()
    return numbers


async def status_of(app, number: int) -> str:
    from storage.repositories import Repositories

    async with app.sessionmaker() as session:
        proposal = await Repositories(session).proposals.get(number, app.campaign.id)
        assert proposal is not None
        return proposal.status.value
