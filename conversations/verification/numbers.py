"""Reading a phone number the way the campaign's country writes it, with Google's libphonenumber.

Numbers are stored only as keyed hashes of their E.164 form, so a number read wrongly fails
silently: the resident never matches the register. Trunk prefixes ("+32 (0)470…", Russia's
"8 912…"), Italy's leading zero ("06 1234 5678" is +390612345678) and the length of every
country's numbers are the library's business (`phonenumbers`), not ours.

The campaign's region comes from its first `phone_prefixes` entry ("+32" -> BE, "+7" -> RU):
national forms ("0470 12 34 56") are read in that country. Without prefixes, only international
forms are read ("+32…", "0032…").
"""

from __future__ import annotations

from collections.abc import Sequence

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult


class PhoneError(ValueError):
    """A phone number that cannot be read; `code` says why (empty, invalid, too_short, too_long, national)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def region_of(prefixes: Sequence[str]) -> str | None:
    """The country ("BE") whose national forms the campaign reads, from its first prefix ("+32")."""
    if not prefixes:
        return None
    region = phonenumbers.region_code_for_country_code(int(prefixes[0].lstrip("+")))
    return None if region == phonenumbers.UNKNOWN_REGION else region


def contact_number(raw: str) -> str:
    """E.164 of the number in a Telegram contact ("32470123456": international, digits without
    the plus). Only its length is checked: Telegram has checked the number itself, and a range
    newer than the library's data must not lock a resident out."""
    text = _stripped(raw)
    if text.startswith("00"):
        text = "+" + text[2:]
    elif not text.startswith("+"):
        text = "+" + text
    return _e164(_parse(text, None), strict=False)


def typed_number(raw: str, region: str | None) -> str:
    """E.164 of a number someone typed (the register), read in the campaign's `region`:
    "+32 (0)470 12 34 56", "0032 470…", "0470 12 34 56" (BE), "32470123456". A typed number
    must be a valid number of its country: a typo is reported, never stored as another number."""
    text = _stripped(raw)
    if region is None:
        if text.startswith("00"):
            text = "+" + text[2:]
        elif text.startswith("0"):
            raise PhoneError("national")  # "0470…" needs a country: the campaign gives none
        elif not text.startswith("+"):
            text = "+" + text  # international digits without the plus, as Telegram writes them
    number = _parse(text, region)
    if not phonenumbers.is_valid_number(number) and region is not None and text[0].isdigit() and text[0] != "0":
        # "33612345678" in a Belgian register: not a Belgian number, but a French one without its plus.
        try:
            international = phonenumbers.parse("+" + text, None)
        except NumberParseException:
            pass
        else:
            if phonenumbers.is_valid_number(international):
                number = international
    return _e164(number, strict=True)


def _stripped(raw: str | None) -> str:
    text = "".join((raw or "").split())
    if not text:
        raise PhoneError("empty")
    return text


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException as error:
        if (
            error.error_type == NumberParseException.TOO_SHORT_NSN
            or error.error_type == NumberParseException.TOO_SHORT_AFTER_IDD
        ):
            raise PhoneError("too_short") from None
        if error.error_type == NumberParseException.TOO_LONG:
            raise PhoneError("too_long") from None
        if (
            error.error_type == NumberParseException.INVALID_COUNTRY_CODE
            and region is None
            and not text.startswith("+")
        ):
            raise PhoneError("national") from None
        raise PhoneError("invalid") from None


def _e164(number: phonenumbers.PhoneNumber, *, strict: bool) -> str:
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.TOO_SHORT:
        raise PhoneError("too_short")
    if reason == ValidationResult.TOO_LONG:
        raise PhoneError("too_long")
    if reason != ValidationResult.IS_POSSIBLE:
        raise PhoneError("invalid")
    if strict and not phonenumbers.is_valid_number(number):
        raise PhoneError("invalid")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
