"""The Method of Equal Shares (MES), exact, with what each round did kept as data.

The budget is split equally among the voters. Repeatedly, among the projects whose supporters
can still pay for them together, MES buys the one with the lowest price per unit of utility ρ:
each supporter pays ρ × their utility, or all they have left if that is less. It stops when no
project's supporters can pay for it.

Utilities: "cost" (a supporter gains the project's cost: ρ is then the share of the cost each
supporter pays), "approval" (gains 1: ρ is what each supporter pays) and "points" (gains the
points they gave: a supporter pays ρ per point).

It runs on an `Electorate` (campaign.electorate): the ballots grouped once.
Money is kept in integers, exactly: every amount is multiplied by a common `scale`, which grows
whenever a payment is not a whole number of units. Integers are much faster than Fractions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, inf, lcm

from .electorate import UTILITIES, Electorate, Utility

# --- what a run did ------------------------------------------------------------------


@dataclass(frozen=True)
class MesRound:
    project: str
    cost: Fraction
    rho: Fraction  # the price per unit of utility (cost utilities: the share of the cost)
    payments: list[tuple[Fraction, int]]  # (amount each paid, how many voters paid it), largest first
    tied: list[str]  # the other projects exactly as good at this round (the tie order chose)


@dataclass(frozen=True)
class Shortfall:
    """A project MES did not buy: what its supporters still had when MES stopped."""

    project: str
    cost: Fraction
    supporters: int
    had: Fraction  # their money left, together
    missing: Fraction  # cost - had (0 if they could pay but another project came first)
    more_supporters: int  # voters holding a full fresh share that would cover what is missing


@dataclass(frozen=True)
class MesRun:
    utility: Utility
    share: Fraction  # each voter's money at the start
    rounds: list[MesRound]
    shortfalls: list[Shortfall]

    @property
    def winners(self) -> list[str]:
        return [r.project for r in self.rounds]


class Memo:
    """What reruns of MES on one electorate share: a run's *levels* (see `_Run`) depend only on
    the projects bought so far, not on the money, so how a project's supporters spread over the
    levels is computed once per sequence of winners (a node) and reused by every later run that
    buys the same projects first (add1 reruns MES at many shares, mostly buying the same)."""

    LIMIT = 1_000_000  # rows kept at most (~100 MB); beyond, the memo starts afresh

    def __init__(self) -> None:
        self.children: dict[tuple[int, int], int] = {}  # (node, winner) -> node
        self.held: dict[tuple[int, int], list[tuple[int, int, int]]] = {}  # (node, project) -> rows
        self.size = 0

    def child(self, node: int, winner: int) -> int:
        return self.children.setdefault((node, winner), len(self.children) + 1)

    def keep(self, key: tuple[int, int], rows: list[tuple[int, int, int]]) -> None:
        if self.size > self.LIMIT:
            self.held.clear()
            self.size = 0
        self.held[key] = rows
        self.size += len(rows)


class _Run:
    """One run of MES where each voter starts with `share`.

    Groups that paid the same amounts hold the same money, so money is kept per *level*: each
    group is at a level (`level[g]`), and buying a project moves its supporters of each level
    (and, for points, each number of points given) to one new level. Sums and rescaling then
    touch a few levels, not every group. A project's supporters per level (`held`) come from a
    `Memo` when one is given; the groups' levels are brought up to date only when a project's
    supporters must be counted afresh (`pending`).
    Prices ρ are exact pairs of integers (numerator, denominator); their floats only order the
    lazy evaluation, where rounding, being monotone, never skips a project it should not.
    """

    def __init__(
        self, el: Electorate, share: Fraction, utility: Utility, *, explain: bool = False, memo: Memo | None = None
    ) -> None:
        if utility not in UTILITIES:
            raise ValueError(f"unknown utility {utility!r}; expected one of {UTILITIES}")
        self.el, self.utility, self.explain, self.share = el, utility, explain, share
        self.uniform = utility != "points"
        self.memo, self.node = memo, 0
        unit, costs = el.unit_costs
        self.scale = scale = lcm(share.denominator, unit)
        self.costs = [c * (scale // unit) for c in costs] if scale != unit else list(costs)  # scaled
        self.values = [share.numerator * (scale // share.denominator)]  # scaled money per level
        self.level: list[int] | None = None  # each group's level, once needed
        self.pending: list[tuple[int, dict[tuple[int, int], int]]] = []  # moves not yet applied to `level`
        self.rounds: list[MesRound] = []
        self.ties: list[tuple[int, list[int]]] = []  # (round, tied projects) when a tie decided
        self.known: dict[int, tuple[int, int]] = {}  # exact prices of the current round, if known

    def run(self) -> list[int]:
        el = self.el
        chosen: list[int] = []
        costs, votes, money = self.costs, el.votes, self.values[0]
        free = [p for p, (c, v) in enumerate(zip(costs, votes)) if c == 0 and v > 0]
        for p in sorted(free, key=el.tie_key) if len(free) > 1 else free:
            chosen.append(p)  # a free project costs its supporters nothing: fund it first
            if self.explain:
                self.rounds.append(MesRound(el.ids[p], Fraction(0), Fraction(0), [], []))
        # ρ only rises as budgets are spent, so the last value computed bounds the current one;
        # only projects whose bound is at most the best value so far are recomputed
        # (equalshares.net's lazy evaluation). At the start every voter holds the same money, so
        # a project is affordable iff cost <= share × votes, and then (uniform utilities) all its
        # supporters pay cost / votes: the first round's prices are known without counting.
        bound: dict[int, float] = {}
        scale, per_cost = self.scale, self.utility == "cost"
        for p, (c, v) in enumerate(zip(costs, votes)):
            if 0 < c <= money * v:
                if self.uniform:
                    self.known[p] = (c, v)
                    bound[p] = 1 / v if per_cost else c / (v * scale)
                else:  # ρ >= cost / points given (capped supporters pay less than ρ·w)
                    bound[p] = c / (el.scores[p] * scale)
        while bound:
            best = self.best_projects(bound)
            if not best:
                break
            self.known.clear()
            winner = next(iter(best)) if len(best) == 1 else min(best, key=el.tie_key)
            tied: list[str] = []
            if len(best) > 1:
                order = sorted(best, key=el.tie_key)
                self.ties.append((len(chosen), order))
                tied = [el.ids[p] for p in order if p != winner]
            self.charge(winner, *best[winner], tied=tied)
            chosen.append(winner)
            del bound[winner]
        return chosen

    def best_projects(self, bound: dict[int, float]) -> dict[int, tuple[int, int]]:
        """The affordable projects with the lowest ρ, with ρ (scaled) as numerator, denominator.

        Updates `bound` and drops from it the projects nobody can afford any more."""
        best: dict[int, tuple[int, int]] = {}
        best_n, best_d, best_float = 0, 1, inf
        for project in sorted(bound, key=bound.__getitem__):
            if bound[project] > best_float:
                break  # its float is above the best's, so its exact ρ is too
            price = self.known.get(project) or self.price(project)
            if price is None:
                del bound[project]  # budgets only shrink: it stays unaffordable
                continue
            n, d = price
            d *= self.costs[project] if self.utility == "cost" else self.scale
            bound[project] = n / d
            if not best or n * best_d < best_n * d:
                best, best_n, best_d, best_float = {project: price}, n, d, n / d
            elif n * best_d == best_n * d:
                best[project] = price
        return best

    def held(self, project: int) -> list[tuple[int, int, int]]:
        """(level, points, voters): how the project's supporters spread over the levels."""
        memo, key = self.memo, (self.node, project)
        if memo is not None:
            rows = memo.held.get(key)
            if rows is not None:
                return rows
        level, sizes = self.levels(), self.el.group_sizes
        if self.uniform:
            counts: dict[int, int] = {}
            get = counts.get
            for g in self.el.supporters[project]:
                lv = level[g]
                counts[lv] = get(lv, 0) + sizes[g]
            rows = [(lv, 1, n) for lv, n in counts.items()]
        else:
            weighted: dict[tuple[int, int], int] = {}
            for g, w in zip(self.el.supporters[project], self.el.points[project]):
                weighted[level[g], w] = weighted.get((level[g], w), 0) + sizes[g]
            rows = [(lv, w, n) for (lv, w), n in weighted.items()]
        if memo is not None:
            memo.keep(key, rows)
        return rows

    def levels(self) -> list[int]:
        """Each group's level, after applying the pending moves."""
        if self.level is None:
            self.level = [0] * len(self.el.group_sizes)
        level, el = self.level, self.el
        for winner, moves in self.pending:
            if self.uniform:
                for g in el.supporters[winner]:
                    level[g] = moves[level[g], 1]
            else:
                for g, w in zip(el.supporters[winner], el.points[winner]):
                    level[g] = moves[level[g], w]
        self.pending.clear()
        return level

    def price(self, project: int) -> tuple[int, int] | None:
        """ρ in scaled money per point, as (numerator, denominator), or None when the
        supporters cannot pay for the project together.

        A supporter giving w points pays min(money, ρ·w): the poorest per point are capped first."""
        values, cost = self.values, self.costs[project]
        if self.uniform:  # the common case, kept lean: add1 reruns it many times
            rows = sorted((values[lv], n) for lv, _w, n in self.held(project) if values[lv])
            total = payers = 0
            for budget, n in rows:
                total += budget * n
                payers += n
            if total < cost:
                return None
            paid = 0
            for budget, n in rows:
                if cost - paid <= budget * payers:
                    break  # this level, and every richer one, pays an equal share in full
                paid += budget * n
                payers -= n
            return cost - paid, payers
        points_rows = [(values[lv], w, n) for lv, w, n in self.held(project) if values[lv]]
        if sum(b * n for b, _, n in points_rows) < cost:
            return None
        points_rows.sort(key=lambda r: Fraction(r[0], r[1]))
        paid, weight = 0, sum(w * n for _, w, n in points_rows)
        for budget, w, n in points_rows:
            if (cost - paid) * w <= budget * weight:
                break  # this group, and every richer one per point, pays ρ·w in full
            paid += budget * n
            weight -= w * n
        return cost - paid, weight

    def charge(self, project: int, numerator: int, denominator: int, tied: list[str]) -> None:
        rescale = denominator // gcd(numerator, denominator)
        if rescale > 1:
            self.scale *= rescale
            self.values = [value * rescale for value in self.values]
            self.costs = [cost * rescale for cost in self.costs]
        rho = numerator * rescale // denominator  # per point, now a whole number of scaled units
        values = self.values
        moves: dict[tuple[int, int], int] = {}  # (old level, points) -> new level
        held = self.held(project)
        for lv, w, _n in held:
            have, due = values[lv], rho * w
            values.append(have - due if have > due else 0)
            moves[lv, w] = len(values) - 1
        self.pending.append((project, moves))
        if self.memo is not None:
            self.node = self.memo.child(self.node, project)
        else:
            self.node += 1
        if self.explain:
            paid: Counter[int] = Counter()
            for lv, w, n in held:
                paid[values[lv] - values[moves[lv, w]]] += n
            el, scale = self.el, self.scale
            rho_real = Fraction(rho, scale) / (el.costs[project] if self.utility == "cost" else 1)
            self.rounds.append(
                MesRound(
                    el.ids[project],
                    el.costs[project],
                    rho_real,
                    sorted(((Fraction(a, scale), n) for a, n in paid.items() if n), reverse=True),
                    tied,
                )
            )

    def shortfalls(self, chosen: Collection[int]) -> list[Shortfall]:
        el, scale, out = self.el, self.scale, []
        for p in sorted(set(range(len(el.ids))) - set(chosen), key=el.tie_key):
            if el.votes[p] == 0:
                continue
            had = Fraction(sum(self.values[lv] * n for lv, _w, n in self.held(p)), scale)
            missing = max(el.costs[p] - had, Fraction(0))
            more = -(-missing // self.share) if missing and self.share else 0
            out.append(Shortfall(el.ids[p], el.costs[p], el.votes[p], had, missing, int(more)))
        return out


def mes(el: Electorate, share: Fraction, utility: Utility = "cost", memo: Memo | None = None) -> list[int]:
    """The projects plain MES buys (as indexes into `el.ids`), in the order it buys them."""
    return _Run(el, share, utility, memo=memo).run()


def explain_mes(
    el: Electorate, share: Fraction, utility: Utility = "cost", memo: Memo | None = None
) -> tuple[MesRun, list[tuple[int, list[int]]]]:
    """The run as data, and the ties that decided a round (round number, tied projects)."""
    run = _Run(el, share, utility, explain=True, memo=memo)
    chosen = run.run()
    return MesRun(utility, share, run.rounds, run.shortfalls(chosen)), run.ties


def cost_of(el: Electorate, chosen: Iterable[int]) -> Fraction:
    return sum((el.costs[p] for p in chosen), Fraction(0))
