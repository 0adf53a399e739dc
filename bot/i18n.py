"""Message catalogs (gettext .po files, English msgids) and the per-update locale.

Each locale has one .po file per part of the bot (`bot/locales/fr/LC_MESSAGES/*.po`), merged
when the bot starts. They are read with Babel, so there is no compile step to forget and no
binary .mo file to keep in sync. English needs no catalog: the msgids are the English text.
A count is written with `ngettext(singular, plural, n)`; each catalog's `Plural-Forms` header
says which form a number takes in its language (French: 0 and 1 are singular). The README's
"Adding a language" says how the catalogs are extracted and updated.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "pbbot"
SOURCE_LANGUAGE = "en"  # the msgids: English needs no catalog


class PoCatalogs(I18n):
    @contextmanager
    def context(self) -> Iterator[I18n]:
        # aiogram's gettext() looks up the current I18n on the base class; a subclass has
        # a context variable of its own, so set the base one.
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        translations: dict[str, gettext.GNUTranslations] = {}
        for locale_dir in sorted(p for p in self.path.iterdir() if p.is_dir()):
            catalog = load_catalog(locale_dir.name, self.path)
            compiled = BytesIO()
            write_mo(compiled, catalog)
            compiled.seek(0)
            translations[locale_dir.name] = gettext.GNUTranslations(compiled)
        return translations


def load_catalog(locale: str, path: Path = LOCALES) -> Catalog:
    """Every .po file of a locale as one catalog, with the plural rule its files declare
    (their `Plural-Forms` header, which must be the same in every file of the locale)."""
    merged = Catalog(locale=locale, domain=DOMAIN)
    plural_forms: str | None = None
    for po_path in sorted((path / locale / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as po_file:
            part = read_po(po_file, locale=locale, domain=DOMAIN)
        if plural_forms is None:
            plural_forms = part.plural_forms
            merged.mime_headers = [("Plural-Forms", plural_forms)]
        elif part.plural_forms != plural_forms:
            raise ValueError(f"{po_path}: Plural-Forms {part.plural_forms!r} differs from {plural_forms!r}")
        for message in part:
            if message.id and _translated(message.string):
                merged[message.id] = message
    return merged


def _translated(string: str | Sequence[str] | None) -> bool:
    """A message counts only when it is translated, every plural form included."""
    if isinstance(string, (tuple, list)):
        return all(string)
    return bool(string)


def make_i18n(default_locale: str = "en", languages: Sequence[str] = ()) -> PoCatalogs:
    """The catalogs; refuses `languages` (the campaign's) that have none."""
    i18n = PoCatalogs(path=LOCALES, default_locale=default_locale, domain=DOMAIN)
    missing = [code for code in languages if code != SOURCE_LANGUAGE and code not in i18n.available_locales]
    if missing:
        raise ValueError(
            f"the campaign speaks {', '.join(missing)}, but bot/locales has no catalog for it: "
            'see the README, "Adding a language"'
        )
    return i18n


def pick_language(telegram_code: str | None, supported: list[str], default: str) -> str:
    """The Telegram app's language if the campaign speaks it ("fr-BE" -> "fr")."""
    if telegram_code:
        base = telegram_code.split("-")[0].lower()
        if base in supported:
            return base
    return default


class ResidentLocale(I18nMiddleware):
    """Each update is answered in the resident's language (set by UserMiddleware)."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user = data.get("user")
        if user is not None:
            return user.language
        return self.i18n.default_locale
