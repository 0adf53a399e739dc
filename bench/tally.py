"""Time the tally on the real Pabulib elections: `python -m bench.tally [folder]`.

For each file: voters, projects, rule, seconds to read it, seconds to count it, and
whether the winners are the official ones. Figures only; nothing here is a test.
"""

from __future__ import annotations

import sys
from pathlib import Path
from time import perf_counter

from campaign.pabulib import PbElection, read_pb
from campaign.tally import select_winners

DEFAULT_FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "pabulib"
COLUMNS = (
    f"{'file':<40} {'voters':>8} {'projects':>8} {'rule':<28} {'read s':>7} {'tally s':>7}"
    "  official outcome"
)


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT_FOLDER
    files = sorted(folder.glob("*.pb"))
    if not files:
        print(f"no .pb files in {folder}")
        return 1
    print(COLUMNS)
    for path in files:
        print(bench_file(path))
    return 0


def bench_file(path: Path) -> str:
    started = perf_counter()
    election = read_pb(path)
    read_seconds = perf_counter() - started
    started = perf_counter()
    outcome = select_winners(
        election.rule,
        election.tally_projects(),
        election.ballots(),
        election.budget,
        **election.tally_options(),
    )
    tally_seconds = perf_counter() - started
    return (
        f"{path.name:<40} {len(election.votes):>8} {len(election.projects):>8} "
        f"{election.rule:<28} {read_seconds:>7.2f} {tally_seconds:>7.2f}  "
        f"{verdict(election, set(outcome.winners))}"
    )


def verdict(election: PbElection, winners: set[str]) -> str:
    selected = [p for p in election.projects.values() if p.selected is not None]
    if not selected:
        return f"unknown (no selected column); {len(winners)} winners"
    official = {p.id for p in selected if p.selected == 1}
    if winners == official:
        return f"matches ({len(official)} winners)"
    return f"DIFFERS: extra {sorted(winners - official)}, missing {sorted(official - winners)}"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
