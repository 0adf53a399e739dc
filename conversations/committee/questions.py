"""The questions a /review decision asks (review.py's buttons), and their typed answers.

```mermaid
stateDiagram-v2
    [*] --> reason: ✖ Not eligible
    [*] --> changes: ✏️ Ask for changes
    [*] --> merge_target: 🔗 Merge into…
    reason --> reason: too short or too long
    reason --> [*]: the reason (the author is told)
    changes --> changes: too short or too long
    changes --> [*]: the message (the author is told)
    merge_target --> merge_target: not a project in the running
    merge_target --> [*]: a project's number (both authors are told)
    reason --> [*]: /cancel, or another committee command
    changes --> [*]: /cancel, or another committee command
    merge_target --> [*]: /cancel, or another committee command
```

The answer is checked like the button was (revisions.py): a project the author changed since
its card was shown is not decided on, its new version is shown instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from campaign import fields
from campaign.calendar import phase_at
from campaign.proposal import Proposal
from campaign.review import Refusal, ReviewAction, merge_refusal
from conversations.after_commit import say_later
from conversations.committee.common import parse_number, refusal_text, tell_author, title_of
from conversations.committee.decisions import apply_decision, decided
from conversations.committee.revisions import allowed_in_chat, changed_since_shown, frozen
from conversations.committee.sheet import show_next
from conversations.context import Ctx
from conversations.dialog_state import DialogState
from conversations.render import when

MAX_MESSAGE = 1000


class CommitteeDialog(StatesGroup):
    reason = State()  # why a project is not eligible
    changes = State()  # what the author should change
    merge_target = State()  # the number of the project to merge into


@dataclass
class ReviewQuestion:
    """What the question is about: the project, and the revision its card showed."""

    proposal: int = 0
    revision: int = 0


QUESTION = DialogState(CommitteeDialog, "committee", ReviewQuestion, stopped=lambda: _("Stopped: nothing changed."))


def _clean_message(text: str | None) -> str | None:
    cleaned = fields.clean_text(text or "")
    return cleaned if 3 <= len(cleaned) <= MAX_MESSAGE else None


async def _decide_with_text(
    action: ReviewAction, message: Message, ctx: Ctx, state: FSMContext, *, too_long: str
) -> tuple[Proposal, str] | None:
    """Applies `action` with the typed text as its reason; None (and says why) if it cannot."""
    text = _clean_message(message.text)
    if text is None:
        await ctx.bot.send_message(ctx.chat_id, too_long.format(maximum=MAX_MESSAGE))
        return None
    asked = await QUESTION.load(state)
    await QUESTION.end(state)
    proposal = await allowed_in_chat(ctx, action, asked.proposal, shown=asked.revision)
    if proposal is None:
        return None
    if await apply_decision(action, proposal, ctx, reason=text) is None:
        await ctx.bot.send_message(ctx.chat_id, _("Someone decided on this project meanwhile."))
        return None
    return proposal, text


async def reason_typed(message: Message, ctx: Ctx, state: FSMContext) -> None:
    done = await _decide_with_text(
        ReviewAction.INELIGIBLE,
        message,
        ctx,
        state,
        too_long=_("Please type the reason in 3 to {maximum} characters, or /cancel."),
    )
    if done is None:
        return
    proposal, reason = done
    told = await tell_author(
        ctx.bot,
        ctx.i18n,
        ctx.repos,
        proposal,
        lambda: _("Your project #{number} {title} is not eligible. The committee's reason:\n\n{reason}").format(
            number=proposal.id, title=title_of(proposal), reason=escape(reason)
        ),
    )
    say_later(
        ctx.bot,
        ctx.chat_id,
        lambda: decided(_("Project #{number} is not eligible.").format(number=proposal.id), told.reached),
    )
    await show_next(ctx, ctx.chat_id, after=proposal.id)


async def changes_typed(message: Message, ctx: Ctx, state: FSMContext) -> None:
    done = await _decide_with_text(
        ReviewAction.REQUEST_CHANGES,
        message,
        ctx,
        state,
        too_long=_("Please type the message in 3 to {maximum} characters, or /cancel."),
    )
    if done is None:
        return
    proposal, request = done
    campaign = ctx.campaign
    deadline = campaign.calendar.review_close
    told = await tell_author(
        ctx.bot,
        ctx.i18n,
        ctx.repos,
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
        ctx.bot,
        ctx.chat_id,
        lambda: decided(_("Changes asked for project #{number}.").format(number=proposal.id), told.reached),
    )
    await show_next(ctx, ctx.chat_id, after=proposal.id)


async def merge_target_typed(message: Message, ctx: Ctx, state: FSMContext) -> None:
    target_id = parse_number(message.text)
    if target_id is None:
        await ctx.bot.send_message(ctx.chat_id, _("Please type the number of the project, for example 12, or /cancel."))
        return
    asked = await QUESTION.load(state)
    source = await ctx.repos.proposals.get(asked.proposal, ctx.campaign.id)
    target = await ctx.repos.proposals.get(target_id, ctx.campaign.id)
    phase = phase_at(ctx.campaign.calendar, ctx.clock.now())
    if source is None:
        await QUESTION.end(state)
        await ctx.bot.send_message(ctx.chat_id, _("There is no project #{number}.").format(number=asked.proposal))
        return
    refused = merge_refusal(source.id, source.status, target_id, target.status if target else None, phase)
    if refused is not None:
        # A wrong number: ask again; a project that changed meanwhile: stop.
        if refused in (Refusal.SAME_PROPOSAL, Refusal.BAD_TARGET):
            await ctx.bot.send_message(
                ctx.chat_id,
                refusal_text(refused, source.status, target_id) + " " + _("Type another number, or /cancel."),
            )
        else:
            await QUESTION.end(state)
            text = await frozen(ctx, source, "proposal_merge") if refused == Refusal.LOCKED else None
            await ctx.bot.send_message(ctx.chat_id, text or refusal_text(refused, source.status, target_id))
        return
    assert target is not None
    await QUESTION.end(state)
    if await changed_since_shown(ctx, source, asked.revision, ReviewAction.MERGE):
        return
    if await apply_decision(ReviewAction.MERGE, source, ctx, merged_into=target.id) is None:
        await ctx.bot.send_message(ctx.chat_id, _("Someone decided on this project meanwhile."))
        return
    told_source = await tell_author(
        ctx.bot,
        ctx.i18n,
        ctx.repos,
        source,
        lambda: _(
            "Your project #{number} {title} is very close to project #{other} {other_title}: the committee merged them, "
            "and they go forward together as project #{other}."
        ).format(number=source.id, title=title_of(source), other=target.id, other_title=title_of(target)),
    )
    told_target = await tell_author(
        ctx.bot,
        ctx.i18n,
        ctx.repos,
        target,
        lambda: _(
            "Project #{number} {title} was very close to your project #{other} {other_title}: the committee merged it into yours."
        ).format(number=source.id, title=title_of(source), other=target.id, other_title=title_of(target)),
    )
    say_later(
        ctx.bot,
        ctx.chat_id,
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
    await show_next(ctx, ctx.chat_id, after=source.id)
