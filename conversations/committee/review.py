"""/review: the committee checks each submitted project against the rules.

| input                           | then                                                          |
|---------------------------------|---------------------------------------------------------------|
| /review                         | the oldest submitted project, with the decision buttons       |
| ✅ Eligible                      | eligible; the author is told; the next project               |
| ✖ Not eligible                  | asks the reason (state `reason`); the author gets it          |
| ✏️ Ask for changes               | asks the message (state `changes`); the author gets it, and   |
|                                 | may change and resubmit the project (it comes back here)      |
| 🖊 Edit                          | a field button, then its new value (state `edit_value`);      |
|                                 | a new revision, the author is told what changed (`edit.py`)   |
| 🔗 Merge                         | asks the number (state `merge_target`); both authors told     |
| ⏭ Next                          | the next submitted project                                    |
| /cancel in a question           | nothing changes                                               |

Who may press what is `campaign.review`; the button only names the project, the rules are
checked again when the decision is applied.
"""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ForceReply, Message
from aiogram.utils.i18n import I18n, gettext as _

from campaign import fields
from campaign.calendar import phase_at
from campaign.clock import Clock
from campaign.proposal import Proposal
from campaign.review import ALLOWED_FROM, Refusal, ReviewAction, merge_refusal, new_status
from campaign.schema import Campaign
from conversations.after_commit import say_later
from conversations.committee.common import (
    chat_of,
    drop_buttons,
    leave_dialog,
    members_only,
    not_a_command,
    parse_number,
    refusal_text,
    tell_author,
    title_of,
)
from conversations.committee.revisions import allowed_in_chat, changed_since_shown, decidable, frozen
from conversations.committee.sheet import ReviewButton, show_next
from conversations.filters import plain_text
from conversations.render import when
from storage.repositories import Repositories, User

router = members_only(Router(name="committee_review"))

MAX_MESSAGE = 1000


class CommitteeDialog(StatesGroup):
    reason = State()  # why a project is not eligible
    changes = State()  # what the author should change
    edit_value = State()  # the new value of a field
    merge_target = State()  # the number of the project to merge into


@router.message(Command("review"))
async def review_command(
    message: Message, bot: Bot, state: FSMContext, repos: Repositories, campaign: Campaign, clock: Clock
) -> None:
    await leave_dialog(state)
    await show_next(bot, message.chat.id, repos, campaign, clock)


@router.callback_query(ReviewButton.filter(F.action == "next"))
async def next_button(
    query: CallbackQuery, callback_data: ReviewButton, bot: Bot, repos: Repositories, campaign: Campaign, clock: Clock
) -> None:
    await query.answer()
    await show_next(bot, chat_of(query), repos, campaign, clock, after=callback_data.proposal)


# --- applying a decision -------------------------------------------------------------------


async def _apply(
    action: ReviewAction,
    proposal: Proposal,
    actor: int,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
    *,
    reason: str | None = None,
    merged_into: int | None = None,
) -> Proposal | None:
    now = clock.now()
    changed = await repos.proposals.set_status(
        proposal.id,
        campaign.id,
        new_status(action, proposal.status),
        now,
        expected=ALLOWED_FROM[action],
        reason=reason,
        merged_into_id=merged_into,
    )
    if changed is None:
        return None
    details: dict[str, object] = {"from": str(proposal.status)}
    if reason:
        details["reason" if action == ReviewAction.INELIGIBLE else "message"] = reason
    if merged_into:
        details["into"] = merged_into
    await repos.audit.record(
        campaign.id, actor, f"proposal_{action.value}", now, target=f"proposal:{proposal.id}", **details
    )
    return changed


# --- eligible ------------------------------------------------------------------------------


@router.callback_query(ReviewButton.filter(F.action == ReviewAction.ELIGIBLE.value))
async def eligible(
    query: CallbackQuery,
    callback_data: ReviewButton,
    bot: Bot,
    state: FSMContext,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
    i18n: I18n,
) -> None:
    await leave_dialog(state)
    proposal = await decidable(query, callback_data, bot, user, repos, campaign, clock)
    if proposal is None:
        return
    if await _apply(ReviewAction.ELIGIBLE, proposal, user.telegram_id, repos, campaign, clock) is None:
        await query.answer(_("Someone decided on this project meanwhile."), show_alert=True)
        return
    await query.answer(_("Done."))
    await drop_buttons(query)
    cal = campaign.calendar
    told = await tell_author(
        bot,
        i18n,
        repos,
        proposal,
        lambda: _(
            "Good news: your project #{number} {title} is eligible — it meets the rules. "
            "The committee chooses the finalists by {review}; voting opens on {open}."
        ).format(
            number=proposal.id,
            title=title_of(proposal),
            review=when(cal.review_close, campaign),
            open=when(cal.voting_open, campaign),
        ),
    )
    say_later(
        bot,
        chat_of(query),
        lambda: decided(_("Project #{number} is eligible.").format(number=proposal.id), told.reached),
    )
    await show_next(bot, chat_of(query), repos, campaign, clock, after=proposal.id)


