"""The texts of announcements and reminders, in every language of the campaign.

A text comes from the campaign file when it has one (`[announcements.voting_open]`, a reminder's
`text`), else from the built-in defaults below, translated through the message catalogs
(`bot/locales/fr/LC_MESSAGES/announcements.po`). Campaign texts are plain text: they are
HTML-escaped, and may use the placeholders {campaign}, {town} and {date} (the next date that
matters: when proposals close, when voting opens...). "finalists" and "voting_open" list the
finalists, "results" lists the winners, when the committee has chosen them.

What follows the vote is said as everywhere else (campaign.standing, conversations.render):
"voting_close" ends with the results date; "results", when the date comes before the committee
has published, says the results will be published very soon — never "the results are in", and
not the campaign file's own results text. (Publishing replaces the calendar's "results"
announcement with the committee's, see conversations.committee.publish.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from html import escape

from aiogram.utils.i18n import gettext as _

from bot.i18n import PoCatalogs
from campaign.announcements import FINALISTS, Planned
from campaign.schema import Campaign, pick
from campaign.standing import Standing
from conversations.render import campaign_name, money, results_news, standing_text, when

_PLACEHOLDER = re.compile(r"\{(campaign|town|date)\}")

# Which calendar date {date} stands for, per announcement.
_DATE_FIELD = {
    "proposals_open": "proposals_close",
    "proposals_close": "voting_open",
    FINALISTS: "voting_open",
    "voting_open": "voting_close",
    "voting_close": "results",
    "results": "results",
}


@dataclass(frozen=True)
class Project:
    title: str
    cost: Decimal


def _default_text(key: str) -> str:
    """The built-in text, in the current locale; {date} and {campaign} filled by the caller."""
    defaults = {
        "proposals_open": _(
            "📣 <b>{campaign}</b>: proposals are open! Send /propose to suggest a project for the town, until {date}."
        ),
        "proposals_close": _(
            "📣 <b>{campaign}</b>: proposals are closed. Thank you for your ideas! "
            "The committee is checking them; voting opens on {date}."
        ),
        FINALISTS: _(
            "📣 <b>{campaign}</b>: the committee has chosen the projects you will vote on. Voting opens on {date}."
        ),
        "voting_open": _("🗳 <b>{campaign}</b>: voting is open until {date}! Send /start to vote."),
        "voting_close": _("📣 <b>{campaign}</b>: voting is closed. Thank you for taking part!"),
        "results": _("🎉 <b>{campaign}</b>: the results are in!"),
    }
    return defaults[key]


def _fill(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _project_list(heading: str, projects: list[Project], campaign: Campaign) -> str:
    lines = [f"<b>{heading}</b>"]
    lines += [f"• {escape(p.title)} — {money(p.cost, campaign)}" for p in projects]
    return "\n".join(lines)


def render(
    item: Planned,
    campaign: Campaign,
    i18n: PoCatalogs,
    *,
    finalists: list[Project] = (),  # type: ignore[assignment]
    winners: list[Project] = (),  # type: ignore[assignment]
    where: Standing | None = None,
) -> dict[str, str]:
    """The message for `item` in each language of the campaign, HTML ready to send. `where`:
    the campaign's standing when it is queued (default: the one the item opens, unpublished)."""
    where = where or (
        Standing.RESULTS_DUE if item.key == "results" else Standing.COUNTING if item.key == "voting_close" else None
    )
    texts: dict[str, str] = {}
    for language in campaign.languages:
        with i18n.context(), i18n.use_locale(language):
            texts[language] = _render_one(item, campaign, language, list(finalists), list(winners), where)
    return texts


def _render_one(
    item: Planned,
    campaign: Campaign,
    language: str,
    finalists: list[Project],
    winners: list[Project],
    where: Standing | None,
) -> str:
    if item.key == "results" and where != Standing.PUBLISHED:
        # The results date came and the committee has not published: say what /start and
        # /results say (campaign.standing), not the campaign's "the results are in" text.
        news = standing_text(campaign, where or Standing.RESULTS_DUE)
        heading = _("📣 <b>{campaign}</b> — {news}").format(campaign=campaign_name(campaign), news=news)
        return "\n\n".join([heading, _("<i>Send /stop to stop receiving these announcements.</i>")])
    calendar = campaign.calendar
    if item.kind == "reminder":
        reminder = next(r for r in campaign.reminders if r.id == item.reminder_id)
        custom: str | None = pick(reminder.text, language, campaign.default_language)
        date_field: str = reminder.before
    else:
        localized = campaign.announcements.get(item.key)
        custom = pick(localized, language, campaign.default_language) if localized else None
        date_field = _DATE_FIELD[item.key]
    date: datetime = getattr(calendar, date_field)
    values = {"campaign": campaign_name(campaign), "town": escape(campaign.town), "date": when(date, campaign)}
    body = _fill(escape(custom), values) if custom else _fill(_default_text(item.key), values)
    if item.key == "voting_close" and not custom and where is not None:
        body += " " + results_news(campaign, where)  # the same words as /start and /vote
    parts = [body]
    if item.key in (FINALISTS, "voting_open") and finalists:
        parts.append(_project_list(_("The finalists:"), finalists, campaign))
    if item.key == "results" and winners:
        parts.append(_project_list(_("The winning projects:"), winners, campaign))
    parts.append(_("<i>Send /stop to stop receiving these announcements.</i>"))
    return "\n\n".join(parts)
