"""Bertrix 2020 (examples/bertrix-2020.toml) with its dates moved to start today, from the
first proposals to the published results, in both key modes: residents propose through the
wizard, vote (single ballot, not changeable) after attesting their age and sharing their phone,
the committee counts (the environment key, or 2 of 3 shares), publishes; a resident's tracker is
found in the published set, and `pbbot tally` on the published file funds the announced winner."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from campaign.proposal import ProposalStatus
from storage.repositories import Repositories
from tests.conftest import COMMITTEE_ID
from tests.journeys.committee_steps import anne  # noqa: F401  (fixture)
from tests.journeys.voting_helpers import phone_of, set_status
from tests.journeys.wizard_steps import submit_project

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bertrix-2020.toml"
TRACKER = re.compile(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}")
SECOND, THIRD = 9001, 9002
# Bertrix's own lengths: proposals 5 weeks, review 2, vote 4, results 2.5 weeks after.
SHIFT = {
    "proposals_open": 0,
    "proposals_close": 37,
    "review_close": 51,
    "voting_open": 53,
    "voting_close": 82,
    "results": 99,
}


@pytest.fixture
def campaign_file(tmp_path) -> Path:
    today = datetime.now(timezone.utc).date()
    text = EXAMPLE.read_text(encoding="utf-8")
    for name, days in SHIFT.items():
        text = re.sub(
            rf"^{name} = .*$", f"{name} = {(today + timedelta(days=days)).isoformat()}T09:00:00", text, flags=re.M
        )
    path = tmp_path / "bertrix-today.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def verify_and_vote(resident, card: int) -> str:
    await resident.send("/verify")
    await resident.press("✅ I confirm")
    replies = await resident.share_contact(phone_of(resident))
    assert "verified resident" in replies.text, replies.text
    await resident.send("/vote")
    for _ in range(card):
        await resident.press("▶️")
    await resident.press("🗳 Vote for this project")
    replies = await resident.press("✅ Confirm my vote")
    assert "Your vote is recorded" in replies.text, replies.text
    return TRACKER.search(replies.text).group(0)


async def whole_campaign(app, anne, resident_factory, clock, tmp_path, *, count_with) -> None:
    cal = app.campaign.calendar
    assert cal.proposals_open.date() <= datetime.now(timezone.utc).date() + timedelta(days=1)
    authors = [resident_factory(4000 + n, f"Author{n}", "en") for n in range(3)]
    numbers = [await submit_project(author, cost) for author, cost in zip(authors, ("12000", "6000", "9000"))]
    # The committee's review is its own journey (test_committee_review): here the three are finalists.
    clock.set(cal.review_close - timedelta(days=1))
    async with app.sessionmaker() as session:
        for number in numbers:
            await set_status(session, number, ProposalStatus.FINALIST)
        await session.commit()
    await count_with("before")
    clock.set(cal.voting_open + timedelta(hours=2))
    # 3 for the first project, 2 for the second, 1 for the third: greedy within 20,000 € funds the
    # first (12,000) and the second (6,000); the third (9,000) no longer fits.
    voters = [resident_factory(5000 + n, f"V{n}", "en") for n in range(6)]
    trackers = [await verify_and_vote(v, card) for v, card in zip(voters, (0, 0, 0, 1, 1, 2))]
    clock.set(cal.voting_close + timedelta(hours=1))
    await count_with("after")
    replies = await anne.send("/publish")
    replies = await anne.press("📣 Publier les résultats")
    replies = await voters[3].send(f"/checkmyvote {trackers[3]}")
    assert "was counted" in replies.text
    documents = [m for m in await voters[5].send("/ballots") if m.document is not None]
    path = tmp_path / "bertrix.pb"
    path.write_bytes(documents[0].document)
    assert sorted(documents[1].document.decode().split()) == sorted(trackers)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "tally",
        str(path),
        "--json",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert sorted(int(p) for p in json.loads(out)["funded"]) == sorted(numbers[:2])
    async with app.sessionmaker() as session:
        publication = await Repositories(session).statistics.publication(app.campaign.id)
    assert sorted(int(w) for w in publication.snapshot["winners"]) == sorted(numbers[:2])
    assert "intact" in (await anne.send("/audit verify")).text


async def test_bertrix_today_with_the_key_in_the_environment(app, anne, resident_factory, clock, tmp_path):
    async def count_with(moment: str) -> None:
        if moment == "after":
            assert "Dépouillé : 6 bulletins" in (await anne.send("/count")).text

    await whole_campaign(app, anne, resident_factory, clock, tmp_path, count_with=count_with)


class TestShares:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"counting_key": None, "admin_ids": [COMMITTEE_ID, SECOND, THIRD]})

    async def test_bertrix_today_with_two_of_three_shares(self, app, anne, resident_factory, clock, tmp_path):
        members = [anne, resident_factory(SECOND, "Bob", "en"), resident_factory(THIRD, "Cleo", "en")]

        async def count_with(moment: str) -> None:
            if moment == "before":
                assert "2 parts sur 3" in (await anne.send("/countingkey 2")).text
                return
            shares = [
                re.search(r"pbbot-share:\S+", m.text).group(0).replace("</code>", "")
                for member in members[1:]
                for m in member.inbox
                if m.text and "pbbot-share:" in m.text
            ]
            assert "1 of 2" in (await members[1].send(f"/count {shares[0]}")).text
            assert "Counted: 6 ballots" in (await members[2].send(f"/count {shares[1]}")).text

        await whole_campaign(app, anne, resident_factory, clock, tmp_path, count_with=count_with)
