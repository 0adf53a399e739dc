"""What the proposal wizard shows: each question, its buttons, the sheet's buttons."""

from __future__ import annotations

from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from conversations.keyboard import Button, inline_markup

from campaign.proposal import FIELD_ORDER, OPTIONAL_FIELDS, ProposalDraft, previous_field
from campaign.schema import Campaign, pick
from conversations.render import category_name, location_text, money


class WizardAction(CallbackData, prefix="wiz"):
    action: str  # back | skip | cancel | edit | submit
    field: str = ""


class CategoryChoice(CallbackData, prefix="cat"):
    category: str


def question(name: str, campaign: Campaign) -> str:
    step = _("Step {n} of {total}").format(n=FIELD_ORDER.index(name) + 1, total=len(FIELD_ORDER))
    questions = {
        "title": _(
            "<b>Title.</b> Give your project a short title (5 to 80 characters), for example: A bench on the church square."
        ),
        "summary": _("<b>Summary.</b> In one or two sentences (20 to 300 characters): what is the project?"),
        "description": _(
            "<b>Description.</b> Describe the project (50 to 3000 characters): what, where, for whom, why it is useful."
        ),
        "category": _("<b>Category.</b> Choose the one that fits best:"),
        "location": _(
            "<b>Location.</b> Where would it be? Type an address or a place, or send a map pin (📎 then Location)."
        ),
        "cost": _(
            "<b>Estimated cost.</b> Roughly how much would it cost? Between {minimum} and {maximum}; a rough figure is fine."
        ).format(minimum=money(campaign.cost.minimum, campaign), maximum=money(campaign.max_cost, campaign)),
        "photo": _("<b>Photo (optional).</b> Send a photo of the place or of a similar project, or /skip."),
    }
    return f"{step} — {questions[name]}"


def current_answer(name: str, draft: ProposalDraft, campaign: Campaign) -> str | None:
    if not draft.has(name):
        return None
    if name == "category":
        value = category_name(campaign, draft.category)
    elif name == "location":
        value = location_text(draft)
    elif name == "cost":
        value = money(draft.cost, campaign) if draft.cost is not None else "—"
    elif name == "photo":
        value = _("a photo") if draft.photo_file_id else _("no photo")
    else:
        value = escape(str(getattr(draft, name)))
    return _("Current answer: {value}\nSend a new one, or /skip to keep it.").format(value=value)


def question_keyboard(name: str, draft: ProposalDraft, campaign: Campaign, language: str) -> InlineKeyboardMarkup:
    rows: list[tuple[Button, ...]] = []
    if name == "category":
        rows += [
            ((pick(category.names, language, campaign.default_language), CategoryChoice(category=category.id).pack()),)
            for category in campaign.categories
        ]
    controls = []
    if previous_field(name):
        controls.append((_("⬅️ Back"), "back"))
    if name in OPTIONAL_FIELDS and not draft.has(name):
        controls.append((_("⏭ Skip"), "skip"))
    elif draft.has(name):
        controls.append((_("⏭ Keep"), "skip"))
    controls.append((_("✖ Stop"), "cancel"))
    rows.append(tuple((text, WizardAction(action=action, field=name).pack()) for text, action in controls))
    return inline_markup(tuple(rows))


def review_keyboard() -> InlineKeyboardMarkup:
    edit = {
        "title": _("✏️ Title"),
        "summary": _("✏️ Summary"),
        "description": _("✏️ Description"),
        "category": _("✏️ Category"),
        "location": _("✏️ Location"),
        "cost": _("✏️ Cost"),
        "photo": _("✏️ Photo"),
    }
    buttons = [(edit[name], WizardAction(action="edit", field=name).pack()) for name in FIELD_ORDER]
    return inline_markup(
        (
            *(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)),
            ((_("✅ Submit"), WizardAction(action="submit").pack()),),
            ((_("✖ Stop"), WizardAction(action="cancel", field="review").pack()),),
        )
    )
