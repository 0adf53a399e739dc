"""Tests for campaign.fields.validate_category: the category a resident picks for a proposal."""

from __future__ import annotations

import pytest

from campaign.fields import validate_category
from tests.unit.field_checks import CATEGORIES, error_of


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("parks", "parks"),
        ("  Parks ", "parks"),
        ("PARKS", "parks"),
        ("sport &  loisirs", "Sport & Loisirs"),
    ],
)
def test_validate_category_accepts(value: str, expected: str) -> None:
    assert validate_category(value, CATEGORIES) == expected


@pytest.mark.parametrize(("value", "code"), [("pools", "unknown_category"), ("", "empty"), ("  ", "empty")])
def test_validate_category_rejects(value: str, code: str) -> None:
    error = error_of(validate_category, value, CATEGORIES)
    assert error.code == code
    if code == "unknown_category":
        assert error.params == {"allowed": CATEGORIES}
