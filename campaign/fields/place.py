"""A proposal's category and its place on the map.

``validate_coordinates`` rejects exactly (0, 0): phones without a GPS fix
report "Null Island", and no town lies there.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from campaign.fields.errors import FieldError
from campaign.fields.text import single_line, clean_text


def validate_category(value: str | None, allowed: Sequence[str]) -> str:
    """Return the canonical spelling from ``allowed`` for ``value``.

    Buttons send the exact key, but a resident may type "Parks " or "parks";
    matching ignores case, surrounding spaces and Unicode normalisation.
    """
    allowed_tuple = tuple(allowed)
    if value is None or not clean_text(value):
        raise FieldError("empty")
    if value in allowed_tuple:
        return value
    wanted = single_line(clean_text(value)).casefold()
    for candidate in allowed_tuple:
        if single_line(clean_text(candidate)).casefold() == wanted:
            return candidate
    raise FieldError("unknown_category", {"allowed": allowed_tuple})


def _as_coordinate(value: object) -> float:
    # bool is an int subclass; True as a latitude is a bug, not 1°.
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal)):
        raise FieldError("invalid_coordinates")
    try:
        number = float(value)
    except (OverflowError, ValueError, InvalidOperation):
        raise FieldError("invalid_coordinates") from None
    if not math.isfinite(number):
        raise FieldError("invalid_coordinates")
    return number


def validate_coordinates(
    lat: float,
    lon: float,
    *,
    bbox: tuple[float, float, float, float] | None = None,
) -> tuple[float, float]:
    """Check a shared location; return ``(lat, lon)`` as floats.

    ``bbox`` is ``(min_lat, min_lon, max_lat, max_lon)``, edges included.  A
    box whose ``min_lon`` exceeds ``max_lon`` crosses the antimeridian.
    """
    latitude, longitude = _as_coordinate(lat), _as_coordinate(lon)
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise FieldError("invalid_coordinates")
    if latitude == 0.0 and longitude == 0.0:
        raise FieldError("invalid_coordinates")  # "Null Island": no GPS fix
    if bbox is not None:
        min_lat, min_lon, max_lat, max_lon = bbox
        if min_lat > max_lat:
            raise ValueError(f"bbox has min_lat > max_lat: {bbox!r}")
        if min_lon <= max_lon:
            inside_lon = min_lon <= longitude <= max_lon
        else:
            inside_lon = longitude >= min_lon or longitude <= max_lon
        if not (min_lat <= latitude <= max_lat and inside_lon):
            raise FieldError("out_of_area", {"bbox": tuple(bbox)})
    return latitude, longitude
