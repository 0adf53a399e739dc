"""The data every counting rule shares (kept apart so that the rule modules can import it
without importing each other)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal

Cost = int | Decimal
Ballot = Collection[str] | Mapping[str, int]


@dataclass(frozen=True)
class Project:
    id: str
    cost: Cost  # in currency units
