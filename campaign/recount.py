"""Recount a Pabulib election: the rule its file names (or another), checked before counting.

`recount` is what `pbbot tally FILE.pb` runs. A file the rules cannot count faithfully — no
budget, ranked (ordinal) or unknown ballots, a rule pbbot does not know — raises `PbError`
naming the line and the section, rather than being counted as something it is not.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .pabulib import PbElection, PbError, parse_number
from .tally import RULES, Outcome, count, prepare

COUNTABLE_VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring")


@dataclass(frozen=True)
class Recount:
    rule: str
    options: dict[str, int | str]
    outcome: Outcome
    agrees_with_selected: bool | None  # None: the file has no `selected` column
    official: list[str]  # the selected projects (empty without the column)

    @property
    def funded(self) -> list[str]:
        return self.outcome.winners


def check_countable(election: PbElection) -> None:
    """Raise PbError if the election cannot be counted as its file says."""
    for title in ("PROJECTS", "VOTES"):
        if title not in election.lines and election.lines:
            raise PbError(max(election.lines.values()), title, f"the file has no {title} section")
    if "vote_type" not in election.meta:
        raise PbError(election.where("META"), "META", "no 'vote_type' row (approval, choose-1, cumulative or scoring)")
    vote_type = election.meta["vote_type"]
    line = election.where("META:vote_type")
    if vote_type == "ordinal":
        raise PbError(
            line,
            "META",
            "vote_type 'ordinal' (ranked ballots) cannot be counted: pbbot's rules count "
            "approval, choose-1, cumulative and scoring ballots",
        )
    if vote_type not in COUNTABLE_VOTE_TYPES:
        raise PbError(
            line, "META", f"unknown vote_type {vote_type!r} (expected one of {', '.join(COUNTABLE_VOTE_TYPES)})"
        )
    election.budget  # noqa: B018 - raises PbError when missing or invalid


def recount(election: PbElection, rule: str | None = None, **options: int | str) -> Recount:
    check_countable(election)
    if rule is None:
        rule = election.rule
        if not rule:
            raise PbError(election.where("META"), "META", "no 'rule' row: choose a rule (--rule)")
        if rule not in RULES:
            raise PbError(
                election.where("META:rule"),
                "META",
                f"rule {rule!r} is not one pbbot counts; choose one with --rule ({', '.join(RULES)})",
            )
    elif rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; expected one of: {', '.join(RULES)}")
    if rule == "greedy-threshold" and "threshold" not in options:
        if "min_project_score_threshold" not in election.meta:
            raise PbError(
                election.where("META"), "META", "rule greedy-threshold needs a 'min_project_score_threshold' row"
            )
        try:
            options["threshold"] = int(parse_number(election.meta["min_project_score_threshold"]))
        except ValueError:
            raise PbError(
                election.where("META:min_project_score_threshold"),
                "META",
                "min_project_score_threshold is not a number",
            ) from None
    outcome = count(rule, prepare(election.tally_projects(), election.ballots()), election.budget, **options)
    has_selected = any(p.selected is not None for p in election.projects.values())
    official = [p.id for p in election.projects.values() if p.selected == 1]
    agrees = set(outcome.winners) == set(official) if has_selected else None
    return Recount(rule, options, outcome, agrees, official)


def plain(value: Any) -> Any:
    """Explanation data as JSON-ready values: exact amounts become ints, or floats to 6 places."""
    if isinstance(value, (Fraction, Decimal)):
        return int(value) if value == int(value) else round(float(value), 6)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def as_json(result: Recount) -> dict[str, Any]:
    outcome = result.outcome
    return {
        "rule": result.rule,
        "funded": list(outcome.winners),
        "cost": plain(outcome.spent),
        "budget": plain(outcome.budget),
        "agrees_with_selected": result.agrees_with_selected,
        "ties": outcome.ties,
        "tied_outcomes": outcome.tied_outcomes,
        "explanation": plain(outcome.explanation),
    }