def decided(text: str, told: bool) -> str:
    """Call it after the commit (`say_later`): whether the author was told is known then."""
    return text + " " + (_("The author was told.") if told else _("The author could not be reached."))


# --- questions: not eligible, ask for changes, merge -----------------------------------------


async def ask(
    query: CallbackQuery, bot: Bot, state: FSMContext, dialog: State, proposal: Proposal, question: str, **extra: object
) -> None:
    await state.set_state(dialog)
    await state.update_data(committee={"proposal": proposal.id, **extra})
    await query.answer()
    # ForceReply: in the committee group, the bot (in privacy mode) only sees replies to it.
    await bot.send_message(chat_of(query), question + "\n" + _("Or /cancel."), reply_markup=ForceReply(selective=True))


def _question(action: ReviewAction) -> tuple[State, str]:
    """The state that waits for the answer a decision needs, and the question."""
    if action == ReviewAction.INELIGIBLE:
        return CommitteeDialog.reason, _(
            "Why is project #{number} not eligible? Type the reason: it is sent to the author as you write it."
        )
    if action == ReviewAction.REQUEST_CHANGES:
        return CommitteeDialog.changes, _(
            "What should the author of project #{number} change? Type your message: it is sent to the author as you write it."
        )
    return CommitteeDialog.merge_target, _(
        "Project #{number} is a duplicate of which project? Type its number (for example 12)."
    )


QUESTIONS = {ReviewAction.INELIGIBLE.value, ReviewAction.REQUEST_CHANGES.value, ReviewAction.MERGE.value}


@router.callback_query(ReviewButton.filter(F.action.in_(QUESTIONS)))
async def question_button(
    query: CallbackQuery,
    callback_data: ReviewButton,
    bot: Bot,
    state: FSMContext,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
) -> None:
    proposal = await decidable(query, callback_data, bot, user, repos, campaign, clock)
    if proposal is None:
        return
    dialog, question = _question(ReviewAction(callback_data.action))
    await ask(query, bot, state, dialog, proposal, question.format(number=proposal.id), revision=callback_data.revision)


async def dialog_proposal(state: FSMContext) -> dict:
    return (await state.get_data()).get("committee") or {}


def _clean_message(text: str | None) -> str | None:
    cleaned = fields.clean_text(text or "")
    return cleaned if 3 <= len(cleaned) <= MAX_MESSAGE else None


async def _decide_with_text(
    action: ReviewAction,
    message: Message,
    bot: Bot,
    state: FSMContext,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
    *,
    too_long: str,
) -> tuple[Proposal, str] | None:
    """Applies `action` with the typed text as its reason; None (and says why) if it cannot."""
    text = _clean_message(message.text)
    if text is None:
        await bot.send_message(message.chat.id, too_long.format(maximum=MAX_MESSAGE))
        return None
    asked = await dialog_proposal(state)
    number = int(asked.get("proposal") or 0)
    await state.set_state(None)
    await state.update_data(committee=None)
    proposal = await allowed_in_chat(
        bot, message.chat.id, action, number, user, repos, campaign, clock, shown=int(asked.get("revision") or 0)
    )
    if proposal is None:
        return None
    if await _apply(action, proposal, user.telegram_id, repos, campaign, clock, reason=text) is None:
        await bot.send_message(message.chat.id, _("Someone decided on this project meanwhile."))
        return None
    return proposal, text


@router.message(CommitteeDialog.reason, plain_text)
async def reason_typed(
    message: Message,
    bot: Bot,
    state: FSMContext,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
    i18n: I18n,
) -> None:
    done = await _decide_with_text(
        ReviewAction.INELIGIBLE,
        message,
        bot,
        state,
        user,
        repos,
        campaign,
        clock,
        too_long=_("Please type the reason in 3 to {maximum} characters, or /cancel."),
    )
    if done is None:
        return
    proposal, reason = done
    told = await tell_author(
        bot,
        i18n,
        repos,
        proposal,
        lambda: _("Your project #{number} {title} is not eligible. The committee's reason:\n\n{reason}").format(
            number=proposal.id, title=title_of(proposal), reason=escape(reason)
        ),
    )
    say_later(
        bot,
        message.chat.id,
        lambda: decided(_("Project #{number} is not eligible.").format(number=proposal.id), told.reached),
    )
    await show_next(bot, message.chat.id, repos, campaign, clock, after=proposal.id)


