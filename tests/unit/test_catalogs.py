"""Every string the bot can say exists in French, with the same placeholders."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from bot.i18n import load_catalog

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "N_": None}
PLACEHOLDER = re.compile(r"\{(\w+)[^}]*\}")


def _msgids() -> dict[str, str]:
    found: dict[str, str] = {}
    for package in ("conversations", "bot"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for lineno, message, _comments, _context in extract_from_file("python", path, keywords=KEYWORDS):
                if isinstance(message, tuple):
                    message = message[0]
                found.setdefault(message, f"{path.relative_to(ROOT)}:{lineno}")
    return found


MSGIDS = _msgids()


def test_the_code_has_translatable_strings():
    assert len(MSGIDS) > 100


@pytest.mark.parametrize("locale", ["fr"])
def test_every_string_is_translated(locale):
    catalog = load_catalog(locale)
    missing = [f"{where}: {msgid!r}" for msgid, where in MSGIDS.items() if not (catalog.get(msgid) and catalog.get(msgid).string)]
    assert not missing, "untranslated:\n" + "\n".join(missing)


@pytest.mark.parametrize("locale", ["fr"])
def test_translations_keep_the_placeholders(locale):
    catalog = load_catalog(locale)
    wrong = []
    for message in catalog:
        if message.id and message.string and isinstance(message.id, str):
            if sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string)):
                wrong.append(f"{message.id!r} -> {message.string!r}")
    assert not wrong, "\n".join(wrong)
