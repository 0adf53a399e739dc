"""The attacker with a copy of the database: can they tell how anyone voted?

200 scripted residents vote through the real bot, in blocks: the first 80 for the first
project, the next 60 for the second, 40 for the third, 20 for the fourth. Voting in blocks
is the worst case for us: anything that keeps the voting order (a rowid, PostgreSQL's
physical order or transaction ids, a timestamp) would pair voters with choices perfectly.
In the campaign that allows changes, every tenth voter then changes their vote.

The attacker holds two copies of the database, one taken during voting (after every vote)
and one after the results are published, read with every hidden column (SQLite's physical
order; PostgreSQL's ctid and xmin), and, in the "with SECRET_KEY" runs, the bot's SECRET_KEY
too (so every keyed hash the bot computes, they compute). They do not hold the counting key:
in the shares mode no one does after the count; in the simple mode its holder, the operator,
is trusted with the secrecy of the vote (README, "Who can learn what").

Their attacks: (1) find any identifier of a voter (Telegram id, user id, keyed hashes of
the voter) in the rows that hold choices; (2) pair voters, sorted by every per-voter feature
the copies hold (user id, creation, last seen, verification, vote receipt, conversation
state, each by value, physical position, rowid/ctid, xmin; and, with SECRET_KEY, the position
of their sealed ballot, found by its link), with the counted ballots sorted by every feature
they have (physical position, id, ctid, xmin), both ways round.

Statistical criterion: a pairing's score is how many voters it gives their own choice. With
no link, a pairing is as good as a random one: the score's null distribution is that of a
random permutation of the known choices (mean sum(n_c^2)/N = 60 here), estimated from
4,000 seeded permutations. An attack succeeds if its score is more than 4.5 standard
deviations above the null mean (one-sided p < 4e-6 each; with the ~100 pairings tried, a
false alarm has a probability below 1e-3). The same scoring of the true pairing is a control:
it must be flagged, so the test can fail.
"""

from __future__ import annotations

import asyncio
import json
import re
import random
import statistics
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from campaign.verification import keyed_hash, voter_key
from tests.journeys.committee_steps import anne  # noqa: F401  (fixture)
from tests.journeys.results_steps import close_voting, verified_residents
from tests.journeys.voting_helpers import make_finalists, open_voting

CAMPAIGNS = Path(__file__).resolve().parents[1] / "campaigns"
SECRET = b"test-secret-key-not-for-production"
PROJECTS = [("Bench on the square", 1500), ("Trees along the river", 5500), ("Bike racks", 3000), ("Playground", 12000)]
BLOCKS = [80, 60, 40, 20]  # voters per card, in voting order
FIRST_VOTER = 70_000
Z_LIMIT = 4.5
PERMUTATIONS = 4000


def card_of(index: int) -> int:
    total = 0
    for card, size in enumerate(BLOCKS):
        total += size
        if index < total:
            return card
    raise IndexError(index)


# --- the scripted vote ------------------------------------------------------------------------


async def vote(resident, card: int, single: bool) -> None:
    await resident.send("/vote")
    for _ in range(card):
        await resident.press("▶️")
    if single:
        await resident.press("🗳 Vote for this project")
    else:
        await resident.press("☑️ Select")
        await resident.press("Submit my ballot (1)")
    replies = await resident.press("✅ Confirm my vote")
    assert "Your vote is" in replies.text, replies.text


