"""Voting: the finalists one card at a time, a confirmation, one ballot per resident.

| input                          | reply                                                          |
|--------------------------------|----------------------------------------------------------------|
| /vote, menu "🗳 Vote"          | outside voting: when it opens / that it closed; unverified:    |
|                                | verification first; otherwise the first finalist's card        |
| ◀️ / ▶️ on a card              | the previous / next card ("2 / 5")                             |
| Details                        | the project's description and place                            |
| single: Vote for this project  | the confirmation                                               |
| approval, knapsack: Select     | ticks / unticks (approval: at most k; knapsack: running total) |
| Submit my ballot               | the confirmation (refused when empty, too many, over budget)   |
| Confirm my vote                | sealed, recorded, committed, then "your vote is recorded", the |
|                                | choices and the tracker (only this message shows them again)   |
| /myvote                        | whether you voted (a sealed ballot cannot be read back: the    |
|                                | confirmation message shows it), and "Change" while allowed     |

```mermaid
stateDiagram-v2
    [*] --> browsing: /vote or 🗳 Vote (voting open, verified)
    browsing --> browsing: ◀️ ▶️, Details, Select (the ballot type's press)
    browsing --> confirming: Submit my ballot, or a single ballot's Vote for this project
    confirming --> browsing: Back to the projects
    confirming --> [*]: Confirm my vote (recorded)
    browsing --> [*]: /cancel
    confirming --> [*]: /cancel
```

The ballot is sealed to the campaign's counting key before it is stored (storage.secrecy);
nothing stored says whose it is (storage.repositories.ballots). Every button is only a request: the phase, the verification, the finalists and the ballot
rules are checked again when it is pressed, and the database's unique constraint decides
between two confirmations that arrive together.

Here: entering, the cards, /myvote (/cancel: the one of conversations.dialog_state, with the
words given to `VOTE`). The confirmation and the recording are
conversations.voting_confirm; the states, the dialog's data and what a card shows are
conversations.voting_cards.
"""

from __future__ import annotations

import logging
from html import escape

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _, ngettext

from campaign.ballot import BallotError, strategy, toggle
from campaign.calendar import Phase, phase_at
from campaign.proposal import Proposal
from conversations import verification, voting_confirm
from conversations.ballot_texts import texts_for
from conversations.context import Ctx
from conversations.menu import MenuAction
from conversations.render import money, when
from conversations.scope import private_only
from conversations.standing import standing_now
from conversations.voting_cards import (
    VOTE,
    MyVoteChange,
    VoteDetails,
    VoteDraft,
    VoteNav,
    VotePick,
    Voting,
    ballot_error,
    button_allowed,
    card_keyboard,
    card_text,
    closed_reason,
    sealed_note,
    show_my_vote,
    vote_data,
)
from conversations.voting_confirm import show_confirmation
from storage.repositories.ballots import Voter

__all__ = ["Voting", "open_ballot", "router"]

log = logging.getLogger(__name__)


IN_VOTING = StateFilter(Voting)


# --- helpers ---------------------------------------------------------------------------------


async def _send_card(
    ctx: Ctx,
    state: FSMContext,
    finalists: list[Proposal],
    index: int,
    *,
    draft: VoteDraft | None = None,
    replace: Message | None = None,
) -> None:
    """`draft`: the dialog's data as the caller left it (read again when not given); saved
    here once, with the card shown."""
    bot, chat_id, campaign = ctx.bot, ctx.chat_id, ctx.campaign
    index %= len(finalists)
    draft = draft or await vote_data(state)
    choices = tuple(draft.choices)
    project = finalists[index]
    await state.set_state(Voting.browsing)
    await VOTE.save(state, draft.model_copy(update={"card": index}))
    text = card_text(project, index, len(finalists), choices, finalists, campaign)
    keyboard = card_keyboard(project, index, len(finalists), choices, campaign)
    if replace is not None:
        try:
            await replace.delete()
        except TelegramAPIError:
            pass  # too old to delete: the new card comes below it anyway
    if project.photo_file_id:
        await bot.send_photo(chat_id, project.photo_file_id, caption=text, reply_markup=keyboard)
    else:
        await bot.send_message(chat_id, text, reply_markup=keyboard)


async def _can_vote(ctx: Ctx, state: FSMContext) -> Voter | None:
    """The voter (verified, and whether they voted), or None when they cannot vote now (told why)."""
    chat_id = ctx.chat_id
    bot, campaign, clock, user, repos = ctx.bot, ctx.campaign, ctx.clock, ctx.user, ctx.repos
    phase = phase_at(campaign.calendar, clock.now())
    if phase != Phase.VOTING:
        await state.set_state(None)
        await bot.send_message(chat_id, closed_reason(campaign, await standing_now(repos, campaign, clock.now())))
        return None
    voter = await repos.ballots.voter(campaign.id, user.id)
    if not voter.verified:
        await verification.begin(ctx, state, then="vote")
        return None
    return voter


