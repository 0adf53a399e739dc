"""Completions of the Method of Equal Shares, and sequential Phragmén, on a compiled `Electorate`.

Plain MES often leaves money unspent; a completion decides what to do with it:

- "add1": raise every voter's share by `step` (one currency unit) and rerun MES, keeping the new
  outcome as long as it stays within the budget. `stop="overspend"` (the default) stops at the
  first raise whose outcome would overspend; `stop="exhausted"` also stops as soon as no unfunded
  project fits in the money left (pabutools' exhaustive stop). Stopping early changes Wieliczka
  2023's official outcome, which is why "overspend" is the default.
- "add1-comparison": add1, then equalshares.net's comparison: greedy replaces the outcome if
  strictly more voters approve more of greedy's winners than of add1's.
- "greedy": plain MES, then the money left goes to the other projects by decreasing votes.
- "add1/greedy": add1, then the same greedy fill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from .add1 import add_one
from .mes import Electorate, MesRun, Utility, cost_of, explain_mes, mes

COMPLETIONS = ("add1", "add1-comparison", "greedy", "add1/greedy")
Stop = Literal["overspend", "exhausted"]
STOPS = ("overspend", "exhausted")


@dataclass(frozen=True)
class MesOutcome:
    chosen: list[int]  # indexes into el.ids, in the order they were bought
    run: MesRun | None  # the last MES run, as data (None unless explained)
    start_share: Fraction  # budget / voters
    raises: int  # how many times add1 raised the share (0 without add1)
    filled: list[int]  # projects the greedy fill added after MES
    compared: Literal["", "kept", "greedy"]  # add1-comparison's verdict
    ties: list[list[str]]  # the tied projects of each round where a tie decided


def run_mes(
    el: Electorate,
    budget: Fraction,
    *,
    utility: Utility = "cost",
    completion: str | None = None,
    step: Fraction = Fraction(1),
    stop: Stop = "overspend",
    explain: bool = False,
) -> MesOutcome:
    if completion is not None and completion not in COMPLETIONS:
        raise ValueError(f"unknown completion {completion!r}; expected one of {COMPLETIONS}")
    if stop not in STOPS:
        raise ValueError(f"unknown stop {stop!r}; expected one of {STOPS}")
    if step <= 0:
        raise ValueError("the add1 step must be positive")
    if el.voters == 0:
        return MesOutcome([], None, Fraction(0), 0, [], "", [])
    start = budget / el.voters
    share, raises = start, 0
    if completion in ("add1", "add1-comparison", "add1/greedy"):
        share, raises = add_one(el, budget, utility, step, stop)
    chosen = mes(el, share, utility)
    run, ties = None, []
    if explain:
        run, raw_ties = explain_mes(el, share, utility)
        ties = [[el.ids[p] for p in tied] for _, tied in raw_ties]
    filled: list[int] = []
    if completion in ("greedy", "add1/greedy"):
        filled = _greedy_fill(el, budget, chosen)
    compared: Literal["", "kept", "greedy"] = ""
    if completion == "add1-comparison":
        greedy_choice = _greedy_fill(el, budget, [])
        if _prefer(el, greedy_choice, chosen):
            chosen, compared = greedy_choice, "greedy"
        else:
            compared = "kept"
    return MesOutcome(chosen + filled, run, start, raises, filled, compared, ties)


def _greedy_fill(el: Electorate, budget: Fraction, chosen: Sequence[int]) -> list[int]:
    """The other projects, by decreasing votes, each if it fits in the money left."""
    left, funded, added = budget - cost_of(el, chosen), set(chosen), []
    order = sorted(range(len(el.ids)), key=lambda p: (-el.scores[p],) + el.tie_key(p)[:1] + (el.costs[p], el.ids[p]))
    for p in order:
        if p in funded or el.votes[p] == 0:
            continue
        if el.costs[p] <= left:
            added.append(p)
            left -= el.costs[p]
    return added


def _prefer(el: Electorate, greedy_choice: Sequence[int], mes_choice: Sequence[int]) -> bool:
    """Do strictly more voters approve more of greedy's winners than of MES's?"""
    in_greedy, in_mes = set(greedy_choice), set(mes_choice)
    per_group_greedy = [0] * len(el.group_sizes)
    per_group_mes = [0] * len(el.group_sizes)
    for p, groups in enumerate(el.supporters):
        for g in groups:
            per_group_greedy[g] += p in in_greedy
            per_group_mes[g] += p in in_mes
    prefer_greedy = prefer_mes = 0
    for g, size in enumerate(el.group_sizes):
        prefer_greedy += size * (per_group_greedy[g] > per_group_mes[g])
        prefer_mes += size * (per_group_mes[g] > per_group_greedy[g])
    return prefer_greedy > prefer_mes


# --- sequential Phragmén ------------------------------------------------------------------


@dataclass(frozen=True)
class PhragmenRound:
    project: str
    load: Fraction  # after buying it, each of its supporters carries this much (in currency)
    tied: list[str]


def phragmen(
    el: Electorate,
    budget: Fraction,
    *,
    skip: bool = True,
) -> tuple[list[int], list[PhragmenRound], list[tuple[str, Fraction]]]:
    """Sequential Phragmén: supporters share each project's cost so that the largest load any
    voter carries grows as little as possible; a project that no longer fits in the budget is
    dropped. Exact (Fractions); voters with identical ballots are one group.

    skip=False stops instead at the first project that comes next but does not fit (pabutools'
    convention). Returns the projects bought, each round, and the projects dropped with the
    money then left."""
    # Loads are kept in integers over a common denominator `scale` (Fractions spent most of the
    # time reducing by gcd): loads[i] / scale is a load level; carried[p] / scale is what project
    # p's supporters carry together. A new level rescales the few levels and projects, not voters.
    scale = 1
    loads: list[int] = [0]  # the distinct load levels; a group holds an index
    level = [0] * len(el.group_sizes)
    carried = [0] * len(el.ids)
    projects_of: list[list[int]] = [[] for _ in el.group_sizes]
    for p, groups in enumerate(el.supporters):
        for g in groups:
            projects_of[g].append(p)
    left = budget
    candidates = {p for p, votes in enumerate(el.votes) if votes}
    chosen: list[int] = []
    rounds: list[PhragmenRound] = []
    dropped: list[tuple[str, Fraction]] = []
    while candidates:
        if skip:
            dropped += [(el.ids[p], left) for p in sorted(candidates, key=el.tie_key) if el.costs[p] > left]
            candidates = {p for p in candidates if el.costs[p] <= left}
            if not candidates:
                break
        time = {p: (el.costs[p] * scale + carried[p]) / el.votes[p] for p in candidates}  # times scale
        least = min(time.values())
        tied = sorted((p for p in candidates if time[p] == least), key=el.tie_key)
        if not skip and any(el.costs[p] > left for p in tied):
            dropped += [(el.ids[p], left) for p in tied if el.costs[p] > left]
            break
        winner = tied[0]
        chosen.append(winner)
        rounds.append(PhragmenRound(el.ids[winner], least / scale, [el.ids[p] for p in tied[1:]]))
        candidates.discard(winner)
        left -= el.costs[winner]
        if least.denominator > 1:
            rescale = least.denominator
            scale *= rescale
            loads = [load * rescale for load in loads]
            carried = [c * rescale for c in carried]
            least *= rescale
        new = int(least)
        loads.append(new)
        # Every supporter's load rises to the new level: count voters per (old level, project) in
        # integers, then one multiplication per pair.
        rising: dict[int, dict[int, int]] = {}
        for g in el.supporters[winner]:
            old = level[g]
            level[g] = len(loads) - 1
            size = el.group_sizes[g]
            per_project = rising.get(old)
            if per_project is None:
                per_project = rising[old] = {}
            for q in projects_of[g]:
                per_project[q] = per_project.get(q, 0) + size
        for old, per_project in rising.items():
            rise = new - loads[old]
            for q, voters in per_project.items():
                carried[q] += voters * rise
    return chosen, rounds, dropped