@router.message(CommitteeDialog.changes, plain_text)
async def changes_typed(
    message: Message,
    bot: Bot,
    state: FSMContext,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
    i18n: I18n,
) -> None:
    done = await _decide_with_text(
        ReviewAction.REQUEST_CHANGES,
        message,
        bot,
        state,
        user,
        repos,
        campaign,
        clock,
        too_long=_("Please type the message in 3 to {maximum} characters, or /cancel."),
    )
    if done is None:
        return
    proposal, request = done
    deadline = campaign.calendar.review_close
    told = await tell_author(
        bot,
        i18n,
        repos,
        proposal,
        lambda: _(
            "The committee asks you to change your project #{number} {title}:\n\n{message}\n\n"
            "Send /myproposals, press “Change #{number}”, make the changes and submit: the project comes back to the committee. "
            "Please do it by {deadline}."
        ).format(
            number=proposal.id, title=title_of(proposal), message=escape(request), deadline=when(deadline, campaign)
        ),
    )
    say_later(
        bot,
        message.chat.id,
        lambda: decided(_("Changes asked for project #{number}.").format(number=proposal.id), told.reached),
    )
    await show_next(bot, message.chat.id, repos, campaign, clock, after=proposal.id)


@router.message(CommitteeDialog.merge_target, plain_text)
async def merge_target_typed(
    message: Message,
    bot: Bot,
    state: FSMContext,
    user: User,
    repos: Repositories,
    campaign: Campaign,
    clock: Clock,
    i18n: I18n,
) -> None:
    target_id = parse_number(message.text)
    if target_id is None:
        await bot.send_message(message.chat.id, _("Please type the number of the project, for example 12, or /cancel."))
        return
    asked = await dialog_proposal(state)
    number = int(asked.get("proposal") or 0)
    source = await repos.proposals.get(number, campaign.id)
    target = await repos.proposals.get(target_id, campaign.id)
    phase = phase_at(campaign.calendar, clock.now())
    if source is None:
        await state.set_state(None)
        await bot.send_message(message.chat.id, _("There is no project #{number}.").format(number=number))
        return
    refused = merge_refusal(source.id, source.status, target_id, target.status if target else None, phase)
    if refused is not None:
        # A wrong number: ask again; a project that changed meanwhile: stop.
        if refused in (Refusal.SAME_PROPOSAL, Refusal.BAD_TARGET):
            await bot.send_message(
                message.chat.id,
                refusal_text(refused, source.status, target_id) + " " + _("Type another number, or /cancel."),
            )
        else:
            await state.set_state(None)
            locked = refused == Refusal.LOCKED
            text = await frozen(repos, campaign, source, user.telegram_id, "proposal_merge", clock) if locked else None
            await bot.send_message(message.chat.id, text or refusal_text(refused, source.status, target_id))
        return
    assert target is not None
    await state.set_state(None)
    await state.update_data(committee=None)
    if await changed_since_shown(
        bot, message.chat.id, source, int(asked.get("revision") or 0), user, repos, campaign, clock, ReviewAction.MERGE
    ):
        return
    if (
        await _apply(ReviewAction.MERGE, source, user.telegram_id, repos, campaign, clock, merged_into=target.id)
        is None
    ):
        await bot.send_message(message.chat.id, _("Someone decided on this project meanwhile."))
        return
    told_source = await tell_author(
        bot,
        i18n,
        repos,
        source,
        lambda: _(
            "Your project #{number} {title} is very close to project #{other} {other_title}: the committee merged them, "
            "and they go forward together as project #{other}."
        ).format(number=source.id, title=title_of(source), other=target.id, other_title=title_of(target)),
    )
    told_target = await tell_author(
        bot,
        i18n,
        repos,
        target,
        lambda: _(
            "Project #{number} {title} was very close to your project #{other} {other_title}: the committee merged it into yours."
        ).format(number=source.id, title=title_of(source), other=target.id, other_title=title_of(target)),
    )
    say_later(
        bot,
        message.chat.id,
        lambda: (
            _("Project #{number} is merged into #{other}.").format(number=source.id, other=target.id)
            + " "
            + (
                _("Both authors were told.")
                if told_source.reached and told_target.reached
                else _("Not every author could be reached.")
            )
        ),
    )
    await show_next(bot, message.chat.id, repos, campaign, clock, after=source.id)


# --- leaving a question ---------------------------------------------------------------------------


@router.message(StateFilter(CommitteeDialog), Command("cancel"))
async def cancel(message: Message, bot: Bot, state: FSMContext) -> None:
    await state.set_state(None)
    await state.update_data(committee=None)
    await bot.send_message(message.chat.id, _("Stopped: nothing changed."))


@router.message(StateFilter(CommitteeDialog), not_a_command)
async def not_text(message: Message, bot: Bot) -> None:
    await bot.send_message(message.chat.id, _("Please answer with text, or /cancel."))
