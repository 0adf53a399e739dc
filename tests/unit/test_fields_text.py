"""Tests for campaign.fields' text fields: how typed text is cleaned, and the title, summary, description
and location a resident types in the proposal wizard."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign.fields import (
    FieldError,
    clean_text,
    parse_description,
    parse_location_text,
    parse_summary,
    parse_title,
)
from tests.unit.field_checks import FIELDS, error_of

# --------------------------------------------------------------------------
# clean_text
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  hello  ", "hello"),
        ("a  \t  b", "a b"),
        ("a\u00a0\u00a0b", "a b"),  # no-break spaces count as spaces
        ("a\u3000b", "a b"),  # ideographic space
        ("   ", ""),
        ("\t \u00a0\u202f", ""),
        ("\n\n\n", ""),
        ("", ""),
        (None, ""),
        ("para 1\n\n\n\n\npara 2", "para 1\n\npara 2"),
        ("para 1\n  \n \t \n\npara 2", "para 1\n\npara 2"),
        ("line 1\nline 2", "line 1\nline 2"),
        ("\n\n  start\n\n\n", "start"),
        ("windows\r\nline\rold mac", "windows\nline\nold mac"),
        ("u2028\u2028u2029\u2029end", "u2028\nu2029\nend"),
        ("bell\x07 nul\x00 esc\x1b[31m del\x7f c1\x85x", "bell nul esc[31m del c1\nx"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("bidi \u202eevil\u202c", "bidi evil"),
        ("cafe\u0301", "café"),  # NFC
        ("e\u200b\u0301", "é"),  # NFC after removing the invisible character
        ("lone \ud800 surrogate", "lone surrogate"),
        ("<b>bold</b> & <script>x</script>", "<b>bold</b> & <script>x</script>"),
        ("👨\u200d👩\u200d👧 family ✌\ufe0f", "👨\u200d👩\u200d👧 family ✌\ufe0f"),
        ("trailing   \nspaces", "trailing\nspaces"),
    ],
)
def test_clean_text(raw: str | None, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_text_many_blank_lines() -> None:
    raw = "first" + "\n" * 500 + "second" + "\n \n" * 100 + "third"
    assert clean_text(raw) == "first\n\nsecond\n\nthird"


@FIELDS
@given(st.text())
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@FIELDS
@given(st.text(alphabet=st.sampled_from(list("ab \t\n\r\u00a0\u200b\u0301e\x00"))))
def test_clean_text_is_idempotent_on_whitespace_soup(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert "  " not in once
    assert "\n\n\n" not in once
    assert once == once.strip()


# --------------------------------------------------------------------------
# Text fields
# --------------------------------------------------------------------------


def test_parse_title_makes_one_line() -> None:
    assert parse_title("  New   bench\n\nin the park  ") == "New bench in the park"


def test_parse_title_keeps_html_emoji_verbatim() -> None:
    assert parse_title("<b>Bancs</b> 🌳 & fleurs") == "<b>Bancs</b> 🌳 & fleurs"


@pytest.mark.parametrize(
    ("func", "text", "code", "params"),
    [
        (parse_title, "", "empty", {}),
        (parse_title, None, "empty", {}),
        (parse_title, "     ", "empty", {}),
        (parse_title, "\n\n\n\n", "empty", {}),
        (parse_title, "abc", "too_short", {"min": 5, "length": 3}),
        (parse_title, "x" * 812, "too_long", {"max": 80, "length": 812}),
        (parse_title, "y" * 10_000, "too_long", {"max": 80, "length": 10_000}),
        (parse_summary, "short", "too_short", {"min": 20, "length": 5}),
        (parse_summary, "s" * 301, "too_long", {"max": 300, "length": 301}),
        (parse_description, "too short", "too_short", {"min": 50, "length": 9}),
        (parse_description, "d" * 3001, "too_long", {"max": 3000, "length": 3001}),
        (parse_description, "d" * 10_000, "too_long", {"max": 3000, "length": 10_000}),
        (parse_location_text, "ab", "too_short", {"min": 3, "length": 2}),
        (parse_location_text, "l" * 201, "too_long", {"max": 200, "length": 201}),
        (parse_location_text, " \n , \n", "empty", {}),
    ],
)
def test_text_field_errors(func: Callable[..., str], text: str | None, code: str, params: dict[str, Any]) -> None:
    error = error_of(func, text)
    assert (error.code, error.params) == (code, params)


def test_lengths_are_measured_after_cleaning() -> None:
    # 80 letters padded with spaces and blank lines is still a valid title.
    assert parse_title("   " + "a " * 40 + "\n\n\n") == ("a " * 40).strip()


def test_length_bounds_are_inclusive_and_configurable() -> None:
    assert parse_title("x" * 80) == "x" * 80
    assert parse_title("x" * 5) == "x" * 5
    assert parse_title("ab", min_length=2, max_length=2) == "ab"
    assert error_of(parse_title, "abc", min_length=1, max_length=2).params == {"max": 2, "length": 3}
    with pytest.raises(ValueError):
        parse_title("abc", min_length=10, max_length=2)  # a configuration bug


def test_summary_and_description_keep_paragraphs() -> None:
    text = "First paragraph is here.\n\n\n\nSecond   paragraph\there."
    assert parse_summary(text) == "First paragraph is here.\n\nSecond paragraph here."
    long_text = "A" * 60 + "\n\n\n" + "B" * 60
    assert parse_description(long_text) == "A" * 60 + "\n\n" + "B" * 60


def test_location_text_is_one_line() -> None:
    assert parse_location_text("12 rue Haute,\n\n75000 Paris\n") == "12 rue Haute, 75000 Paris"
    assert parse_location_text("  behind   the school ") == "behind the school"


@FIELDS
@given(st.text(), st.integers(min_value=1, max_value=120))
def test_parse_title_is_single_line_and_bounded(text: str, max_length: int) -> None:
    try:
        title = parse_title(text, min_length=1, max_length=max_length)
    except FieldError as error:
        assert error.code in {"empty", "too_long"}
        return
    assert "\n" not in title and "\r" not in title
    assert 1 <= len(title) <= max_length
    assert title == clean_text(title)
