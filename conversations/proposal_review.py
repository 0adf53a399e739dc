"""The proposal wizard's sheet: change a field, submit (a new project, or the changes to one
being edited), and opening a submitted project on the sheet to edit it (/myproposals).

Its router is included in the wizard's (conversations.proposal_wizard), after the wizard's own
handlers; the states and the two screens are conversations.proposal_screens'.
"""

from __future__ import annotations

import logging
from html import escape

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from campaign.calendar import Phase, phase_at
from campaign.proposal import Proposal, ProposalDraft, ProposalStatus, author_may_edit, changed_fields
from conversations.proposal_questions import WizardAction
from conversations.context import Ctx
from conversations.proposal_screens import (
    STATE_FOR_FIELD,
    WIZARD,
    ProposalWizard,
    WizardData,
    ask,
    end_wizard,
    show_review,
    update_wizard,
    wizard_data,
)
from conversations.render import proposal_sheet, proposals_closed_reason, when
from conversations.standing import is_published

log = logging.getLogger(__name__)


# --- the sheet: change a field, submit --------------------------------------------------------


async def change_field(query: CallbackQuery, callback_data: WizardAction, ctx: Ctx, state: FSMContext) -> None:
    if callback_data.field not in STATE_FOR_FIELD:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    data = await update_wizard(state, return_to_review=True)
    await ask(ctx, state, callback_data.field, draft=data.proposal)


async def submit(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    campaign, repos, user = ctx.campaign, ctx.repos, ctx.user
    data = await wizard_data(state)
    draft = data.proposal
    now = ctx.clock.now()
    missing = draft.first_missing()
    if missing is not None:
        await query.answer()
        await ask(ctx, state, missing, problem=_("One answer is still missing."), draft=draft)
        return
    if data.editing_id:
        await _save_changes(query, ctx, state, data, await repos.proposals.get(data.editing_id, campaign.id))
        return
    # A new project's sheet that made its project already, its end committed but not recorded
    # (Redis failed just after the commit, bot/redis_updates.py): that project, not another;
    # changed since on the sheet, the changes go to that project.
    key = data.submission_key
    earlier = None if key is None else await repos.proposals.submitted_with(campaign.id, user.id, key)
    if earlier is not None and changed_fields(earlier.as_draft(), draft):
        await _save_changes(query, ctx, state, data, earlier)
        return
    proposal = earlier
    if proposal is None:
        if phase_at(campaign.calendar, now) != Phase.PROPOSALS:
            await query.answer()
            reason = proposals_closed_reason(campaign, now, published=await is_published(repos, campaign))
            await ctx.bot.send_message(ctx.chat_id, reason + "\n" + _("Your draft is kept."))
            return
        # on_behalf: set by /propose_for (conversations/committee/ambassadors.py) for a resident without a smartphone.
        proposal = await repos.proposals.submit(
            campaign.id, user.id, draft, now, on_behalf=data.on_behalf, submission_key=key
        )
    await state.set_state(None)
    await end_wizard(state)
    await query.answer(_("Submitted!"))
    cal = campaign.calendar
    await ctx.bot.send_message(
        ctx.chat_id,
        _(
            "Thank you! Your project is registered as <b>#{number}</b>.\n\n"
            "What happens next: the committee checks every project against the rules by {review}, "
            "and may ask you for changes. Finalists go to the vote from {open} to {close}. "
            "You can change your project until {deadline} with /myproposals."
        ).format(
            number=proposal.id,
            review=when(cal.review_close, campaign),
            open=when(cal.voting_open, campaign),
            close=when(cal.voting_close, campaign),
            deadline=when(cal.proposals_close, campaign),
        ),
    )
    if earlier is None:
        await _tell_committee(ctx, draft, proposal.id, edited=False, on_behalf=data.on_behalf)


async def _save_changes(
    query: CallbackQuery, ctx: Ctx, state: FSMContext, data: WizardData, proposal: Proposal | None
) -> None:
    """The sheet's changes to a submitted project; none (the same Submit handled twice): said, not saved again."""
    campaign, repos, user, now = ctx.campaign, ctx.repos, ctx.user, ctx.clock.now()
    draft = data.proposal
    phase = phase_at(campaign.calendar, now)
    if proposal is None or proposal.author_id != user.id or not author_may_edit(proposal.status, phase):
        await query.answer(_("This project can no longer be changed."), show_alert=True)
        return
    new_status = ProposalStatus.SUBMITTED if proposal.status == ProposalStatus.CHANGES_REQUESTED else None
    changed = new_status is not None or bool(changed_fields(proposal.as_draft(), draft))
    if changed:
        await repos.proposals.revise(proposal.id, draft, user.id, now, note="edited by the author", status=new_status)
    await state.set_state(None)
    await end_wizard(state, draft=data.stashed_draft, key=data.stashed_key)
    await query.answer(_("Saved."))
    await ctx.bot.send_message(
        ctx.chat_id,
        _("Your changes to project #{number} are saved. The committee will see the new version.").format(
            number=proposal.id
        ),
    )
    if changed:
        await _tell_committee(ctx, draft, proposal.id, edited=True)


async def _tell_committee(
    ctx: Ctx, draft: ProposalDraft, number: int, *, edited: bool, on_behalf: dict[str, str] | None = None
) -> None:
    bot, chat_id, campaign, author = ctx.bot, ctx.committee_chat_id, ctx.campaign, ctx.user
    if chat_id is None:
        return
    with ctx.i18n.use_locale(campaign.default_language):
        heading = (
            _("Project #{number} was changed by its author {name}.")
            if edited
            else _("New project #{number} from {name}.")
        )
        text = heading.format(number=number, name=escape(author.first_name or str(author.telegram_id)))
        if on_behalf:
            text += "\n" + _("<i>Submitted with the help of {ambassador}, for {name} ({contact}).</i>").format(
                ambassador=escape(author.first_name or str(author.telegram_id)),
                name=escape(on_behalf.get("name", "")),
                contact=escape(on_behalf.get("contact", "")),
            )
        text += "\n\n" + proposal_sheet(draft, campaign, number=number)
    try:
        if draft.photo_file_id:
            await bot.send_photo(chat_id, draft.photo_file_id)
        await bot.send_message(chat_id, text)
    except TelegramAPIError:
        # The project is saved; a committee chat that is misconfigured must not undo that.
        log.warning("could not post project #%s to the committee chat %s", number, chat_id, exc_info=True)


async def unexpected_on_review(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await ctx.bot.send_message(ctx.chat_id, _("Use the buttons under your project to change a field or to submit it."))
    await show_review(ctx.bot, ctx.chat_id, state, ctx.campaign)


async def begin_edit(ctx: Ctx, state: FSMContext, proposal_id: int, draft: ProposalDraft) -> None:
    """Open a submitted project on the sheet; a new-project draft is set aside meanwhile."""
    data = await wizard_data(state)
    stashed, key = (data.stashed_draft, data.stashed_key) if data.editing_id else (data.draft, data.submission_key)
    data = WizardData(draft=draft.to_data(), editing_id=proposal_id, stashed_draft=stashed, stashed_key=key)
    await WIZARD.save(state, data)
    await show_review(ctx.bot, ctx.chat_id, state, ctx.campaign, data)


def router() -> Router:
    r = Router(name="proposal_review")  # included in the wizard's router, private chats only
    r.callback_query.register(change_field, ProposalWizard.review, WizardAction.filter(F.action == "edit"))
    r.callback_query.register(submit, ProposalWizard.review, WizardAction.filter(F.action == "submit"))
    r.message.register(unexpected_on_review, ProposalWizard.review)
    return r
