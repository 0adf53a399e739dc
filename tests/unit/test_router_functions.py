"""Every dialog module builds its routers in `router()`: no Router object lives at module level
(a Router belongs to one dispatcher; a module-level one would be shared by every dispatcher)."""

from __future__ import annotations

import importlib
import pkgutil

from aiogram import Router

import conversations


def _modules() -> list[str]:
    return [info.name for info in pkgutil.walk_packages(conversations.__path__, "conversations.")]


def test_no_module_of_conversations_holds_a_router_object() -> None:
    held = []
    for name in _modules():
        module = importlib.import_module(name)
        held += [f"{name}.{attr}" for attr, value in vars(module).items() if isinstance(value, Router)]
    assert len(_modules()) > 40
    assert not held, "module-level routers (build them in router()): " + ", ".join(held)


def test_each_router_function_builds_a_fresh_router() -> None:
    builders = []
    for name in _modules():
        builder = getattr(importlib.import_module(name), "router", None)
        if callable(builder):
            builders.append(name)
            first, second = builder(), builder()
            assert isinstance(first, Router) and first is not second, name
    assert len(builders) > 20


def test_get_routers_gives_new_routers_each_time() -> None:
    first, second = conversations.get_routers(), conversations.get_routers()
    assert len(first) == len(second) > 20
    assert not {id(r) for r in first} & {id(r) for r in second}
