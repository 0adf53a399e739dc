"""`python -m bench.updates ...`: see bench/updates/__init__.py for the modes."""

from __future__ import annotations

import argparse
import asyncio
import os

from bench.updates import __doc__ as DOC
from bench.updates.in_process import in_process
from bench.updates.measure import print_table
from bench.updates.memory import memory
from bench.updates.through_webhook import through_webhook


def numbers(text: str) -> list[float]:
    """`0,50` or `0 50` (argparse gives each word; a word may hold several, comma-separated)."""
    return [float(part) for part in text.split(",") if part.strip()]


def flat(values: list[list[float]]) -> list[float]:
    return [value for group in values for value in group]


async def main(args: argparse.Namespace) -> None:
    print(f"bench.updates: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (figures vary with the load)")
    if args.memory:
        await memory(args)
        return
    for delay in args.delay:
        if args.workers:
            for workers in args.workers:
                await through_webhook(args, int(workers), delay / 1000)
        else:
            await in_process(args, args.db, args.redis, delay / 1000)
    print_table()  # the README's layout


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.updates", description=DOC, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--redis", action="store_true", help="conversation state, locks and update ids in Redis")
    parser.add_argument("--residents", type=int, default=400, help="residents running the whole journey (18 updates)")
    parser.add_argument("--concurrency", type=int, default=50, help="residents in flight at once")
    parser.add_argument(
        "--delay", "--api-delay", type=numbers, nargs="+", default=[[0, 50]], help="Bot API answer delay, ms (0,50)"
    )
    parser.add_argument(
        "--workers",
        type=numbers,
        nargs="+",
        default=[],
        help="through `pbbot webhook --workers N` in child processes, e.g. 1,2,4",
    )
    parser.add_argument("--memory", type=int, default=0, help="distinct residents for the memory run (e.g. 100000)")
    parser.add_argument("--checkpoint", type=int, default=10_000, help="memory run: RSS printed every N residents")
    args = parser.parse_args(argv)
    args.delay = flat(args.delay)
    args.workers = [int(n) for n in flat(args.workers)]
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
