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

Here: entering, the cards, /myvote, /cancel. The confirmation and the recording are
conversations.voting_confirm; the states, the dialog's data and what a card shows are
conversations.voting_cards.
"""

from __future__ import annotations

import logging
from html import escape

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _, ngettext

from campaign.ballot import BallotError, strategy, toggle
from campaign.calendar import Phase, phase_at
from campaign.clock import Clock
from campaign.proposal import Proposal
from campaign.schema import Campaign
from conversations import verification, voting_confirm
from conversations.ballot_texts import texts_for
from conversations.filters import chat_of
from conversations.menu import MenuAction
from conversations.render import money, when
from conversations.scope import private_only
from conversations.standing import standing_now
from conversations.voting_cards import (
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
    save_vote_data,
    sealed_note,
    show_my_vote,
    vote_data,
)
from conversations.voting_confirm import show_confirmation
from storage.repositories import Repositories, User

__all__ = ["Voting", "open_ballot", "router"]

log = logging.getLogger(__name__)
router = private_only(Router(name="voting"))  # in a group: conversations.group
router.include_router(voting_confirm.router)  # Submit and Confirm, after the cards' handlers


IN_VOTING = StateFilter(Voting)


# --- helpers ---------------------------------------------------------------------------------


async def _send_card(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    campaign: Campaign,
    finalists: list[Proposal],
    index: int,
    *,
    replace: Message | None = None,
) -> None:
    index %= len(finalists)
    choices = tuple((await vote_data(state)).choices)
    project = finalists[index]
    await state.set_state(Voting.browsing)
    await save_vote_data(state, card=index)
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


async def _can_vote(
    bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, clock: Clock, user: User, repos: Repositories
) -> bool:
    phase = phase_at(campaign.calendar, clock.now())
    if phase != Phase.VOTING:
        await state.set_state(None)
        await bot.send_message(chat_id, closed_reason(campaign, await standing_now(repos, campaign, clock.now())))
        return False
    if not await repos.verification.is_verified(user.id):
        await verification.begin(bot, chat_id, state, campaign, user, repos, then="vote")
        return False
    return True


@verification.when_verified("vote")
async def _vote_once_verified(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    campaign: Campaign,
    user: User,
    repos: Repositories,
    clock: Clock,
    secret_key: bytes,
) -> None:
    await open_ballot(bot, chat_id, state, campaign, clock, user, repos, secret_key)


async def open_ballot(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    campaign: Campaign,
    clock: Clock,
    user: User,
    repos: Repositories,
    secret_key: bytes,
) -> None:
    """Start (or start again) filling a ballot."""
    if not await _can_vote(bot, chat_id, state, campaign, clock, user, repos):
        return
    finalists = await repos.ballots.finalists(campaign.id)
    if not finalists:
        await bot.send_message(
            chat_id, _("The list of projects on the ballot is not ready yet. Please try again later.")
        )
        return
    voted = await repos.ballots.has_voted(campaign.id, user.id)
    intro = texts_for(campaign).instructions(campaign)
    if voted:
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
    await state.update_data(vote=VoteDraft().model_dump())
    await bot.send_message(
        chat_id,
        ngettext("🗳 {count} project is on the ballot.", "🗳 {count} projects are on the ballot.", len(finalists)).format(
            count=len(finalists)
        )
        + "\n"
        + intro,
    )
    await _send_card(bot, chat_id, state, campaign, finalists, 0)


# --- entering -------------------------------------------------------------------------------


@router.message(Command("vote"))
async def vote_command(
    message: Message,
    bot: Bot,
    state: FSMContext,
    campaign: Campaign,
    clock: Clock,
    user: User,
    repos: Repositories,
    secret_key: bytes,
) -> None:
    await open_ballot(bot, message.chat.id, state, campaign, clock, user, repos, secret_key)


@router.callback_query(MenuAction.filter(F.action == "vote"))
async def vote_button(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    campaign: Campaign,
    clock: Clock,
    user: User,
    repos: Repositories,
    secret_key: bytes,
) -> None:
    await query.answer()
    await open_ballot(bot, chat_of(query), state, campaign, clock, user, repos, secret_key)


@router.callback_query(MyVoteChange.filter())
async def change_button(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    campaign: Campaign,
    clock: Clock,
    user: User,
    repos: Repositories,
    secret_key: bytes,
) -> None:
    await query.answer()
    await open_ballot(bot, chat_of(query), state, campaign, clock, user, repos, secret_key)


# --- the cards ----------------------------------------------------------------------------------


@router.callback_query(VoteNav.filter())
async def navigate(
    query: CallbackQuery,
    callback_data: VoteNav,
    bot: Bot,
    state: FSMContext,
    campaign: Campaign,
    clock: Clock,
    user: User,
    repos: Repositories,
) -> None:
    if not await button_allowed(query, campaign, clock, user, repos):
        return
    finalists = await repos.ballots.finalists(campaign.id)
    if not finalists:
        await query.answer(
            _("The list of projects on the ballot is not ready yet. Please try again later."), show_alert=True
        )
        return
    await query.answer()
    await _send_card(
        bot,
        chat_of(query),
        state,
        campaign,
        finalists,
        callback_data.index,
        replace=query.message
        if isinstance(query.message, Message) and await state.get_state() != Voting.confirming.state
        else None,
    )


@router.callback_query(VoteDetails.filter())
async def details(
    query: CallbackQuery, callback_data: VoteDetails, bot: Bot, campaign: Campaign, repos: Repositories
) -> None:
    finalists = {p.id: p for p in await repos.ballots.finalists(campaign.id)}
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
        chat_of(query),
        f"<b>{escape(project.title)}</b>\n\n{escape(project.description)}\n\n"
        f"<b>{_('Location')}:</b> {place}\n<b>{_('Estimated cost')}:</b> {money(project.cost, campaign)}",
    )
    if project.latitude is not None and project.longitude is not None:
        await bot.send_location(chat_of(query), project.latitude, project.longitude)


@router.callback_query(VotePick.filter())
async def pick(
    query: CallbackQuery,
    callback_data: VotePick,
    bot: Bot,
    state: FSMContext,
    campaign: Campaign,
    clock: Clock,
    user: User,
    repos: Repositories,
    secret_key: bytes,
) -> None:
    if not await button_allowed(query, campaign, clock, user, repos):
        return
    finalists = await repos.ballots.finalists(campaign.id)
    costs = {p.id: p.cost for p in finalists}
    if callback_data.project not in costs:
        await query.answer(_("This project is not on the ballot."), show_alert=True)
        return
    voted = await repos.ballots.has_voted(campaign.id, user.id)
    if voted and not campaign.ballot.changeable:
        await query.answer(_("You have already voted; a vote cannot be changed in this campaign."), show_alert=True)
        return
    if strategy(campaign.ballot).one_tap:
        await query.answer()
        await save_vote_data(state, choices=[callback_data.project])
        await show_confirmation(bot, chat_of(query), state, campaign, finalists, (callback_data.project,), voted)
        return
    draft = await vote_data(state)
    try:
        choices = toggle(campaign.ballot, draft.choices, callback_data.project, costs)
    except BallotError as error:
        await query.answer(ballot_error(error, campaign), show_alert=True)
        return
    await query.answer(texts_for(campaign).picked(callback_data.project, choices, campaign))
    await save_vote_data(state, choices=list(choices))
    index = next(i for i, p in enumerate(finalists) if p.id == callback_data.project)
    await _send_card(
        bot,
        chat_of(query),
        state,
        campaign,
        finalists,
        index,
        replace=query.message if isinstance(query.message, Message) else None,
    )


# --- /myvote ------------------------------------------------------------------------------------


@router.message(Command("myvote"))
async def my_vote(
    message: Message, bot: Bot, campaign: Campaign, clock: Clock, user: User, repos: Repositories
) -> None:
    await show_my_vote(bot, message.chat.id, campaign, clock, user, repos)


# --- anything else while voting -------------------------------------------------------------------


@router.message(IN_VOTING, Command("cancel"))
async def cancel(message: Message, state: FSMContext) -> None:
    await state.set_state(None)
    await state.update_data(vote=None)
    await message.answer(_("Stopped. Nothing was recorded. Send /vote to start again."))


@router.message(IN_VOTING, verification.not_a_command)
async def unexpected(message: Message) -> None:
    await message.answer(_("Please use the buttons under the project cards, or /cancel."))
