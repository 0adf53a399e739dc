"""How figures and results read, for the committee and for residents: numbers and shares in
the reader's language, the outcome rule in words, the results table, the chart images."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from fractions import Fraction
from html import escape, unescape

from aiogram import Bot
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _, ngettext
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from campaign.calendar import PHASE_STARTS, Phase
from campaign.results import Results
from campaign.schema import Campaign
from conversations import charts
from conversations.render import campaign_name, language, money

# Telegram takes 4096 characters a message; leave room for the HTML tags.
MESSAGE_LIMIT = 3800


def number(value: int) -> str:
    return format_decimal(value, locale=language())


def percent(value: Fraction | None) -> str:
    """12.5% (en), 12,5 % (fr): the locale's way, with one decimal."""
    if value is None:
        return "—"
    pattern = Locale.parse(language()).percent_formats[None].pattern
    return format_percent(float(value), pattern.replace("0", "0.0", 1), locale=language())


def day_label(day: date) -> str:
    return format_date(day, "d MMM", locale=language())


def chunks(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Lines joined into as few messages as fit; a line is never split."""
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) + 1 > limit:
            messages.append("\n".join(current).strip("\n"))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        messages.append("\n".join(current).strip("\n"))
    return [m for m in messages if m]


async def send_lines(
    bot: Bot, chat_id: int, lines: Sequence[str], reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """A long report in as many messages as needed; buttons under the last one."""
    messages = chunks(lines)
    for index, text in enumerate(messages):
        await bot.send_message(chat_id, text, reply_markup=reply_markup if index == len(messages) - 1 else None)


async def send_png(bot: Bot, chat_id: int, png: bytes, filename: str, caption: str | None = None) -> None:
    await bot.send_photo(chat_id, BufferedInputFile(png, filename), caption=caption)


# --- the outcome rule, in words --------------------------------------------------------------


def rule_text(campaign: Campaign) -> str:
    rule = campaign.outcome.rule
    if rule == "most-voted":
        return _("the project with the most votes wins (if it fits in the envelope).")
    if rule == "greedy":
        return _("projects are funded in order of votes, each one if it still fits in what is left of the envelope.")
    if rule == "greedy-no-skip":
        return _("projects are funded in order of votes, until the first one that no longer fits in the envelope.")
    if rule == "greedy-threshold":
        return ngettext(
            "projects with at least {threshold} vote are funded in order of votes, each one if it still fits in the envelope.",
            "projects with at least {threshold} votes are funded in order of votes, each one if it still fits in the envelope.",
            campaign.outcome.threshold,
        ).format(threshold=number(campaign.outcome.threshold))
    if rule == "greedy-per-cost":
        return _(
            "projects are funded in order of votes per unit of cost, each one if it still fits in what is left of the envelope."
        )
    if rule == "sequential-phragmen":
        return _(
            "sequential Phragmén: the supporters of each project share its cost, and the next project is the one that "
            "keeps the heaviest share any voter carries as light as possible, while it fits in the envelope."
        )
    return _(
        "the method of equal shares: the envelope is shared equally among the voters, and each project is paid by its supporters."
    )


def rule_name(rule: str) -> str:
    """Any tally rule in a few words (the campaign's own is told in full by rule_text)."""
    names = {
        "most-voted": _("the most voted project"),
        "greedy": _("by votes"),
        "greedy-no-skip": _("by votes, stopping at the first that does not fit"),
        "greedy-threshold": _("by votes, above a threshold"),
        "greedy-per-cost": _("by votes per unit of cost"),
        "sequential-phragmen": _("sequential Phragmén"),
        "equalshares": _("equal shares"),
        "equalshares/add1-comparison": _("equal shares, shares raised, compared with counting by votes"),
        "equalshares/greedy": _("equal shares, then by votes with the money left"),
        "equalshares/add1": _("equal shares, shares raised until the envelope is used"),
        "equalshares/add1/greedy": _("equal shares, shares raised, then by votes with the money left"),
    }
    return names.get(rule, _("equal shares"))


# --- the results table ---------------------------------------------------------------------------


def result_line(row, campaign: Campaign) -> str:  # noqa: ANN001 (a ResultRow)
    mark = "🏆" if row.winner else "▫️"
    return _("{mark} {rank}. <b>#{number}</b> {title} — {cost} — votes: {votes} ({share})").format(
        mark=mark,
        rank=row.rank,
        number=row.project_id,
        title=escape(row.title),
        cost=money(row.cost, campaign),
        votes=number(row.votes),
        share=percent(row.share),
    )


def results_lines(results: Results, campaign: Campaign, *, heading: str) -> list[str]:
    lines = [
        heading,
        _("<b>Rule:</b> {rule}").format(rule=rule_text(campaign)),
        _("<b>Ballots:</b> {ballots} · <b>Envelope:</b> {envelope} · <b>Funded:</b> {spent} ({left} left)").format(
            ballots=number(results.ballots),
            envelope=money(results.budget, campaign),
            spent=money(results.spent, campaign),
            left=money(results.left, campaign),
        ),
        "",
    ]
    if results.winners:
        lines.append(_("<b>Winning projects ({count}):</b>").format(count=len(results.winners)))
    else:
        lines.append(_("<b>No project wins:</b> no vote was cast, or no project fits the rule."))
    lines += [result_line(row, campaign) for row in results.rows if row.winner]
    others = [row for row in results.rows if not row.winner]
    if others:
        lines += ["", _("<b>The other projects:</b>")]
        lines += [result_line(row, campaign) for row in others]
    return lines


def results_chart(results: Results, campaign: Campaign) -> bytes:
    return charts.votes_chart(
        title=_("Votes per project"),
        subtitle=ngettext(
            "{campaign} · {ballots} ballot · envelope {envelope}",
            "{campaign} · {ballots} ballots · envelope {envelope}",
            results.ballots,
        ).format(
            campaign=campaign_name_plain(campaign),
            ballots=number(results.ballots),
            envelope=money(results.budget, campaign),
        ),
        bars=[charts.Bar(f"#{row.project_id} {row.title}", row.votes, row.winner) for row in results.rows],
        x_label=_("Votes"),
        legend=(_("Funded"), _("Not funded")),
        more_label=lambda more: _("and {count} more").format(count=number(more)),
    )


def campaign_name_plain(campaign: Campaign) -> str:
    """The campaign's name for an image (no HTML escaping)."""
    return unescape(campaign_name(campaign))


# --- registrations and votes per day --------------------------------------------------------------


def activity_chart(
    campaign: Campaign,
    days: Sequence[date],
    registrations: Sequence[int],
    ballots: Sequence[int],
) -> bytes:
    markers = []
    labels = {
        Phase.PROPOSALS: _("Proposals"),
        Phase.REVIEW: _("Review"),
        Phase.VOTING: _("Voting"),
        Phase.COUNTING: _("Counting"),
        Phase.RESULTS: _("Results"),
    }
    for phase, field in PHASE_STARTS.items():
        moment: datetime = getattr(campaign.calendar, field)
        # A phase starting at 23:59 is drawn at the next day, where it really begins.
        markers.append(((moment.astimezone(campaign.zone) + timedelta(hours=12)).date(), labels[phase]))
    return charts.daily_chart(
        title=_("{campaign}: residents and votes per day").format(campaign=campaign_name_plain(campaign)),
        days=days,
        series=[
            charts.Series(_("New residents per day"), registrations, charts.BLUE),
            charts.Series(_("Ballots cast per day"), ballots, charts.ORANGE),
        ],
        y_label=_("Number per day"),
        x_label=_("Date ({zone})").format(zone=campaign.timezone),
        day_label=day_label,
        markers=markers,
        total_label=lambda total: _("total: {count}").format(count=number(total)),
        empty_label=_("nothing yet"),
    )
