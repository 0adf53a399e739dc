"""aiogram sends a filter that is a plain function to a thread (asyncio.to_thread) on every update
it is tried on; the bot's dispatcher calls them in place (bot/lean_dispatch.py)."""

from __future__ import annotations

import asyncio

from aiogram.dispatcher.event import handler as aiogram_handler

from tests.journeys.wizard_steps import submit_project


async def test_no_filter_or_handler_of_the_bot_is_sent_to_a_thread(app, john, monkeypatch):
    threaded: list[str] = []
    to_thread = asyncio.to_thread

    async def counted(function, *args, **kwargs):
        threaded.append(repr(function))
        return await to_thread(function, *args, **kwargs)

    monkeypatch.setattr(aiogram_handler.asyncio, "to_thread", counted)
    # The wizard's steps are registered with bare States (plain-function filters), tried on each answer.
    number = await submit_project(john)
    assert number == 1
    await john.send("/help")
    assert threaded == []


def test_every_callable_the_dispatcher_tries_is_a_coroutine_function(app):
    tried = [
        callable_object
        for router in app.dispatcher.chain_tail
        for observer in router.observers.values()
        for handler in [observer._handler, *observer.handlers]
        for callable_object in [handler, *(handler.filters or ())]
    ]
    assert len(tried) > 100
    assert all(c.awaitable for c in tried), [c.callback for c in tried if not c.awaitable]
