"""Ballot types as strategies: one module per type in this package, one object per type.

A ballot type says what a resident may put on a ballot (`validate`), what pressing a project
does while filling it (`toggle`), how the bot shows it (`one_tap`, `shows_total`,
`points_of`), its Pabulib `vote_type` and header lines, and what the tally counts (`tally_input`).
Every module of this package is imported below and registers its type with `@register`, so a
new type is one new module here (plus its texts in conversations.ballot_texts and its tests).

A ballot is stored as a sorted tuple of project numbers. Types that give points list a project
once per point (cumulative: (3, 3, 5) is two points to project 3 and one to project 5), so the
storage, the encryption and the digests shown to residents do not depend on the type.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import ClassVar, Protocol


class BallotRules(Protocol):
    """The campaign file's `ballot` section (campaign.schema.Ballot), as the types read it."""

    @property
    def type(self) -> str: ...
    @property
    def max_choices(self) -> int: ...
    @property
    def model_fields_set(self) -> set[str]: ...


class BallotError(ValueError):
    """`code`: empty | not_finalist | too_many | over_budget, or one its type adds; `params` for the message."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(code)


def total_cost(choices: Iterable[int], finalists: Mapping[int, Decimal]) -> Decimal:
    return sum((finalists[c] for c in set(choices) if c in finalists), Decimal(0))


class BallotType:
    """The approval-like default: distinct projects, at most `limit` of them."""

    name: ClassVar[str]
    pabulib_vote_type: ClassVar[str] = "approval"
    one_tap: ClassVar[bool] = False  # pressing a project is the whole vote (no list to fill)
    shows_total: ClassVar[bool] = False  # the running cost against the envelope is shown

    def check(self, rules: BallotRules) -> str | None:
        """What is wrong with the campaign file's ballot section for this type, if anything."""
        return None

    def limit(self, rules: BallotRules) -> int | None:
        """The most distinct projects a ballot may hold (None: no limit of its own)."""
        return rules.max_choices

    def normalise(self, choices: Iterable[int]) -> tuple[int, ...]:
        return tuple(sorted(set(int(c) for c in choices)))

    def points_of(self, choices: Iterable[int]) -> dict[int, int]:
        """Project -> what the ballot gives it (1 for a ticked project)."""
        return dict.fromkeys(self.normalise(choices), 1)

    def validate(
        self, rules: BallotRules, choices: Iterable[int], finalists: Mapping[int, Decimal], envelope: Decimal
    ) -> tuple[int, ...]:
        """The ballot as the sorted tuple to store, or BallotError. Every check starts again
        from the finalists: a crafted or stale button naming another project gets nowhere."""
        normalised = self.normalise(choices)
        if not normalised:
            raise BallotError("empty")
        strangers = [c for c in normalised if c not in finalists]
        if strangers:
            raise BallotError("not_finalist", project=strangers[0])
        limit = self.limit(rules)
        distinct = len(set(normalised))
        if limit is not None and distinct > limit:
            raise BallotError("too_many", maximum=limit, count=distinct)
        return normalised

    def toggle(
        self, rules: BallotRules, choices: Iterable[int], project: int, finalists: Mapping[int, Decimal]
    ) -> tuple[int, ...]:
        """Tick or untick `project`; ticking beyond the number allowed is refused at once."""
        current = set(c for c in self.normalise(choices) if c in finalists)
        if project not in finalists:
            raise BallotError("not_finalist", project=project)
        if project in current:
            current.discard(project)
        else:
            limit = self.limit(rules)
            if limit is not None and len(current) >= limit:
                raise BallotError("too_many", maximum=limit, count=len(current) + 1)
            current.add(project)
        return tuple(sorted(current))

    def tally_input(self, choices: Sequence[int]) -> Sequence[int] | Mapping[int, int]:
        """What the tally counts for this ballot: the projects approved, or project -> points."""
        return self.normalise(choices)

    def tally_options(self, rule: str) -> dict[str, int | str]:
        """Options the tally takes for these ballots under `rule`, beside the rule's own."""
        return {}

    def pabulib_points(self, choices: Sequence[int]) -> tuple[int, ...] | None:
        """The `points` column of this ballot's Pabulib line (None: no such column)."""
        return None

    def pabulib_meta(self, rules: BallotRules, envelope: int | Decimal) -> dict[str, str]:
        """The Pabulib META lines this type adds (beside min_length 1)."""
        return {"max_length": str(rules.max_choices)}


class PointsBallotType(BallotType):
    """Types whose ballots give points: a project is listed once per point."""

    def normalise(self, choices: Iterable[int]) -> tuple[int, ...]:
        return tuple(sorted(int(c) for c in choices))

    def points_of(self, choices: Iterable[int]) -> dict[int, int]:
        return dict(sorted(Counter(int(c) for c in choices).items()))

    def tally_input(self, choices: Sequence[int]) -> Mapping[int, int]:
        return self.points_of(choices)

    def tally_options(self, rule: str) -> dict[str, int | str]:
        # Equal shares would otherwise count a point ballot as approvals (campaign.tally).
        return {"utility": "points"} if rule.startswith("equalshares") else {}

    def pabulib_points(self, choices: Sequence[int]) -> tuple[int, ...]:
        return tuple(self.points_of(choices).values())


BALLOT_TYPES: dict[str, BallotType] = {}


def register(cls: type[BallotType]) -> type[BallotType]:
    """Class decorator: make the type known by its name (to the campaign file and the bot)."""
    BALLOT_TYPES[cls.name] = cls()
    return cls


def ballot_type(name: str) -> BallotType:
    return BALLOT_TYPES[name]


# Import every module of the package, so that each type registers itself.
for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
