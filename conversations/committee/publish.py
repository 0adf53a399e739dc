"""/publish: the committee announces the winners, once.

| input               | reply                                                                  |
|---------------------|------------------------------------------------------------------------|
| /publish            | the winners and the number of residents told; 📣 Publish / ✖ Not now    |
| 📣 Publish           | winners marked, the publication recorded (audit), the announcement     |
|                     | queued for every subscribed resident, winning authors told             |
| ✖ Not now           | nothing is published                                                   |

Publishing happens once: the announcement is a broadcast with a unique key, so two members
pressing at once publish once; what was published (winners, votes) is kept with the audit
entry, and residents' /results reads it from there. Publishing before the calendar's results
date replaces the calendar's own "results" announcement. The tally is conversations.committee.results'.
"""

from __future__ import annotations

from functools import partial
from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _, ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign.proposal import Proposal, ProposalStatus
from campaign.results import Results, snapshot
from campaign.schema import Campaign
from conversations.after_commit import say_later
from conversations.ballot_file import ballot_file, digest, tracker_file
from conversations.committee.broadcast_texts import footer
from conversations.committee.common import (
    Told,
    committee_button,
    drop_buttons,
    leave_dialogs,
    members_only,
    person,
    tell_author,
    title_of,
    wake,
)
from conversations.committee.counted import still_sealed, tally, too_early
from conversations.context import Ctx
from conversations.figures import number, send_lines
from conversations.render import campaign_name, money, when
from conversations.results_explained import ANNOUNCED_WHY, why_lines
from storage.repositories.statistics import PUBLICATION_ACTION, PUBLICATION_KEY
from storage.repositories.verification import utc


CALENDAR_RESULTS_KEY = "results"  # the calendar's own announcement at `results` (bot.scheduler)
ANNOUNCED_WINNERS = 30  # more winners than this: the announcement lists these and points to /results
ANNOUNCEMENT_LIMIT = 3800  # characters: Telegram takes 4096 a message


@committee_button
class PublishConfirm(CallbackData, prefix="cpub"):
    ballots: int  # the number of ballots when asked; -1: not now


async def _publishable(ctx: Ctx, counting_key: object | None) -> tuple[str | None, Results | None]:
    repos, campaign, clock = ctx.repos, ctx.campaign, ctx.clock
    problem = await too_early(repos, campaign, clock)
    if problem:
        return _("The results can be published once voting has closed.") + " " + problem, None
    problem = await still_sealed(repos, campaign, clock, ctx.user.telegram_id, counting_key)
    if problem:
        return problem, None
    publication = await repos.statistics.publication(campaign.id)
    if publication is not None:
        return _("The results were already published on {date} by {name}.").format(
            date=when(publication.at, campaign), name=await person(repos, publication.by)
        ), None
    results = await tally(repos, campaign, clock.now())
    if results.ballots == 0:
        return _("No ballot was cast: there are no results to publish."), None
    return None, results


def _winner_list(results: Results, campaign: Campaign, limit: int = ANNOUNCED_WINNERS) -> list[str]:
    lines = [
        _("• <b>#{number}</b> {title} — {cost} — votes: {votes}").format(
            number=row.project_id, title=escape(row.title), cost=money(row.cost, campaign), votes=number(row.votes)
        )
        for row in results.winner_rows[:limit]
    ]
    if len(results.winner_rows) > limit:
        lines.append(_("… and {count} more.").format(count=number(len(results.winner_rows) - limit)))
    return lines


async def publish_command(message: Message, ctx: Ctx, state: FSMContext, counting_key: object | None = None) -> None:
    await leave_dialogs(state)
    problem, results = await _publishable(ctx, counting_key)
    if problem or results is None:
        await ctx.bot.send_message(ctx.chat_id, problem or "")
        return
    campaign = ctx.campaign
    recipients = await ctx.repos.statistics.recipients(campaign.id, "all")
    lines = [_("<b>Publish the results?</b>"), ""]
    if results.winners:
        lines += [
            _("The winning projects ({count}):").format(count=len(results.winners)),
            *_winner_list(results, campaign),
            "",
        ]
    else:
        lines += [_("No project wins under the campaign's rule."), ""]
    lines.append(
        ngettext(
            "They will be marked as winners, their authors told, and the results announced to {count} resident. "
            "Residents can then see them with /results. This cannot be undone.",
            "They will be marked as winners, their authors told, and the results announced to {count} residents. "
            "Residents can then see them with /results. This cannot be undone.",
            recipients,
        ).format(count=number(recipients))
    )
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📣 Publish the results"), callback_data=PublishConfirm(ballots=results.ballots))
    builder.button(text=_("✖ Not now"), callback_data=PublishConfirm(ballots=-1))
    builder.adjust(1)
    await send_lines(ctx.bot, ctx.chat_id, lines, reply_markup=builder.as_markup())


async def publish_cancelled(query: CallbackQuery) -> None:
    await query.answer(_("Nothing was published."))
    await drop_buttons(query)


