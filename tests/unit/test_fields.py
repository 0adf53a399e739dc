"""Tests for campaign.fields: what a resident types in the proposal wizard."""

from __future__ import annotations

import pickle
from decimal import Decimal
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign.fields import (
    ABSOLUTE_MAXIMUM_COST,
    ERROR_CODES,
    FieldError,
    clean_text,
    parse_cost,
    parse_description,
    parse_location_text,
    parse_summary,
    parse_title,
    validate_category,
    validate_coordinates,
)

# No example database: these tests must not leave a .hypothesis/ directory in
# a working tree that several people share.
settings.register_profile("fields", database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIELDS = settings.get_profile("fields")

NNBSP = "\u202f"
NBSP = "\u00a0"


def error_of(func: Callable[..., Any], *args: Any, **kwargs: Any) -> FieldError:
    with pytest.raises(FieldError) as info:
        func(*args, **kwargs)
    assert info.value.code in ERROR_CODES
    return info.value


# --------------------------------------------------------------------------
# FieldError
# --------------------------------------------------------------------------


def test_field_error_is_a_value_error_with_code_and_params() -> None:
    error = FieldError("too_long", {"max": 80, "length": 812})
    assert isinstance(error, ValueError)
    assert error.code == "too_long"
    assert error.params == {"max": 80, "length": 812}
    assert FieldError("empty").params == {}


def test_field_error_survives_pickling() -> None:
    # Errors may cross process boundaries (task queues, test workers).
    error = pickle.loads(pickle.dumps(FieldError("too_short", {"min": 5, "length": 2})))
    assert (error.code, error.params) == ("too_short", {"min": 5, "length": 2})


def test_field_error_rejects_undocumented_codes() -> None:
    with pytest.raises(AssertionError):
        FieldError("whatever")


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


# --------------------------------------------------------------------------
# parse_cost: accepted inputs
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # plain
        ("300", "300"),
        ("  300  ", "300"),
        ("0300", "300"),
        # thousands separators of every flavour
        ("20 000", "20000"),
        ("20 000 €", "20000"),
        (f"20{NNBSP}000{NBSP}€", "20000"),
        (f"20{NBSP}000", "20000"),
        ("1'000", "1000"),
        ("1’000", "1000"),  # phones turn ' into a typographic apostrophe
        ("1 500 000", "1500000"),
        ("1.500.000", "1500000"),
        ("1,500,000", "1500000"),
        # one separator + exactly 3 digits: thousands
        ("1.500", "1500"),
        ("1,500", "1500"),
        ("999.999", "999999"),
        # both separators: the last one is the decimal separator
        ("12.500,50", "12500.50"),
        ("12,500.50", "12500.50"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("12.500,5", "12500.50"),
        # one separator + 1-2 digits: decimals
        ("12,5", "12.50"),
        ("12.5", "12.50"),
        ("12.50", "12.50"),
        ("12,05", "12.05"),
        ("1234.5", "1234.50"),
        ("0,50", "0.50"),
        (".50", "0.50"),
        ("20 000,50", "20000.50"),
        ("12 500.50", "12500.50"),
        ("1'500.50", "1500.50"),
        # zero cents collapse to an integer-valued Decimal
        ("300,00", "300"),
        ("300.0", "300"),
        # "no cents" suffixes
        ("3 000,-", "3000"),
        ("3.000,-", "3000"),
        ("3.000,--", "3000"),
        ("300.-", "300"),
        ("300,–", "300"),  # en dash
        ("300-", "300"),
        ("300.", "300"),
        ("300,", "300"),
        # currency before / after, any case, with or without space
        ("€300", "300"),
        ("€ 300", "300"),
        ("300€", "300"),
        ("300 €", "300"),
        ("EUR 300", "300"),
        ("eur 300", "300"),
        ("300 EUR", "300"),
        ("300eur", "300"),
        ("300 euros", "300"),
        ("300 Euros", "300"),
        ("300 EURO", "300"),
        ("1 euro", "1"),
        ("€300 EUR", "300"),
        ("300 euros.", "300"),
        ("3 000,- €", "3000"),
        ("€ 3 000,-", "3000"),
        ("+300", "300"),
        # the "k" multiplier
        ("1,5k", "1500"),
        ("1.5k", "1500"),
        ("1,25 K", "1250"),
        ("20k", "20000"),
        ("20 k€", "20000"),
        ("20keur", "20000"),
        ("€20k", "20000"),
        # digits from other scripts and fullwidth keyboards
        ("３００", "300"),
        ("٣٠٠", "300"),
        ("1\uff0c5k", "1500"),
        # invisible junk pasted along with the number
        ("\u200b300\ufeff", "300"),
        ("300\n€", "300"),
    ],
)
def test_parse_cost_accepts(text: str, expected: str) -> None:
    result = parse_cost(text)
    assert result == Decimal(expected)
    # Same representation too: "12.50" stays in cents, whole amounts have no exponent.
    assert str(result) == expected


