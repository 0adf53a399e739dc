"""/calendar and /advance: the committee sees and moves the campaign's dates.

| input                                         | reply                                            |
|-----------------------------------------------|--------------------------------------------------|
| /calendar                                     | the phases and dates, in the campaign's time zone |
| /calendar set voting_open 2030-05-20 09:00    | the date moved (if the order stays valid)        |
| /advance                                      | "start <next phase> now?" ✅ / ✖                  |

Every change is a `calendar_changes` row (so every worker sees it at once through
bot.middlewares.campaign) and an audit entry; then the scheduler's hook, if one is set
(`on_calendar_change` in the dispatcher's data), gets the new campaign.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign.calendar import PHASE_STARTS, phase_at
from campaign.calendar_changes import CALENDAR_FIELDS, CalendarChangeError, advance_moves, parse_local, with_dates
from campaign.phase_guard import PhaseRuleError
from campaign.schema import Campaign
from conversations.committee.common import (
    committee_button,
    drop_buttons,
    leave_dialog,
    members_only,
    phase_label,
)
from conversations.committee.rules_text import calendar_field_label, phase_rule_text
from conversations.context import Ctx
from conversations.render import phase_summary, when
from conversations.standing import is_published
from storage.phase_gate import guard_calendar_moves

log = logging.getLogger(__name__)

CalendarHook = Callable[[Campaign], Awaitable[Any]]
PHASE_OF_FIELD = {field: phase for phase, field in PHASE_STARTS.items()}


@committee_button
class AdvanceConfirm(CallbackData, prefix="cadv"):
    field: str  # the boundary shown when asking; "" to give up


def _error_text(error: CalendarChangeError) -> str:
    if error.code == "unknown_field":
        return _("There is no date called {field}. The dates are: {fields}.").format(
            field=error.params.get("field"), fields=", ".join(CALENDAR_FIELDS)
        )
    if error.code == "bad_format":
        return _("Write the date and time as YYYY-MM-DD HH:MM, for example 2030-05-20 09:00.")
    if error.code == "out_of_order":
        return _("The dates must stay in order: “{later}” cannot come before “{earlier}”. Move that one first.").format(
            later=calendar_field_label(str(error.params["later"])),
            earlier=calendar_field_label(str(error.params["earlier"])),
        )
    return _("The campaign is over: there is no next step to start.")


def calendar_text(campaign: Campaign, base: Campaign, now: datetime, *, published: bool) -> str:
    cal = campaign.calendar
    current = phase_at(cal, now)
    lines = [
        _("<b>Calendar</b> (times in {zone})").format(zone=campaign.timezone),
        _("Now: {phase}. {summary}").format(
            phase=phase_label(current), summary=phase_summary(campaign, now, published=published)
        ),
        "",
    ]
    for name in CALENDAR_FIELDS:
        moment = getattr(cal, name)
        mark = "✔️" if moment <= now else "▫️"
        label = _("{label}:").format(label=calendar_field_label(name))  # French: a no-break space before the colon
        line = f"{mark} {label} <b>{when(moment, campaign)}</b> (<code>{name}</code>)"
        if moment != getattr(base.calendar, name):
            line += " ✏️ " + _("moved by the committee (was {date})").format(
                date=when(getattr(base.calendar, name), campaign)
            )
        lines.append(line)
    lines += [
        "",
        _("To move a date: /calendar set voting_open 2030-05-20 09:00. To start the next step now: /advance."),
    ]
    return "\n".join(lines)


async def _changed(
    ctx: Ctx, moves: dict[str, datetime], new_calendar: Any, on_calendar_change: CalendarHook | None, action: str
) -> Campaign:
    actor, repos, campaign, now = ctx.user, ctx.repos, ctx.campaign, ctx.clock.now()
    for name, moment in moves.items():
        await repos.committee.record_calendar_change(campaign.id, name, moment, actor.telegram_id, now)
        await repos.audit.record(
            campaign.id,
            actor.telegram_id,
            action,
            now,
            target=f"calendar:{name}",
            field=name,
            to=moment.isoformat(),
            was=getattr(campaign.calendar, name).isoformat(),
        )
    updated = campaign.model_copy(update={"calendar": new_calendar})
    # Committed before the scheduler is told, so that what it reads is the new calendar.
    await repos.session.commit()
    if on_calendar_change is not None:
        try:
            await on_calendar_change(updated)
        except Exception:  # the date is moved; a scheduler hiccup is logged, not shown
            log.exception("the calendar hook failed after %s", action)
    return updated


async def _allowed(ctx: Ctx, chat_id: int, moves: dict[str, datetime], attempt: str) -> bool:
    """The forward-only rule (storage.phase_gate); a refusal is audited, committed, then said."""
    try:
        await guard_calendar_moves(ctx.repos, ctx.campaign, moves, ctx.clock.now(), ctx.user.telegram_id, attempt)
    except PhaseRuleError as error:
        await ctx.repos.session.commit()
        await ctx.bot.send_message(chat_id, phase_rule_text(error, calendar_field_label))
        return False
    return True


async def calendar_command(
    message: Message,
    command: CommandObject,
    ctx: Ctx,
    state: FSMContext,
    on_calendar_change: CalendarHook | None = None,
) -> None:
    bot, repos, campaign, clock, base = ctx.bot, ctx.repos, ctx.campaign, ctx.clock, ctx.base_campaign
    await leave_dialog(state)
    args = (command.args or "").split()
    if not args:
        await bot.send_message(
            message.chat.id, calendar_text(campaign, base, clock.now(), published=await is_published(repos, campaign))
        )
        return
    if args[0].lower() != "set" or len(args) < 3:
        await bot.send_message(
            message.chat.id,
            _(
                "Send /calendar to see the dates, or /calendar set, a date name and YYYY-MM-DD HH:MM to move one, for example /calendar set voting_open 2030-05-20 09:00."
            ),
        )
        return
    name = args[1].lower()
    try:
        if name not in CALENDAR_FIELDS:
            raise CalendarChangeError("unknown_field", field=name)
        moment = parse_local(" ".join(args[2:]), campaign.zone)
    except CalendarChangeError as error:
        await bot.send_message(message.chat.id, _error_text(error))
        return
    # The forward-only rule first: "move the other date first" would be bad advice.
    if not await _allowed(ctx, message.chat.id, {name: moment}, "calendar_set"):
        return
    try:
        new_calendar = with_dates(campaign.calendar, {name: moment})
    except CalendarChangeError as error:
        await bot.send_message(message.chat.id, _error_text(error))
        return
    updated = await _changed(ctx, {name: moment}, new_calendar, on_calendar_change, "calendar_set")
    now = clock.now()
    await bot.send_message(
        message.chat.id,
        _("Done: “{field}” is now {date}. Now: {phase}. Residents see the new dates at once.").format(
            field=calendar_field_label(name),
            date=when(moment, updated),
            phase=phase_label(phase_at(updated.calendar, now)),
        ),
    )


async def advance_command(message: Message, ctx: Ctx, state: FSMContext) -> None:
    bot, campaign, now = ctx.bot, ctx.campaign, ctx.clock.now()
    await leave_dialog(state)
    try:
        moves = advance_moves(campaign.calendar, now)
    except CalendarChangeError as error:
        await bot.send_message(message.chat.id, _error_text(error))
        return
    target = next(name for name in reversed(CALENDAR_FIELDS) if name in moves)
    phase = PHASE_OF_FIELD[target]
    also = [calendar_field_label(name) for name in moves if name != target]
    text = _("Start the {phase} phase now ({now}) instead of {date}?").format(
        phase=phase_label(phase), now=when(now, campaign), date=when(getattr(campaign.calendar, target), campaign)
    )
    if also:
        text += "\n" + _("This also moves to now: {fields}.").format(fields=", ".join(also))
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Yes, start it now"), callback_data=AdvanceConfirm(field=target))
    builder.button(text=_("✖ No"), callback_data=AdvanceConfirm(field=""))
    await bot.send_message(message.chat.id, text, reply_markup=builder.as_markup())


async def advance_cancelled(query: CallbackQuery) -> None:
    await query.answer(_("Nothing changed."))
    await drop_buttons(query)


async def advance_confirmed(
    query: CallbackQuery, callback_data: AdvanceConfirm, ctx: Ctx, on_calendar_change: CalendarHook | None = None
) -> None:
    campaign, now = ctx.campaign, ctx.clock.now()
    try:
        moves = advance_moves(campaign.calendar, now)
    except CalendarChangeError as error:
        await query.answer(_error_text(error), show_alert=True)
        await drop_buttons(query)
        return
    target = next(name for name in reversed(CALENDAR_FIELDS) if name in moves)
    if target != callback_data.field:
        await query.answer(_("The calendar changed since this question: send /advance again."), show_alert=True)
        await drop_buttons(query)
        return
    if not await _allowed(ctx, ctx.chat_id, moves, "calendar_advanced"):
        await query.answer()
        await drop_buttons(query)
        return
    new_calendar = with_dates(campaign.calendar, moves)
    updated = await _changed(ctx, moves, new_calendar, on_calendar_change, "calendar_advanced")
    await query.answer(_("Done."))
    await drop_buttons(query)
    phase = phase_at(updated.calendar, now)
    await ctx.bot.send_message(
        ctx.chat_id,
        _("Done: the {phase} phase has started. {summary}").format(
            phase=phase_label(phase),
            summary=phase_summary(updated, now, published=await is_published(ctx.repos, campaign)),
        ),
    )


def router() -> Router:
    r = members_only(Router(name="committee_calendar"))
    r.message.register(calendar_command, Command("calendar"))
    r.message.register(advance_command, Command("advance"))
    r.callback_query.register(advance_cancelled, AdvanceConfirm.filter(F.field == ""))
    r.callback_query.register(advance_confirmed, AdvanceConfirm.filter())
    return r
