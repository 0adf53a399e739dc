"""`cumulative`: share `points` points among the finalists (as Katowice votes).

The ballot lists a project once per point: (3, 3, 5) gives two points to project 3 and one to
project 5. Pressing a project gives it one more point while points are left; once all are
given, pressing a project that has some takes them back (so a resident can move points with
the buttons alone). The tally counts the points (Pabulib `cumulative`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from campaign.ballot_types import BallotError, BallotRules, PointsBallotType, register


@register
class Cumulative(PointsBallotType):
    name = "cumulative"
    pabulib_vote_type = "cumulative"

    def limit(self, rules: BallotRules) -> int | None:
        return rules.max_choices if "max_choices" in rules.model_fields_set else None

    def validate(
        self, rules: BallotRules, choices: Iterable[int], finalists: Mapping[int, Decimal], envelope: Decimal
    ) -> tuple[int, ...]:
        normalised = super().validate(rules, choices, finalists, envelope)
        allowed = _points(rules)
        if len(normalised) > allowed:
            raise BallotError("too_many_points", maximum=allowed, count=len(normalised))
        return normalised

    def toggle(
        self, rules: BallotRules, choices: Iterable[int], project: int, finalists: Mapping[int, Decimal]
    ) -> tuple[int, ...]:
        if project not in finalists:
            raise BallotError("not_finalist", project=project)
        current = [c for c in self.normalise(choices) if c in finalists]
        if len(current) < _points(rules):
            limit = self.limit(rules)
            if project not in current and limit is not None and len(set(current)) >= limit:
                raise BallotError("too_many", maximum=limit, count=len(set(current)) + 1)
            return self.normalise([*current, project])
        if project in current:
            return self.normalise(c for c in current if c != project)
        raise BallotError("too_many_points", maximum=_points(rules), count=len(current) + 1)

    def pabulib_meta(self, rules: BallotRules, envelope: int | Decimal) -> dict[str, str]:
        meta = {"max_sum_points": str(_points(rules))}
        if "max_choices" in rules.model_fields_set:
            meta["max_length"] = str(rules.max_choices)
        return meta


def _points(rules: BallotRules) -> int:
    points: int = rules.points  # type: ignore[attr-defined]  # campaign.schema.Ballot.points
    return points
