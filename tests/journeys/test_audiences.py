"""Who a broadcast reaches: everyone, verified residents, or verified residents who have not voted."""

from __future__ import annotations

from storage.repositories import Repositories
from tests.journeys.voting_helpers import make_finalists, open_voting, verify_by_phone


async def _recipients(app, audience: str) -> int:
    async with app.sessionmaker() as session:
        broadcast = await Repositories(session).broadcasts.queue(
            app.campaign.id, kind="test", audience=audience, text={"en": "hello"}, now=app.clock.now()
        )
        await session.rollback()  # only the count matters here
    assert broadcast is not None
    return broadcast.recipients


async def test_verified_and_not_voted_audiences(app, clock, resident_factory):
    voter, waiting, unverified = (
        resident_factory(uid, name, "en") for uid, name in ((2001, "Vera"), (2002, "Walt"), (2003, "Una"))
    )
    for resident in (voter, waiting, unverified):
        await resident.send("/start")
    await make_finalists(app, [("Bench", 1500), ("Trees", 8000)])
    open_voting(app, clock)
    await verify_by_phone(voter)
    await verify_by_phone(waiting)
    await voter.send("/vote")
    await voter.press("Select")
    await voter.press("Submit")
    replies = await voter.press("Confirm my vote")
    assert "recorded" in replies.text

    assert await _recipients(app, "all") == 3 + 1  # the three, and the finalists' author
    assert await _recipients(app, "verified") == 2
    assert await _recipients(app, "not_voted") == 1
