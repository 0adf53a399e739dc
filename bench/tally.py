"""Time the tally rules on real Pabulib elections: `python -m bench.tally [--oracle PYTHON] [--only TEXT] [FOLDER ...]`.

Every .pb file in $PBBOT_PABULIB_DIR (default ../shared/pabulib) and tests/data/pabulib (or the
folders given; --only keeps the files whose name contains TEXT): seconds to read and compile
it, then greedy, MES, MES+add1 and sequential Phragmén, each beside pabutools in the same run
when a Python with pabutools is found (--oracle, $PBBOT_ORACLE_PYTHON, or .venv-oracle/bin/python;
pabutools is GPL: install it only there, never as a pbbot dependency). pabutools runs in a
subprocess with a time limit (--limit seconds, default 120). Each side's figure is the least of
several runs while they add up to less than half a second (a single run when one takes longer),
so that small files are not measured by one noisy run. Figures only: nothing here is a test, and
the tests assert no timing.
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
REPEAT_FOR = 0.5  # seconds (bench/pabutools_side.py repeats pabutools' runs alike)
REPEAT_AT_MOST = 1000  # sub-millisecond rules (Assen): many runs, over a window long enough for a steady least


def files(folders: list[Path], only: str = "") -> list[Path]:
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.pb")):
            if only.casefold() in path.name.casefold():
                found.setdefault(path.name, path)
    return [found[name] for name in sorted(found)]


def least_of_runs(run) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best, spent, runs, result = float("inf"), 0.0, 0, None
    while runs < REPEAT_AT_MOST and (runs == 0 or spent < REPEAT_FOR):
        started = perf_counter()
        result = run()
        took = perf_counter() - started
        best, spent, runs = min(best, took), spent + took, runs + 1
    return best, result


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
        took, outcome = least_of_runs(
            lambda rule=rule: count(rule, prepared, election.budget, explain=False, **OPTIONS.get(rule, {}))
        )
        row[rule] = took
        row[rule + ":winners"] = sorted(outcome.winners)  # type: ignore[attr-defined]
    return row


def theirs(oracle: str, path: Path, rule: str, limit: float) -> dict[str, object]:
    script = ROOT / "bench" / "pabutools_side.py"
    try:
        done = subprocess.run(
            [oracle, str(script), str(path), rule], capture_output=True, text=True, timeout=limit, check=True
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "note": f">{limit:.0f}"}
    except subprocess.CalledProcessError as error:
        last = (error.stderr.strip().splitlines() or ["error"])[-1]
        refused = "only applies to approval" in last or "NotImplemented" in last
        return {"seconds": None, "note": "refused: approval only" if refused else "error"}
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def find_oracle(given: str | None) -> str | None:
    # A benchmark, not the bot: it may read the environment (bot.settings configures the bot).
    for candidate in (given, os.environ.get("PBBOT_ORACLE_PYTHON"), str(ROOT / ".venv-oracle" / "bin" / "python")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tally")
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--oracle", help="a Python with pabutools installed")
    parser.add_argument("--only", default="", help="only the files whose name contains this")
    parser.add_argument("--limit", type=float, default=120, help="seconds pabutools may take per rule")
    args = parser.parse_args(argv)
    paths = files(args.folders or FOLDERS, args.only)
    if not paths:
        print("no .pb files found")
        return 1
    oracle = find_oracle(args.oracle)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the start: {load} (1, 5, 15 min); pabutools: {oracle or 'not found'}")
    print("seconds; × = pabutools' seconds / pbbot's; ≠: different winners\n")
    print("| file | voters | rule | pbbot | pabutools | × |")
    print("|---|---:|---|---:|---:|---:|")
    worst: dict[str, float] = {}
    for path in paths:
        row = ours(path)
        name, voters = path.stem, f"{row['voters']:,}"
        parse_theirs: object = None
        for rule in RULES:
            mine = float(row[rule])  # type: ignore[arg-type]
            other = theirs(oracle, path, rule, args.limit) if oracle else {"seconds": None, "note": "—"}
            parse_theirs = other.get("parse", parse_theirs)
            value = other.get("seconds")
            if isinstance(value, float):
                ratio = value / max(mine, 1e-7)
                same = "" if other.get("winners") == row[rule + ":winners"] else " ≠"
                cells = [f"{value:.4f}", f"{ratio:,.0f}×{same}"]
                worst[rule] = min(worst.get(rule, ratio), ratio)
            else:
                cells = [str(other.get("note", "—")), ""]
            print(f"| {name} | {voters} | {SHORT[rule]} | {mine:.4f} | " + " | ".join(cells) + " |", flush=True)
        other_parse = f"{parse_theirs:.4f}" if isinstance(parse_theirs, float) else "—"
        print(f"| {name} | {voters} | parse | {float(row['parse']):.4f} | {other_parse} | |", flush=True)  # type: ignore[arg-type]
    if worst:
        print("\nleast ×, per rule: " + ", ".join(f"{SHORT[r]} {worst[r]:,.1f}×" for r in RULES if r in worst))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
