"""Validators and parsers for what a resident types in the proposal wizard.

Every function either returns a cleaned value or raises :class:`FieldError`
(``errors``), whose ``code`` the bot turns into a sentence in the resident's
language; no user-facing prose lives here.  One module per purpose:
``text`` (free text), ``cost`` (amounts of money as typed), ``place``
(category and coordinates).  Callers import from ``campaign.fields``.
"""

from __future__ import annotations

from campaign.fields.cost import ABSOLUTE_MAXIMUM_COST, MAX_COST_DECIMALS, parse_cost
from campaign.fields.errors import ERROR_CODES, FieldError
from campaign.fields.place import validate_category, validate_coordinates
from campaign.fields.text import (
    clean_text,
    parse_description,
    parse_location_text,
    parse_summary,
    parse_title,
)

__all__ = [
    "ABSOLUTE_MAXIMUM_COST",
    "ERROR_CODES",
    "MAX_COST_DECIMALS",
    "FieldError",
    "clean_text",
    "parse_cost",
    "parse_description",
    "parse_location_text",
    "parse_summary",
    "parse_title",
    "validate_category",
    "validate_coordinates",
]
