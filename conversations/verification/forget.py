"""/forgetme: anyone can erase their personal data, after a confirmation."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from conversations.keyboard import InlineKeyboardBuilder

from conversations.verification.state import VerifyAction
from conversations.context import Ctx
from conversations.scope import private_only


async def forget_me(message: Message) -> None:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🗑 Yes, erase my data"), callback_data=VerifyAction(action="forget"))
    builder.button(text=_("✖ No, keep it"), callback_data=VerifyAction(action="keep"))
    await message.answer(
        _(
            "This erases your personal data: your verification (name and street, code, age and residence "
            "confirmation), your first name and any unfinished draft. If you voted, your ballot stays counted, "
            "stored under a scrambled key that names no one; you will not be able to change it. A phone number "
            "already used stays unusable for another account. Your submitted projects stay public. Continue?"
        ),
        reply_markup=builder.as_markup(),
    )


async def forget_confirmed(query: CallbackQuery, callback_data: VerifyAction, ctx: Ctx, state: FSMContext) -> None:
    campaign, user, repos, clock = ctx.campaign, ctx.user, ctx.repos, ctx.clock
    if callback_data.action == "keep":
        await query.answer(_("Nothing was erased."))
        return
    await repos.verification.forget(user.id)
    await repos.audit.record(campaign.id, None, "resident_forgotten", clock.now())
    await state.clear()
    await repos.session.commit()
    await query.answer(_("Done."))
    await query.message.answer(_("Your personal data has been erased.")) if isinstance(query.message, Message) else None


def router() -> Router:
    r = private_only(Router(name="verification_forget"))  # in a group: conversations.group
    r.message.register(forget_me, Command("forgetme"))
    r.callback_query.register(forget_confirmed, VerifyAction.filter(F.action.in_({"forget", "keep"})))
    return r
