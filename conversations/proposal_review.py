"""The proposal wizard's sheet: change a field, submit (a new project, or the changes to one
being edited), and opening a submitted project on the sheet to edit it (/myproposals).

Its router is included in the wizard's (conversations.proposal_wizard), after the wizard's own
handlers; the states and the two screens are conversations.proposal_screens'.
"""

from __future__ import annotations

import logging
from html import escape

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n, gettext as _

from campaign.calendar import Phase, phase_at
from campaign.clock import Clock
from campaign.proposal import ProposalDraft, ProposalStatus, author_may_edit
from campaign.schema import Campaign
from conversations.filters import chat_of
from conversations.proposal_questions import WizardAction
from conversations.proposal_screens import STATE_FOR_FIELD, ProposalWizard, ask, end_wizard, show_review
from conversations.render import proposal_sheet, proposals_closed_reason, when
from conversations.standing import is_published
from storage.repositories import Repositories, User

log = logging.getLogger(__name__)
router = Router(name="proposal_review")  # included in the wizard's router, private chats only


# --- the sheet: change a field, submit --------------------------------------------------------


@router.callback_query(ProposalWizard.review, WizardAction.filter(F.action == "edit"))
async def change_field(
    query: CallbackQuery, callback_data: WizardAction, bot: Bot, state: FSMContext, campaign: Campaign, user: User
) -> None:
    if callback_data.field not in STATE_FOR_FIELD:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    await state.update_data(return_to_review=True)
    await ask(bot, chat_of(query), state, callback_data.field, campaign, user.language)


@router.callback_query(ProposalWizard.review, WizardAction.filter(F.action == "submit"))
async def submit(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    campaign: Campaign,
    clock: Clock,
    user: User,
    repos: Repositories,
    i18n: I18n,
    committee_chat_id: int | None,
) -> None:
    chat_id = chat_of(query)
    data = await state.get_data()
    draft = ProposalDraft.from_data(data.get("draft"))
    now = clock.now()
    missing = draft.first_missing()
    if missing is not None:
        await query.answer()
        await ask(bot, chat_id, state, missing, campaign, user.language, problem=_("One answer is still missing."))
        return
    editing_id = data.get("editing_id")
    if editing_id:
        proposal = await repos.proposals.get(int(editing_id), campaign.id)
        phase = phase_at(campaign.calendar, now)
        if proposal is None or proposal.author_id != user.id or not author_may_edit(proposal.status, phase):
            await query.answer(_("This project can no longer be changed."), show_alert=True)
            return
        new_status = ProposalStatus.SUBMITTED if proposal.status == ProposalStatus.CHANGES_REQUESTED else None
        await repos.proposals.revise(proposal.id, draft, user.id, now, note="edited by the author", status=new_status)
        await state.set_state(None)
        await end_wizard(state, draft=data.get("stashed_draft"))
        await query.answer(_("Saved."))
        await bot.send_message(
            chat_id,
            _("Your changes to project #{number} are saved. The committee will see the new version.").format(
                number=proposal.id
            ),
        )
        await _tell_committee(bot, committee_chat_id, i18n, campaign, draft, proposal.id, user, edited=True)
        return
    if phase_at(campaign.calendar, now) != Phase.PROPOSALS:
        await query.answer()
        reason = proposals_closed_reason(campaign, now, published=await is_published(repos, campaign))
        await bot.send_message(chat_id, reason + "\n" + _("Your draft is kept."))
        return
    # on_behalf: set by /propose_for (conversations/committee/ambassadors.py) for a resident without a smartphone.
    proposal = await repos.proposals.submit(campaign.id, user.id, draft, now, on_behalf=data.get("on_behalf"))
    await state.set_state(None)
    await end_wizard(state)
    await query.answer(_("Submitted!"))
    cal = campaign.calendar
    await bot.send_message(
        chat_id,
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
    await _tell_committee(
        bot, committee_chat_id, i18n, campaign, draft, proposal.id, user, edited=False, on_behalf=data.get("on_behalf")
    )


async def _tell_committee(
    bot: Bot,
    chat_id: int | None,
    i18n: I18n,
    campaign: Campaign,
    draft: ProposalDraft,
    number: int,
    author: User,
    *,
    edited: bool,
    on_behalf: dict[str, str] | None = None,
) -> None:
    if chat_id is None:
        return
    with i18n.use_locale(campaign.default_language):
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


@router.message(ProposalWizard.review)
async def unexpected_on_review(message: Message, bot: Bot, state: FSMContext, campaign: Campaign) -> None:
    await bot.send_message(message.chat.id, _("Use the buttons under your project to change a field or to submit it."))
    await show_review(bot, message.chat.id, state, campaign)


async def begin_edit(
    bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, proposal_id: int, draft: ProposalDraft
) -> None:
    """Open a submitted project on the sheet; a new-project draft is set aside meanwhile."""
    data = await state.get_data()
    stashed = data.get("stashed_draft") if data.get("editing_id") else data.get("draft")
    await state.set_data({"draft": draft.to_data(), "editing_id": proposal_id, "stashed_draft": stashed})
    await show_review(bot, chat_id, state, campaign)
