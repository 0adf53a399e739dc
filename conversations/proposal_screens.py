"""The proposal wizard's states and the two screens every step comes back to: a question
(`ask`) and the sheet to check (`show_review`). The steps (conversations.proposal_wizard) and the
sheet's buttons (conversations.proposal_review) both use them and import nothing of each other."""

from __future__ import annotations

import secrets
from typing import Any

from aiogram import Bot
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from pydantic import BaseModel

from campaign.proposal import FIELD_ORDER, ProposalDraft, next_field
from campaign.schema import Campaign
from conversations.context import Ctx
from conversations.dialog_state import DialogState
from conversations.menu import main_menu
from conversations.proposal_questions import current_answer, question, question_keyboard, review_keyboard
from conversations.render import proposal_sheet


class ProposalWizard(StatesGroup):
    title = State()
    summary = State()
    description = State()
    category = State()
    location = State()
    cost = State()
    photo = State()
    review = State()


STATE_FOR_FIELD: dict[str, State] = {name: getattr(ProposalWizard, name) for name in FIELD_ORDER}
FIELD_FOR_STATE: dict[str, str] = {str(state.state): name for name, state in STATE_FOR_FIELD.items()}
ASKING = StateFilter(*STATE_FOR_FIELD.values())
IN_WIZARD = StateFilter(ProposalWizard)


# --- the wizard's data: one typed object under its own key -----------------------------------


class WizardData(BaseModel):
    """The wizard's data, under its own key ("proposal") of the conversation data. It outlives
    the wizard's states: a draft left with /cancel is still here when /start offers to continue."""

    draft: dict[str, Any] | None = None  # ProposalDraft.to_data()
    editing_id: int | None = None  # a submitted project being edited on the sheet
    stashed_draft: dict[str, Any] | None = None  # the new-project draft set aside meanwhile
    return_to_review: bool = False  # a field changed from the sheet: back to the sheet after it
    on_behalf: dict[str, str] | None = None  # /propose_for: the resident an ambassador writes for
    # A new-project draft's own key, stored with the project it makes: a Submit handled twice
    # (its end committed but not recorded, bot/redis_updates.py) finds that project, makes no
    # other. Given by `keyed` to every draft, and set aside with it (`stashed_key`).
    submission_key: str | None = None
    stashed_key: str | None = None

    def keyed(self) -> WizardData:
        """This data, its new-project draft with a key of its own (none without a draft)."""
        if self.draft is None or self.editing_id:
            return self if self.submission_key is None else self.model_copy(update={"submission_key": None})
        if self.submission_key is None:
            return self.model_copy(update={"submission_key": secrets.token_urlsafe(12)})
        return self

    @property
    def proposal(self) -> ProposalDraft:
        return ProposalDraft.from_data(self.draft)

    @property
    def in_progress(self) -> bool:
        """An edit, or a new project with at least one answer."""
        return bool(self.editing_id) or not self.proposal.is_empty


# Conversations saved before the typed state kept these keys loose; read once, dropped at the end.
_LOOSE_KEYS = ("draft", "editing_id", "stashed_draft", "return_to_review", "on_behalf")


