"""Verification: who is a resident of the town, by the methods the campaign file enables.

| state         | valid input                                   | then                                   |
|---------------|-----------------------------------------------|----------------------------------------|
| (any) /verify | —                                             | attest (if required), else method      |
| attest        | "I confirm" / "No" buttons                    | method (or the code given in the link) |
| method        | a method button (when several are enabled)   | phone / code / name                    |
| phone         | own contact from the 📱 button                | verified (then the ballot, if asked)   |
| code          | a code (ABCDE-23456), also `/start <code>`    | verified                               |
| name, street  | text                                          | a card in the committee chat           |

Refused with an explanation: a contact that is not the sender's (forwarded card, typed
number), a number outside the campaign's prefixes or register, a number that already
verifies another account; unknown, used and expired codes (distinct replies; after a few
wrong codes the resident must wait, doubling each time).

Committee: `/codes N` (CSV document of N single-use codes with their t.me deep links, then a
PDF of printable slips with one QR code per code),
`/import_register` (then a CSV document: one phone number per line), approve/refuse buttons
on request cards. Anyone: `/forgetme` erases their personal data after a confirmation.

One module per purpose, each with its own `router()` (see conversations/__init__.py): `start` (/verify, attestation, method
choice, the shared states), `phone`, `codes`, `register`, `approval` (by the committee) and
`forget` (/forgetme). `get_routers()` gives them in the order they are tried.
"""

from __future__ import annotations

from aiogram import Router

from conversations import routers_of

from conversations.verification.start import begin, not_a_command, when_verified

__all__ = ["begin", "get_routers", "not_a_command", "when_verified"]


def get_routers() -> list[Router]:
    from conversations.verification import approval, codes, forget, phone, register, start

    # The order of the former single router: `codes` takes `/start <code>` before onboarding's
    # /start, and each catch-all comes after the specific handlers of its state.
    return [
        *routers_of(start),
        *routers_of(phone),
        *routers_of(codes, "committee_router"),
        *routers_of(register),
        *routers_of(approval, "committee_router"),
        *routers_of(forget),
    ]
