"""The voting dialog's states (Voting) and data (VoteDraft), its buttons and what it shows: a
finalist's card, the ballot, why a ballot is refused (the words come from the ballot type's
texts, conversations.ballot_texts), why there is no vote now, whether a button may act now."""

from __future__ import annotations

import hashlib
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from conversations.keyboard import Button, InlineKeyboardBuilder, inline_markup
from pydantic import BaseModel

from campaign.ballot import BallotError, strategy
from campaign.calendar import Phase, phase_at
from campaign.proposal import Proposal
from campaign.schema import Campaign
from campaign.standing import VOTE_OVER, Standing
from conversations.ballot_texts import texts_for
from conversations.context import Ctx
from conversations.dialog_state import DialogState
from conversations.render import category_name, money, results_news, when
from conversations.standing import standing_now
from storage.repositories.ballots import Voter


class Voting(StatesGroup):
    browsing = State()
    confirming = State()


class VoteNav(CallbackData, prefix="vnav"):
    index: int


class VotePick(CallbackData, prefix="vpick"):
    project: int


class VoteDetails(CallbackData, prefix="vdet"):
    project: int


class VoteSubmit(CallbackData, prefix="vsub"):
    pass


class VoteConfirm(CallbackData, prefix="vok"):
    digest: str


class MyVoteChange(CallbackData, prefix="vchg"):
    pass


def digest(choices: tuple[int, ...] | list[int]) -> str:
    return hashlib.sha256(",".join(str(c) for c in choices).encode()).hexdigest()[:16]


def ballot_lines(choices: tuple[int, ...] | list[int], finalists: list[Proposal], campaign: Campaign) -> str:
    return "\n".join(texts_for(campaign).ballot_lines(choices, finalists, campaign))


def ballot_error(error: BallotError, campaign: Campaign) -> str:
    return texts_for(campaign).error(error, campaign)


def card_text(
    project: Proposal, index: int, count: int, choices: tuple[int, ...], finalists: list[Proposal], campaign: Campaign
) -> str:
    lines = [
        f"<b>{index + 1} / {count}</b>",
        f"<b>{escape(project.title)}</b>",
        f"{_('Estimated cost')}: {money(project.cost, campaign)} · {category_name(campaign, project.category)}",
        "",
        escape(project.summary),
    ]
    status = texts_for(campaign).card_status(choices, finalists, campaign)
    return "\n".join(lines + ([""] + status if status else []))


def card_keyboard(
    project: Proposal, index: int, count: int, choices: tuple[int, ...], campaign: Campaign
) -> InlineKeyboardMarkup:
    rows: list[tuple[Button, ...]] = []
    if count > 1:
        rows.append(
            (("◀️", VoteNav(index=(index - 1) % count).pack()), ("▶️", VoteNav(index=(index + 1) % count).pack()))
        )
    rows.append(((_("📄 Details"), VoteDetails(project=project.id).pack()),))
    pick = texts_for(campaign).pick_label(project.id, choices, campaign)
    rows.append(((pick, VotePick(project=project.id).pack()),))
    if not strategy(campaign.ballot).one_tap:
        submit = _("📨 Submit my ballot ({count})").format(count=len(set(choices)))
        rows.append(((submit, VoteSubmit().pack()),))
    return inline_markup(tuple(rows))


class VoteDraft(BaseModel):
    """The voting dialog's state, under its own key ("vote") of the conversation data: the
    ballot being filled, the card shown, the ballot awaiting confirmation. Nothing else in the
    conversation data is read or cleared by this dialog."""

    choices: list[int] = []
    card: int = 0
    pending: list[int] | None = None


# /cancel (conversations.dialog_state) ends the dialog and says this.
VOTE = DialogState(
    Voting, "vote", VoteDraft, stopped=lambda: _("Stopped. Nothing was recorded. Send /vote to start again.")
)


async def vote_data(state: FSMContext) -> VoteDraft:
    return await VOTE.load(state)


async def save_vote_data(state: FSMContext, **values: object) -> None:
    await VOTE.update(state, **values)


def closed_reason(campaign: Campaign, where: Standing) -> str:
    """Why there is no vote now; what follows the vote comes from the one rule (campaign.standing)."""
    cal = campaign.calendar
    if where not in VOTE_OVER:
        return _("Voting is not open yet: it opens on {open} and closes on {close}.").format(
            open=when(cal.voting_open, campaign), close=when(cal.voting_close, campaign)
        )
    return (
        _("Voting closed on {close}.").format(close=when(cal.voting_close, campaign))
        + " "
        + results_news(campaign, where)
    )


async def button_allowed(query: CallbackQuery, ctx: Ctx) -> Voter | None:
    """A button of the dialog is only a request: the phase and the verification are checked
    again. None when the press is refused (and answered); otherwise the voter as read now
    (verified, and whether they have voted), for the press's own checks."""
    campaign, clock, user, repos = ctx.campaign, ctx.clock, ctx.user, ctx.repos
    phase = phase_at(campaign.calendar, clock.now())
    if phase != Phase.VOTING:
        await query.answer(
            closed_reason(campaign, await standing_now(repos, campaign, clock.now()))[:200], show_alert=True
        )
        return None
    voter = await repos.ballots.voter(campaign.id, user.id)
    if not voter.verified:
        await query.answer(_("Please verify first: send /vote."), show_alert=True)
        return None
    return voter


def sealed_note() -> str:
    return _(
        "Your ballot is sealed until the count: the confirmation message in this chat shows your choices and your tracker."
    )


async def show_my_vote(ctx: Ctx) -> None:
    """/myvote: whether the resident voted (a sealed ballot cannot be read back), and Change while allowed."""
    bot, chat_id, campaign, clock, user, repos = ctx.bot, ctx.chat_id, ctx.campaign, ctx.clock, ctx.user, ctx.repos
    voted = await repos.ballots.has_voted(campaign.id, user.id)
    phase = phase_at(campaign.calendar, clock.now())
    if not voted:
        text = _("You have not voted.")
        if phase == Phase.VOTING:
            text += " " + _("Send /vote to vote until {date}.").format(
                date=when(campaign.calendar.voting_close, campaign)
            )
        else:
            text += " " + closed_reason(campaign, await standing_now(repos, campaign, clock.now()))
        await bot.send_message(chat_id, text)
        return
    text = _("You have voted.") + " " + sealed_note()
    markup = None
    if phase == Phase.VOTING and campaign.ballot.changeable:
        builder = InlineKeyboardBuilder()
        builder.button(text=_("✏️ Change my vote"), callback_data=MyVoteChange())
        markup = builder.as_markup()
        text += "\n\n" + _("You can change it until {date}.").format(
            date=when(campaign.calendar.voting_close, campaign)
        )
    await bot.send_message(chat_id, text, reply_markup=markup)