async def run_campaign(
    app, anne, resident_factory, clock, *, single: bool
) -> tuple[dict, dict, dict[int, tuple[int, ...]]]:
    """The vote, the two copies, and each voter's final choice (by Telegram id)."""
    ids = await make_finalists(app, PROJECTS)
    open_voting(app, clock)
    count = sum(BLOCKS)
    await verified_residents(app, count, first=FIRST_VOTER, language="en")
    voters = [resident_factory(FIRST_VOTER + i, f"V{i}", "en") for i in range(count)]
    choice = {}
    for start in range(0, count, 10):  # ten at a time: the blocks stay in order
        batch = list(range(start, min(start + 10, count)))
        await asyncio.gather(*(vote(voters[i], card_of(i), single) for i in batch))
        for i in batch:
            choice[voters[i].user_id] = (ids[card_of(i)],)
    during = await copy_database(app)
    if not single:
        for i in range(0, count, 10):
            new_card = (card_of(i) + 1) % len(PROJECTS)
            await vote(voters[i], new_card, single)
            choice[voters[i].user_id] = (ids[new_card],)
    close_voting(app, clock)
    replies = await anne.send("/count")
    assert "Dépouillé : 200 bulletins" in replies.text
    await anne.send("/publish")
    await anne.press("📣 Publier les résultats")
    after = await copy_database(app)
    return during, after, choice


# --- the copy ---------------------------------------------------------------------------------


