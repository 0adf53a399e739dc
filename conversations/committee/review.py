"""/review: the committee checks each submitted project against the rules.

| input                           | then                                                          |
|---------------------------------|---------------------------------------------------------------|
| /review                         | the oldest submitted project, with the decision buttons       |
| ✅ Eligible                      | eligible; the author is told; the next project               |
| ✖ Not eligible                  | asks the reason (state `reason`); the author gets it          |
| ✏️ Ask for changes               | asks the message (state `changes`); the author gets it, and   |
|                                 | may change and resubmit the project (it comes back here)      |
| 🖊 Edit                          | a field button, then its new value; a new revision, the       |
|                                 | author is told what changed (its own dialog: `edit.py`)       |
| 🔗 Merge                         | asks the number (state `merge_target`); both authors told     |
| ⏭ Next                          | the next submitted project                                    |
| /cancel in a question           | nothing changes (conversations.dialog_state)                  |

Who may press what is `campaign.review`; the button only names the project, the rules are
checked again when the decision is applied (revisions.py). The questions' dialog, its diagram
and the typed answers are in questions.py.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from campaign.review import ReviewAction
from conversations.committee import questions
from conversations.committee.questions import QUESTION, CommitteeDialog, ReviewQuestion
from conversations.committee.common import (
    drop_buttons,
    leave_dialog,
    members_only,
    not_a_command,
    tell_author,
    title_of,
)
from conversations.committee.decisions import apply_decision, ask, decided, not_text
from conversations.committee.revisions import decidable
from conversations.committee.sheet import ReviewButton, show_next
from conversations.after_commit import say_later
from conversations.context import Ctx
from conversations.filters import plain_text
from conversations.render import when


async def review_command(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await leave_dialog(state)
    await show_next(ctx, ctx.chat_id)


async def next_button(query: CallbackQuery, ctx: Ctx, callback_data: ReviewButton) -> None:
    await query.answer()
    await show_next(ctx, ctx.chat_id, after=callback_data.proposal)


async def eligible(query: CallbackQuery, ctx: Ctx, callback_data: ReviewButton, state: FSMContext) -> None:
    await leave_dialog(state)
    proposal = await decidable(query, ctx, callback_data)
    if proposal is None:
        return
    if await apply_decision(ReviewAction.ELIGIBLE, proposal, ctx) is None:
        await query.answer(_("Someone decided on this project meanwhile."), show_alert=True)
        return
    await query.answer(_("Done."))
    await drop_buttons(query)
    cal, campaign = ctx.campaign.calendar, ctx.campaign
    told = await tell_author(
        ctx.bot,
        ctx.i18n,
        ctx.repos,
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
        ctx.bot,
        ctx.chat_id,
        lambda: decided(_("Project #{number} is eligible.").format(number=proposal.id), told.reached),
    )
    await show_next(ctx, ctx.chat_id, after=proposal.id)


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


async def question_button(query: CallbackQuery, ctx: Ctx, callback_data: ReviewButton, state: FSMContext) -> None:
    proposal = await decidable(query, ctx, callback_data)
    if proposal is None:
        return
    step, question = _question(ReviewAction(callback_data.action))
    await leave_dialog(state)  # another committee question in progress is dropped
    await QUESTION.enter(state, step, ReviewQuestion(proposal=proposal.id, revision=callback_data.revision))
    await ask(query, ctx, question.format(number=proposal.id))


def router() -> Router:
    r = members_only(Router(name="committee_review"))
    r.message.register(review_command, Command("review"))
    r.callback_query.register(next_button, ReviewButton.filter(F.action == "next"))
    r.callback_query.register(eligible, ReviewButton.filter(F.action == ReviewAction.ELIGIBLE.value))
    r.callback_query.register(question_button, ReviewButton.filter(F.action.in_(QUESTIONS)))
    r.message.register(questions.reason_typed, CommitteeDialog.reason, plain_text)
    r.message.register(questions.changes_typed, CommitteeDialog.changes, plain_text)
    r.message.register(questions.merge_target_typed, CommitteeDialog.merge_target, plain_text)
    r.message.register(not_text, StateFilter(CommitteeDialog), not_a_command)
    return r
