"""Tests for campaign.fields.validate_coordinates: where a proposal is, inside the campaign's area."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign.fields import FieldError, validate_coordinates
from tests.unit.field_checks import FIELDS, error_of

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