async def copy_database(app) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in physical order, with the hidden columns an attacker reading
    the files would see: `_pos` (position), `_rowid` (SQLite), `_ctid` and `_xmin` (PostgreSQL)."""
    copy: dict[str, list[dict[str, Any]]] = {}
    async with app.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        postgres = connection.dialect.name == "postgresql"
        for table in tables:
            if postgres:
                rows = (
                    (
                        await connection.execute(
                            text(f'SELECT ctid::text AS "_ctid", xmin::text AS "_xmin", * FROM "{table}"')
                        )
                    )
                    .mappings()
                    .all()
                )
            else:
                try:
                    rows = (
                        (await connection.execute(text(f'SELECT rowid AS "_rowid", * FROM "{table}"'))).mappings().all()
                    )
                except Exception:  # noqa: BLE001 (a WITHOUT ROWID table has none)
                    await connection.rollback()
                    rows = (await connection.execute(text(f'SELECT * FROM "{table}"'))).mappings().all()
            copy[table] = [{**dict(row), "_pos": pos} for pos, row in enumerate(rows)]
    return copy


def _ctid_key(value: str) -> tuple[int, int]:
    page, item = value.strip("()").split(",")
    return int(page), int(item)


def _orderings(row: dict[str, Any]) -> dict[str, Any]:
    """The sortable features of a row, hidden ones included."""
    found = {}
    for name, value in row.items():
        if value is None or isinstance(value, (bytes, memoryview, dict, list)):
            continue
        if name == "_ctid":
            value = _ctid_key(value)
        elif name == "_xmin":
            value = int(value)
        elif isinstance(value, (datetime, date)):
            value = value.isoformat()
        found[name] = value
    return found


# --- the attacks ------------------------------------------------------------------------------


def voter_features(
    copies: Sequence[dict], choice: dict[int, tuple[int, ...]], campaign_id: str, secret: bytes | None
) -> dict[str, list[int]]:
    """For each per-voter feature: the voters (Telegram ids) sorted by it."""
    features: dict[str, dict[int, Any]] = {}

    def note(name: str, telegram_id: int, value: Any) -> None:
        features.setdefault(name, {})[telegram_id] = value

    for n, copy in enumerate(copies):
        users = {row["id"]: row["telegram_id"] for row in copy["users"]}
        for row in copy["users"]:
            if row["telegram_id"] in choice:
                for name, value in _orderings(row).items():
                    note(f"{n}:users.{name}", row["telegram_id"], value)
        for table in ("vote_receipts", "verifications", "code_attempts", "verification_requests", "campaign_locks"):
            for row in copy.get(table, []):
                telegram_id = users.get(row.get("user_id"))
                if telegram_id in choice:
                    for name, value in _orderings(row).items():
                        note(f"{n}:{table}.{name}", telegram_id, value)
        for row in copy.get("conversation_states", []):
            parts = [p for p in str(row["key"]).split(":") if p.lstrip("-").isdigit()]
            telegram_id = next((int(p) for p in parts if int(p) in choice), None)
            if telegram_id is not None:
                for name, value in _orderings(row).items():
                    note(f"{n}:conversation_states.{name}", telegram_id, value)
        if secret is not None:
            # With SECRET_KEY: the sealed ballot of a voter, found by its link.
            links = {keyed_hash(secret, "ballot-link", f"{campaign_id}:{t}"): t for t in choice}
            for row in copy.get("sealed_ballots", []):
                telegram_id = links.get(row.get("link"))
                if telegram_id is not None:
                    for name, value in _orderings(row).items():
                        note(f"{n}:sealed_ballots.{name}", telegram_id, value)
    return {
        name: sorted(values, key=lambda t: (values[t], t))
        for name, values in features.items()
        if len(values) >= len(choice) // 2
    }


def _choices(value: Any) -> tuple[int, ...]:
    """The JSON column as read raw: text on SQLite, a list on PostgreSQL."""
    return tuple(sorted(int(c) for c in (json.loads(value) if isinstance(value, str) else value)))


def ballot_orders(copy: dict) -> dict[str, list[tuple[int, ...]]]:
    rows = copy["counted_ballots"]
    orders = {}
    for name in _orderings(rows[0]):
        if name in ("campaign_id", "choices"):
            continue
        ordered = sorted(rows, key=lambda r: _orderings(r)[name])
        orders[name] = [_choices(r["choices"]) for r in ordered]
    return orders


def identifiers(choice: dict[int, tuple[int, ...]], copy: dict, campaign_id: str, secret: bytes | None) -> set[str]:
    users = {row["telegram_id"]: row["id"] for row in copy["users"]}
    found = {str(t) for t in choice} | {str(users[t]) for t in choice if t in users}
    if secret is not None:
        for t in choice:
            found |= {voter_key(secret, campaign_id, t), keyed_hash(secret, "ballot-link", f"{campaign_id}:{t}")}
    return found


class Null:
    """The score of a random pairing: mean and standard deviation, by seeded permutations."""

    def __init__(self, choices: list[tuple[int, ...]]) -> None:
        rng = random.Random(20261202)
        scores = []
        for _ in range(PERMUTATIONS):
            shuffled = choices[:]
            rng.shuffle(shuffled)
            scores.append(sum(a == b for a, b in zip(choices, shuffled)))
        self.mean = statistics.fmean(scores)
        self.sd = statistics.pstdev(scores)

    def z(self, score: int) -> float:
        return (score - self.mean) / self.sd


def score(voters: list[int], ballots: list[tuple[int, ...]], choice: dict[int, tuple[int, ...]]) -> int:
    return sum(choice[t] == b for t, b in zip(voters, ballots))


def attack(
    during: dict, after: dict, choice: dict[int, tuple[int, ...]], campaign_id: str, secret: bytes | None
) -> list[tuple[str, float]]:
    null = Null(list(choice.values()))
    # (1) an identifier of a voter next to choices
    names = identifiers(choice, after, campaign_id, secret)
    for table in ("counted_ballots", "counted_trackers"):
        for row in after[table]:
            stored = {str(v) for k, v in row.items() if not k.startswith("_")}  # the columns, not the positions
            assert not names & stored, f"{table} names a voter: {row}"
    # (2) pairings
    # The attacker reads the choices right: the same multiset as the voters'.
    assert sorted(next(iter(ballot_orders(after).values()))) == sorted(choice.values())
    results = []
    for voter_name, voters in voter_features([during, after], choice, campaign_id, secret).items():
        for ballot_name, ballots in ballot_orders(after).items():
            for direction, ordered in (("", ballots), ("reversed ", ballots[::-1])):
                results.append(
                    (
                        f"voters by {voter_name} x {direction}ballots by {ballot_name}",
                        null.z(score(voters, ordered, choice)),
                    )
                )
    return results


CASES = [
    pytest.param(("town.toml", False, None), id="changeable-without-secret-key"),
    pytest.param(("town.toml", False, SECRET), id="changeable-with-secret-key"),
    pytest.param(("single.toml", True, SECRET), id="not-changeable-with-secret-key"),
]


@pytest.mark.timeout(900)
class TestAttackerWithACopy:
    @pytest.fixture(params=CASES)
    def case(self, request) -> tuple[str, bool, bytes | None]:
        return request.param

    @pytest.fixture
    def campaign_file(self, case) -> Path:
        return CAMPAIGNS / case[0]

    async def test_links_no_better_than_chance(self, app, anne, resident_factory, clock, case):
        _file, single, secret = case
        during, after, choice = await run_campaign(app, anne, resident_factory, clock, single=single)
        results = attack(during, after, choice, app.campaign.id, secret)
        assert len(results) >= 20, "the attacker had features to try"
        print(f"{len(results)} pairings tried; highest z {max(z for _n, z in results):.2f}")
        flagged = [(name, round(z, 1)) for name, z in results if z > Z_LIMIT]
        assert not flagged, f"linked better than chance: {flagged}"

        # Control: the same scoring sees a real link (the voting order, as an insertion-ordered
        # ballot table would keep it), so the criterion can fail.
        null = Null(list(choice.values()))
        in_voting_order = sorted(choice)
        assert null.z(score(in_voting_order, [choice[t] for t in in_voting_order], choice)) > 10
        # No ballot table keeps a time: a date column only in the per-day counts.
        for table in ("sealed_ballots", "counted_ballots", "counted_trackers", "vote_receipts"):
            for row in during.get(table, []) + after.get(table, []):
                assert not any(isinstance(v, (datetime, date)) for v in row.values()), table


# --- nothing written when someone votes says when ------------------------------------------------

TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)")


def _time_of_day(value: Any) -> str | None:
    """The time part of a datetime value as read raw (a datetime on PostgreSQL, text on SQLite)."""
    if isinstance(value, datetime):
        return value.time().isoformat()
    if isinstance(value, str):
        found = TIME.match(value)
        return found.group(1) if found else None
    return None


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


async def test_a_vote_writes_no_time_of_day(app, resident_factory, clock):
    """Every time value in a row that a vote's confirmation writes or changes is either as it
    was (e.g. when the resident registered) or a day (00:00). The campaign's first ballot is cast
    before the snapshot: its moment is kept once, for the whole campaign (the vote counts as
    open from then on, see storage.models.campaign_lock)."""
    ids = await make_finalists(app, PROJECTS)
    open_voting(app, clock)
    clock.set(clock.now().replace(hour=14, minute=37, second=12, microsecond=345678))
    await verified_residents(app, 2, first=FIRST_VOTER, language="en")
    first, second = resident_factory(FIRST_VOTER, "V0", "en"), resident_factory(FIRST_VOTER + 1, "V1", "en")
    await vote(first, 1, single=False)
    await second.send("/vote")
    await second.press("☑️ Select")
    await second.press("Submit my ballot (1)")
    clock.set(clock.now().replace(minute=41, second=3))
    before = await copy_database(app)
    replies = await second.press("✅ Confirm my vote")
    assert "Your vote is recorded" in replies.text and ids
    after = await copy_database(app)
    changed = 0
    for table, rows in after.items():
        old_rows = [_plain(r) for r in before.get(table, [])]
        for row in map(_plain, rows):
            if row in old_rows:
                continue
            changed += 1
            times = {column: _time_of_day(value) for column, value in row.items() if _time_of_day(value) is not None}
            for column, moment in times.items():
                if any(old.get(column) == row[column] for old in old_rows):
                    continue  # as it was before the vote
                assert moment.startswith("00:00:00"), (
                    f"{table}.{column} = {row[column]}: the vote's time of day is kept"
                )
    # The check is not blind: it saw the rows the vote wrote (its sealed ballot, its receipt),
    # and it reads the times the database holds (when each resident registered).
    assert changed >= 2, "the check saw the rows the vote wrote"
    assert any(_time_of_day(v) for rows in after.values() for row in rows for v in row.values())
