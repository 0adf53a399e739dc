"""Counting rules of a participatory budget: plain functions on plain data.

A project is an id and a cost; a ballot is the collection of project ids a voter approves,
or, for cumulative/scoring ballots, a mapping id -> points. Rule names are Pabulib's
(https://pabulib.org/format); tests/unit/test_pabulib_outcomes.py checks that they
reproduce the official outcomes of real elections.

Ties are always broken the same way, so an outcome never depends on the input order:
more votes first, then the cheaper project, then the smaller id (plain string order).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import gcd, lcm
from typing import Literal

Cost = int | Decimal
Ballot = Collection[str] | Mapping[str, int]
Completion = Literal["add1", "add1-comparison"] | None

RULES = (
    "most-voted",
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "equalshares",
    "equalshares/add1",
    "equalshares/add1-comparison",
)
COMPLETIONS = ("add1", "add1-comparison")


@dataclass(frozen=True)
class Project:
    id: str
    cost: Cost  # in currency units


@dataclass(frozen=True)
class Outcome:
    rule: str
    winners: list[str]  # in the order the rule chose them
    scores: dict[str, int]  # votes (points for cumulative ballots) of every project
    spent: Cost
    budget: Cost


# --- counting and greedy rules -------------------------------------------------------


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


def greedy(
    projects: Iterable[Project],
    scores: Mapping[str, int],
    budget: Cost,
    *,
    skip: bool = True,
    threshold: int = 0,
) -> list[str]:
    """Fund projects by decreasing score, each if it fits in what is left of the budget.

    skip=False stops at the first project that does not fit (greedy-no-skip).
    Projects scoring under `threshold` are ignored (greedy-threshold), and a project
    nobody voted for is never funded.
    """
    winners: list[str] = []
    left = budget
    for project in _by_score(projects, scores):
        score = scores.get(project.id, 0)
        if score < threshold or score <= 0:
            break  # the projects after it score no more
        if project.cost <= left:
            winners.append(project.id)
            left -= project.cost
        elif not skip:
            break
    return winners


def _by_score(projects: Iterable[Project], scores: Mapping[str, int]) -> list[Project]:
    return sorted(projects, key=lambda p: (-scores.get(p.id, 0), p.cost, p.id))


# --- Method of Equal Shares ----------------------------------------------------------


def equal_shares(
    projects: Iterable[Project],
    approvals: Iterable[Collection[str]],
    budget: Cost,
    *,
    completion: Completion = None,
) -> list[str]:
    """Method of Equal Shares with cost utilities, in exact arithmetic.

    The budget is split equally among the voters. Repeatedly, among the projects whose
    supporters can still pay for them, the one needing the smallest largest payment
    relative to its cost is bought (supporters pay equal shares, those who cannot pay
    all they have left); MES stops when no project is affordable.

    completion="add1": while money is left, rerun MES with every voter's share raised by
    one currency unit, and keep the new outcome as long as it stays within the budget;
    stop at the first raise whose outcome would overspend. (Stopping earlier, as soon as
    no further project would fit, changes Wieliczka 2023's official outcome.)

    completion="add1-comparison": add1, then equalshares.net's comparison step: the
    greedy outcome replaces it if strictly more voters approve more of greedy's winners.

    Every raise reruns MES (Assen 2024 takes 843 runs), so a run has to be cheap.
    """
    if completion is not None and completion not in COMPLETIONS:
        raise ValueError(f"unknown completion {completion!r}; expected one of {COMPLETIONS}")
    projects = list(projects)
    approvals = [frozenset(ballot) for ballot in approvals]
    electorate = _compile(projects, approvals)
    if electorate.voters == 0:
        return []
    total = Fraction(budget)
    if completion is None:
        chosen = _mes(electorate, total / electorate.voters)
    else:
        chosen = _add_one_completion(electorate, total)
    winners = [electorate.ids[p] for p in chosen]
    if completion == "add1-comparison":
        winners = _compare_with_greedy(projects, approvals, budget, winners)
    return winners


def _add_one_completion(electorate: _Electorate, total: Fraction) -> list[int]:
    supported_cost = sum(cost for cost, votes in zip(electorate.costs, electorate.votes) if votes)
    if supported_cost <= total:
        # Raising the shares would never overspend, and once one voter's share could pay
        # for every supported project all of them are bought: that is where add1 ends.
        # (equalshares.net runs plain MES here instead, which can leave money unspent.)
        return _mes(electorate, max(supported_cost, Fraction(1)))
    endowment = total / electorate.voters
    chosen = _mes(electorate, endowment)
    while True:
        endowment += 1
        raised = _mes(electorate, endowment)
        if sum(electorate.costs[p] for p in raised) > total:
            return chosen
        chosen = raised


def _compare_with_greedy(
    projects: list[Project],
    approvals: list[frozenset[str]],
    budget: Cost,
    winners: list[str],
) -> list[str]:
    greedy_winners = greedy(projects, count_votes(approvals), budget)
    mes_set, greedy_set = set(winners), set(greedy_winners)
    prefer_mes = prefer_greedy = 0
    for ballot in approvals:
        mes_approved, greedy_approved = len(ballot & mes_set), len(ballot & greedy_set)
        prefer_mes += mes_approved > greedy_approved
        prefer_greedy += greedy_approved > mes_approved
    return greedy_winners if prefer_greedy > prefer_mes else winners


@dataclass(frozen=True)
class _Electorate:
    """Approvals compiled for MES.

    Voters with identical ballots always hold the same budget, so they are one weighted
    group: Wieliczka's 6,586 voters are 1,190 groups.
    """

    ids: list[str]
    costs: list[Fraction]
    group_sizes: list[int]
    supporters: list[list[int]]  # per project: the groups approving it
    votes: list[int]  # per project: the voters approving it
    voters: int

    def tie_key(self, project: int) -> tuple[int, Fraction, str]:
        return (-self.votes[project], self.costs[project], self.ids[project])


def _compile(projects: Sequence[Project], approvals: Iterable[frozenset[str]]) -> _Electorate:
    index = {p.id: i for i, p in enumerate(projects)}
    if len(index) != len(projects):
        raise ValueError("two projects share an id")
    costs = [Fraction(p.cost) for p in projects]
    if any(cost < 0 for cost in costs):
        raise ValueError("a project cannot cost less than nothing")
    supporters: list[list[int]] = [[] for _ in projects]
    votes = [0] * len(projects)
    sizes: list[int] = []
    for group, (ballot, size) in enumerate(Counter(approvals).items()):
        sizes.append(size)
        for project_id in ballot:
            if project_id not in index:
                raise ValueError(f"a ballot approves an unknown project: {project_id!r}")
            supporters[index[project_id]].append(group)
            votes[index[project_id]] += size
    return _Electorate(
        ids=[p.id for p in projects],
        costs=costs,
        group_sizes=sizes,
        supporters=supporters,
        votes=votes,
        voters=sum(sizes),
    )


def _mes(electorate: _Electorate, endowment: Fraction) -> list[int]:
    return _FixedBudgetRun(electorate, endowment).winners()


class _FixedBudgetRun:
    """One run of MES where each voter starts with `endowment`.

    Money is kept in integers, exactly: every amount is multiplied by `scale`, and
    `scale` (with every budget) grows whenever a payment is not a whole number of units.
    Integers are much faster than Fractions, which matters because add1 reruns MES
    hundreds of times (843 runs for Assen).
    """

    def __init__(self, electorate: _Electorate, endowment: Fraction) -> None:
        self.el = electorate
        self.scale = lcm(endowment.denominator, *(c.denominator for c in electorate.costs))
        start = endowment.numerator * (self.scale // endowment.denominator)
        self.budgets = [start] * len(electorate.group_sizes)

    def winners(self) -> list[int]:
        el = self.el
        # A free project costs its supporters nothing: fund it first.
        chosen = sorted(
            (p for p, cost in enumerate(el.costs) if cost == 0 and el.votes[p] > 0),
            key=el.tie_key,
        )
        # A project's effective votes only fall as budgets are spent, so the last value
        # computed bounds the current one; only projects whose bound reaches the best
        # value so far are recomputed (equalshares.net's lazy evaluation).
        bound = {
            p: Fraction(votes)
            for p, (cost, votes) in enumerate(zip(el.costs, el.votes))
            if cost > 0 and votes > 0
        }
        while bound:
            best = self.best_projects(bound)
            if not best:
                break
            winner = min(best, key=el.tie_key)
            self.charge(winner, *best[winner])
            chosen.append(winner)
            del bound[winner]
        return chosen

    def best_projects(self, bound: dict[int, Fraction]) -> dict[int, tuple[int, int]]:
        """The affordable projects with the most effective votes, with their payment.

        Updates `bound` and drops from it the projects nobody can afford any more.
        """
        best: dict[int, tuple[int, int]] = {}
        best_votes = Fraction(0)
        for project in sorted(bound, key=bound.__getitem__, reverse=True):
            if bound[project] < best_votes:
                break
            evaluated = self.effective_votes(project)
            if evaluated is None:
                del bound[project]  # budgets only shrink: it stays unaffordable
                continue
            bound[project], payment = evaluated
            if bound[project] > best_votes:
                best_votes, best = bound[project], {}
            if bound[project] == best_votes:
                best[project] = payment
        return best

    def effective_votes(self, project: int) -> tuple[Fraction, tuple[int, int]] | None:
        """(cost / largest payment, that payment as numerator and denominator),
        or None when the supporters cannot pay for the project together.

        Supporters pay equal shares, except those who cannot and pay all they have.
        """
        held: defaultdict[int, int] = defaultdict(int)  # budget -> voters holding it
        budgets, sizes = self.budgets, self.el.group_sizes
        for group in self.el.supporters[project]:
            held[budgets[group]] += sizes[group]
        cost = self.scaled_cost(project)
        if sum(budget * voters for budget, voters in held.items()) < cost:
            return None
        paid, payers = 0, self.el.votes[project]
        for budget in sorted(held):
            if cost - paid <= budget * payers:
                break  # this budget, and every larger one, covers an equal share
            paid += budget * held[budget]
            payers -= held[budget]
        return Fraction(cost * payers, cost - paid), (cost - paid, payers)

    def charge(self, project: int, numerator: int, denominator: int) -> None:
        rescale = denominator // gcd(numerator, denominator)
        if rescale > 1:
            self.scale *= rescale
            self.budgets = [budget * rescale for budget in self.budgets]
        payment = numerator * rescale // denominator
        budgets = self.budgets
        for group in self.el.supporters[project]:
            budgets[group] = budgets[group] - payment if budgets[group] > payment else 0

    def scaled_cost(self, project: int) -> int:
        cost = self.el.costs[project]
        return cost.numerator * (self.scale // cost.denominator)


# --- single entry point --------------------------------------------------------------


def select_winners(
    rule: str,
    projects: Iterable[Project],
    ballots: Iterable[Ballot],
    budget: Cost,
    **options: int,
) -> Outcome:
    """Apply `rule` (one of RULES) to the ballots.

    Options: `threshold` (required by greedy-threshold: the least score a project needs).
    The equal-shares rules read id->points ballots as approvals of the projects given
    points; most-voted only considers projects that fit in the budget.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; expected one of: {', '.join(RULES)}")
    _check_options(rule, options)
    projects = list(projects)
    ballots = list(ballots)
    if budget < 0:
        raise ValueError(f"the budget cannot be negative: {budget}")
    scores = _scores(projects, ballots)
    winners = _apply(rule, projects, ballots, scores, budget, options)
    cost_of = {p.id: p.cost for p in projects}
    spent = sum(cost_of[w] for w in winners)
    return Outcome(rule=rule, winners=winners, scores=scores, spent=spent, budget=budget)


def _check_options(rule: str, options: Mapping[str, int]) -> None:
    allowed = {"threshold"} if rule == "greedy-threshold" else set()
    unknown = set(options) - allowed
    if unknown:
        raise ValueError(f"rule {rule!r} takes no option {', '.join(sorted(unknown))}")
    if rule == "greedy-threshold" and "threshold" not in options:
        raise ValueError("rule 'greedy-threshold' needs a threshold= option")


def _scores(projects: list[Project], ballots: list[Ballot]) -> dict[str, int]:
    scores = {p.id: 0 for p in projects}
    for project_id, score in count_votes(ballots).items():
        if project_id not in scores:
            raise ValueError(f"a ballot votes for an unknown project: {project_id!r}")
        scores[project_id] = score
    return scores


def _apply(
    rule: str,
    projects: list[Project],
    ballots: list[Ballot],
    scores: dict[str, int],
    budget: Cost,
    options: Mapping[str, int],
) -> list[str]:
    if rule == "most-voted":
        affordable = {p.id: p.cost for p in projects if p.cost <= budget}
        return most_voted({pid: scores[pid] for pid in affordable}, affordable)
    if rule == "greedy":
        return greedy(projects, scores, budget)
    if rule == "greedy-no-skip":
        return greedy(projects, scores, budget, skip=False)
    if rule == "greedy-threshold":
        return greedy(projects, scores, budget, threshold=options["threshold"])
    approvals = [_approved(ballot) for ballot in ballots]
    completion: Completion = rule.partition("/")[2] or None  # type: ignore[assignment]
    return equal_shares(projects, approvals, budget, completion=completion)


def _approved(ballot: Ballot) -> Collection[str]:
    if isinstance(ballot, Mapping):
        return [project_id for project_id, points in ballot.items() if points > 0]
    return ballot
