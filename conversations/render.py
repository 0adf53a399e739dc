"""How campaign facts read in a chat message, in the resident's language."""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import lru_cache
from decimal import Decimal
from html import escape

from aiogram.utils.i18n import get_i18n, gettext as _
from babel.dates import format_datetime

from campaign.calendar import Phase, phase_at
from campaign.fields import FieldError
from campaign.proposal import ProposalDraft, ProposalStatus
from campaign.schema import Campaign, pick
from campaign.standing import Standing, standing
from conversations.money import format_money


def language() -> str:
    return get_i18n().current_locale


def when(moment: datetime, campaign: Campaign) -> str:
    return _when(moment, campaign.zone, language())


def money(amount: Decimal, campaign: Campaign) -> str:
    return _money(amount, campaign.currency, language())


# Babel's formatting costs about half a millisecond a call, and the same dates (the campaign's)
# and amounts (the budget, the projects' costs) come back on most updates: kept, a few thousand.
@lru_cache(maxsize=4096)
def _when(moment: datetime, zone: tzinfo, locale: str) -> str:
    local = moment.astimezone(zone)
    pattern = "d MMMM y" if (local.hour, local.minute) == (0, 0) else "d MMMM y, HH:mm"
    return format_datetime(local, pattern, locale=locale)


@lru_cache(maxsize=4096)
def _money(amount: Decimal, currency: str, locale: str) -> str:
    return format_money(amount, currency, locale)


def campaign_name(campaign: Campaign) -> str:
    return escape(pick(campaign.name, language(), campaign.default_language))


def category_name(campaign: Campaign, category_id: str | None) -> str:
    category = campaign.category(category_id or "")
    return escape(pick(category.names, language(), campaign.default_language)) if category else "—"


def results_news(campaign: Campaign, where: Standing) -> str:
    """What residents are told about the results (campaign.standing has the rule)."""
    if where == Standing.PUBLISHED:
        return _("The results have been published: send /results to see them.")
    if where == Standing.RESULTS_DUE:
        return _("The committee is finishing the count: the results will be published very soon.")
    return _("The results will be published on {date}.").format(date=when(campaign.calendar.results, campaign))


def standing_text(campaign: Campaign, where: Standing) -> str:
    """Where the campaign stands and when the next step opens: every resident-facing sentence
    about the phase and the results starts here, so /start, /vote and /results agree."""
    cal = campaign.calendar
    if where == Standing.UPCOMING:
        return _("Proposals open on {date}.").format(date=when(cal.proposals_open, campaign))
    if where == Standing.PROPOSALS:
        return _("Proposals are open until {close}. Voting: {open} to {end}.").format(
            close=when(cal.proposals_close, campaign),
            open=when(cal.voting_open, campaign),
            end=when(cal.voting_close, campaign),
        )
    if where == Standing.REVIEW:
        return _("Proposals are closed; the committee is checking them. Voting opens on {date}.").format(
            date=when(cal.voting_open, campaign)
        )
    if where == Standing.VOTING:
        return _("Voting is open until {date}.").format(date=when(cal.voting_close, campaign))
    return _("Voting is closed.") + " " + results_news(campaign, where)


def phase_summary(campaign: Campaign, now: datetime, *, published: bool) -> str:
    return standing_text(campaign, standing(campaign.calendar, now, published=published))


def proposals_closed_reason(campaign: Campaign, now: datetime, *, published: bool) -> str:
    cal = campaign.calendar
    if phase_at(cal, now) == Phase.UPCOMING:
        return _("Proposals are not open yet: they open on {date}.").format(date=when(cal.proposals_open, campaign))
    return (
        _("Proposals closed on {date}.").format(date=when(cal.proposals_close, campaign))
        + " "
        + phase_summary(campaign, now, published=published)
    )


def status_label(status: ProposalStatus) -> str:
    labels = {
        ProposalStatus.DRAFT: _("draft"),
        ProposalStatus.SUBMITTED: _("submitted, waiting for review"),
        ProposalStatus.CHANGES_REQUESTED: _("changes requested by the committee"),
        ProposalStatus.ELIGIBLE: _("eligible"),
        ProposalStatus.INELIGIBLE: _("not eligible"),
        ProposalStatus.MERGED: _("merged with another project"),
        ProposalStatus.FINALIST: _("finalist"),
        ProposalStatus.WINNER: _("winner"),
    }
    return labels[status]


def location_text(draft: ProposalDraft) -> str:
    if draft.latitude is not None and draft.longitude is not None:
        return _("map pin ({lat:.5f}, {lon:.5f})").format(lat=draft.latitude, lon=draft.longitude)
    return escape(draft.location_text or "—")


def proposal_sheet(draft: ProposalDraft, campaign: Campaign, *, number: int | None = None) -> str:
    """The project sheet, every field labelled; user text escaped."""
    missing = "—"
    heading = _("Project #{number}").format(number=number) if number else _("Your project")
    cost = money(draft.cost, campaign) if draft.cost is not None else missing
    rows = [
        (_("Title"), escape(draft.title or missing)),
        (_("Summary"), escape(draft.summary or missing)),
        (_("Description"), escape(draft.description or missing)),
        (_("Category"), category_name(campaign, draft.category)),
        (_("Location"), location_text(draft)),
        (_("Estimated cost"), cost),
        (_("Photo"), _("yes") if draft.photo_file_id else _("none")),
    ]
    labelled = _("{label}:")  # French puts a no-break space before the colon
    lines = [f"<b>{heading}</b>", ""] + [f"<b>{labelled.format(label=label)}</b> {value}" for label, value in rows]
    return "\n".join(lines)


def field_error(error: FieldError, campaign: Campaign) -> str:
    """A FieldError as one short sentence saying what is wrong."""
    p = error.params
    code = error.code
    if code == "empty":
        return _("That was empty.")
    if code == "too_short":
        return _("That is too short: at least {min} characters, please.").format(min=p.get("min", p.get("minimum", "")))
    if code == "too_long":
        return _("That is too long ({length} characters): at most {max}, please.").format(
            length=p.get("length", "?"), max=p.get("max", p.get("maximum", ""))
        )
    if code == "not_a_number":
        return _("I could not read an amount in that. Type a number, for example 12500 or 12 500,50.")
    if code == "negative":
        return _("A cost cannot be negative.")
    if code == "zero":
        return _("A cost cannot be zero.")
    if code == "too_many_decimals":
        return _("Use at most two decimals (cents).")
    if code == "below_minimum":
        return _("That is below the minimum of {amount} for a project.").format(
            amount=money(Decimal(str(p["minimum"])), campaign)
        )
    if code == "above_maximum":
        return _("That is above the maximum of {amount} for a project.").format(
            amount=money(Decimal(str(p["maximum"])), campaign)
        )
    if code == "ambiguous":
        return _("I am not sure which amount you mean. Type it with digits only, for example 12500.")
    if code == "wrong_currency":
        return _("Please give the cost in {currency}.").format(currency=campaign.currency)
    if code == "unknown_category":
        return _("Please choose one of the categories with the buttons.")
    if code == "out_of_area":
        return _("That place is outside {town}. Send a place in the town, or describe it in words.").format(
            town=escape(campaign.town)
        )
    if code == "invalid_coordinates":
        return _("That map pin is not a valid place.")
    return _("That answer is not valid.")
