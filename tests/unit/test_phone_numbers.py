"""Phone numbers read as their country writes them (phonenumbers), or refused with a reason."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from conversations.verification.numbers import PhoneError, contact_number, region_of, typed_number


@pytest.mark.parametrize(
    "raw, prefix, expected",
    [
        # The cases: each used to become another number, silently.
        ("+32 (0)470 12 34 56", "+32", "+32470123456"),
        ("06 1234 5678", "+39", "+390612345678"),  # Italy keeps the leading zero
        ("8 912 345 67 89", "+7", "+79123456789"),  # Russia's trunk prefix 8
        ("+32 470 12 34 56", "+32", "+32470123456"),
        ("0032470123456", "+32", "+32470123456"),
        ("32470123456", "+32", "+32470123456"),  # the country code without its plus
        ("33612345678", "+32", "+33612345678"),  # not Belgian: a French number without its plus
        ("+33-6.12.34.56.78", "+32", "+33612345678"),
        ("0470/12.34.56", "+32", "+32470123456"),
        ("+32 (0)470 12 34 56", None, "+32470123456"),
        ("0032470123456", None, "+32470123456"),
        ("+79123456789", None, "+79123456789"),
    ],
)
def test_a_typed_number_is_read_in_the_campaigns_country(raw, prefix, expected):
    assert typed_number(raw, region_of([prefix] if prefix else [])) == expected


@pytest.mark.parametrize(
    "raw, prefix, code",
    [
        ("8 912 345 67 89", None, "invalid"),  # no country known: not "+89123456789"
        ("8 912 345 67 89", "+32", "too_long"),  # too long for a Belgian number
        ("06 1234 5678", None, "national"),
        ("0470123456", None, "national"),
        ("", "+32", "empty"),
        ("   ", "+32", "empty"),
        ("+32abc", "+32", "invalid"),
        ("+3247", None, "too_short"),
        ("+32 (0)470", "+32", "too_short"),
        ("+32 470 12 34 56 78 90 12", "+32", "too_long"),
        ("+32 400 12 34 56", "+32", "invalid"),  # the right length, but no such Belgian number
        ("not a phone", "+32", "invalid"),
    ],
)
def test_a_typed_number_that_cannot_be_read_is_refused_with_a_reason(raw, prefix, code):
    with pytest.raises(PhoneError) as error:
        typed_number(raw, region_of([prefix] if prefix else []))
    assert error.value.code == code


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("32470123456", "+32470123456"),  # how Telegram sends a contact
        ("+32470123456", "+32470123456"),
        ("0032470123456", "+32470123456"),
        ("+32 470 12 34 56", "+32470123456"),
        ("79123456789", "+79123456789"),
        ("390612345678", "+390612345678"),
    ],
)
def test_a_contacts_number_is_international(raw, expected):
    assert contact_number(raw) == expected


@pytest.mark.parametrize(
    "raw, code", [("", "empty"), ("3247", "too_short"), ("abc", "invalid"), ("+1234567890123456789", "too_long")]
)
def test_a_contact_that_cannot_be_read_is_refused(raw, code):
    with pytest.raises(PhoneError) as error:
        contact_number(raw)
    assert error.value.code == code


def test_the_region_comes_from_the_first_prefix():
    assert region_of(["+32"]) == "BE"
    assert region_of(["+39", "+378"]) == "IT"
    assert region_of(["+7"]) == "RU"
    assert region_of([]) is None
    assert region_of(["+999"]) is None


@given(st.text(max_size=40), st.sampled_from([None, "BE", "IT", "RU", "FR"]))
def test_any_text_is_read_or_refused(text, region):
    try:
        phone = typed_number(text, region)
    except PhoneError:
        return
    assert phone.startswith("+") and phone[1:].isdigit() and phone[1] != "0"
    assert 8 <= len(phone) - 1 <= 15
    assert typed_number(phone, region) == phone == contact_number(phone)  # idempotent, and agreed


@given(
    st.sampled_from(["+32 470 12 34 56", "+33 6 12 34 56 78", "+352 621 123 456", "+1 202 555 0143"]),
    st.sampled_from(["", " ", "-", ".", "  "]),
)
def test_separators_do_not_matter(number, separator):
    spaced = number.replace(" ", separator)
    assert (
        typed_number(spaced, None)
        == typed_number("00" + number[1:], None)
        == contact_number(number)
        == number.replace(" ", "")
    )
