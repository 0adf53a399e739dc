"""The voting dialog's buttons and what it shows: a finalist's card, the ballot, why a ballot
is refused (the words come from the ballot type's texts, conversations.ballot_texts)."""
from __future__ import annotations

import hashlib
from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from campaign.ballot import BallotError, strategy
from campaign.proposal import Proposal
from campaign.schema import Campaign
from conversations.ballot_texts import texts_for
from conversations.render import category_name, money


class VoteNav(CallbackData, prefix="vnav"):
    index: int


class VotePick(CallbackData, prefix="vpick"):
    project: int


class VoteDetails(CallbackData, prefix="vdet"):
    project: int


class VoteSubmit(CallbackData, prefix="vsub"):
    pass


class VoteConfirm(CallbackData, prefix="vok"):
    digest: str


class MyVoteChange(CallbackData, prefix="vchg"):
    pass


def digest(choices: tuple[int, ...] | list[int]) -> str:
    return hashlib.sha256(",".join(str(c) for c in choices).encode()).hexdigest()[:16]


def ballot_lines(choices: tuple[int, ...] | list[int], finalists: list[Proposal], campaign: Campaign) -> str:
    return "\n".join(texts_for(campaign).ballot_lines(choices, finalists, campaign))


def ballot_error(error: BallotError, campaign: Campaign) -> str:
    return texts_for(campaign).error(error, campaign)


def card_text(project: Proposal, index: int, count: int, choices: tuple[int, ...], finalists: list[Proposal], campaign: Campaign) -> str:
    lines = [
        f"<b>{index + 1} / {count}</b>",
        f"<b>{escape(project.title)}</b>",
        f"{_('Estimated cost')}: {money(project.cost, campaign)} · {category_name(campaign, project.category)}",
        "",
        escape(project.summary),
    ]
    status = texts_for(campaign).card_status(choices, finalists, campaign)
    return "\n".join(lines + ([""] + status if status else []))


def card_keyboard(project: Proposal, index: int, count: int, choices: tuple[int, ...], campaign: Campaign) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    sizes = []
    if count > 1:
        builder.button(text="◀️", callback_data=VoteNav(index=(index - 1) % count))
        builder.button(text="▶️", callback_data=VoteNav(index=(index + 1) % count))
        sizes.append(2)
    builder.button(text=_("📄 Details"), callback_data=VoteDetails(project=project.id))
    sizes.append(1)
    builder.button(text=texts_for(campaign).pick_label(project.id, choices, campaign), callback_data=VotePick(project=project.id))
    sizes.append(1)
    if not strategy(campaign.ballot).one_tap:
        builder.button(text=_("📨 Submit my ballot ({count})").format(count=len(set(choices))), callback_data=VoteSubmit())
        sizes.append(1)
    builder.adjust(*sizes)
    return builder.as_markup()
