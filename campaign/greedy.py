"""Vote counting and the greedy rules, with each project's fate kept as data.

Ties are always broken the same way, so an outcome never depends on the input order: more votes
first, then the cheaper project, then the smaller id (plain string order; the campaign gives the
tally zero-padded project numbers, so this is the projects' number order). When a tie decides
what is funded, `greedy_tied_outcomes` lists every outcome another order would have given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import groupby, permutations, product
from typing import Literal

from .tally_types import Ballot, Cost, Project

Reason = Literal["funded", "too-expensive", "below-threshold", "no-votes", "stopped"]
TIED_OUTCOMES_LIMIT = 24  # orders tried at most; beyond, the tie is reported without them


def count_votes(ballots: Iterable[Ballot]) -> dict[str, int]:
    """Votes per project; points are summed for id->points ballots.

    An approval ballot naming a project twice still approves it once.
    """
    counts: Counter[str] = Counter()
    for ballot in ballots:
        if isinstance(ballot, Mapping):
            for project_id, points in ballot.items():
                counts[project_id] += points
        else:
            counts.update(set(ballot))
    return dict(counts)


def most_voted(scores: Mapping[str, int], costs: Mapping[str, Cost] | None = None) -> list[str]:
    """The single most-voted project, as a list; [] if nobody voted.

    Ties go to the cheaper project when `costs` is given, then to the smaller id.
    """
    costs = costs or {}
    voted = [project_id for project_id, score in scores.items() if score > 0]
    if not voted:
        return []
    return [min(voted, key=lambda pid: (-scores[pid], costs.get(pid, 0), pid))]


@dataclass(frozen=True)
class GreedyStep:
    """One project's turn: what it had, what was left of the budget, and what happened."""

    project: str
    score: int  # votes, or points for point ballots
    cost: Cost
    left: Cost  # money left when its turn came
    reason: Reason

    @property
    def funded(self) -> bool:
        return self.reason == "funded"


def ranking(projects: Iterable[Project], scores: Mapping[str, int], *, per_cost: bool = False) -> list[Project]:
    """The order greedy considers projects in: by score (or score per unit of cost), then
    cheaper, then smaller id. A free project with votes comes first under `per_cost`."""
    if per_cost:

        def value(p: Project) -> Fraction:
            score = scores.get(p.id, 0)
            return Fraction(score) / Fraction(p.cost) if p.cost else Fraction(10**30 * max(score, 0))

        return sorted(projects, key=lambda p: (-value(p), p.cost, p.id))
    return sorted(projects, key=lambda p: (-scores.get(p.id, 0), p.cost, p.id))


def greedy_steps(
    order: Sequence[Project], scores: Mapping[str, int], budget: Cost, *, skip: bool = True, threshold: int = 0
) -> list[GreedyStep]:
    """Every project's turn, in `order`."""
    steps: list[GreedyStep] = []
    left, stopped = budget, False
    for project in order:
        score = scores.get(project.id, 0)
        reason: Reason
        if score <= 0:
            reason = "no-votes"
        elif score < threshold:
            reason = "below-threshold"
        elif stopped:
            reason = "stopped"
        elif project.cost <= left:
            reason = "funded"
        else:
            reason, stopped = "too-expensive", not skip
        steps.append(GreedyStep(project.id, score, project.cost, left, reason))
        if reason == "funded":
            left -= project.cost
    return steps


def greedy(
    projects: Iterable[Project],
    scores: Mapping[str, int],
    budget: Cost,
    *,
    skip: bool = True,
    threshold: int = 0,
    per_cost: bool = False,
) -> list[str]:
    """Fund projects by decreasing score, each if it fits in what is left of the budget.

    skip=False stops at the first project that does not fit (greedy-no-skip). Projects scoring
    under `threshold` are ignored (greedy-threshold), and a project nobody voted for is never
    funded. per_cost=True ranks by score per unit of cost (greedy by votes per cost).
    """
    order = ranking(projects, scores, per_cost=per_cost)
    return [s.project for s in greedy_steps(order, scores, budget, skip=skip, threshold=threshold) if s.funded]


def greedy_tied_outcomes(
    projects: Iterable[Project],
    scores: Mapping[str, int],
    budget: Cost,
    *,
    skip: bool = True,
    threshold: int = 0,
    per_cost: bool = False,
) -> tuple[list[list[str]], list[list[str]]]:
    """(the groups of equally ranked projects, the funded sets other orders of them give).

    Only ties that decide something are returned: the second list is empty when every order of
    the tied projects funds the same projects. Tried up to TIED_OUTCOMES_LIMIT orders.
    """
    order = ranking(projects, scores, per_cost=per_cost)

    def rank_value(p: Project) -> Fraction:
        score = Fraction(scores.get(p.id, 0))
        return score / Fraction(p.cost) if per_cost and p.cost else score

    groups = [list(g) for _, g in groupby(order, key=rank_value)]
    base = {s.project for s in greedy_steps(order, scores, budget, skip=skip, threshold=threshold) if s.funded}
    # A tie can only decide something when its projects did not all share one fate.
    mixed = [i for i, g in enumerate(groups) if len(g) > 1 and len({p.id in base for p in g}) > 1]
    if not mixed:
        return [], []
    orders = [list(permutations(groups[i])) if i in mixed else [tuple(groups[i])] for i in range(len(groups))]
    seen, outcomes = {frozenset(base)}, []
    for count, choice in enumerate(product(*orders)):
        if count >= TIED_OUTCOMES_LIMIT:
            break
        candidate = [p for group in choice for p in group]
        funded = frozenset(
            s.project for s in greedy_steps(candidate, scores, budget, skip=skip, threshold=threshold) if s.funded
        )
        if funded not in seen:
            seen.add(funded)
            outcomes.append(sorted(funded))
    return ([[p.id for p in groups[i]] for i in mixed] if outcomes else []), outcomes
