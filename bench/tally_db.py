"""Time the tally of ballots stored in PostgreSQL: `python -m bench.tally_db [--ballots 1000000]`.

Creates a scratch database on the server (PBBOT_BENCH_POSTGRES, default
postgresql://postgres@127.0.0.1:5432/postgres), migrates it, stores N approval ballots of up to 3
of 30 projects with COPY, then times what /results does: read every ballot's choices
grouped by the database (`BallotRepository.choice_counts`) and count them
(`campaign.results.compute_results`, the campaign's rule, greedy); then, for comparison, the
same with every ballot read one by one (`BallotRepository.all_choices`, what the ballot file
needs). Drops the database afterwards. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from time import perf_counter

import asyncpg

from campaign.results import compute_results
from campaign.schema import load_campaign
from storage.db import make_engine, make_sessionmaker, upgrade_schema
from storage.repositories import Repositories

CAMPAIGN = Path(__file__).resolve().parents[1] / "tests" / "campaigns" / "town.toml"


@dataclass(frozen=True)
class OnBallot:
    id: int
    title: str
    cost: Decimal
    category: str = ""


async def main(ballots: int, projects: int, rule: str) -> None:
    # A benchmark, not the bot: it may read the environment (bot.settings configures the bot).
    server = os.environ.get("PBBOT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"pbbot_bench_tally_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))
    try:
        await upgrade_schema(engine)
        campaign = load_campaign(CAMPAIGN)
        campaign = campaign.model_copy(update={"outcome": campaign.outcome.model_copy(update={"rule": rule})})
        rng = random.Random(1)
        rows = [
            (
                uuid.UUID(int=rng.getrandbits(128)).hex,
                campaign.id,
                json.dumps(sorted(rng.sample(range(1, projects + 1), rng.randint(1, 3)))),
            )
            for _ in range(ballots)
        ]
        started = perf_counter()
        connection = await asyncpg.connect(url)
        await connection.copy_records_to_table(
            "counted_ballots", records=rows, columns=["id", "campaign_id", "choices"]
        )
        await connection.execute("ANALYZE counted_ballots")
        await connection.close()
        print(f"stored {ballots:,} ballots in {perf_counter() - started:.1f} s")
        on_ballot = [OnBallot(i, f"Project {i}", Decimal(rng.randrange(500, 5000))) for i in range(1, projects + 1)]
        sessionmaker = make_sessionmaker(engine)
        for label, read_with in (("grouped", "choice_counts"), ("one by one", "all_choices")):
            started = perf_counter()
            async with sessionmaker() as session:
                choices = await getattr(Repositories(session).ballots, read_with)(campaign.id)
            read = perf_counter() - started
            started = perf_counter()
            results = compute_results(campaign, on_ballot, choices)
            counted = perf_counter() - started
            print(
                f"rule {rule}, {label} ({read_with}): read {read:.2f} s + count {counted:.2f} s = {read + counted:.2f} s; "
                f"{len(results.winners)} winners of {results.ballots:,} ballots"
            )
    finally:
        await engine.dispose()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.tally_db")
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=30)
    parser.add_argument("--rule", default="greedy")
    args = parser.parse_args()
    asyncio.run(main(args.ballots, args.projects, args.rule))
