"""The proposal wizard's states and the two screens every step comes back to: a question
(`ask`) and the sheet to check (`show_review`). The steps (conversations.proposal_wizard) and the
sheet's buttons (conversations.proposal_review) both use them and import nothing of each other."""

from __future__ import annotations

from aiogram import Bot
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.utils.i18n import gettext as _

from campaign.proposal import FIELD_ORDER, ProposalDraft, next_field
from campaign.schema import Campaign
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


# --- the draft in the conversation data -------------------------------------------------


async def load_draft(state: FSMContext) -> ProposalDraft:
    return ProposalDraft.from_data((await state.get_data()).get("draft"))


async def save_draft(state: FSMContext, draft: ProposalDraft) -> None:
    await state.update_data(draft=draft.to_data())


async def current_field(state: FSMContext) -> str | None:
    return FIELD_FOR_STATE.get(await state.get_state() or "")


# The wizard's keys in the conversation data; ending it clears these and leaves other dialogs' data.
WIZARD_KEYS = ("draft", "editing_id", "stashed_draft", "return_to_review", "on_behalf")


async def end_wizard(state: FSMContext, *, draft: object = None) -> None:
    """Forget the wizard's data (keeping `draft`, a kept draft, if given), and nothing else."""
    data = {k: v for k, v in (await state.get_data()).items() if k not in WIZARD_KEYS}
    if draft is not None:
        data["draft"] = draft
    await state.set_data(data)


# --- the two screens ------------------------------------------------------------------------


async def ask(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    name: str,
    campaign: Campaign,
    language: str,
    *,
    problem: str | None = None,
) -> None:
    await state.set_state(STATE_FOR_FIELD[name])
    draft = await load_draft(state)
    parts = [problem] if problem else []
    parts.append(question(name, campaign))
    current = current_answer(name, draft, campaign)
    if current:
        parts.append(current)
    await bot.send_message(chat_id, "\n\n".join(parts), reply_markup=question_keyboard(name, draft, campaign, language))


async def show_review(bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign) -> None:
    await state.set_state(ProposalWizard.review)
    await state.update_data(return_to_review=False)
    data = await state.get_data()
    draft = ProposalDraft.from_data(data.get("draft"))
    if draft.photo_file_id:
        await bot.send_photo(chat_id, draft.photo_file_id)
    intro = _("Here is your project. Check it: press a field to change it, or Submit.")
    if data.get("editing_id"):
        intro = _("Here is project #{number}. Press a field to change it, then Submit to save the changes.").format(
            number=data["editing_id"]
        )
    sheet = proposal_sheet(draft, campaign, number=data.get("editing_id"))
    await bot.send_message(chat_id, f"{sheet}\n\n{intro}", reply_markup=review_keyboard())


async def go_on(bot: Bot, chat_id: int, state: FSMContext, answered: str, campaign: Campaign, language: str) -> None:
    """After a valid answer: the next missing question, or the sheet."""
    data = await state.get_data()
    draft = ProposalDraft.from_data(data.get("draft"))
    following = None if data.get("return_to_review") else next_field(answered, draft)
    if following is None:
        await show_review(bot, chat_id, state, campaign)
    else:
        await ask(bot, chat_id, state, following, campaign, language)
