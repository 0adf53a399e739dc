"""Voting: the ballot as it will be recorded, and recording it.

| input                          | reply                                                          |
|--------------------------------|----------------------------------------------------------------|
| Submit my ballot (or a single  | the confirmation: exactly what will be recorded (refused when  |
| ballot's Vote for this project)| empty, too many, over budget)                                  |
| Confirm my vote                | sealed, recorded, committed, then "your vote is recorded", the |
|                                | choices and the tracker (only this message shows them again)   |

The confirmation button carries a digest of the ballot shown; a press whose digest is not the
pending ballot's is refused. Its router is included in the voting dialog's
(conversations.voting), whose docstring has the diagram.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from conversations.keyboard import InlineKeyboardBuilder

from campaign.ballot import BallotError, validate_ballot
from campaign.freeze import ballot_settings, finalist_digest
from campaign.proposal import Proposal
from campaign.standing import VOTE_OVER, Standing
from campaign.verification import keyed_hash
from conversations.context import Ctx
from conversations.render import results_news, when
from conversations.standing import standing_now
from conversations.voting_cards import (
    VOTE,
    VoteConfirm,
    VoteNav,
    VoteDraft,
    VoteSubmit,
    Voting,
    ballot_error,
    ballot_lines,
    button_allowed,
    closed_reason,
    digest,
    sealed_note,
    vote_data,
)
from storage.repositories.ballots import CastOutcome
from storage.secrecy import seal, tracker


async def show_confirmation(
    ctx: Ctx,
    state: FSMContext,
    finalists: list[Proposal],
    choices: tuple[int, ...],
    changing: bool,
    draft: VoteDraft | None = None,
) -> None:
    """`draft`: the dialog's data as the caller left it (read again when not given)."""
    campaign = ctx.campaign
    await state.set_state(Voting.confirming)
    draft = (draft or await vote_data(state)).model_copy(update={"pending": list(choices)})
    await VOTE.save(state, draft)
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Confirm my vote"), callback_data=VoteConfirm(digest=digest(choices)))
    builder.button(text=_("↩️ Back to the projects"), callback_data=VoteNav(index=draft.card))
    builder.adjust(1)
    text = (
        _("Please check your ballot. This is exactly what will be recorded:")
        + "\n\n"
        + ballot_lines(choices, finalists, campaign)
    )
    if changing:
        text += "\n\n" + _("It replaces your previous vote.")
    await ctx.bot.send_message(ctx.chat_id, text, reply_markup=builder.as_markup())


async def submit(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    campaign, repos = ctx.campaign, ctx.repos
    voter = await button_allowed(query, ctx)
    if voter is None:
        return
    finalists = await repos.ballots.finalists(campaign.id, frozen_in=campaign)
    voted = voter.voted
    if voted and not campaign.ballot.changeable:
        await query.answer(_("You have already voted; a vote cannot be changed in this campaign."), show_alert=True)
        return
    draft = await vote_data(state)
    try:
        choices = validate_ballot(campaign.ballot, draft.choices, {p.id: p.cost for p in finalists}, campaign.envelope)
    except BallotError as error:
        await query.answer(ballot_error(error, campaign), show_alert=True)
        return
    await query.answer()
    await show_confirmation(ctx, state, finalists, choices, voted, draft)


async def confirm(query: CallbackQuery, callback_data: VoteConfirm, ctx: Ctx, state: FSMContext) -> None:
    bot, campaign, clock, user, repos = ctx.bot, ctx.campaign, ctx.clock, ctx.user, ctx.repos
    voter = await button_allowed(query, ctx)
    if voter is None:
        return
    pending = (await vote_data(state)).pending
    if not pending or digest(pending) != callback_data.digest:
        # A second tap after the vote was recorded, a replayed or a forged confirmation.
        if voter.voted:
            await query.answer(_("Your vote is already recorded. Send /myvote to see it."), show_alert=True)
        else:
            await query.answer(_("This confirmation is out of date. Send /vote to start again."), show_alert=True)
        return
    # Read afresh, not kept between updates: what is recorded is checked against the database.
    finalists = await repos.ballots.finalists(campaign.id)
    try:
        choices = validate_ballot(campaign.ballot, pending, {p.id: p.cost for p in finalists}, campaign.envelope)
    except BallotError as error:
        await query.answer(ballot_error(error, campaign), show_alert=True)
        return
    # Writes the campaign's lock row first: the first ballot fixes the settings and the finalists,
    # and no ballot is accepted once the tally has been computed (storage.repositories.locks).
    snapshot = {str(p.id): finalist_digest(p) for p in finalists}
    if not await repos.locks.admit_ballot(campaign.id, clock.now(), ballot_settings(campaign), snapshot):
        # The tally sealed the vote, whatever the clock says: the vote is over.
        where = await standing_now(repos, campaign, clock.now())
        await query.answer(
            closed_reason(campaign, where if where in VOTE_OVER else Standing.COUNTING)[:200], show_alert=True
        )
        return
    counting_key = await repos.counting.get(campaign.id)
    if counting_key is None or counting_key.counted:
        await query.answer(
            _("Your vote cannot be recorded yet: the committee has not made the counting key. Please try again later."),
            show_alert=True,
        )
        return
    sealed = seal(counting_key.public_key, campaign.id, choices)
    receipt = tracker(sealed)
    # Only a campaign that lets people change their vote keeps a link (a keyed hash) to replace it.
    link = (
        keyed_hash(ctx.secret_key, "ballot-link", f"{campaign.id}:{user.telegram_id}")
        if campaign.ballot.changeable
        else None
    )
    outcome = await repos.ballots.cast(
        campaign.id,
        user_id=user.id,
        sealed=sealed,
        tracker=receipt,
        today=clock.now().astimezone(campaign.zone).date(),
        link=link,
    )
    await state.set_state(None)
    await VOTE.clear(state)
    # "Recorded" is said only once it is true: commit first, then reply.
    await repos.session.commit()
    chat_id = ctx.chat_id
    if outcome == CastOutcome.ALREADY_VOTED:
        await query.answer(_("You have already voted; a vote cannot be changed in this campaign."), show_alert=True)
        await bot.send_message(
            chat_id, _("You have already voted, and a vote cannot be changed in this campaign.") + " " + sealed_note()
        )
        return
    await query.answer(_("Recorded."))
    if outcome == CastOutcome.CHANGED:
        text = _("🗳 Your vote is changed. Your ballot is now:")
    else:
        text = _("🗳 Your vote is recorded. Thank you! You chose:")
    text += (
        "\n"
        + ballot_lines(choices, finalists, campaign)
        + "\n\n"
        + _(
            "Your tracker: <code>{tracker}</code>. Keep this message: your ballot is sealed, and no one (not even the bot) "
            "can show it to you again. After the results, /checkmyvote {tracker} confirms it was counted."
        ).format(tracker=receipt)
    )
    text += "\n\n" + results_news(campaign, Standing.VOTING)
    if campaign.ballot.changeable:
        text += " " + _("You can change it until {date}.").format(date=when(campaign.calendar.voting_close, campaign))
    await bot.send_message(chat_id, text)


def router() -> Router:
    r = Router(name="voting_confirm")  # included in the voting dialog's router, private chats only
    r.callback_query.register(submit, VoteSubmit.filter())
    r.callback_query.register(confirm, VoteConfirm.filter())
    return r
