"""Phone prefixes, keyed hashes, codes and retry delays."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, strategies as st

from campaign import verification as v

SECRET = b"0123456789abcdef-secret"


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


# --- attestations and duplicate requests (issue 8) ---------------------------------------------


@pytest.mark.parametrize(
    ("minimum_age", "residency", "age", "lives", "enough"),
    [
        (None, None, None, None, True),
        (16, None, None, None, False),
        (16, None, True, None, True),
        (None, "Testville", True, None, False),
        (None, "Testville", None, True, True),
        (16, "Testville", True, True, True),
        (16, "Testville", True, False, False),
    ],
)
def test_attested_covers_exactly_what_the_campaign_asks(minimum_age, residency, age, lives, enough):
    from campaign.verification import attested

    assert attested(minimum_age, residency, age, lives) is enough


LATIN = st.text(
    st.characters(whitelist_categories=("Lu", "Ll", "Zs", "Pd"), max_codepoint=0xFF), max_size=40
)  # Latin-1: where upper() and casefold() agree


@given(LATIN, LATIN)
def test_person_key_ignores_case_accents_and_spacing(name, street):
    from campaign.verification import person_key

    assert person_key(name, street) == person_key(f"  {name.upper()} ", street.replace(" ", "  "))


def test_person_key_tells_different_people_apart():
    from campaign.verification import person_key

    assert person_key("Jean Dupont", "Rue Haute") == person_key("jean-dupont", "RUE HAUTE")
    assert person_key("Jean Dupont", "Rue Haute") != person_key("Jeanne Dupont", "Rue Haute")
    assert person_key("Jean Dupont", "Rue Haute") != person_key("Jean Dupont", "Rue Basse")