async def _stop_on_cancel(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await stop(ctx, state)


WIZARD = DialogState(ProposalWizard, "proposal", WizardData, on_cancel=_stop_on_cancel)


# Each read of the conversation data copies it and each load validates it: a step reads the
# wizard's data once and hands it on (to `save_wizard`, `go_on`, `ask`, `show_review`).


async def wizard_data(state: FSMContext) -> WizardData:
    data = await state.get_data()
    raw = data.get(WIZARD.key)
    if raw is None and any(data.get(key) for key in _LOOSE_KEYS):
        return WizardData.model_validate({key: data.get(key) for key in _LOOSE_KEYS})
    return WizardData.model_validate(raw if raw is not None else {})


async def save_wizard(state: FSMContext, value: WizardData) -> WizardData:
    value = value.keyed()  # a draft begun afresh (none before, or discarded) gets a new key
    await WIZARD.save(state, value)
    return value


async def update_wizard(state: FSMContext, **changes: object) -> WizardData:
    return await save_wizard(state, (await wizard_data(state)).model_copy(update=changes))


async def load_draft(state: FSMContext) -> ProposalDraft:
    return (await wizard_data(state)).proposal


async def save_draft(state: FSMContext, draft: ProposalDraft, data: WizardData | None = None) -> WizardData:
    """`data`: the wizard's data as the caller read it (read again when not given)."""
    return await save_wizard(state, (data or await wizard_data(state)).model_copy(update={"draft": draft.to_data()}))


async def current_field(state: FSMContext) -> str | None:
    return FIELD_FOR_STATE.get(await state.get_state() or "")


async def end_wizard(state: FSMContext, *, draft: dict[str, Any] | None = None, key: str | None = None) -> None:
    """Forget the wizard's data (keeping `draft`, a kept draft, and its `key`, if given), and nothing else."""
    data = {k: v for k, v in (await state.get_data()).items() if k not in _LOOSE_KEYS and k != WIZARD.key}
    if draft is not None:
        data[WIZARD.key] = WizardData(draft=draft, submission_key=key).keyed().model_dump(mode="json")
    await state.set_data(data)


async def stop(ctx: Ctx, state: FSMContext) -> None:
    """/cancel (conversations.dialog_state) or the Stop button: leave the wizard; a new
    project's draft is kept, an edit not submitted changes nothing."""
    data = await wizard_data(state)
    await state.set_state(None)
    if data.editing_id:
        # The new-project draft set aside comes back.
        await end_wizard(state, draft=data.stashed_draft, key=data.stashed_key)
        await ctx.bot.send_message(
            ctx.chat_id, _("Stopped. Project #{number} is unchanged.").format(number=data.editing_id)
        )
        return
    await update_wizard(state, return_to_review=False)
    await ctx.bot.send_message(
        ctx.chat_id,
        _("Stopped. Your draft is kept: send /start and choose Continue my draft to go on."),
        reply_markup=main_menu(ctx.campaign, ctx.clock.now(), data.proposal),
    )


# --- the two screens ------------------------------------------------------------------------


async def ask(
    ctx: Ctx, state: FSMContext, name: str, *, problem: str | None = None, draft: ProposalDraft | None = None
) -> None:
    """Question `name`, after `problem` (what was wrong with the last answer) if any; `draft`:
    the draft as the caller has it (read when not given)."""
    campaign = ctx.campaign
    await state.set_state(STATE_FOR_FIELD[name])
    if draft is None:
        draft = await load_draft(state)
    parts = [problem] if problem else []
    parts.append(question(name, campaign))
    current = current_answer(name, draft, campaign)
    if current:
        parts.append(current)
    keyboard = question_keyboard(name, draft, campaign, ctx.user.language)
    await ctx.bot.send_message(ctx.chat_id, "\n\n".join(parts), reply_markup=keyboard)


async def show_review(
    bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, data: WizardData | None = None
) -> None:
    """`data`: the wizard's data as the caller has it (read when not given)."""
    await state.set_state(ProposalWizard.review)
    data = data or await wizard_data(state)
    keyed = data.keyed()  # a draft kept from before keys gets one now
    if data.return_to_review or keyed is not data:
        data = await save_wizard(state, keyed.model_copy(update={"return_to_review": False}))
    draft = data.proposal
    if draft.photo_file_id:
        await bot.send_photo(chat_id, draft.photo_file_id)
    intro = _("Here is your project. Check it: press a field to change it, or Submit.")
    if data.editing_id:
        intro = _("Here is project #{number}. Press a field to change it, then Submit to save the changes.").format(
            number=data.editing_id
        )
    sheet = proposal_sheet(draft, campaign, number=data.editing_id)
    await bot.send_message(chat_id, f"{sheet}\n\n{intro}", reply_markup=review_keyboard())


async def go_on(ctx: Ctx, state: FSMContext, answered: str, data: WizardData | None = None) -> None:
    """After a valid answer: the next missing question, or the sheet. `data`: the wizard's data
    as the caller left it (read when not given)."""
    data = data or await wizard_data(state)
    draft = data.proposal
    following = None if data.return_to_review else next_field(answered, draft)
    if following is None:
        await show_review(ctx.bot, ctx.chat_id, state, ctx.campaign, data)
    else:
        await ask(ctx, state, following, draft=draft)