@verification.when_verified("vote")
async def open_ballot(ctx: Ctx, state: FSMContext) -> None:
    """Start (or start again) filling a ballot: /vote, the menu's button, Change, and back from verification."""
    bot, chat_id, campaign, repos = ctx.bot, ctx.chat_id, ctx.campaign, ctx.repos
    voter = await _can_vote(ctx, state)
    if voter is None:
        return
    finalists = await repos.ballots.finalists(campaign.id, frozen_in=campaign)
    if not finalists:
        await bot.send_message(
            chat_id, _("The list of projects on the ballot is not ready yet. Please try again later.")
        )
        return
    intro = texts_for(campaign).instructions(campaign)
    if voter.voted:
        if not campaign.ballot.changeable:
            await state.set_state(None)
            await bot.send_message(
                chat_id,
                _("You have already voted, and a vote cannot be changed in this campaign.") + " " + sealed_note(),
            )
            return
        intro = (
            _(
                "You have already voted; you can change your vote until {date}: a new ballot replaces the old one."
            ).format(date=when(campaign.calendar.voting_close, campaign))
            + "\n\n"
            + intro
        )
    await bot.send_message(
        chat_id,
        ngettext("🗳 {count} project is on the ballot.", "🗳 {count} projects are on the ballot.", len(finalists)).format(
            count=len(finalists)
        )
        + "\n"
        + intro,
    )
    await _send_card(ctx, state, finalists, 0, draft=VoteDraft())


# --- entering -------------------------------------------------------------------------------


async def vote_command(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await open_ballot(ctx, state)


async def vote_button(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    """The menu's 🗳 Vote, and /myvote's Change my vote."""
    await query.answer()
    await open_ballot(ctx, state)


# --- the cards ----------------------------------------------------------------------------------


async def navigate(query: CallbackQuery, callback_data: VoteNav, ctx: Ctx, state: FSMContext) -> None:
    if await button_allowed(query, ctx) is None:
        return
    finalists = await ctx.repos.ballots.finalists(ctx.campaign.id, frozen_in=ctx.campaign)
    if not finalists:
        await query.answer(
            _("The list of projects on the ballot is not ready yet. Please try again later."), show_alert=True
        )
        return
    await query.answer()
    await _send_card(
        ctx,
        state,
        finalists,
        callback_data.index,
        replace=query.message
        if isinstance(query.message, Message) and await state.get_state() != Voting.confirming.state
        else None,
    )


async def details(query: CallbackQuery, callback_data: VoteDetails, ctx: Ctx) -> None:
    bot, chat_id, campaign = ctx.bot, ctx.chat_id, ctx.campaign
    finalists = {p.id: p for p in await ctx.repos.ballots.finalists(campaign.id)}
    project = finalists.get(callback_data.project)
    if project is None:
        await query.answer(_("This project is not on the ballot."), show_alert=True)
        return
    await query.answer()
    place = (
        escape(project.location_text)
        if project.location_text
        else (
            f"{project.latitude:.5f}, {project.longitude:.5f}"
            if project.latitude is not None and project.longitude is not None
            else "—"
        )
    )
    await bot.send_message(
        chat_id,
        f"<b>{escape(project.title)}</b>\n\n{escape(project.description)}\n\n"
        f"<b>{_('Location')}:</b> {place}\n<b>{_('Estimated cost')}:</b> {money(project.cost, campaign)}",
    )
    if project.latitude is not None and project.longitude is not None:
        await bot.send_location(chat_id, project.latitude, project.longitude)


async def pick(query: CallbackQuery, callback_data: VotePick, ctx: Ctx, state: FSMContext) -> None:
    campaign, repos = ctx.campaign, ctx.repos
    voter = await button_allowed(query, ctx)
    if voter is None:
        return
    finalists = await repos.ballots.finalists(campaign.id, frozen_in=campaign)
    costs = {p.id: p.cost for p in finalists}
    if callback_data.project not in costs:
        await query.answer(_("This project is not on the ballot."), show_alert=True)
        return
    if voter.voted and not campaign.ballot.changeable:
        await query.answer(_("You have already voted; a vote cannot be changed in this campaign."), show_alert=True)
        return
    draft = await vote_data(state)
    if strategy(campaign.ballot).one_tap:
        await query.answer()
        draft = draft.model_copy(update={"choices": [callback_data.project]})
        await show_confirmation(ctx, state, finalists, (callback_data.project,), voter.voted, draft)
        return
    try:
        choices = toggle(campaign.ballot, draft.choices, callback_data.project, costs)
    except BallotError as error:
        await query.answer(ballot_error(error, campaign), show_alert=True)
        return
    await query.answer(texts_for(campaign).picked(callback_data.project, choices, campaign))
    index = next(i for i, p in enumerate(finalists) if p.id == callback_data.project)
    await _send_card(
        ctx,
        state,
        finalists,
        index,
        draft=draft.model_copy(update={"choices": list(choices)}),
        replace=query.message if isinstance(query.message, Message) else None,
    )


# --- /myvote ------------------------------------------------------------------------------------


async def my_vote(message: Message, ctx: Ctx) -> None:
    await show_my_vote(ctx)


# --- anything else while voting -------------------------------------------------------------------


async def unexpected(message: Message) -> None:
    await message.answer(_("Please use the buttons under the project cards, or /cancel."))


def router() -> Router:
    r = private_only(Router(name="voting"))  # in a group: conversations.group
    r.message.register(vote_command, Command("vote"))
    r.callback_query.register(vote_button, MenuAction.filter(F.action == "vote"))
    r.callback_query.register(vote_button, MyVoteChange.filter())
    r.callback_query.register(navigate, VoteNav.filter())
    r.callback_query.register(details, VoteDetails.filter())
    r.callback_query.register(pick, VotePick.filter())
    r.message.register(my_vote, Command("myvote"))
    r.message.register(unexpected, IN_VOTING, verification.not_a_command)
    r.include_router(voting_confirm.router())  # Submit and Confirm, after the cards' handlers
    return r
