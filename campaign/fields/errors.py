"""Why a resident's input was refused: :class:`FieldError` and its codes.

Every validator in :mod:`campaign.fields` either returns a cleaned value or
raises :class:`FieldError`.  A ``FieldError`` carries a machine-readable
``code`` and a ``params`` dict; the bot turns the pair into a sentence in the
resident's language.  This package therefore contains no user-facing prose.

Error codes and their params (see ``ERROR_CODES``):

=====================  ====================================================
code                   params
=====================  ====================================================
empty                  {}
too_short              {"min": int, "length": int}
too_long               {"max": int, "length": int}
not_a_number           {}
ambiguous              {}
too_many_decimals      {"max": 2, "decimals": int}
wrong_currency         {"expected": "EUR", "found": "USD"}  (found is the
                       ISO code, or the symbol as typed when it names
                       several currencies: "$", "kr", "¥")
negative               {}
zero                   {}
below_minimum          {"minimum": Decimal, "value": Decimal}
above_maximum          {"maximum": Decimal, "value": Decimal}
unknown_category       {"allowed": tuple[str, ...]}
invalid_coordinates    {}
out_of_area            {"bbox": (min_lat, min_lon, max_lat, max_lon)}
=====================  ====================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

ERROR_CODES: Final[frozenset[str]] = frozenset(
    {
        "empty",
        "too_short",
        "too_long",
        "not_a_number",
        "ambiguous",
        "too_many_decimals",
        "wrong_currency",
        "negative",
        "zero",
        "below_minimum",
        "above_maximum",
        "unknown_category",
        "invalid_coordinates",
        "out_of_area",
    }
)


class FieldError(ValueError):
    """A resident's input was rejected.

    ``code`` is one of ``ERROR_CODES``; ``params`` holds the values the bot
    needs to explain the problem (limits, measured length, ...).
    """

    code: str
    params: dict[str, Any]

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        # A typo in a code would surface as an untranslated message in the
        # bot; fail loudly in development instead.
        if code not in ERROR_CODES:
            raise AssertionError(f"unknown FieldError code {code!r}")
        self.code = code
        self.params = dict(params or {})
        # Passing both to ValueError keeps the exception picklable (args are
        # replayed into __init__) and gives logs a useful str().
        super().__init__(code, self.params)

    def __str__(self) -> str:
        return f"{self.code} {self.params}" if self.params else self.code

    def __repr__(self) -> str:
        return f"FieldError({self.code!r}, {self.params!r})"
