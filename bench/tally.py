"""Time the tally rules on real Pabulib elections: `python -m bench.tally [--oracle PYTHON] [FOLDER ...]`.

Every .pb file in $PBBOT_PABULIB_DIR (default ../shared/pabulib) and tests/data/pabulib (or the
folders given): seconds to
read and compile it, then greedy, MES, MES+add1 and sequential Phragmén, each beside pabutools
in the same run when a Python with pabutools is found (--oracle, $PBBOT_ORACLE_PYTHON, or
.venv-oracle/bin/python; pabutools is GPL: install it only there, never as a pbbot dependency).
pabutools runs in a subprocess with a time limit (--limit seconds, default 120). Figures only:
nothing here is a test, and the tests assert no timing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from time import perf_counter

from campaign.pabulib import read_pb
from campaign.tally import count, prepare

ROOT = Path(__file__).resolve().parents[1]
# A benchmark, not the bot: it may read the environment (bot.settings configures the bot).
FOLDERS = [
    Path(os.environ.get("PBBOT_PABULIB_DIR", ROOT.parent / "shared" / "pabulib")),
    ROOT / "tests" / "data" / "pabulib",
]
RULES = ("greedy", "equalshares", "equalshares/add1", "sequential-phragmen")
# pabutools' sequential Phragmén stops at the first project that would overspend: compare alike.
OPTIONS: dict[str, dict[str, int | str]] = {"sequential-phragmen": {"skip": 0}}
SHORT = {"greedy": "greedy", "equalshares": "MES", "equalshares/add1": "MES+add1", "sequential-phragmen": "Phragmén"}


def files(folders: list[Path]) -> list[Path]:
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.pb")):
            found.setdefault(path.name, path)
    return [found[name] for name in sorted(found)]


def ours(path: Path) -> dict[str, object]:
    started = perf_counter()
    election = read_pb(path)
    prepared = prepare(election.tally_projects(), election.ballots())
    row: dict[str, object] = {
        "parse": perf_counter() - started,
        "voters": len(election.votes),
        "projects": len(election.projects),
    }
    for rule in RULES:
        started = perf_counter()
        outcome = count(rule, prepared, election.budget, explain=False, **OPTIONS.get(rule, {}))
        row[rule] = perf_counter() - started
        row[rule + ":winners"] = sorted(outcome.winners)
    return row


def theirs(oracle: str, path: Path, rule: str, limit: float) -> dict[str, object] | None:
    script = ROOT / "bench" / "pabutools_side.py"
    try:
        done = subprocess.run(
            [oracle, str(script), str(path), rule], capture_output=True, text=True, timeout=limit, check=True
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None}
    except subprocess.CalledProcessError as error:
        return {"seconds": None, "error": error.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout)


def find_oracle(given: str | None) -> str | None:
    # A benchmark, not the bot: it may read the environment (bot.settings configures the bot).
    for candidate in (given, os.environ.get("PBBOT_ORACLE_PYTHON"), str(ROOT / ".venv-oracle" / "bin" / "python")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def seconds(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "—"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tally")
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--oracle", help="a Python with pabutools installed")
    parser.add_argument("--limit", type=float, default=120, help="seconds pabutools may take per rule")
    args = parser.parse_args(argv)
    paths = files(args.folders or FOLDERS)
    if not paths:
        print("no .pb files found")
        return 1
    oracle = find_oracle(args.oracle)
    print(
        f"pbbot seconds{' | pabutools seconds (× = how many times faster pbbot is)' if oracle else ' (pabutools not found)'}"
    )
    header = ["file", "voters", "parse", *(SHORT[r] for r in RULES)]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for path in paths:
        row = ours(path)
        cells = [path.stem, f"{row['voters']:,}", seconds(row["parse"])]
        parse_theirs = None
        for rule in RULES:
            cell = seconds(row[rule])
            if oracle:
                other = theirs(oracle, path, rule, args.limit)
                if other is not None:
                    parse_theirs = other.get("parse", parse_theirs)
                    value = other.get("seconds")
                    if isinstance(value, float):
                        same = "" if other.get("winners") == row[rule + ":winners"] else " ≠"
                        cell += f" \\| {value:.3f} ({value / max(row[rule], 1e-6):,.0f}×){same}"
                    else:
                        cell += f" \\| >{args.limit:.0f}" if "error" not in other else f" \\| error {other['error']}"
            cells.append(cell)
        if oracle and isinstance(parse_theirs, float):
            cells[2] += f" \\| {parse_theirs:.3f}"
        print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