def test_parse_cost_returns_cents_only_when_there_are_cents() -> None:
    assert parse_cost("12,5").as_tuple().exponent == -2
    assert parse_cost("300,00").as_tuple().exponent == 0
    assert parse_cost("1,5k").as_tuple().exponent == 0


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("CHF 1'500.–", "CHF", "1500"),
        ("Fr. 1'500.-", "CHF", "1500"),
        ("1 500 zł", "PLN", "1500"),
        ("1500 ZŁ", "PLN", "1500"),
        ("1500 zl", "PLN", "1500"),
        ("PLN 1 500,50", "PLN", "1500.50"),
        ("$1,500.50", "USD", "1500.50"),
        ("USD 20", "USD", "20"),
        ("$20", "CAD", "20"),
        ("£20", "GBP", "20"),
        ("20 pounds", "GBP", "20"),
        ("300 kr", "SEK", "300"),
        ("300 SEK", "sek", "300"),
        ("300 XYZ", "XYZ", "300"),  # the campaign's own code is always known
    ],
)
def test_parse_cost_other_currencies(text: str, currency: str, expected: str) -> None:
    assert parse_cost(text, currency=currency) == Decimal(expected)


# --------------------------------------------------------------------------
# parse_cost: rejected inputs
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("", "empty", {}),
        (None, "empty", {}),
        ("   ", "empty", {}),
        ("\n\n\n", "empty", {}),
        ("abc", "not_a_number", {}),
        ("€", "not_a_number", {}),
        ("-", "not_a_number", {}),
        ("12abc", "not_a_number", {}),
        ("<b>300</b>", "not_a_number", {}),
        ("💶💶💶", "not_a_number", {}),
        ("300²", "not_a_number", {}),  # a superscript is not a digit
        ("1,5 million", "not_a_number", {}),
        ("300 " + "x" * 10_000, "not_a_number", {}),
        ("-5", "negative", {}),
        ("- 5", "negative", {}),
        ("−5 €", "negative", {}),  # U+2212 minus sign
        ("€-5", "negative", {}),
        ("-€5", "negative", {}),
        ("-1,5k", "negative", {}),
        ("0", "zero", {}),
        ("0,00", "zero", {}),
        ("-0", "zero", {}),
        ("0 €", "zero", {}),
        ("0,-", "zero", {}),
        ("12.5000", "too_many_decimals", {"max": 2, "decimals": 4}),
        ("0,500", "too_many_decimals", {"max": 2, "decimals": 3}),
        ("1234.567", "too_many_decimals", {"max": 2, "decimals": 3}),
        ("12.500,5000", "too_many_decimals", {"max": 2, "decimals": 4}),
        ("1.500,000", "ambiguous", {}),
        ("1,500.000", "ambiguous", {}),
        ("1 500.000", "ambiguous", {}),
        ("20 00", "ambiguous", {}),
        ("5 10", "ambiguous", {}),
        ("1.50.0", "ambiguous", {}),
        ("1..5", "ambiguous", {}),
        ("1.2345,50", "ambiguous", {}),
        ("1 000.000,50", "ambiguous", {}),
        ("1.500k", "ambiguous", {}),
        ("100-200", "ambiguous", {}),
        ("100 - 200 €", "ambiguous", {}),
        ("100 ou 200", "ambiguous", {}),
        ("06 12 34 56 78", "ambiguous", {}),
        ("$300", "wrong_currency", {"expected": "EUR", "found": "$"}),
        ("300 USD", "wrong_currency", {"expected": "EUR", "found": "USD"}),
        ("300 zł", "wrong_currency", {"expected": "EUR", "found": "PLN"}),
        ("CHF 300", "wrong_currency", {"expected": "EUR", "found": "CHF"}),
        ("£300", "wrong_currency", {"expected": "EUR", "found": "GBP"}),
        ("€300 USD", "wrong_currency", {"expected": "EUR", "found": "USD"}),
    ],
)
def test_parse_cost_rejects(text: str | None, code: str, params: dict[str, Any]) -> None:
    error = error_of(parse_cost, text)
    assert (error.code, error.params) == (code, params)


