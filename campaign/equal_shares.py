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
from math import gcd, inf, lcm
from operator import mul
from typing import Literal

from .add1 import add_one
from .electorate import Electorate, Utility
from .mes import Memo, MesRun, cost_of, explain_mes, mes
from .mes_small import is_small, small_mes

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
    add1 = completion in ("add1", "add1-comparison", "add1/greedy")
    run, ties = None, []
    if not add1 and not explain and is_small(el, utility):
        chosen = small_mes(el, share, utility)  # a single run on few voters: the lean one is faster
    else:
        memo = Memo()  # add1's reruns share it; a single run reuses the winner's counts when it pays
        if add1:
            share, raises = add_one(el, budget, utility, step, stop, memo=memo)
        if explain:
            run, raw_ties = explain_mes(el, share, utility, memo)
            ties = [[el.ids[p] for p in tied] for _, tied in raw_ties]
            index = el.index()
            chosen = [index[pid] for pid in run.winners]
        else:
            chosen = mes(el, share, utility, memo)
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
    explain: bool = True,
    per_voter: bool | None = None,
) -> tuple[list[int], list[PhragmenRound], list[tuple[str, Fraction]]]:
    """Sequential Phragmén: supporters share each project's cost so that the largest load any
    voter carries grows as little as possible; a project that no longer fits in the budget is
    dropped. Exact; voters with identical ballots are one group.

    skip=False stops instead at the first project that comes next but does not fit (pabutools'
    convention). Returns the projects bought, each round, and the projects dropped with the
    money then left (both empty unless `explain`: their Fractions cost more than the count on
    small elections). per_voter: sum loads over `el.voters_of` rather than over groups (None: as
    `el.per_voter` says; the outcome is the same)."""
    # Everything is kept in integers (Fractions spent most of the time reducing by gcd): money in
    # units of 1/unit (`left`, `money`), loads over a common denominator `scale`: loads[i] / scale
    # is a load level (a group holds an index). A new level rescales the few levels, not the
    # groups; a cost in 1/scale is money × (scale // unit).
    cost_unit, unit_costs = el.unit_costs
    unit = lcm(budget.denominator, cost_unit)
    money = [c * (unit // cost_unit) for c in unit_costs] if unit != cost_unit else unit_costs
    left = budget.numerator * (unit // budget.denominator)
    scale, factor, loads = unit, 1, [0]
    level = [0] * len(el.group_sizes)
    votes, supporters = el.votes, el.supporters
    per_voter = el.per_voter if per_voter is None else per_voter
    # Per voter, a load is one lookup less than per group (loads[level[g]] × group size).
    voters_of, sizes = (el.voters_of, []) if per_voter else (None, el.supporter_sizes)
    candidates = [p for p in el.tie_ranking if votes[p]]  # in tie order
    # A project's time (cost + what its supporters carry) / votes only rises as loads do: the
    # last value computed bounds the current one, and only projects whose bound is at most the
    # least time so far are counted again (lazy evaluation). At first nobody carries anything,
    # so the first round's times are exact.
    bound = {p: money[p] / (votes[p] * unit) for p in candidates}
    first = True
    chosen: list[int] = []
    rounds: list[PhragmenRound] = []
    dropped: list[tuple[str, Fraction]] = []
    while candidates:
        if skip and any(money[p] > left for p in candidates):
            if explain:
                dropped += [(el.ids[p], Fraction(left, unit)) for p in candidates if money[p] > left]
            candidates = [p for p in candidates if money[p] <= left]
            for p in set(bound) - set(candidates):
                del bound[p]
            if not candidates:
                break
        tied: list[int] = []
        least_n, least_d, least_float = 0, 1, inf
        for p in sorted(bound, key=bound.__getitem__):
            if bound[p] > least_float:
                break  # its float is above the least's, so its exact time is too
            n, d = money[p] * factor, votes[p]
            if not first:
                if voters_of is not None:
                    n += sum(map(loads.__getitem__, map(level.__getitem__, voters_of[p])))
                else:
                    n += sum(map(mul, map(loads.__getitem__, map(level.__getitem__, supporters[p])), sizes[p]))
                bound[p] = n / (d * scale)
            if not tied or n * least_d < least_n * d:
                tied, least_n, least_d, least_float = [p], n, d, bound[p]
            elif n * least_d == least_n * d:
                tied.append(p)
        if len(tied) > 1:
            tied.sort(key=el.tie_key)
            over = any(money[p] > left for p in tied)
        else:
            over = money[tied[0]] > left
        if over and not skip:
            if explain:
                dropped += [(el.ids[p], Fraction(left, unit)) for p in tied if money[p] > left]
            break
        winner = tied[0]
        chosen.append(winner)
        if explain:
            rounds.append(
                PhragmenRound(el.ids[winner], Fraction(least_n, least_d * scale), [el.ids[p] for p in tied[1:]])
            )
        candidates.remove(winner)
        del bound[winner]
        first = False
        left -= money[winner]
        rescale = least_d // gcd(least_n, least_d)
        if rescale > 1:
            scale *= rescale
            factor *= rescale
            loads = [load * rescale for load in loads]
        # Every supporter's load rises to the new level.
        loads.append(least_n * rescale // least_d)
        top = len(loads) - 1
        for g in supporters[winner]:
            level[g] = top
    return chosen, rounds, dropped
