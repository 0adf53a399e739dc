"""The ballots compiled once for MES and sequential Phragmén: an `Electorate`.

Voters with identical ballots are one weighted group (they hold the same money, or carry the same
load, at every moment), so rules that rerun many times (add1) never regroup the ballots. What
several runs need (costs in integers, the tie order, per-voter lists) is computed once, on first
use, and kept on the electorate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from math import lcm
from typing import Literal

from .tally_types import Ballot, Project

Utility = Literal["cost", "approval", "points"]
UTILITIES = ("cost", "approval", "points")
SMALL = 5_000  # supporters (Σ votes) at most of a small electorate, where per-voter lists pay


@dataclass(frozen=True)
class Electorate:
    """The ballots compiled for MES and Phragmén: one weighted group per distinct ballot."""

    ids: list[str]
    costs: list[Fraction]
    group_sizes: list[int]
    supporters: list[list[int]]  # per project: the groups supporting it
    points: list[list[int]]  # per project: each supporting group's points (1 for approvals)
    votes: list[int]  # per project: the voters supporting it
    scores: list[int]  # per project: the points given to it (= votes for approvals)
    voters: int
    tie_order: dict[str, int]  # a stated order for ties; empty: more votes, cheaper, smaller id
    ballots: list[list[int]]  # per group: the projects it supports

    def tie_key(self, project: int) -> tuple[int, int, Fraction, str]:
        stated = self.tie_order.get(self.ids[project], len(self.tie_order))
        return (stated, -self.votes[project], self.costs[project], self.ids[project])

    def index(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.ids)}

    @cached_property
    def unit_costs(self) -> tuple[int, list[int]]:
        """The costs as whole numbers of 1/unit: (unit, costs). Computed once per electorate."""
        unit = lcm(*(c.denominator for c in self.costs))
        return unit, [c.numerator * (unit // c.denominator) for c in self.costs]

    @cached_property
    def tie_ranking(self) -> list[int]:
        """Every project, in the order ties go (first: wins a tie)."""
        return sorted(range(len(self.ids)), key=self.tie_key)

    @cached_property
    def small(self) -> bool:
        """Few enough supporters (Σ votes) that per-voter lists (`voters_of`) stay short."""
        return sum(self.votes) <= SMALL

    @cached_property
    def per_voter(self) -> bool:
        """Do per-voter lists (`voters_of`) pay? Yes when small, or when few voters share a ballot."""
        return self.small or sum(self.votes) <= 2 * sum(map(len, self.supporters))

    @cached_property
    def supporter_sizes(self) -> list[list[int]]:
        """Per project: the size of each supporting group, as in `supporters`."""
        sizes = self.group_sizes
        return [[sizes[g] for g in groups] for groups in self.supporters]

    @cached_property
    def voters_of(self) -> list[list[int]]:
        """Per project: its supporting groups, each repeated once per voter."""
        sizes = self.group_sizes
        return [[g for g in groups for _ in range(sizes[g])] for groups in self.supporters]


def compile_electorate(
    projects: Sequence[Project], ballots: Iterable[Ballot], tie_order: Sequence[str] = ()
) -> Electorate:
    """Group the ballots. Id->points ballots keep their points; the others give 1 point."""
    index = {p.id: i for i, p in enumerate(projects)}
    if len(index) != len(projects):
        raise ValueError("two projects share an id")
    costs = [Fraction(p.cost) for p in projects]
    if any(cost < 0 for cost in costs):
        raise ValueError("a project cannot cost less than nothing")
    # Counting raw ballots first is cheap (tuples hash fast); only distinct ones are normalised.
    raw: Counter[object] = Counter(
        tuple(b.items()) if isinstance(b, Mapping) else b if isinstance(b, tuple) else tuple(b) for b in ballots
    )
    groups: Counter[frozenset[tuple[str, int]]] = Counter()
    for ballot, size in raw.items():
        items = ballot if ballot and isinstance(ballot[0], tuple) else ((pid, 1) for pid in ballot)  # type: ignore[index, union-attr, attr-defined]
        # An empty ballot is still a voter, holding a share (as in the reference implementation).
        groups[frozenset((pid, points) for pid, points in items if points > 0)] += size  # type: ignore[attr-defined]
    supporters: list[list[int]] = [[] for _ in projects]
    points: list[list[int]] = [[] for _ in projects]
    votes, scores, sizes = [0] * len(projects), [0] * len(projects), []
    projects_of: list[list[int]] = []
    for group, (ballot, size) in enumerate(groups.items()):
        sizes.append(size)
        projects_of.append([])
        for project_id, given in ballot:
            if project_id not in index:
                raise ValueError(f"a ballot votes for an unknown project: {project_id!r}")
            p = index[project_id]
            supporters[p].append(group)
            projects_of[group].append(p)
            points[p].append(int(given))
            votes[p] += size
            scores[p] += size * int(given)
    return Electorate(
        [p.id for p in projects],
        costs,
        sizes,
        supporters,
        points,
        votes,
        scores,
        sum(sizes),
        {pid: i for i, pid in enumerate(tie_order)},
        projects_of,
    )
