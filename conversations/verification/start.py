"""Where verification starts: /verify, the attestation, the choice of method, /cancel.

Also what the method modules share: `on_verified` (what happens once a resident is verified,
including the caller's continuation, `when_verified`) and `attest_first`. The methods
themselves are the table in `methods`: this module asks the one chosen and never names one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign import verification as rules
from campaign.clock import Clock
from campaign.schema import Campaign
from conversations.filters import not_a_command as not_a_command  # the verification modules find it here
from conversations.scope import private_only
from conversations.verification.methods import METHODS, offered
from conversations.verification.state import (
    IN_VERIFICATION,
    Verifying,
    VerifyAction,
    forget_verifying,
    save_verifying,
    verifying,
)
from storage.repositories import Repositories, User

router = private_only(Router(name="verification"))  # in a group: conversations.group


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
    pending: tuple[str, str] | None = None,
) -> None:
    """Ask a resident to verify; `then` ("vote") says what to do once they are, `pending`
    (method, value) what the resident already gave (a code in a link), used once they confirm."""
    if await repos.verification.is_verified(user.id):
        await bot.send_message(chat_id, _("You are already verified as a resident. Thank you!"))
        return
    await forget_verifying(state)
    await save_verifying(state, then=then, pending=pending)
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
    data = await verifying(state)
    if data.pending and clock is not None and secret_key is not None:
        method = METHODS[data.pending[0]]
        if method.resume is not None:
            await save_verifying(state, pending=None)
            await method.resume(bot, chat_id, state, campaign, user, repos, clock, secret_key, data.pending[1])
            return
    methods = offered(campaign)
    if len(methods) == 1:
        # Not yet told why we ask (no attestation question came first): say it in the same message.
        intro = "" if data.attested else _("Only residents may take part, so I need to check who you are first.")
        await ask_method(bot, chat_id, state, campaign, methods[0].name, intro=intro)
        return
    await state.set_state(Verifying.method)
    builder = InlineKeyboardBuilder()
    for method in methods:
        builder.button(text=method.label(), callback_data=VerifyAction(action="method", value=method.name))
    builder.adjust(1)
    await bot.send_message(
        chat_id,
        _("Only residents may take part, so I need to check who you are first. How would you like to do it?"),
        reply_markup=builder.as_markup(),
    )


async def ask_method(
    bot: Bot, chat_id: int, state: FSMContext, campaign: Campaign, method: str, *, intro: str = ""
) -> None:
    """Ask for `method`; `intro` (why we ask) goes in the same message: one reply per message."""
    await METHODS[method].ask(bot, chat_id, state, campaign, intro + "\n\n" if intro else "")


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
    then = (await verifying(state)).then
    await state.set_state(None)
    await forget_verifying(state)
    await bot.send_message(
        chat_id, _("✅ Thank you, you are now a verified resident."), reply_markup=ReplyKeyboardRemove()
    )
    continuation = CONTINUATIONS.get(then) if then else None
    if continuation is not None:
        await continuation(bot, chat_id, state, campaign, user, repos, clock, secret_key)


async def attest_first(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    campaign: Campaign,
    user: User,
    repos: Repositories,
    *,
    pending: tuple[str, str] | None = None,
) -> bool:
    """True if the resident has not yet confirmed what the campaign asks (age, residency): the
    confirmation is asked now and nothing is verified. Every route to "verified" checks it, so
    that a contact sent without /verify or a bare /code cannot skip the attestation."""
    age, residency = (await verifying(state)).attested_flags()
    eligibility = campaign.eligibility
    if rules.attested(eligibility.minimum_age, eligibility.residency, age, residency):
        return False
    await begin(bot, chat_id, state, campaign, user, repos, pending=pending)
    return True


async def stop(message: Message, state: FSMContext) -> None:
    """/cancel (or the phone keyboard's ✖ Cancel): the dialog and its data end, nothing else."""
    await state.set_state(None)
    await forget_verifying(state)
    await message.answer(_("Stopped. You can verify later with /verify."), reply_markup=ReplyKeyboardRemove())


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
        await forget_verifying(state)
        await bot.send_message(
            query.from_user.id,
            _("Then I am sorry: only residents who meet these conditions can vote. Thank you for your interest!"),
        )
        return
    await save_verifying(state, attested=True)
    await _after_attestation(bot, query.from_user.id, state, campaign, user, repos, clock, secret_key=secret_key)


@router.callback_query(Verifying.method, VerifyAction.filter(F.action == "method"))
async def choose_method(
    query: CallbackQuery, callback_data: VerifyAction, bot: Bot, state: FSMContext, campaign: Campaign
) -> None:
    if callback_data.value not in {method.name for method in offered(campaign)}:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    await ask_method(bot, query.from_user.id, state, campaign, callback_data.value)


@router.callback_query(VerifyAction.filter(F.action.in_({"attest_yes", "attest_no", "method"})))
async def stale_verify_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is from an earlier message. Send /verify to start again."), show_alert=True)


@router.message(IN_VERIFICATION, Command("cancel"))
async def cancel(message: Message, state: FSMContext) -> None:
    await stop(message, state)
