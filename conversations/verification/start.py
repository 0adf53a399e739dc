"""Where verification starts: /verify, the attestation, the choice of method, /cancel.

Also what the other verification modules share: the `Verifying` states, the `VerifyAction`
buttons, `on_verified` (what happens once a resident is verified).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, KeyboardButton, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign import verification as rules
from campaign.clock import Clock
from campaign.schema import Campaign
from storage.repositories import Repositories, User
from conversations.filters import not_a_command as not_a_command  # the verification modules find it here
from conversations.scope import private_only

router = private_only(Router(name="verification"))  # in a group: conversations.group


class Verifying(StatesGroup):
    attest = State()
    method = State()
    phone = State()
    code = State()
    name = State()
    street = State()


class VerifyAction(CallbackData, prefix="verify"):
    action: str  # attest_yes | attest_no | method | forget | keep
    value: str = ""


IN_VERIFICATION = StateFilter(Verifying)


# --- where it starts ------------------------------------------------------------------------


def _method_label(method: str) -> str:
    labels = {
        "phone": _("📱 With my phone number"),
        "code": _("🔑 I have an invitation code"),
        "committee": _("🏛 Ask the committee"),
    }
    return labels[method]


def _attestation_text(campaign: Campaign) -> str:
    eligibility = campaign.eligibility
    parts = []
    if eligibility.minimum_age is not None:
        parts.append(_("I am at least {age} years old.").format(age=eligibility.minimum_age))
    if eligibility.residency:
        parts.append(_("I live in {place}.").format(place=escape(eligibility.residency)))
    return "\n".join(f"• {part}" for part in parts)


async def begin(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    campaign: Campaign,
    user: User,
    repos: Repositories,
    *,
    then: str | None = None,
    pending_code: str | None = None,
) -> None:
    """Ask a resident to verify; `then` ("vote") says what to do once they are."""
    if await repos.verification.is_verified(user.id):
        await bot.send_message(chat_id, _("You are already verified as a resident. Thank you!"))
        return
    await state.update_data(verify_then=then, verify_attested=None, verify_code=pending_code)
    eligibility = campaign.eligibility
    if rules.attestation_needed(eligibility.minimum_age, eligibility.residency):
        await state.set_state(Verifying.attest)
        builder = InlineKeyboardBuilder()
        builder.button(text=_("✅ I confirm"), callback_data=VerifyAction(action="attest_yes"))
        builder.button(text=_("✖ No"), callback_data=VerifyAction(action="attest_no"))
        await bot.send_message(
            chat_id,
            _("Only residents may take part, so I need to check who you are first. Please confirm:")
            + "\n"
            + _attestation_text(campaign),
            reply_markup=builder.as_markup(),
        )
        return
    await _after_attestation(bot, chat_id, state, campaign, user, repos, None)


async def _after_attestation(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    campaign: Campaign,
    user: User,
    repos: Repositories,
    clock: Clock | None,
    *,
    secret_key: bytes | None = None,
) -> None:
    data = await state.get_data()
    redeem = CODE_REDEEMER.get("code")
    if data.get("verify_code") and clock is not None and secret_key is not None and redeem is not None:
        await redeem(bot, chat_id, state, campaign, user, repos, clock, secret_key, data["verify_code"])
        return
    methods = list(campaign.verification.methods)
    if len(methods) == 1:
        # Not yet told why we ask (no attestation question came first): say it in the same message.
        intro = (
            ""
            if data.get("verify_attested")
            else _("Only residents may take part, so I need to check who you are first.")
        )
        await ask_method(bot, chat_id, state, campaign, methods[0], intro=intro)
        return
    await state.set_state(Verifying.method)
    builder = InlineKeyboardBuilder()
    for method in methods:
        builder.button(text=_method_label(method), callback_data=VerifyAction(action="method", value=method))
    builder.adjust(1)
    await bot.send_message(
        chat_id,
        _("Only residents may take part, so I need to check who you are first. How would you like to do it?"),
        reply_markup=builder.as_markup(),
    )


def phone_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_("📱 Share my phone number"), request_contact=True)],
            [KeyboardButton(text=_("✖ Cancel"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def ask_method(
    bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, method: str, *, intro: str = ""
) -> None:
    """Ask for `method`; `intro` (why we ask) goes in the same message: one reply per message."""
    lead = intro + "\n\n" if intro else ""
    if method == "phone":
        await state.set_state(Verifying.phone)
        text = lead + _(
            "Press the button <b>📱 Share my phone number</b> below. Telegram sends me your own number, "
            "so I know it is yours. It is stored only in a scrambled form, never shown to anyone, and one "
            "number can verify only one account."
        )
        if campaign.verification.phone_prefixes:
            text += "\n\n" + _("Accepted numbers start with {prefixes}.").format(
                prefixes=", ".join(campaign.verification.phone_prefixes)
            )
        await bot.send_message(chat_id, text, reply_markup=phone_keyboard())
    elif method == "code":
        await state.set_state(Verifying.code)
        await bot.send_message(
            chat_id,
            lead + _("Type the invitation code you received from the town, for example ABCDE-23456. Or /cancel."),
        )
    else:
        await state.set_state(Verifying.name)
        await bot.send_message(
            chat_id,
            lead + _("The committee will check that you live in the town. What is your full name? (or /cancel)"),
        )


# A code typed before the attestations is redeemed once they are given: conversations.verification.codes
# registers how (it imports this module, so this one cannot import it).
Redeem = Callable[[Bot, int, FSMContext, Campaign, User, Repositories, Clock, bytes, str], Awaitable[None]]
CODE_REDEEMER: dict[str, Redeem] = {}

# What to do once a resident is verified, by name ("vote", "propose"): the dialogs that send
# residents here register their continuation (`when_verified`), so that verification imports
# none of them and begin(then=...) carries only the name, which the FSM data can hold.
Continuation = Callable[[Bot, int, FSMContext, Campaign, User, Repositories, Clock, bytes], Awaitable[None]]
CONTINUATIONS: dict[str, Continuation] = {}


def when_verified(name: str) -> Callable[[Continuation], Continuation]:
    """Decorator: `name`'s continuation, run by on_verified for a begin(then=name)."""

    def register(continuation: Continuation) -> Continuation:
        CONTINUATIONS[name] = continuation
        return continuation

    return register


