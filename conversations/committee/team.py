"""/admins and /ambassadors: who helps run the campaign.

| input                     | reply                                                            |
|---------------------------|------------------------------------------------------------------|
| /admins                   | committee members added here (besides ADMIN_IDS of the settings) |
| /admins add 123456789     | that Telegram user is a committee member from their next message |
| /admins remove 123456789  | no longer                                                        |
| /ambassadors [add|remove] | the same for ambassadors, who may /propose_for a resident        |
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from conversations.committee.common import leave_dialog, members_only, parse_number, person, short_when
from conversations.context import Ctx
from storage.repositories.committee import ADMIN, AMBASSADOR


def _texts(role: str) -> dict[str, str]:
    if role == ADMIN:
        return {
            "command": "admins",
            "heading": _(
                "<b>Committee members</b> added with /admins (the members named in the bot's settings are not listed):"
            ),
            "none": _("No committee member added yet; only the members named in the bot's settings."),
            "added": _("{name} is now a committee member."),
            "already": _("{name} is already a committee member."),
            "removed": _("{name} is no longer a committee member."),
            "absent": _(
                "{name} was not added with /admins (members named in the bot's settings can only be removed there)."
            ),
        }
    return {
        "command": "ambassadors",
        "heading": _("<b>Ambassadors</b> (they can submit a project for a resident with /propose_for):"),
        "none": _("No ambassador yet."),
        "added": _("{name} is now an ambassador: they can send /propose_for to submit a project for a resident."),
        "already": _("{name} is already an ambassador."),
        "removed": _("{name} is no longer an ambassador."),
        "absent": _("{name} is not an ambassador."),
    }


async def _manage(message: Message, command: CommandObject, ctx: Ctx, role: str) -> None:
    bot, user, repos, campaign = ctx.bot, ctx.user, ctx.repos, ctx.campaign
    texts = _texts(role)
    args = (command.args or "").split()
    if not args or args[0].lower() in ("list", "liste"):
        members = await repos.committee.members(campaign.id, role)
        if not members:
            await bot.send_message(message.chat.id, texts["none"] + "\n" + _usage(texts["command"]))
            return
        lines = [texts["heading"], ""]
        for member in members:
            lines.append(
                _("{name}, added on {date} by {by}").format(
                    name=await person(repos, member.telegram_id),
                    date=short_when(member.added_at, campaign),
                    by=await person(repos, member.added_by),
                )
            )
        lines += ["", _usage(texts["command"])]
        await bot.send_message(message.chat.id, "\n".join(lines))
        return
    verb = args[0].lower()
    telegram_id = parse_number(args[1]) if len(args) == 2 else None
    if verb not in ("add", "remove") or not telegram_id:
        await bot.send_message(message.chat.id, _usage(texts["command"]))
        return
    now = ctx.clock.now()
    if verb == "add":
        done = await repos.committee.add_member(campaign.id, role, telegram_id, user.telegram_id, now)
    else:
        done = await repos.committee.remove_member(campaign.id, role, telegram_id)
    name = await person(repos, telegram_id)
    if done:
        await repos.audit.record(
            campaign.id,
            user.telegram_id,
            f"{role}_{'added' if verb == 'add' else 'removed'}",
            now,
            target=f"user:{telegram_id}",
            telegram_id=telegram_id,
        )
        await bot.send_message(message.chat.id, texts["added" if verb == "add" else "removed"].format(name=name))
    else:
        await bot.send_message(message.chat.id, texts["already" if verb == "add" else "absent"].format(name=name))


def _usage(command: str) -> str:
    return _(
        "Send /{command} add ID or /{command} remove ID, with the person's Telegram id (a number; @userinfobot tells it)."
    ).format(command=command)


async def admins_command(message: Message, command: CommandObject, ctx: Ctx, state: FSMContext) -> None:
    await leave_dialog(state)
    await _manage(message, command, ctx, ADMIN)


async def ambassadors_command(message: Message, command: CommandObject, ctx: Ctx, state: FSMContext) -> None:
    await leave_dialog(state)
    await _manage(message, command, ctx, AMBASSADOR)


def router() -> Router:
    r = members_only(Router(name="committee_team"))
    r.message.register(admins_command, Command("admins"))
    r.message.register(ambassadors_command, Command("ambassadors"))
    return r
