"""A campaign from the ballot to published results in both key modes: residents vote, the
committee counts (the environment key, or k of n shares with every bad share refused), the
results are published with the ballot file's digest, a resident's tracker is found in the
published set, and a recount of the published file gives the announced winners."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sys
from collections import Counter

import pytest

from campaign.pabulib import read_pb
from storage.secrecy import new_private_key, split_key
from campaign.tally import select_winners
from storage.repositories import Repositories
from tests.conftest import COMMITTEE_ID
from tests.journeys.committee_steps import anne  # noqa: F401  (fixture)
from tests.journeys.results_steps import audit_actions, broadcasts, close_voting
from tests.journeys.voting_helpers import ballot_count, make_finalists, open_voting, sealed_count, verify_by_phone

PROJECTS = [("Bench on the square", 1500), ("Trees along the river", 5500), ("Bike racks", 3000), ("Playground", 12000)]
TRACKER = re.compile(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}")
SECOND, THIRD = 9001, 9002
# Who votes for what (town.toml: approval, up to 3 projects, greedy rule, 20,000 €), as card
# indexes. Counted by hand: Playground 3, Trees 3, Bench 2, Bike racks 1; greedy within
# 20,000 €: Playground (12,000), Trees (5,500), then Bench (1,500) fits, Bike racks does not.
VOTES = [(3, 1), (3, 1), (0, 3), (1, 0), (2,)]
WINNER_INDEXES = [3, 1, 0]


async def vote(resident, cards: tuple[int, ...]) -> str:
    await verify_by_phone(resident)
    await resident.send("/vote")
    position = 0
    for card in sorted(cards):
        while position < card:
            await resident.press("▶️")
            position += 1
        await resident.press("☑️ Select")
    await resident.press(f"Submit my ballot ({len(cards)})")
    replies = await resident.press("✅ Confirm my vote")
    assert "Your vote is recorded" in replies.text
    found = TRACKER.search(replies.text)
    assert found, replies.text
    return found.group(0)


async def publish_and_check(app, committee, voters, trackers, ids, tmp_path) -> None:
    replies = await committee.send("/publish")
    replies = await committee.press("📣 Publier les résultats")
    assert "Publié" in replies.text or "Published" in replies.text
    # A resident's tracker is in the published set; an unknown one is not, and is audited.
    replies = await voters[0].send(f"/checkmyvote {trackers[0].lower()}")
    assert "was counted" in replies.text
    replies = await voters[0].send("/checkmyvote 0000-0000-0000")
    assert "No counted ballot" in replies.text
    replies = await voters[0].send("/checkmyvote not a tracker <b>")
    assert "is not a tracker" in replies.text and "&lt;b&gt;" in replies.text
    assert "tracker_not_found" in await audit_actions(app)
    # The published files: anyone can recount, and get the announced winners.
    replies = await voters[1].send("/ballots")
    documents = [m for m in replies if m.document is not None]
    assert len(documents) == 2
    pb = documents[0].document
    listed = documents[1].document.decode().split()
    assert sorted(trackers) == listed
    digest = hashlib.sha256(pb).hexdigest()
    assert digest in documents[0].text
    async with app.sessionmaker() as session:
        publication = await Repositories(session).statistics.publication(app.campaign.id)
    assert publication.snapshot["ballot_file_sha256"] == digest
    election = read_pb(pb.decode())
    assert election.meta["num_votes"] == str(len(voters))
    outcome = select_winners(
        election.rule, election.tally_projects(), election.ballots(), election.budget, **election.tally_options()
    )
    recounted = sorted(int(w) for w in outcome.winners)
    # And with the command anyone can run: `pbbot tally FILE.pb --json`.
    path = tmp_path / "published.pb"
    path.write_bytes(pb)
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
    tallied = json.loads(out)
    assert sorted(int(p) for p in tallied["funded"]) == recounted and tallied["agrees_with_selected"] is True
    # The announcement every resident gets carries the file's digest.
    queued = [b for b in await broadcasts(app) if b.key == "results_published"]
    assert queued and all(digest in text for text in queued[0].text.values())
    assert (
        recounted == sorted(ids[i] for i in WINNER_INDEXES) == sorted(int(w) for w in publication.snapshot["winners"])
    )
    assert Counter(len(v.vote) for v in election.votes) == Counter(len(cards) for cards in VOTES)
    # The chain of the audit log holds.
    replies = await committee.send("/audit verify")
    assert "intact" in replies.text


class TestEnvironmentKey:
    async def test_from_ballot_to_recount(self, app, anne, resident_factory, clock, tmp_path):
        ids = await make_finalists(app, PROJECTS)
        open_voting(app, clock)
        voters = [resident_factory(3000 + n, f"V{n}", "en") for n in range(len(VOTES))]
        trackers = [await vote(r, cards) for r, cards in zip(voters, VOTES)]
        replies = await voters[0].send(f"/checkmyvote {trackers[0]}")
        assert "waiting for the count" in replies.text

        replies = await anne.send("/count")
        assert "Le vote n'est pas terminé" in replies.text
        assert "count_refused" in await audit_actions(app)
        close_voting(app, clock)
        replies = await anne.send("/count")
        assert "Dépouillé : 5 bulletins" in replies.text
        assert await sealed_count(app) == 0 and await ballot_count(app) == 5, (
            "the sealed ballots are replaced by the counted ones"
        )
        # The tally reads the ballots grouped by the database: the same as every ballot, counted.
        async with app.sessionmaker() as session:
            stored = Repositories(session).ballots
            grouped, each = await stored.choice_counts(app.campaign.id), await stored.all_choices(app.campaign.id)
        assert grouped == Counter(each) == Counter(tuple(sorted(ids[i] for i in cards)) for cards in VOTES)
        assert len(grouped) == 4 and sum(grouped.values()) == 5
        replies = await anne.send("/count")
        assert "ont été dépouillés" in replies.text
        await publish_and_check(app, anne, voters, trackers, ids, tmp_path)


class TestShares:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"counting_key": None, "admin_ids": [COMMITTEE_ID, SECOND, THIRD]})

    async def test_two_of_three_members_count(self, app, anne, resident_factory, clock, emulator, tmp_path):
        ids = await make_finalists(app, PROJECTS)
        bob = resident_factory(SECOND, "Bob", "en")
        cleo = resident_factory(THIRD, "Cleo", "en")
        open_voting(app, clock)
        early = resident_factory(2999, "Early", "en")
        await verify_by_phone(early)
        await early.send("/vote")
        await early.press("☑️ Select")
        await early.press("Submit my ballot (1)")
        await early.press("✅ Confirm my vote")
        assert "committee has not made the counting key" in emulator.callback_answers[-1]["text"]
        assert await ballot_count(app) == 0

        replies = await anne.send("/countingkey 5")
        assert "entre 1 et 3" in replies.text
        # A member the bot cannot reach: named, and the key can be made again before any ballot.
        emulator.blocked_chats.add(THIRD)
        replies = await anne.send("/countingkey 2")
        assert (
            "Parts remises : 2" in replies.text
            and f"Non remises (ces membres doivent d'abord m'écrire) : {THIRD}" in replies.text
        )
        emulator.blocked_chats.discard(THIRD)
        replies = await anne.send("/countingkey 2")
        assert "2 parts sur 3" in replies.text and "Parts remises : 3" in replies.text
        shares = {}
        for member in (anne, bob, cleo):
            texts = [m.text for m in member.inbox if m.text and "pbbot-share:" in m.text]
            assert texts, f"no share for {member.user_id}"
            shares[member.user_id] = re.search(r"pbbot-share:\S+", texts[-1]).group(0).replace("</code>", "")
            sheets = [m for m in member.inbox if m.document is not None and m.document.startswith(b"\x89PNG")]
            assert sheets, "each member gets a printable sheet"
        assert len(set(shares.values())) == 3

        voters = [resident_factory(3000 + n, f"V{n}", "en") for n in range(len(VOTES))]
        trackers = [await vote(r, cards) for r, cards in zip(voters, VOTES)]
        replies = await anne.send("/countingkey 2")
        assert "ne peut plus être remplacée" in replies.text

        replies = await bob.send(f"/count {shares[SECOND]}")
        assert "Voting is not over" in replies.text
        close_voting(app, clock)
        # Bad input: each refused, nothing changed, audited.
        replies = await bob.send("/count hello")
        assert "not a key share" in replies.text
        typo = shares[SECOND][:-1] + ("0" if shares[SECOND][-1] != "0" else "1")
        replies = await bob.send(f"/count {typo}")
        assert "typing mistake" in replies.text
        foreign = split_key(new_private_key(), "othertown", 2, 3)[0].text()
        replies = await bob.send(f"/count {foreign}")
        assert "another campaign" in replies.text
        other_key = split_key(new_private_key(), app.campaign.id, 2, 3)[0].text()
        replies = await bob.send(f"/count {other_key}")
        assert "another counting key" in replies.text
        replies = await bob.send(f"/count {shares[SECOND]}")
        assert "received: 1 of 2" in replies.text
        replies = await bob.send(f"/count {shares[SECOND]}")
        assert "already received" in replies.text
        replies = await cleo.send("/count")
        assert "1 of the 2 shares" in replies.text
        assert await sealed_count(app) == len(VOTES), "nothing opened with fewer than k shares"
        replies = await anne.send("/results")
        assert "encore scellés" in replies.text
        actions = await audit_actions(app)
        assert actions.count("count_refused") >= 6 and "count_share" in actions

        replies = await cleo.send(f"/count {shares[THIRD]}")
        assert "Counted: 5 ballots" in replies.text
        assert await sealed_count(app) == 0 and await ballot_count(app) == 5
        # Neither the key nor any share was ever stored: nothing in the database holds them.
        from tests.journeys.test_ballot_secrecy import copy_database

        copy = repr(await copy_database(app)).lower()
        values = [share.split(":")[4] for share in shares.values()]
        assert values and not any(v in copy or v[:32] in copy or v[32:] in copy for v in values)
        replies = await anne.send("/results")
        assert "Playground" in replies.text
        await publish_and_check(app, anne, voters, trackers, ids, tmp_path)


class TestSharesInOneMessage:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"counting_key": None, "admin_ids": [COMMITTEE_ID, SECOND, THIRD]})

    async def test_one_member_who_collected_the_sheets_sends_them_together(
        self, app, anne, resident_factory, clock, emulator
    ):
        await make_finalists(app, PROJECTS)
        members = [anne, resident_factory(SECOND, "Bob", "en"), resident_factory(THIRD, "Cleo", "en")]
        await anne.send("/countingkey 2")
        shares = [
            re.search(r"pbbot-share:\S+", m.text).group(0).replace("</code>", "")
            for member in members
            for m in member.inbox
            if m.text and "pbbot-share:" in m.text
        ]
        assert len(shares) == 3
        open_voting(app, clock)
        voters = [resident_factory(3000 + n, f"V{n}", "en") for n in range(2)]
        for r, cards in zip(voters, VOTES):
            await vote(r, cards)
        close_voting(app, clock)
        # The same share twice in one message: refused, nothing kept.
        replies = await anne.send(f"/count {shares[0]}\n{shares[0]}")
        assert "déjà été reçue" in replies.text
        replies = await anne.send("/count")
        assert "0 des 2 parts" in replies.text
        replies = await anne.send(f"/count {shares[2]}\n{shares[0]}")
        assert "Dépouillé : 2 bulletins" in replies.text
        assert await sealed_count(app) == 0 and await ballot_count(app) == 2


class TestTheRecord:
    async def test_the_bot_refuses_to_start_with_another_counting_key(self, app, settings, clock):
        from bot.app import build_app
        from storage.secrecy import private_key_hex

        from pydantic import SecretStr

        other = settings.model_copy(update={"counting_key": SecretStr(private_key_hex(new_private_key()))})
        with pytest.raises(SystemExit, match="COUNTING_KEY does not match"):
            await build_app(other, clock=clock)

    async def test_a_crash_in_the_count_leaves_the_sealed_ballots_and_count_runs_again(
        self, app, anne, resident_factory, clock
    ):
        """A real failure inside the count's transaction (a row already in the way), not a mock."""
        from sqlalchemy import delete, insert

        from storage.models.secrecy import CountedTrackerRow

        await make_finalists(app, PROJECTS)
        open_voting(app, clock)
        voters = [resident_factory(3000 + n, f"V{n}", "en") for n in range(3)]
        trackers = [await vote(r, cards) for r, cards in zip(voters, VOTES)]
        close_voting(app, clock)
        async with app.sessionmaker() as session:
            await session.execute(insert(CountedTrackerRow).values(campaign_id=app.campaign.id, tracker=trackers[1]))
            await session.commit()
        replies = await anne.send("/count")
        assert "Dépouillé" not in replies.text
        assert await sealed_count(app) == 3, "the sealed ballots are intact"
        async with app.sessionmaker() as session:
            stored = await Repositories(session).counting.get(app.campaign.id)
            assert not stored.counted
            await session.execute(delete(CountedTrackerRow))
            await session.commit()
        replies = await anne.send("/count")
        assert "Dépouillé : 3 bulletins" in replies.text
        assert await sealed_count(app) == 0 and await ballot_count(app) == 3

    async def test_an_edited_publication_breaks_the_chain_where_it_was_edited(
        self, app, anne, resident_factory, clock, settings
    ):
        import asyncio as aio
        import os
        import sys

        from sqlalchemy import select, update

        from storage.models import AuditRow

        await make_finalists(app, PROJECTS)
        open_voting(app, clock)
        voters = [resident_factory(3000 + n, f"V{n}", "en") for n in range(3)]
        for r, cards in zip(voters, VOTES):
            await vote(r, cards)
        close_voting(app, clock)
        await anne.send("/publish")
        await anne.press("📣 Publier les résultats")
        await anne.send("/audit")
        assert "intact" in (await anne.send("/audit verify")).text

        async def verify_log() -> tuple[int, str]:
            env = {**os.environ, "DATABASE_URL": settings.database_url, "CAMPAIGN_FILE": str(settings.campaign_file)}
            process = await aio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "verify-log",
                env=env,
                stdout=aio.subprocess.PIPE,
                stderr=aio.subprocess.PIPE,
            )
            out, err = await process.communicate()
            return process.returncode, out.decode() + err.decode()

        code, out = await verify_log()
        assert code == 0 and out.startswith("OK:"), out
        # What the issue found: an UPDATE on the publication changed the turnout with no trace.
        async with app.sessionmaker() as session:
            row = await session.scalar(select(AuditRow).where(AuditRow.action == "results_published"))
            await session.execute(
                update(AuditRow).where(AuditRow.id == row.id).values(details={**row.details, "ballots": 3000})
            )
            await session.commit()
        replies = await anne.send("/audit verify")
        assert f"l'entrée n°{row.id} ne s'enchaîne pas" in replies.text
        code, out = await verify_log()
        assert code == 1 and f"BROKEN at audit entry {row.id}" in out, out
