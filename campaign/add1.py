"""The add1 completion of MES, with exact jumps over the raises that change nothing.

add1 raises every voter's share by `step` and reruns MES, as long as the outcome stays within
the budget. Done one step at a time, 2 voters, A = 1 (both) and B = 1,000,000 (one) with a budget
of 1,000,000 take 500,000 reruns. Instead, `next_change` replays MES at the current share with
every amount a linear function of the raise d (money = a + c·d: while the same projects are bought
with the same supporters paying all they have, everything is linear in d), and finds the first d
at which anything could change:

- an unaffordable project becomes affordable (its supporters' money reaches its cost);
- another project could become as cheap per unit of utility as the round's winner. A project's
  price ρ(d) is convex in d (the least ρ with Σ min(money, ρ·w) ≥ cost, money linear), so its
  tangent at d = 0 is below it for every d: where the tangent cannot reach the winner's line,
  the project cannot either;
- a supporter who paid all they had could pay a full share: past that point the lines change.

No raise before that d changes the outcome, so add1 jumps to the first step at or after it.
Exact (Fractions). The replay evaluates every project each round, and on real elections the
next possible change is usually less than one raise away (someone who paid all they had could
soon pay a full share), so replays are tried only on small electorates (`JUMP_LIMIT`) and only
after raises that changed nothing; elsewhere one MES rerun per raise is cheaper. The reruns share
a `Memo` (campaign.mes): a rerun that buys the same projects first as an earlier one counts no
ballots again; on small electorates the lean run of campaign.mes_small is faster still.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import ceil, lcm

from .electorate import Electorate, Utility
from .mes import Memo, cost_of, mes
from .mes_small import is_small, small_mes

# Replays cost about rounds × supporters; above this many (project, supporter group) pairs,
# add1 steps one raise at a time (a rerun of MES is then cheaper than a replay by far).
JUMP_LIMIT = 1_000
FIRST_WAIT = 16  # raises that changed nothing before the first replay
REPLAY_COST = 32  # a replay costs about as much as this many reruns: a shorter jump does not pay
INFINITY = None


def add_one(
    el: Electorate,
    budget: Fraction,
    utility: Utility,
    step: Fraction,
    stop: str,
    *,
    jump: bool | None = None,
    first_wait: int = FIRST_WAIT,
    memo: Memo | None = None,
) -> tuple[Fraction, int]:
    """The share add1 ends with, and how many raises of `step` it took.

    jump: replay to jump over raises that change nothing (None: when the electorate is small)."""
    supported = [p for p, votes in enumerate(el.votes) if votes]
    supported_cost = cost_of(el, supported)
    start = budget / el.voters
    if supported_cost <= budget:
        # Raising the shares would never overspend, and once one voter's share could pay for
        # every supported project all of them are bought: that is where add1 ends.
        # (equalshares.net runs plain MES here instead, which can leave money unspent.)
        return max(supported_cost, start, Fraction(1)), 0
    if jump is None:
        jump = sum(len(s) for s in el.supporters) <= JUMP_LIMIT
    memo = memo if memo is not None else Memo()
    lean = is_small(el, utility)  # few voters: a lean run is faster than one sharing the Memo

    def rerun(share: Fraction) -> list[int]:
        return small_mes(el, share, utility) if lean else mes(el, share, utility, memo)

    unit = lcm(*(cost.denominator for cost in el.costs))
    money = [cost.numerator * (unit // cost.denominator) for cost in el.costs]  # in 1/unit
    limit = budget * unit
    share, chosen, raises = start, rerun(start), 0
    unchanged, wait = 0, first_wait
    while True:
        if stop == "exhausted" and not _anything_fits(el, budget, chosen):
            return share, raises
        steps = 1
        if jump and unchanged >= wait:
            # A replay costs many reruns, and on real elections something changes every few
            # raises: replay only after `wait` raises that changed nothing, and wait twice as
            # long after a replay that could not jump further than it costs.
            change = next_change(el, share, utility)
            if change is None:  # nothing can change: raising further never overspends
                return share, raises
            steps = max(1, ceil(change / step))
            wait = first_wait if steps > REPLAY_COST else max(1, wait * 2)
        raised = rerun(share + steps * step)
        if raised != chosen and sum(money[p] for p in raised) > limit:
            # The raises before the last one gave the same outcome as now.
            return share + (steps - 1) * step, raises + steps - 1
        unchanged = unchanged + 1 if raised == chosen else 0
        share, chosen, raises = share + steps * step, raised, raises + steps


def _anything_fits(el: Electorate, budget: Fraction, chosen: Sequence[int]) -> bool:
    left, funded = budget - cost_of(el, chosen), set(chosen)
    return any(el.votes[p] and p not in funded and el.costs[p] <= left for p in range(len(el.ids)))


def next_change(el: Electorate, share: Fraction, utility: Utility) -> Fraction | None:
    """The least raise d >= 0 at which MES with `share + d` could differ from MES with `share`
    (None: no raise changes it)."""
    # Money per level as (a, c): a + c·d. Every voter starts at level 0.
    levels: list[tuple[Fraction, Fraction]] = [(share, Fraction(1))]
    level = [0] * len(el.group_sizes)
    remaining = {p for p, (cost, votes) in enumerate(zip(el.costs, el.votes)) if cost > 0 and votes > 0}
    uniform = utility != "points"
    first: Fraction | None = INFINITY

    def sooner(d: Fraction) -> None:
        nonlocal first
        if first is None or d < first:
            first = d

    while remaining:
        lines: dict[int, tuple[Fraction, Fraction, list[tuple[int, int, int]]]] = {}
        for p in sorted(remaining):
            held: dict[tuple[int, int], int] = {}
            for g, w in zip(el.supporters[p], el.points[p]):
                key = (level[g], 1 if uniform else w)
                held[key] = held.get(key, 0) + el.group_sizes[g]
            rows = [(lv, w, n) for (lv, w), n in held.items()]
            cost = el.costs[p]
            money = sum(levels[lv][0] * n for lv, _w, n in rows)
            if money < cost:
                rate = sum(levels[lv][1] * n for lv, _w, n in rows)
                if rate > 0:
                    sooner((cost - money) / rate)
                continue
            rows.sort(key=lambda r: levels[r[0]][0] / r[1])
            paid, weight, capped_rate = Fraction(0), sum(w * n for _lv, w, n in rows), Fraction(0)
            for lv, w, n in rows:
                a, c = levels[lv]
                if (cost - paid) * w <= a * weight:
                    break
                paid += a * n
                weight -= w * n
                capped_rate += c * n
            price = (cost - paid) / weight
            slope = -capped_rate / weight  # the exact right derivative of the price at d = 0
            scale = cost if utility == "cost" else Fraction(1)
            lines[p] = (price / scale, slope / scale, rows)
        if not lines:
            break
        best = min(key for key, _s, _r in lines.values())
        winner = min((p for p, (key, _s, _r) in lines.items() if key == best), key=el.tie_key)
        key_w, slope_w, rows_w = lines[winner]
        for p, (key, slope, _rows) in lines.items():
            if p != winner and slope < slope_w:
                sooner((key - key_w) / (slope_w - slope))  # 0 when tied now
        scale = el.costs[winner] if utility == "cost" else Fraction(1)
        price, price_slope = key_w * scale, slope_w * scale
        moved: dict[tuple[int, int], int] = {}
        for lv, w, _n in rows_w:
            a, c = levels[lv]
            if a < price * w:  # pays all it has: until it could pay a full share
                if c - price_slope * w > 0:
                    sooner((price * w - a) / (c - price_slope * w))
                levels.append((Fraction(0), Fraction(0)))
            else:
                levels.append((a - price * w, c - price_slope * w))
            moved[lv, w] = len(levels) - 1
        for g, w in zip(el.supporters[winner], el.points[winner]):
            level[g] = moved[level[g], 1 if uniform else w]
        remaining.discard(winner)
    return first
