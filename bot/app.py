"""The app factory: the same Bot + Dispatcher for polling, webhook, console and tests."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import conversations
from bot.bot_api_session import JsonBodySession
from bot.commands import publish_commands
from bot.counting_key import register_environment_key
from bot.errors import register_error_handler
from bot.fsm_storage import DatabaseStorage
from bot.gc_tuning import pace_for_serving
from bot.isolation import ResidentLocks
from bot.lean_dispatch import streamline
from conversations.routing_index import index
from bot.i18n import PoCatalogs, make_i18n, ResidentLocale
from bot import outbox
from bot.metrics import Metrics, UpdateObserver
from bot.middlewares.campaign import WATCHED_TABLES, EffectiveCampaign
from bot.middlewares.context import HandlerContext
from bot.middlewares.database import UpdateTransaction
from bot.recent_updates import LocalGate, UpdateGate
from bot.middlewares.odd_buttons import OddButtons
from bot.middlewares.resident import ResidentMiddleware
from bot.settings import Settings
from campaign.clock import Clock, SystemClock
from campaign.schema import Campaign, CampaignError, load_campaign
from storage.changes import ChangeWatch
from conversations.committee.counting import CountDesk
from storage.db import make_engine, make_sessionmaker, upgrade_schema
from storage.repositories.conversation_state import CommittedStates
from storage.phase_gate import check_ballot_settings
from storage.repositories import Repositories

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    campaign: Campaign
    bot: Bot
    dispatcher: Dispatcher
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    i18n: PoCatalogs
    closers: list = field(default_factory=list)
    watch: ChangeWatch | None = None  # what tells this worker that the campaign's dates, lock or committee changed
    metrics: Metrics = field(default_factory=Metrics)  # for /metrics (bot/webhook.py)

    async def publish_commands(self) -> None:
        """The command menus: the residents', and the committee's in private and in its group."""
        await publish_commands(
            self.bot,
            self.i18n,
            list(self.campaign.languages),
            self.campaign.default_language,
            committee_ids=self.settings.admin_ids,
            committee_chat_id=self.settings.admin_chat_id,
        )

    async def close(self) -> None:
        await self.dispatcher.storage.close()
        await self.dispatcher.fsm.events_isolation.close()
        await self.bot.session.close()
        await self.engine.dispose()
        for closer in self.closers:
            await closer()


def make_bot(token: str, api_url: str, session: BaseSession | None = None) -> Bot:
    session = session or JsonBodySession(api=TelegramAPIServer.from_base(api_url))
    return Bot(
        token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def _conversation_storage(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    metrics: Metrics,
) -> tuple[BaseStorage, BaseEventIsolation, UpdateGate]:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisEventIsolation

        from bot.redis_updates import BufferedRedisStorage, RedisGate

        keys = DefaultKeyBuilder(prefix=settings.redis_prefix, with_destiny=True)
        storage = BufferedRedisStorage.from_url(settings.redis_url, key_builder=keys)
        gate = RedisGate(storage, keys, settings.redis_prefix, on_lost=metrics.conversation_writes_lost.inc)
        # The isolation stays for aiogram's sake; updates take the same lock through the gate.
        return storage, RedisEventIsolation(storage.redis, key_builder=keys), gate
    # One worker (several need Redis): every conversation is read and written by this process.
    CommittedStates.install(sessionmaker)
    isolation = ResidentLocks()
    return DatabaseStorage(sessionmaker), isolation, LocalGate(isolation)


def create_dispatcher(
    *,
    settings: Settings,
    campaign: Campaign,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    i18n: PoCatalogs,
    watch: ChangeWatch | None = None,
    metrics: Metrics | None = None,
) -> Dispatcher:
    metrics = metrics or Metrics()
    storage, isolation, gate = _conversation_storage(settings, sessionmaker, metrics)
    # aiogram's FSM middleware is replaced by UpdateTransaction, which reads the state through
    # the update's own session and keeps the resident's lock until the replies are sent.
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        disable_fsm=True,
        campaign=campaign,
        clock=clock,
        i18n=i18n,
        committee_chat_id=settings.admin_chat_id,
        secret_key=settings.require_secret_key(),
        counting_key=settings.counting_private_key(),
        count_desk=CountDesk(),
        admin_ids=frozenset(settings.admin_ids),
    )
    # First, so that an update's time includes its commit and its replies.
    dispatcher.update.outer_middleware(UpdateObserver(metrics, settings.require_secret_key()))
    dispatcher.update.outer_middleware(UpdateTransaction(sessionmaker, dispatcher.fsm, gate))
    dispatcher.update.outer_middleware(EffectiveCampaign(campaign, watch))
    dispatcher.update.outer_middleware(ResidentMiddleware(campaign, clock, frozenset(settings.admin_ids)))
    dispatcher.update.outer_middleware(HandlerContext())  # `ctx` for the handlers (conversations/context.py)
    ResidentLocale(i18n).setup(dispatcher)
    dispatcher.callback_query.outer_middleware(OddButtons())  # after the locale: it answers
    dispatcher.include_routers(*conversations.get_routers())
    index(dispatcher)  # routers an update cannot match are passed over (conversations/routing_index.py)
    metrics.install(dispatcher)
    register_error_handler(dispatcher, i18n, campaign, sessionmaker)
    streamline(dispatcher)  # no thread per plain filter, no functools.wraps per router (bot/lean_dispatch.py)
    return dispatcher


async def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    session: BaseSession | None = None,
    token: str | None = None,
) -> App:
    pace_for_serving()
    clock = clock or SystemClock()
    campaign = load_campaign(settings.campaign_path(), now=clock.now())
    i18n = make_i18n(
        campaign.default_language, campaign.languages
    )  # before the database: a language without a catalog stops here
    engine = make_engine(settings.database_url)
    await upgrade_schema(engine)
    sessionmaker = make_sessionmaker(engine)
    try:
        async with sessionmaker() as db:
            await check_ballot_settings(Repositories(db), campaign)
    except CampaignError:
        await engine.dispose()
        raise
    counting_key = settings.counting_private_key()
    if counting_key is not None:
        try:
            await register_environment_key(sessionmaker, campaign.id, counting_key, clock)
        except SystemExit:
            await engine.dispose()
            raise
    bot = make_bot(token or settings.require_token(), settings.bot_api_url, session)
    outbox.install(bot)  # commit, then speak: see bot/outbox.py
    watch = ChangeWatch(engine, WATCHED_TABLES)
    try:
        await watch.listen()
    except Exception:  # noqa: BLE001 - without the push, the cache asks the database each update
        log.warning("could not LISTEN for changes; the campaign is checked on each update", exc_info=True)
    metrics = Metrics(multiprocess=settings.prometheus_multiproc_dir is not None)
    dispatcher = create_dispatcher(
        settings=settings,
        campaign=campaign,
        sessionmaker=sessionmaker,
        clock=clock,
        i18n=i18n,
        watch=watch,
        metrics=metrics,
    )
    return App(
        settings,
        campaign,
        bot,
        dispatcher,
        engine,
        sessionmaker,
        clock,
        i18n,
        closers=[watch.close],
        watch=watch,
        metrics=metrics,
    )