def test_parse_cost_three_digits_after_single_separator_is_thousands() -> None:
    assert parse_cost("12,345") == Decimal("12345")


def test_parse_cost_wrong_currency_for_pln_campaign() -> None:
    error = error_of(parse_cost, "300 €", currency="PLN")
    assert error.params == {"expected": "PLN", "found": "EUR"}


def test_parse_cost_bounds() -> None:
    low, high = Decimal("100"), Decimal("50000")
    assert parse_cost("100", minimum=low, maximum=high) == low
    assert parse_cost("50 000", minimum=low, maximum=high) == high

    error = error_of(parse_cost, "99,99", minimum=low, maximum=high)
    assert (error.code, error.params) == (
        "below_minimum",
        {"minimum": low, "value": Decimal("99.99")},
    )
    error = error_of(parse_cost, "50 000,01", minimum=low, maximum=high)
    assert (error.code, error.params) == (
        "above_maximum",
        {"maximum": high, "value": Decimal("50000.01")},
    )


def test_parse_cost_zero_and_negative_win_over_bounds() -> None:
    # "0" deserves "the cost cannot be zero", not "the minimum is 100".
    assert error_of(parse_cost, "0", minimum=Decimal(100)).code == "zero"
    assert error_of(parse_cost, "-5", minimum=Decimal(100)).code == "negative"


def test_parse_cost_has_an_absolute_ceiling() -> None:
    error = error_of(parse_cost, "9" * 90)
    assert error.code == "above_maximum"
    assert error.params["maximum"] == ABSOLUTE_MAXIMUM_COST


def test_parse_cost_rejects_a_bad_campaign_currency() -> None:
    with pytest.raises(ValueError) as info:
        parse_cost("300", currency="euro")
    assert not isinstance(info.value, FieldError)


# --------------------------------------------------------------------------
# parse_cost: properties
# --------------------------------------------------------------------------

MAX_CENTS = 10**11  # up to one billion


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join([digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)])


@st.composite
def typed_amount(draw: st.DrawFn) -> tuple[Decimal, str]:
    """An amount and one way a resident could type it."""
    cents = draw(st.integers(min_value=1, max_value=MAX_CENTS))
    whole = draw(st.booleans())
    if whole:
        cents -= cents % 100 or 0
        cents = max(cents, 100)
    value = Decimal(cents).scaleb(-2)
    value = value.quantize(Decimal(1)) if cents % 100 == 0 else value
    integer, fraction = divmod(cents, 100)

    decimal_sep = draw(st.sampled_from([",", "."]))
    other = "." if decimal_sep == "," else ","
    group_sep = draw(st.sampled_from(["", " ", NNBSP, NBSP, "'", "’", other]))
    digits = _group(str(integer), group_sep) if group_sep else str(integer)

    if fraction:
        shown = f"{fraction:02d}"
        if shown.endswith("0") and draw(st.booleans()):
            shown = shown[0]  # "12,5"
        number = f"{digits}{decimal_sep}{shown}"
    else:
        number = digits + draw(st.sampled_from(["", f"{decimal_sep}00", f"{decimal_sep}-", ",-"]))
        if number.endswith(",-") and group_sep == ",":
            number = digits  # "1,500,-" is not a habit anyone has

    before = draw(st.sampled_from(["", "€", "€ ", "EUR ", "eur "]))
    after = draw(st.sampled_from(["", "€", " €", f"{NBSP}€", " EUR", "EUR", " euros", " euro"]))
    padding = draw(st.sampled_from(["", " ", "  \n"]))
    return value, f"{padding}{before}{number}{after}{padding}"


@FIELDS
@given(typed_amount())
def test_parse_cost_reads_back_what_people_type(case: tuple[Decimal, str]) -> None:
    value, text = case
    result = parse_cost(text)
    assert result == value, text
    assert str(result) == str(value), text


@FIELDS
@given(st.text())
def test_parse_cost_only_raises_field_error(text: str) -> None:
    try:
        result = parse_cost(text)
    except FieldError as error:
        assert error.code in ERROR_CODES
    else:
        assert result > 0
        assert result.as_tuple().exponent in (0, -2)


