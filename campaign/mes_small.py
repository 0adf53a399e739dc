"""Plain MES on a small electorate, lean: what `campaign.mes` computes, without its machinery.

`campaign.mes._Run` keeps money per level and can share counts between reruns (a `Memo`), which
pays on large electorates and for add1's reruns. On a small electorate counted once (a plain
MES tally: Assen has 84 voters) that machinery is most of the time spent, so this counts each
price afresh from every supporter's money, in loops Python runs in C (map, sorted, sum).
Utilities "cost" and "approval" only (each supporter pays the same ρ, or all they have left);
exact, with money in integers over a common `scale` as in campaign.mes. Same outcome as
`campaign.mes.mes`, ties included (tests/unit/test_tally_memo.py compares them).
"""

from __future__ import annotations

from bisect import bisect_right
from fractions import Fraction
from math import gcd, inf, lcm

from .electorate import Electorate, Utility


def is_small(el: Electorate, utility: Utility) -> bool:
    return utility != "points" and el.small


def small_mes(el: Electorate, share: Fraction, utility: Utility) -> list[int]:
    """The projects plain MES buys, in order, as `campaign.mes.mes` (utility "cost" or "approval")."""
    unit, unit_costs = el.unit_costs
    scale = lcm(share.denominator, unit)
    costs = [c * (scale // unit) for c in unit_costs] if scale != unit else unit_costs
    start = share.numerator * (scale // share.denominator)
    money = [start] * len(el.group_sizes)  # per group, per voter: in 1/scale
    per_cost, votes, supporters, voters_of = utility == "cost", el.votes, el.supporters, el.voters_of
    free = [p for p, (c, v) in enumerate(zip(costs, votes)) if c == 0 and v > 0]
    chosen = sorted(free, key=el.tie_key) if len(free) > 1 else free
    # ρ only rises as money is spent: the last value computed bounds the current one (lazy
    # evaluation, as in campaign.mes). At the start all supporters pay cost / votes, if they can.
    bound: dict[int, float] = {}
    known: dict[int, tuple[int, int]] = {}  # exact prices of this round, when known
    for p, (c, v) in enumerate(zip(costs, votes)):
        if 0 < c <= start * v:
            known[p] = (c, v)
            bound[p] = 1 / v if per_cost else c / (v * scale)
    while bound:
        best: dict[int, tuple[int, int]] = {}
        best_n, best_d, best_float = 0, 1, inf
        for p in sorted(bound, key=bound.__getitem__):
            if bound[p] > best_float:
                break  # its float is above the best's, so its exact ρ is too
            price = known.get(p)
            if price is None:
                cost, held = costs[p], sorted(map(money.__getitem__, voters_of[p]))
                if sum(held) < cost:
                    del bound[p]  # money only shrinks: it stays unaffordable
                    continue
                # Supporters pay (cost - paid) / payers each, but the poorest pay all they have.
                k = bisect_right(held, 0)
                paid, payers = 0, len(held) - k
                while cost - paid > held[k] * payers:
                    paid += held[k]
                    payers -= 1
                    k += 1
                price = (cost - paid, payers)
            n, d = price
            d *= costs[p] if per_cost else scale
            bound[p] = n / d
            if not best or n * best_d < best_n * d:
                best, best_n, best_d, best_float = {p: price}, n, d, n / d
            elif n * best_d == best_n * d:
                best[p] = price
        if not best:
            break
        known = {}
        winner = next(iter(best)) if len(best) == 1 else min(best, key=el.tie_key)
        n, d = best[winner]
        rescale = d // gcd(n, d)
        if rescale > 1:  # make ρ a whole number of units
            scale *= rescale
            money = [m * rescale for m in money]
            costs = [c * rescale for c in costs]
        rho = n * rescale // d
        for g in supporters[winner]:
            m = money[g]
            money[g] = m - rho if m > rho else 0
        chosen.append(winner)
        del bound[winner]
    return chosen