def announcement(results: Results, campaign: Campaign, file_digest: str | None = None) -> str:
    """The message every resident gets, in the current language."""
    parts = [
        ngettext(
            "🎉 <b>{campaign}</b>: the results are in! {count} resident voted.",
            "🎉 <b>{campaign}</b>: the results are in! {count} residents voted.",
            results.ballots,
        ).format(campaign=campaign_name(campaign), count=number(results.ballots)),
    ]
    if results.winners:
        parts.append("\n".join([_("<b>The winning projects:</b>"), *_winner_list(results, campaign)]))
    closing = [_("Send /results to see the votes for every project.")]
    if file_digest:
        closing.append(
            _(
                "Anyone can recount: /ballots sends the anonymous ballot file (its SHA-256 fingerprint is <code>{digest}</code>) "
                "and the list of counted trackers; /checkmyvote TRACKER confirms that your ballot was counted."
            ).format(digest=file_digest)
        )
    closing.append(footer())
    why = why_lines(results, campaign, limit=ANNOUNCED_WHY)
    # One message: the explanation is shortened to what fits (the full one is in /results).
    while why and len("\n\n".join([*parts, "\n".join(why), *closing])) > ANNOUNCEMENT_LIMIT:
        why = why[:-1]
    if len(why) > 1:
        parts.append("\n".join(why))
    return "\n\n".join(parts + closing)


async def publish_confirmed(
    query: CallbackQuery,
    ctx: Ctx,
    callback_data: PublishConfirm,
    broadcaster: object | None = None,
    counting_key: object | None = None,
) -> None:
    problem, results = await _publishable(ctx, counting_key)
    if problem or results is None:
        await query.answer(problem, show_alert=True)
        await drop_buttons(query)
        return
    if results.ballots != callback_data.ballots:
        await query.answer(_("The count changed since this question: send /publish again."), show_alert=True)
        await drop_buttons(query)
        return
    bot, user, repos, campaign, i18n = ctx.bot, ctx.user, ctx.repos, ctx.campaign, ctx.i18n
    now = utc(ctx.clock.now())
    # The digest of the file anyone can recount is part of what is announced and audited.
    file_digest = digest(await ballot_file(repos, campaign, [row.project_id for row in results.winner_rows]))
    trackers_digest = digest(await tracker_file(repos, campaign))
    texts, explained = {}, {}
    for code in campaign.languages:
        with i18n.use_locale(code):
            texts[code] = announcement(results, campaign, file_digest)
            explained[code] = why_lines(results, campaign)
    # The unique key makes this the one publication, whoever presses at the same moment.
    broadcast = await repos.broadcasts.queue(
        campaign.id,
        kind="announcement",
        audience="all",
        text=texts,
        now=now,
        key=PUBLICATION_KEY,
        created_by=user.telegram_id,
    )
    if broadcast is None:
        await query.answer(_("The results were already published."), show_alert=True)
        await drop_buttons(query)
        return
    for row in results.winner_rows:
        await repos.proposals.set_status(
            row.project_id, campaign.id, ProposalStatus.WINNER, now, expected=[ProposalStatus.FINALIST]
        )
    if CALENDAR_RESULTS_KEY not in await repos.broadcasts.keys(campaign.id):
        # Announced now: the calendar's "results are in" would only say it again.
        await repos.broadcasts.record_dropped(
            campaign.id, kind="announcement", key=CALENDAR_RESULTS_KEY, audience="all", now=now
        )
    await repos.audit.record(
        campaign.id,
        user.telegram_id,
        PUBLICATION_ACTION,
        now,
        target="results",
        count=len(results.winners),
        broadcast=broadcast.id,
        explanation=explained,
        ballot_file_sha256=file_digest,
        trackers_sha256=trackers_digest,
        announcement_sha256={code: digest(text.encode()) for code, text in texts.items()},
        **snapshot(results),
    )
    await repos.session.commit()  # published for good before anyone is told
    wake(broadcaster)
    await query.answer(_("Published."))
    await drop_buttons(query)
    told: list[Told] = []
    for row in results.winner_rows:
        proposal = await repos.proposals.get(row.project_id, campaign.id)
        if proposal is not None:
            told.append(await tell_author(bot, i18n, repos, proposal, partial(_winner_text, proposal, row.votes)))
    winners = len(results.winners)

    def published() -> str:  # after the commit: how many authors were reached is known then
        reached = sum(t.reached for t in told)
        return " ".join(
            [
                ngettext(
                    "Published: {winners} winning project.", "Published: {winners} winning projects.", winners
                ).format(winners=winners),
                ngettext(
                    "The announcement is queued for {count} resident (broadcast #{number}: /broadcasts shows its progress).",
                    "The announcement is queued for {count} residents (broadcast #{number}: /broadcasts shows its progress).",
                    broadcast.recipients,
                ).format(count=number(broadcast.recipients), number=broadcast.id),
                ngettext(
                    "{told} of the winning authors was told.", "{told} of the winning authors were told.", reached
                ).format(told=reached),
            ]
        )

    say_later(bot, ctx.chat_id, published)


def _winner_text(proposal: Proposal, votes: int) -> str:
    """What a winning author is told, in the language current when it is called (theirs)."""
    return ngettext(
        "🎉 Your project #{number} {title} is one of the winning projects, with {votes} vote! "
        "The committee will tell you what happens next.",
        "🎉 Your project #{number} {title} is one of the winning projects, with {votes} votes! "
        "The committee will tell you what happens next.",
        votes,
    ).format(number=proposal.id, title=title_of(proposal), votes=number(votes))


def router() -> Router:
    r = members_only(Router(name="committee_publish"))
    r.message.register(publish_command, Command("publish"))
    r.callback_query.register(publish_cancelled, PublishConfirm.filter(F.ballots < 0))
    r.callback_query.register(publish_confirmed, PublishConfirm.filter())
    return r
