"""Phone normalisation, prefixes, keyed hashes, codes and retry delays."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, strategies as st

from campaign import verification as v

SECRET = b"0123456789abcdef-secret"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("+32 470 12 34 56", "+32470123456"),
        ("0032470123456", "+32470123456"),
        ("32470123456", "+32470123456"),  # how Telegram sends a contact
        ("+32 (0)470", None),
        ("+33-6.12.34.56.78", "+33612345678"),
        ("0470/12.34.56", "+32470123456"),
    ],
)
def test_normalize(raw, expected):
    if expected is None:
        with pytest.raises(v.PhoneError):
            v.normalize_phone(raw, "+32")
    else:
        assert v.normalize_phone(raw, "+32") == expected


@pytest.mark.parametrize("raw, code", [("", "empty"), ("  ", "empty"), ("+32abc", "invalid"), ("+3247", "too_short"),
                                       ("+1234567890123456", "too_long"), ("0470123456", "national"), ("+０３２４７０１２３４５６", "invalid")])
def test_refusals(raw, code):
    with pytest.raises(v.PhoneError) as error:
        v.normalize_phone(raw)
    assert error.value.code == code


@given(st.text(max_size=40))
def test_any_text_is_normalised_or_refused(text):
    try:
        phone = v.normalize_phone(text, "+32")
    except v.PhoneError:
        return
    assert phone.startswith("+") and phone[1:].isdigit() and phone[1] != "0"
    assert v.E164_MIN_DIGITS <= len(phone) - 1 <= v.E164_MAX_DIGITS
    assert v.normalize_phone(phone, "+32") == phone  # idempotent


@given(st.sampled_from(["32", "33", "352", "1"]), st.text(alphabet="0123456789", min_size=7, max_size=10),
       st.sampled_from(["", " ", "-", ".", "  "]))
def test_separators_do_not_matter(country, number, separator):
    number = "4" + number[1:]
    spaced = separator.join(number[i:i + 2] for i in range(0, len(number), 2))
    assert v.normalize_phone(f"+{country}{spaced}") == v.normalize_phone(f"00{country}{number}") == f"+{country}{number}"


def test_prefixes():
    assert v.has_allowed_prefix("+32470123456", ["+32"])
    assert not v.has_allowed_prefix("+33612345678", ["+32"])
    assert v.has_allowed_prefix("+33612345678", [])


def test_keyed_hashes_depend_on_key_and_purpose():
    phone = "+32470123456"
    assert v.phone_hash(SECRET, phone) == v.phone_hash(SECRET, phone)
    assert v.phone_hash(SECRET, phone) != v.phone_hash(b"another-key-0123456", phone)
    assert v.phone_hash(SECRET, phone) != v.code_hash(SECRET, phone)
    assert phone[1:] not in v.phone_hash(SECRET, phone)
    assert v.voter_key(SECRET, "c1", 42) != v.voter_key(SECRET, "c2", 42)
    with pytest.raises(ValueError):
        v.keyed_hash(b"", "phone", phone)


def test_codes():
    codes = {v.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert v.normalize_code(v.display_code(code)) == code
        assert v.normalize_code(v.display_code(code).lower().replace("-", " ")) == code
    assert v.normalize_code("hello") is None
    assert v.normalize_code("OOOOO-11111") is None  # look-alikes are not in the alphabet


def test_retry_wait_doubles_after_three():
    now = datetime(2030, 5, 20, tzinfo=timezone.utc)
    assert v.retry_wait(2, now, now) is None
    assert v.retry_wait(3, now, now) == timedelta(seconds=30)
    assert v.retry_wait(4, now, now) == timedelta(seconds=60)
    assert v.retry_wait(30, now, now) == timedelta(hours=1)
    assert v.retry_wait(3, now - timedelta(seconds=31), now) is None