async def on_verified(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    campaign: Campaign,
    user: User,
    repos: Repositories,
    clock: Clock,
    secret_key: bytes,
) -> None:
    data = await state.get_data()
    then = data.get("verify_then")
    await state.set_state(None)
    await state.update_data(verify_then=None, verify_attested=None, verify_code=None)
    await bot.send_message(
        chat_id, _("✅ Thank you, you are now a verified resident."), reply_markup=ReplyKeyboardRemove()
    )
    continuation = CONTINUATIONS.get(then) if isinstance(then, str) else None
    if continuation is not None:
        await continuation(bot, chat_id, state, campaign, user, repos, clock, secret_key)


def attested_flags(data: dict) -> tuple[bool | None, bool | None]:
    attested = data.get("verify_attested")
    return (True, True) if attested else (None, None)


async def attest_first(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    campaign: Campaign,
    user: User,
    repos: Repositories,
    *,
    pending_code: str | None = None,
) -> bool:
    """True if the resident has not yet confirmed what the campaign asks (age, residency): the
    confirmation is asked now and nothing is verified. Every route to "verified" checks it, so
    that a contact sent without /verify or a bare /code cannot skip the attestation."""
    age, residency = attested_flags(await state.get_data())
    eligibility = campaign.eligibility
    if rules.attested(eligibility.minimum_age, eligibility.residency, age, residency):
        return False
    await begin(bot, chat_id, state, campaign, user, repos, pending_code=pending_code)
    return True


@router.message(Command("verify"))
async def verify_command(
    message: Message, bot: Bot, state: FSMContext, campaign: Campaign, user: User, repos: Repositories
) -> None:
    await begin(bot, message.chat.id, state, campaign, user, repos)


@router.callback_query(Verifying.attest, VerifyAction.filter(F.action.in_({"attest_yes", "attest_no"})))
async def attest(
    query: CallbackQuery,
    callback_data: VerifyAction,
    bot: Bot,
    state: FSMContext,
    campaign: Campaign,
    user: User,
    repos: Repositories,
    clock: Clock,
    secret_key: bytes,
) -> None:
    await query.answer()
    if callback_data.action == "attest_no":
        await state.set_state(None)
        await state.update_data(verify_then=None, verify_code=None)
        await bot.send_message(
            query.from_user.id,
            _("Then I am sorry: only residents who meet these conditions can vote. Thank you for your interest!"),
        )
        return
    await state.update_data(verify_attested=True)
    await _after_attestation(bot, query.from_user.id, state, campaign, user, repos, clock, secret_key=secret_key)


@router.callback_query(Verifying.method, VerifyAction.filter(F.action == "method"))
async def choose_method(
    query: CallbackQuery, callback_data: VerifyAction, bot: Bot, state: FSMContext, campaign: Campaign
) -> None:
    if callback_data.value not in campaign.verification.methods:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    await ask_method(bot, query.from_user.id, state, campaign, callback_data.value)


@router.callback_query(VerifyAction.filter(F.action.in_({"attest_yes", "attest_no", "method"})))
async def stale_verify_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is from an earlier message. Send /verify to start again."), show_alert=True)


@router.message(IN_VERIFICATION, Command("cancel"))
async def cancel(message: Message, state: FSMContext) -> None:
    await state.set_state(None)
    await state.update_data(verify_then=None, verify_code=None)
    await message.answer(_("Stopped. You can verify later with /verify."), reply_markup=ReplyKeyboardRemove())
