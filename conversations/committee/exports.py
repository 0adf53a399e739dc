"""/export: the campaign's data as files the committee can open in a spreadsheet.

| input               | the document                                                            |
|---------------------|-------------------------------------------------------------------------|
| /export             | which exports there are, as buttons                                     |
| /export proposals   | every project (not drafts): status, fields, cost, votes once counted    |
| /export ballots     | once voting has closed: one row per ballot, under a random voter number |
| /export stats       | the figures of /stats, one per row, and the counts per day              |
| /export pabulib     | once voting has closed: the election as a Pabulib `.pb` file             |
| /export explanation | once voting has closed: why each project was funded or not (text), and  |
|                     | what the other rules would fund                                         |

CSV files are UTF-8 with a byte-order mark (so that spreadsheets read the accents), and a
resident's text that a spreadsheet would take for a formula (=, +, -, @) starts with a quote.
Ballots say nothing of who voted, nor when: voters are numbered in a random order. Every export
is written to the audit log.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import unescape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _, ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign.ballot import strategy
from campaign.calendar import Phase, phase_at
from campaign.proposal import Proposal
from campaign.results import anonymous_ballots
from campaign.schema import Campaign, pick
from campaign.statistics import share
from conversations.committee.common import committee_button, leave_dialogs, members_only
from conversations.scope import secrets_in_private
from conversations.ballot_file import ballot_file, digest
from conversations.committee.counted import sealed_choices, still_sealed, tally, too_early
from conversations.results_explained import compare_lines, why_lines
from conversations.committee.participation import STATUS_ORDER, Figures, gather
from conversations.context import Ctx
from conversations.figures import number
from storage.repositories.verification import aware, utc


EXPORTS = ("proposals", "ballots", "stats", "pabulib", "explanation")
AFTER_VOTING = ("ballots", "pabulib", "explanation")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@committee_button
class ExportButton(CallbackData, prefix="cexp"):
    kind: str


# --- the files ----------------------------------------------------------------------------------


def safe(text: str | None) -> str:
    """A resident's text as a spreadsheet shows it, never run as a formula."""
    text = text or ""
    return "'" + text if text.startswith(_FORMULA) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _local(moment: datetime | None, campaign: Campaign) -> str:
    return "" if moment is None else aware(moment).astimezone(campaign.zone).strftime("%Y-%m-%d %H:%M")


def proposals_csv(proposals: Sequence[Proposal], campaign: Campaign, votes: dict[int, int] | None) -> bytes:
    header = [
        "number",
        "status",
        "status_reason",
        "merged_into",
        "category",
        "category_name",
        "title",
        "summary",
        "description",
        "location",
        "latitude",
        "longitude",
        "cost",
        "currency",
        "submitted_at",
        "votes",
    ]
    rows = []
    for p in proposals:
        category = campaign.category(p.category)
        rows.append(
            [
                p.id,
                p.status.value,
                safe(p.status_reason),
                p.merged_into_id or "",
                p.category,
                pick(category.names, campaign.default_language) if category else "",
                safe(p.title),
                safe(p.summary),
                safe(p.description),
                safe(p.location_text),
                "" if p.latitude is None else p.latitude,
                "" if p.longitude is None else p.longitude,
                f"{p.cost:f}",
                campaign.currency,
                _local(p.submitted_at, campaign),
                "" if votes is None else votes.get(p.id, ""),
            ]
        )
    return to_csv(header, rows)


def ballots_csv(project_ids: Sequence[int], ballots: Sequence[tuple[int, Sequence[int]]]) -> bytes:
    """One row per ballot: a voter number, the chosen projects, and a 0/1 column per project."""
    header = ["voter", "choices", *[f"project_{n}" for n in project_ids]]
    rows = []
    for voter, choices in ballots:
        chosen = set(choices)
        rows.append([voter, " ".join(str(c) for c in sorted(chosen)), *[1 if n in chosen else 0 for n in project_ids]])
    return to_csv(header, rows)


def _ratio(value) -> str:  # noqa: ANN001 (a Fraction or None)
    return "" if value is None else f"{float(value):.4f}"


def stats_csv(figures: Figures, campaign: Campaign) -> bytes:
    """The figures in long form: figure, key, value (a spreadsheet pivots it at will)."""
    turnout = figures.turnout
    rows: list[list[object]] = [
        ["population", "", campaign.population],
        ["registered_residents", "", figures.registered],
        ["registered_share_of_population", "", _ratio(share(figures.registered, campaign.population))],
        ["verified_residents", "", figures.verified],
        ["verified_share_of_population", "", _ratio(share(figures.verified, campaign.population))],
        ["proposals", "", figures.proposals],
    ]
    rows += [["proposals_by_status", s.value, figures.by_status.get(s, 0)] for s in STATUS_ORDER]
    categories = [c.id for c in campaign.categories] + sorted(
        set(figures.by_category) - {c.id for c in campaign.categories}
    )
    rows += [["proposals_by_category", c, figures.by_category.get(c, 0)] for c in categories]
    rows += [
        ["ballots", "", turnout.ballots],
        ["turnout_of_population", "", _ratio(turnout.of_population)],
        ["turnout_of_verified", "", _ratio(turnout.of_verified)],
    ]
    if campaign.eligibility.minimum_age is not None:
        rows.append(["residents_attesting_minimum_age", str(campaign.eligibility.minimum_age), figures.attested_age])
    rows += [["registrations_per_day", day.isoformat(), n] for day, n in zip(figures.days, figures.registrations)]
    rows += [["ballots_per_day", day.isoformat(), n] for day, n in zip(figures.days, figures.ballots)]
    return to_csv(["figure", "key", "value"], rows)


