"""The pabutools half of `python -m bench.tally`: run by the Python that has pabutools (a separate
virtual environment: pabutools is GPL, a benchmark and test oracle only, never a pbbot
dependency). Prints one JSON object of seconds (and winners) for one .pb file and one rule:
the least of several runs while they add up to less than REPEAT_FOR seconds, as for pbbot.

    .venv-oracle/bin/python bench/pabutools_side.py FILE.pb RULE
"""

from __future__ import annotations

import json
import sys
from time import perf_counter

REPEAT_FOR = 0.5  # seconds; the same rule as bench.tally's for pbbot
REPEAT_AT_MOST = 1000  # sub-millisecond rules (Assen): many runs, over a window long enough for a steady least


def main(path: str, rule: str) -> None:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        exhaustion_by_budget_increase,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )

    started = perf_counter()
    instance, profile = parse_pabulib(path)
    parsed = perf_counter() - started

    def run():  # type: ignore[no-untyped-def]
        if rule == "greedy":
            return greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
        if rule == "equalshares":
            return method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
        if rule == "equalshares/add1":
            # The same convention as pbbot's add1: every voter's share up by one unit a raise,
            # stopping only when the outcome would overspend.
            return exhaustion_by_budget_increase(
                instance,
                profile,
                method_of_equal_shares,
                {"sat_class": Cost_Sat},
                budget_step=profile.num_ballots(),
                exhaustive_stop=False,
            )
        if rule == "sequential-phragmen":
            return sequential_phragmen(instance, profile)
        raise SystemExit(f"unknown rule {rule}")

    best, spent, runs = float("inf"), 0.0, 0
    while runs < REPEAT_AT_MOST and (runs == 0 or spent < REPEAT_FOR):
        started = perf_counter()
        outcome = run()
        took = perf_counter() - started
        best, spent, runs = min(best, took), spent + took, runs + 1
    print(json.dumps({"parse": parsed, "seconds": best, "runs": runs, "winners": sorted(p.name for p in outcome)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
