"""Onboarding: /start, /help, /about, /language — always available, in any state.

| input                  | reply                                                        |
|------------------------|--------------------------------------------------------------|
| /start                 | greeting, campaign, phase and next dates, menu buttons       |
| /help                  | the commands                                                 |
| /about, menu "How"     | the campaign's articles as buttons; a button shows one       |
| /language, menu "Lang" | Français / English buttons; a button switches                 |
"""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from conversations.keyboard import InlineKeyboardBuilder

from campaign.clock import Clock
from campaign.proposal import ProposalDraft
from campaign.schema import Campaign, pick
from conversations.context import Ctx
from conversations.menu import MenuAction, main_menu
from conversations.money import language_name
from conversations.proposal_screens import load_draft
from conversations.render import campaign_name, money, phase_summary
from conversations.scope import private_only
from conversations.standing import is_published
from storage.repositories import User


class LanguageChoice(CallbackData, prefix="lang"):
    language: str


class ArticleChoice(CallbackData, prefix="article"):
    article: str


async def _draft(state: FSMContext) -> ProposalDraft:
    return await load_draft(state)


def _welcome(user: User, campaign: Campaign, clock: Clock, published: bool) -> str:
    description = escape(pick(campaign.description, user.language, campaign.default_language))
    return "\n\n".join(
        [
            _("Hello {name}! This is <b>{campaign}</b>.").format(
                name=escape(user.first_name or ""), campaign=campaign_name(campaign)
            ),
            description,
            _("Budget: {amount}.").format(amount=money(campaign.envelope, campaign))
            + " "
            + phase_summary(campaign, clock.now(), published=published),
            _("Choose below, or send /help."),
        ]
    )


async def start(message: Message, ctx: Ctx, state: FSMContext) -> None:
    # /start always brings the menu back; an unfinished draft stays in the data.
    await state.set_state(None)
    await message.answer(
        _welcome(ctx.user, ctx.campaign, ctx.clock, await is_published(ctx.repos, ctx.campaign)),
        reply_markup=main_menu(ctx.campaign, ctx.clock.now(), await _draft(state)),
    )


async def help_(message: Message, ctx: Ctx) -> None:
    lines = [
        _("What you can send me:"),
        _("/start — the menu and where the campaign stands"),
        _("/propose — propose a project (while proposals are open)"),
        _("/myproposals — your projects and their status"),
        _("/vote — vote for the finalists (while voting is open); /myvote — your vote"),
        _("/verify — show that you live here (needed to vote)"),
        _("/results — the results, once published"),
        _("/stop — no more announcements; /subscribe — announcements again"),
        _("/forgetme — erase your personal data (a vote already cast stays counted)"),
        _("/about — how the participatory budget works"),
        _("/language — choose French or English"),
        _("/cancel — stop what you are doing (your draft is kept)"),
        _("/back — go back to the previous question; /skip — skip an optional one"),
    ]
    if ctx.is_committee:
        lines += ["", _("Committee: /admin opens the committee's menu.")]
    await message.answer("\n".join(lines))


def _articles_keyboard(campaign: Campaign, language: str):
    builder = InlineKeyboardBuilder()
    for article in campaign.articles:
        builder.button(
            text=pick(article.title, language, campaign.default_language),
            callback_data=ArticleChoice(article=article.id),
        )
    builder.adjust(1)
    return builder.as_markup()


async def _send_about(message: Message, user: User, campaign: Campaign) -> None:
    if not campaign.articles:
        await message.answer(escape(pick(campaign.description, user.language, campaign.default_language)))
        return
    await message.answer(_("What would you like to know?"), reply_markup=_articles_keyboard(campaign, user.language))


async def about(message: Message, ctx: Ctx) -> None:
    await _send_about(message, ctx.user, ctx.campaign)


async def about_from_menu(query: CallbackQuery, ctx: Ctx) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _send_about(query.message, ctx.user, ctx.campaign)


async def show_article(query: CallbackQuery, callback_data: ArticleChoice, ctx: Ctx) -> None:
    user, campaign = ctx.user, ctx.campaign
    article = next((a for a in campaign.articles if a.id == callback_data.article), None)
    if article is None or not isinstance(query.message, Message):
        await query.answer(_("This button is no longer active. Send /about."), show_alert=True)
        return
    await query.answer()
    title = escape(pick(article.title, user.language, campaign.default_language))
    body = escape(pick(article.body, user.language, campaign.default_language))
    await query.message.answer(f"<b>{title}</b>\n\n{body}")


def _language_keyboard(campaign: Campaign):
    builder = InlineKeyboardBuilder()
    for code in campaign.languages:
        builder.button(text=language_name(code), callback_data=LanguageChoice(language=code))
    return builder.as_markup()


async def language(message: Message, ctx: Ctx) -> None:
    await message.answer(_("Choose your language:"), reply_markup=_language_keyboard(ctx.campaign))


async def language_from_menu(query: CallbackQuery, ctx: Ctx) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(_("Choose your language:"), reply_markup=_language_keyboard(ctx.campaign))


async def choose_language(query: CallbackQuery, callback_data: LanguageChoice, ctx: Ctx, state: FSMContext) -> None:
    if callback_data.language not in ctx.campaign.languages:
        await query.answer(_("This button is no longer active. Send /language."), show_alert=True)
        return
    await ctx.repos.users.set_language(ctx.user.id, callback_data.language)
    with ctx.i18n.use_locale(callback_data.language):
        await query.answer(_("Language changed."))
        if isinstance(query.message, Message):
            await query.message.answer(
                _("From now on I will write to you in English."),
                reply_markup=main_menu(ctx.campaign, ctx.clock.now(), await _draft(state)),
            )


def router() -> Router:
    r = private_only(Router(name="onboarding"))  # in a group: conversations.group
    r.message.register(start, CommandStart())
    r.message.register(help_, Command("help"))
    r.message.register(about, Command("about"))
    r.callback_query.register(about_from_menu, MenuAction.filter(F.action == "about"))
    r.callback_query.register(show_article, ArticleChoice.filter())
    r.message.register(language, Command("language"))
    r.callback_query.register(language_from_menu, MenuAction.filter(F.action == "language"))
    r.callback_query.register(choose_language, LanguageChoice.filter())
    return r