# --- the dialog ---------------------------------------------------------------------------------


def _menu():
    builder = InlineKeyboardBuilder()
    labels = {
        "proposals": _("📋 Projects (CSV)"),
        "ballots": _("🗳 Ballots (CSV)"),
        "stats": _("📊 Figures (CSV)"),
        "pabulib": _("🔬 Pabulib (.pb)"),
        "explanation": _("🧮 Why these projects (text)"),
    }
    for kind in EXPORTS:
        builder.button(text=labels[kind], callback_data=ExportButton(kind=kind))
    builder.adjust(2)
    return builder.as_markup()


async def export_command(
    message: Message,
    command: CommandObject,
    ctx: Ctx,
    state: FSMContext,
    secret_chat_id: int,
    counting_key: object | None = None,
) -> bool:
    await leave_dialogs(state)
    kind = (command.args or "").strip().lower()
    if kind not in EXPORTS:
        await ctx.bot.send_message(
            message.chat.id,
            _(
                "Which data? /export proposals (every project), /export ballots (anonymous ballots, once voting has closed), "
                "/export stats (the figures), /export pabulib (the election for researchers, once voting has closed)."
            ),
            reply_markup=_menu(),
        )
        return False
    return await send_export(ctx, secret_chat_id, kind, counting_key)


async def export_button(
    query: CallbackQuery,
    callback_data: ExportButton,
    ctx: Ctx,
    secret_chat_id: int,
    counting_key: object | None = None,
) -> bool:
    await query.answer()
    return await send_export(ctx, secret_chat_id, callback_data.kind, counting_key)


async def send_export(ctx: Ctx, chat_id: int, kind: str, counting_key: object | None = None) -> bool:
    """Sends the export (or why not yet) to `chat_id`; True (something was sent there)."""
    bot, user, repos, campaign, clock = ctx.bot, ctx.user, ctx.repos, ctx.campaign, ctx.clock
    now = clock.now()
    if kind in AFTER_VOTING:
        problem = await too_early(repos, campaign, clock)
        if problem:
            await bot.send_message(chat_id, _("Ballots can be exported once voting has closed.") + " " + problem)
            return True
    counted = phase_at(campaign.calendar, now) in (Phase.COUNTING, Phase.RESULTS) and not await still_sealed(
        repos, campaign, clock, user.telegram_id, counting_key
    )
    if kind in AFTER_VOTING and not counted:
        await bot.send_message(
            chat_id,
            _("Ballots can be exported once they are counted.")
            + " "
            + (await still_sealed(repos, campaign, clock, user.telegram_id, counting_key) or ""),
        )
        return True
    if kind == "proposals":
        proposals = await repos.statistics.all_proposals(campaign.id)
        votes = (await tally(repos, campaign, now)).votes_of() if counted else None
        data, count = proposals_csv(proposals, campaign, votes), len(proposals)
        filename, caption = (
            f"{campaign.id}-proposals.csv",
            ngettext("{count} project.", "{count} projects.", count).format(count=number(count)),
        )
    elif kind == "stats":
        figures = await gather(repos, campaign, now)
        data, count = stats_csv(figures, campaign), figures.registered
        filename, caption = f"{campaign.id}-stats.csv", _("The figures of /stats, and the counts per day.")
    elif kind == "explanation":
        results = await tally(repos, campaign, now, compare=True)
        lines = [
            unescape(re.sub(r"</?b>", "", line))
            for line in [*why_lines(results, campaign, limit=None, html=False), "", *compare_lines(results, campaign)]
        ]
        data, count = ("\n".join(lines) + "\n").encode("utf-8"), results.ballots
        filename, caption = (
            f"{campaign.id}-explanation.txt",
            _("Why each project was funded or not, under the campaign's rule."),
        )
    else:
        on_ballot = await repos.statistics.on_ballot(campaign.id)
        ballots = anonymous_ballots(await sealed_choices(repos, campaign, now), kind=strategy(campaign.ballot))
        count = len(ballots)
        if kind == "ballots":
            data = ballots_csv([p.id for p in on_ballot], ballots)
            filename = f"{campaign.id}-ballots.csv"
            caption = ngettext(
                "{count} ballot, under a random voter number: nothing says who voted, or when.",
                "{count} ballots, under random voter numbers: nothing says who voted, or when.",
                count,
            ).format(count=number(count))
        else:
            publication = await repos.statistics.publication(campaign.id)
            selected = [int(w) for w in publication.snapshot.get("winners", [])] if publication else None
            data = await ballot_file(repos, campaign, selected)
            filename = f"{campaign.id}.pb"
            caption = ngettext(
                "The election in the Pabulib format (pabulib.org): {count} ballot, for researchers.",
                "The election in the Pabulib format (pabulib.org): {count} ballots, for researchers.",
                count,
            ).format(count=number(count))
            caption += "\n" + _("SHA-256: {digest}").format(digest=digest(data))
    await repos.audit.record(campaign.id, user.telegram_id, "export", utc(now), target=f"export:{kind}", count=count)
    await bot.send_document(chat_id, BufferedInputFile(data, filename), caption=caption)
    return True


def router() -> Router:
    r = secrets_in_private(members_only(Router(name="committee_exports")))  # files to the member's private chat
    r.message.register(export_command, Command("export"))
    r.callback_query.register(export_button, ExportButton.filter(F.kind.in_(EXPORTS)))
    return r
