"""How a broadcast reads: its audiences' names, the line under every message, what each
language gets, and a broadcast as /broadcasts lists it."""

from __future__ import annotations

import re
from html import escape, unescape

from aiogram.utils.i18n import I18n, gettext as _
from babel import Locale

from campaign.schema import Campaign
from conversations.render import language
from storage.repositories.broadcasts import Broadcast

_TAG = re.compile(r"<[^>]+>")


def audience_label(audience: str) -> str:
    return {
        "all": _("everyone"),
        "verified": _("verified residents"),
        "authors": _("authors of projects"),
        "not_voted": _("residents who have not voted yet"),
    }.get(audience, escape(audience))


def language_name(code: str) -> str:
    """ "French", "anglais"...: a language's name in the reader's language."""
    return Locale.parse(code).get_display_name(language()) or code


def footer() -> str:
    return _("<i>Send /stop to stop receiving these announcements.</i>")


def visible_length(html: str) -> int:
    return len(unescape(_TAG.sub("", html)))


def texts_for(typed: dict[str, str], first: str, campaign: Campaign, i18n: I18n) -> dict[str, str]:
    """What each language gets: its own text (`typed`), or the one in `first`; then the line
    about /stop."""
    first_text = typed.get(first) or next(iter(typed.values()), "")
    texts = {}
    for code in campaign.languages:
        with i18n.use_locale(code):
            texts[code] = (typed.get(code) or first_text) + "\n\n" + footer()
    return texts


def kind_label(broadcast: Broadcast) -> str:
    if broadcast.kind == "message":
        return _("message")
    if broadcast.kind == "reminder":
        return _("reminder")
    if broadcast.key == "results_published":
        return _("results announcement")
    return _("announcement")


def excerpt(broadcast: Broadcast, language: str, limit: int = 90) -> str:
    text = broadcast.text.get(language) or next(iter(broadcast.text.values()), "")
    plain = " ".join(unescape(_TAG.sub("", text)).split())
    return escape(plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…")
