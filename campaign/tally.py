"""Counting rules of a participatory budget: one entry point, `select_winners`.

A project is an id and a cost; a ballot is the collection of project ids a voter approves, or,
for cumulative/scoring ballots, a mapping id -> points. Rule names are Pabulib's
(https://pabulib.org/format) where Pabulib has one; tests/unit/test_pabulib_outcomes.py checks
that they reproduce the official outcomes of real elections. The rules themselves live in
`campaign.greedy`, `campaign.mes` and `campaign.equal_shares`; every outcome carries its
`Explanation` (why each project was funded or not) as data.

Ties: more votes first, then the cheaper project, then the smaller id — unless a `tie_order`
(the campaign's stated order of projects) is given. When a tie decides what is funded, the
outcome lists the tied projects and every outcome another order would have given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property
from typing import Literal

from .equal_shares import COMPLETIONS, STOPS, MesOutcome, phragmen, run_mes
from .equal_shares import PhragmenRound as PhragmenRound
from .greedy import GreedyStep, count_votes, greedy, greedy_steps, greedy_tied_outcomes, most_voted, ranking
from .electorate import UTILITIES, Electorate, compile_electorate
from .mes import MesRun
from .tally_types import Ballot, Cost, Project

__all__ = [
    "RULES",
    "Ballot",
    "Cost",
    "Explanation",
    "Outcome",
    "Project",
    "count_votes",
    "equal_shares",
    "greedy",
    "most_voted",
    "select_winners",
]

GREEDY_RULES = ("greedy", "greedy-no-skip", "greedy-threshold", "greedy-per-cost")
MES_RULES = (
    "equalshares",
    "equalshares/add1",
    "equalshares/add1-comparison",
    "equalshares/greedy",
    "equalshares/add1/greedy",
)
RULES = ("most-voted", *GREEDY_RULES, *MES_RULES, "sequential-phragmen")
Completion = Literal["add1", "add1-comparison", "greedy", "add1/greedy"] | None
TIE_RERUNS = 12  # MES/Phragmén reruns at most to find the outcomes of other tie orders


@dataclass(frozen=True)
class Explanation:
    """Why each project was funded or not, as data (rendered in words by conversations.explain)."""

    kind: Literal["greedy", "mes", "phragmen"]
    steps: list[GreedyStep] = field(default_factory=list)  # greedy: every turn; MES: the greedy fill
    threshold: int = 0
    mes: MesRun | None = None  # the final MES run (for add1: at the raised share)
    start_share: Fraction = Fraction(0)  # budget / voters
    raises: int = 0  # add1: how many times the share was raised
    compared: str = ""  # add1-comparison: "kept" or "greedy"
    phragmen: list[PhragmenRound] = field(default_factory=list)
    dropped: list[tuple[str, Fraction]] = field(default_factory=list)  # Phragmén: too dear, money then left


@dataclass(frozen=True)
class Outcome:
    rule: str
    winners: list[str]  # in the order the rule chose them
    scores: dict[str, int]  # votes (points for cumulative ballots) of every project
    spent: Cost
    budget: Cost
    explanation: Explanation | None = None
    ties: list[list[str]] = field(default_factory=list)  # tied projects, where a tie decided
    tied_outcomes: list[list[str]] = field(default_factory=list)  # what other tie orders fund


@dataclass(frozen=True)
class Prepared:
    """Ballots compiled once, for counting them under several rules."""

    projects: list[Project]
    electorate: Electorate
    scores: dict[str, int]

    @cached_property
    def cost_of(self) -> dict[str, Cost]:
        return {p.id: p.cost for p in self.projects}


def prepare(projects: Iterable[Project], ballots: Iterable[Ballot], tie_order: Sequence[str] = ()) -> Prepared:
    projects = list(projects)
    electorate = compile_electorate(projects, ballots, tie_order)
    scores = dict(zip(electorate.ids, electorate.scores))
    return Prepared(projects, electorate, scores)


def select_winners(
    rule: str,
    projects: Iterable[Project],
    ballots: Iterable[Ballot],
    budget: Cost,
    *,
    explain: bool = True,
    **options: int | str,
) -> Outcome:
    """Apply `rule` (one of RULES) to the ballots.

    Options: `threshold` (required by greedy-threshold: the least score a project needs);
    for the equal-shares rules `utility` ("cost", "approval" or "points"; point ballots count
    as approvals unless utility="points"), and for add1 `step` (how much each raise adds to every
    voter's share, default 1) and `stop` ("overspend" or "exhausted"); for sequential-phragmen
    `skip` (1, the default: drop a project that no longer fits and go on; 0: stop there, as
    pabutools does). most-voted only considers projects that fit in the budget.
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; expected one of: {', '.join(RULES)}")
    _check_options(rule, options)
    if budget < 0:
        raise ValueError(f"the budget cannot be negative: {budget}")
    return count(rule, prepare(projects, ballots), budget, explain=explain, **options)


def count(rule: str, prepared: Prepared, budget: Cost, *, explain: bool = True, **options: int | str) -> Outcome:
    """`select_winners` on ballots already compiled by `prepare`."""
    projects, scores, el = prepared.projects, prepared.scores, prepared.electorate
    ties: list[list[str]] = []
    tied: list[list[str]] = []
    explanation: Explanation | None = None
    if rule == "most-voted":
        affordable = {p.id: p.cost for p in projects if p.cost <= budget}
        winners = most_voted({pid: scores[pid] for pid in affordable}, affordable)
    elif rule in GREEDY_RULES:
        kwargs = _greedy_options(rule, options)
        order = ranking(projects, scores, per_cost=kwargs["per_cost"])
        steps = greedy_steps(order, scores, budget, skip=kwargs["skip"], threshold=kwargs["threshold"])
        winners = [s.project for s in steps if s.funded]
        if explain:
            explanation = Explanation("greedy", steps, threshold=kwargs["threshold"])
            ties, tied = greedy_tied_outcomes(projects, scores, budget, **kwargs)
    elif rule == "sequential-phragmen":
        skip = bool(options.get("skip", 1))
        chosen, rounds, dropped = phragmen(el, Fraction(budget), skip=skip, explain=explain)
        winners = [el.ids[p] for p in chosen]
        if explain:
            explanation = Explanation("phragmen", phragmen=rounds, dropped=dropped)
            ties, tied = _rerun_ties(
                el,
                [r.tied and [r.project, *r.tied] for r in rounds],
                winners,
                lambda e: [e.ids[p] for p in phragmen(e, Fraction(budget), skip=skip, explain=False)[0]],
            )
    else:
        mes_kwargs = _mes_options(rule, options)
        result = run_mes(el, Fraction(budget), explain=explain, **mes_kwargs)
        winners = [el.ids[p] for p in result.chosen]
        if explain:
            explanation = _mes_explanation(result, el, budget, scores)
        if explain and result.ties:
            ties, tied = _rerun_ties(
                el,
                result.ties,
                winners,
                lambda e: [e.ids[p] for p in run_mes(e, Fraction(budget), **mes_kwargs).chosen],
            )
    cost_of = prepared.cost_of
    spent = sum(cost_of[w] for w in winners)
    return Outcome(rule, winners, dict(scores), spent, budget, explanation, ties, tied)


def _mes_explanation(result: MesOutcome, el: Electorate, budget: Cost, scores: Mapping[str, int]) -> Explanation:
    steps: list[GreedyStep] = []
    if result.filled:
        left = Fraction(budget) - sum((el.costs[p] for p in result.chosen if p not in result.filled), Fraction(0))
        for p in result.filled:
            steps.append(GreedyStep(el.ids[p], scores[el.ids[p]], el.costs[p], left, "funded"))
            left -= el.costs[p]
    return Explanation(
        "mes", steps, mes=result.run, start_share=result.start_share, raises=result.raises, compared=result.compared
    )


def _rerun_ties(
    el: Electorate, ties: Sequence[Sequence[str]], winners: list[str], rerun
) -> tuple[list[list[str]], list[list[str]]]:  # type: ignore[no-untyped-def]
    """The ties met, and the outcomes found by letting each other tied project win its ties."""
    met = [list(t) for t in ties if t]
    seen, outcomes = {frozenset(winners)}, []
    for tie in met:
        for other in tie:
            if len(seen) > TIE_RERUNS:
                break
            funded = frozenset(rerun(replace(el, tie_order={other: 0})))
            if funded not in seen:
                seen.add(funded)
                outcomes.append(sorted(funded))
    return (met if outcomes else []), outcomes


def _greedy_options(rule: str, options: Mapping[str, int | str]) -> dict:  # type: ignore[type-arg]
    return {
        "skip": rule != "greedy-no-skip",
        "threshold": int(options.get("threshold", 0)) if rule == "greedy-threshold" else 0,
        "per_cost": rule == "greedy-per-cost",
    }


def _mes_options(rule: str, options: Mapping[str, int | str]) -> dict:  # type: ignore[type-arg]
    completion = rule.partition("/")[2] or None
    kwargs: dict = {"completion": completion, "utility": options.get("utility", "cost")}  # type: ignore[type-arg]
    if "step" in options:
        kwargs["step"] = Fraction(options["step"])
    if "stop" in options:
        kwargs["stop"] = options["stop"]
    return kwargs


def _check_options(rule: str, options: Mapping[str, int | str]) -> None:
    allowed: set[str] = set()
    if rule == "greedy-threshold":
        allowed = {"threshold"}
    elif rule in MES_RULES:
        allowed = {"utility", "step", "stop"} if "add1" in rule else {"utility"}
    elif rule == "sequential-phragmen":
        allowed = {"skip"}
    unknown = set(options) - allowed
    if unknown:
        raise ValueError(f"rule {rule!r} takes no option {', '.join(sorted(unknown))}")
    if rule == "greedy-threshold" and "threshold" not in options:
        raise ValueError("rule 'greedy-threshold' needs a threshold= option")
    if "utility" in options and options["utility"] not in UTILITIES:
        raise ValueError(f"unknown utility {options['utility']!r}; expected one of {UTILITIES}")
    if "stop" in options and options["stop"] not in STOPS:
        raise ValueError(f"unknown stop {options['stop']!r}; expected one of {STOPS}")


def equal_shares(
    projects: Iterable[Project],
    approvals: Iterable[Iterable[str]],
    budget: Cost,
    *,
    completion: Completion = None,
    utility: str = "cost",
) -> list[str]:
    """The winners of the Method of Equal Shares (see campaign.mes), with an optional completion."""
    if completion is not None and completion not in COMPLETIONS:
        raise ValueError(f"unknown completion {completion!r}; expected one of {COMPLETIONS}")
    el = compile_electorate(list(projects), [tuple(a) for a in approvals])
    result = run_mes(el, Fraction(budget), completion=completion, utility=utility)  # type: ignore[arg-type]
    return [el.ids[p] for p in result.chosen]
