"""The pabutools half of `python -m bench.tally`: run by the Python that has pabutools (a separate
virtual environment: pabutools is GPL, a benchmark and test oracle only, never a pbbot
dependency). Prints one JSON object of seconds (and winners) for one .pb file and one rule.

    .venv-oracle/bin/python bench/pabutools_side.py FILE.pb RULE
"""

from __future__ import annotations

import json
import sys
from time import perf_counter


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
    started = perf_counter()
    if rule == "greedy":
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    elif rule == "equalshares":
        outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    elif rule == "equalshares/add1":
        # The same convention as pbbot's add1: every voter's share up by one unit a raise,
        # stopping only when the outcome would overspend.
        outcome = exhaustion_by_budget_increase(
            instance,
            profile,
            method_of_equal_shares,
            {"sat_class": Cost_Sat},
            budget_step=profile.num_ballots(),
            exhaustive_stop=False,
        )
    elif rule == "sequential-phragmen":
        outcome = sequential_phragmen(instance, profile)
    else:
        raise SystemExit(f"unknown rule {rule}")
    seconds = perf_counter() - started
    print(json.dumps({"parse": parsed, "seconds": seconds, "winners": sorted(p.name for p in outcome)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
