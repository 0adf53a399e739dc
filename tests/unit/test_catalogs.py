"""Every string the bot can say exists in every language of bot/locales, with the same
placeholders and, for counts, every plural form its catalog's Plural-Forms asks for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from bot.i18n import LOCALES, PoCatalogs, load_catalog, make_i18n

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)[^}]*\}")
# Every language with a catalog; English is the msgids themselves.
TRANSLATED = sorted(p.name for p in LOCALES.iterdir() if p.is_dir() and any((p / "LC_MESSAGES").glob("*.po")))

Msgid = str | tuple[str, str]


def _msgids() -> dict[Msgid, str]:
    found: dict[Msgid, str] = {}
    for package in ("conversations", "bot"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for lineno, message, _comments, _context in extract_from_file("python", path, keywords=DEFAULT_KEYWORDS):
                found.setdefault(message, f"{path.relative_to(ROOT)}:{lineno}")
    return found


MSGIDS = _msgids()


def test_the_code_has_translatable_strings_and_counts():
    assert len(MSGIDS) > 100
    assert sum(isinstance(m, tuple) for m in MSGIDS) >= 15  # ngettext(singular, plural, n)


def test_french_is_a_translated_language():
    assert "fr" in TRANSLATED


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_string_is_translated(locale):
    catalog = load_catalog(locale)
    missing = []
    for msgid, where in MSGIDS.items():
        message = catalog.get(msgid[0] if isinstance(msgid, tuple) else msgid)
        if message is None or (isinstance(msgid, tuple) and message.id != msgid):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, "untranslated:\n" + "\n".join(missing)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_the_placeholders_in_every_plural_form(locale):
    catalog = load_catalog(locale)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
            wrong.append(f"{message.id!r}: {len(strings)} forms, Plural-Forms says {catalog.num_plurals}")
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for text in (*ids, *strings):
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                wrong.append(f"{message.id!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_file_of_a_language_declares_the_same_plural_rule(locale):
    rules = set()
    for path in (LOCALES / locale / "LC_MESSAGES").glob("*.po"):
        with path.open("rb") as po_file:
            rules.add(read_po(po_file, locale=locale).plural_forms)
    assert len(rules) == 1, rules


def test_pybabel_extracts_one_template_with_every_string(tmp_path, monkeypatch):
    # The translators' workflow (README, "Adding a language"), run as they would.
    monkeypatch.chdir(ROOT)
    pot = tmp_path / "pbbot.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", "babel.cfg", "-o", str(pot), "."])
    with pot.open("rb") as pot_file:
        template = read_po(pot_file)
    extracted = {message.id for message in template if message.id}
    assert extracted == set(MSGIDS)


SINGULAR, PLURAL = "🗳 {count} project is on the ballot.", "🗳 {count} projects are on the ballot."


@pytest.mark.parametrize(
    "locale, count, expected",
    [
        ("en", 1, "🗳 1 project is on the ballot."),
        ("en", 0, "🗳 0 projects are on the ballot."),
        ("en", 2, "🗳 2 projects are on the ballot."),
        ("fr", 1, "🗳 1 projet est soumis au vote."),
        ("fr", 0, "🗳 0 projet est soumis au vote."),  # French: zero is singular
        ("fr", 2, "🗳 2 projets sont soumis au vote."),
        ("fr", 1_000_000, "🗳 1000000 de projets sont soumis au vote."),  # "un million de projets"
    ],
)
def test_a_count_takes_the_form_its_language_wants(locale, count, expected):
    i18n = make_i18n()
    assert i18n.gettext(SINGULAR, PLURAL, count, locale=locale).format(count=count) == expected


@pytest.mark.parametrize(
    "singular, plural, english, french, french_two",
    [
        (
            "🎉 <b>{campaign}</b>: the results are in! {count} resident voted.",
            "🎉 <b>{campaign}</b>: the results are in! {count} residents voted.",
            "1 resident voted.",
            "1 habitant a voté.",
            "2 habitants ont voté.",
        ),
        (
            "🎉 Your project #{number} {title} is one of the winning projects, with {votes} vote! "
            "The committee will tell you what happens next.",
            "🎉 Your project #{number} {title} is one of the winning projects, with {votes} votes! "
            "The committee will tell you what happens next.",
            "with 1 vote!",
            "avec 1 voix !",
            "avec 2 voix !",
        ),
        (
            "{count} resident voted: {share} of the town's {population} inhabitants. Published on {date}.",
            "{count} residents voted: {share} of the town's {population} inhabitants. Published on {date}.",
            "1 resident voted:",
            "1 habitant a voté :",
            "2 habitants ont voté :",
        ),
        (
            "{voters} paid {amount}",
            "{voters} paid {amount}",
            "1 paid 5 €",
            "1 a payé 5 €",
            "2 ont payé 5 €",
        ),  # the tally's
    ],
)
def test_the_issues_counts_read_right_for_one(singular, plural, english, french, french_two):
    i18n = make_i18n()
    values = {
        "campaign": "X",
        "count": 1,
        "votes": 1,
        "voters": 1,
        "amount": "5 €",
        "number": 4,
        "title": "T",
        "share": "1%",
        "population": 100,
        "date": "d",
    }
    assert english in i18n.gettext(singular, plural, 1, locale="en").format(**values)
    assert french in i18n.gettext(singular, plural, 1, locale="fr").format(**values)
    two = {**values, "count": 2, "votes": 2, "voters": 2}
    assert french_two in i18n.gettext(singular, plural, 2, locale="fr").format(**two)


def test_a_new_language_is_one_file_made_by_pybabel_init(tmp_path, monkeypatch):
    # README, "Adding a language": extract, init, translate; the bot reads the new file as it is.
    monkeypatch.chdir(ROOT)
    pot, locales = tmp_path / "pbbot.pot", tmp_path / "locales"
    cli = CommandLineInterface()
    cli.run(["pybabel", "-q", "extract", "-F", "babel.cfg", "-o", str(pot), "."])
    cli.run(["pybabel", "-q", "init", "-i", str(pot), "-d", str(locales), "-D", "pbbot", "-l", "nl"])
    po = locales / "nl" / "LC_MESSAGES" / "pbbot.po"
    text = po.read_text(encoding="utf-8")
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in text
    # A translator fills in one count:
    entry = f'msgid "{SINGULAR}"\nmsgid_plural "{PLURAL}"\nmsgstr[0] ""\nmsgstr[1] ""\n'
    assert entry in text
    po.write_text(
        text.replace(
            entry,
            entry.replace(
                'msgstr[0] ""\nmsgstr[1] ""',
                (
                    'msgstr[0] "🗳 {count} project staat op het stembiljet."\nmsgstr[1] "🗳 {count} projecten staan op het stembiljet."'
                ),
            ),
        ),
        encoding="utf-8",
    )
    i18n = PoCatalogs(path=locales, default_locale="nl", domain="pbbot")
    assert i18n.gettext(SINGULAR, PLURAL, 1, locale="nl").format(count=1) == "🗳 1 project staat op het stembiljet."
    assert i18n.gettext(SINGULAR, PLURAL, 0, locale="nl").format(count=0) == "🗳 0 projecten staan op het stembiljet."


def test_the_bot_refuses_a_campaign_language_it_has_no_catalog_for():
    assert set(make_i18n("fr", ["fr", "en"]).available_locales) >= {"fr"}
    with pytest.raises(ValueError, match='no catalog for it: see the README, "Adding a language"'):
        make_i18n("fr", ["fr", "tlh"])  # Klingon: not Dutch, which README's "Adding a language" adds