@FIELDS
@given(st.text(alphabet=st.sampled_from(list("0123456789 .,'’-+k€$EURuros\u202f\u00a0")), max_size=30))
def test_parse_cost_only_raises_field_error_on_number_like_text(text: str) -> None:
    try:
        result = parse_cost(text)
    except FieldError as error:
        assert error.code in ERROR_CODES
    else:
        assert Decimal(0) < result <= ABSOLUTE_MAXIMUM_COST
        assert result.as_tuple().exponent in (0, -2)


# --------------------------------------------------------------------------
# validate_category
# --------------------------------------------------------------------------

CATEGORIES = ("parks", "streets", "culture", "Sport & Loisirs")


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


# --------------------------------------------------------------------------
# validate_coordinates
# --------------------------------------------------------------------------

# Roughly the commune of Grenoble: (min_lat, min_lon, max_lat, max_lon).
TOWN = (45.15, 5.67, 45.21, 5.76)


def test_validate_coordinates_accepts_points_in_town() -> None:
    assert validate_coordinates(45.18, 5.72, bbox=TOWN) == (45.18, 5.72)
    assert validate_coordinates(45.15, 5.67, bbox=TOWN) == (45.15, 5.67)  # edges count
    assert validate_coordinates(Decimal("45.18"), 5, bbox=None) == (45.18, 5.0)
    assert validate_coordinates(-33.9, 151.2) == (-33.9, 151.2)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (91.0, 5.0),
        (-90.5, 5.0),
        (45.0, 180.5),
        (45.0, -181.0),
        (float("nan"), 5.0),
        (45.0, float("inf")),
        (0.0, 0.0),  # "Null Island": a phone without a GPS fix
        ("45.1", "5.7"),
        (None, 5.0),
        (True, 5.0),
        (Decimal("NaN"), 5.0),
    ],
)
def test_validate_coordinates_invalid(lat: Any, lon: Any) -> None:
    error = error_of(validate_coordinates, lat, lon, bbox=TOWN)
    assert (error.code, error.params) == ("invalid_coordinates", {})


@pytest.mark.parametrize(("lat", "lon"), [(48.85, 2.35), (45.22, 5.72), (45.18, 5.77)])
def test_validate_coordinates_out_of_area(lat: float, lon: float) -> None:
    error = error_of(validate_coordinates, lat, lon, bbox=TOWN)
    assert (error.code, error.params) == ("out_of_area", {"bbox": TOWN})


def test_validate_coordinates_bbox_across_the_antimeridian() -> None:
    fiji = (-19.0, 177.0, -16.0, -179.0)
    assert validate_coordinates(-17.5, 178.4, bbox=fiji) == (-17.5, 178.4)
    assert validate_coordinates(-17.5, -179.5, bbox=fiji) == (-17.5, -179.5)
    assert error_of(validate_coordinates, -17.5, 170.0, bbox=fiji).code == "out_of_area"


def test_validate_coordinates_rejects_an_upside_down_bbox() -> None:
    with pytest.raises(ValueError) as info:
        validate_coordinates(45.18, 5.72, bbox=(45.21, 5.67, 45.15, 5.76))
    assert not isinstance(info.value, FieldError)


# --------------------------------------------------------------------------
# Every error carries a documented code
# --------------------------------------------------------------------------

_PARSERS: list[Callable[[str], object]] = [
    parse_title,
    parse_summary,
    parse_description,
    parse_location_text,
    parse_cost,
    lambda text: parse_cost(text, minimum=Decimal(100), maximum=Decimal(1000)),
    lambda text: validate_category(text, CATEGORIES),
]


@FIELDS
@given(st.sampled_from(range(len(_PARSERS))), st.text())
def test_every_error_has_a_documented_code(index: int, text: str) -> None:
    try:
        _PARSERS[index](text)
    except FieldError as error:
        assert error.code in ERROR_CODES
        assert isinstance(error.params, dict)


@FIELDS
@given(
    st.one_of(st.floats(), st.integers(), st.decimals(), st.none(), st.text()),
    st.one_of(st.floats(), st.integers(), st.decimals(), st.none(), st.text()),
)
def test_validate_coordinates_only_raises_field_error(lat: Any, lon: Any) -> None:
    try:
        validate_coordinates(lat, lon, bbox=TOWN)
    except FieldError as error:
        assert error.code in {"invalid_coordinates", "out_of_area"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("about 20 000 €", "20000"),
        ("environ 1.500 €", "1500"),
        ("~300", "300"),
        ("à peu près 12 500,50 €", "12500.50"),
        ("ca. 800", "800"),
    ],
)
def test_a_hedged_estimate_is_read_as_its_amount(text, expected):
    assert parse_cost(text) == Decimal(expected)
