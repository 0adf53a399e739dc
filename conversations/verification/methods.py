"""The verification methods, one entry each in `METHODS`: what /verify offers and asks.

A method is a module of this package that has its router(s) and registers one
`VerificationMethod`; the package imports every method module (conversations.verification),
and `start` reads the table: the buttons when the campaign enables several methods, the
question of the one chosen, what to do with a code given before the attestation. The names are
the campaign file's (`[verification] methods`, campaign.schema.Verification): a name the file
does not know is refused when the campaign is loaded, and a name the file accepts that no module
registers (or the reverse) fails tests/unit/test_verification.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Router
from aiogram.fsm.context import FSMContext

from campaign.schema import Campaign
from conversations.context import Ctx

# Put the resident in the method's first state and ask; `lead` (why we ask, or "") opens the message.
Ask = Callable[[Ctx, FSMContext, str], Awaitable[None]]
# Go on with a value the resident gave before confirming their age and residency (a code in a link).
Resume = Callable[[Ctx, FSMContext, str], Awaitable[None]]


@dataclass(frozen=True)
class VerificationMethod:
    name: str  # as written in the campaign file
    label: Callable[[], str]  # its button when several methods are offered (translated when called)
    ask: Ask
    routers: Callable[[], list[Router]]  # its handlers, in the order they are tried
    resume: Resume | None = None
    # Whether a campaign offers it; by default, when the campaign file names it.
    available: Callable[[Campaign], bool] | None = None

    def offered_in(self, campaign: Campaign) -> bool:
        if self.available is not None:
            return self.available(campaign)
        return self.name in campaign.verification.methods


METHODS: dict[str, VerificationMethod] = {}


def register(method: VerificationMethod) -> VerificationMethod:
    if method.name in METHODS:
        raise ValueError(f"verification method {method.name!r} is registered twice")
    METHODS[method.name] = method
    return method


def offered(campaign: Campaign) -> list[VerificationMethod]:
    """The campaign's methods, in the order of its file."""
    return [METHODS[name] for name in campaign.verification.methods if METHODS[name].offered_in(campaign)]
