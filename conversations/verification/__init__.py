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

```mermaid
stateDiagram-v2
    [*] --> attest: /verify, or /vote, /propose unverified (when the campaign asks age or residency)
    [*] --> method: the same, nothing to confirm, several methods
    [*] --> phone: the same, the phone method only
    [*] --> code: the same (or /code), the code method only
    [*] --> name: the same, the committee method only
    attest --> method: I confirm (several methods)
    attest --> phone: I confirm (phone only)
    attest --> code: I confirm (code only)
    attest --> name: I confirm (committee only)
    attest --> [*]: No, or I confirm with a code already given (redeemed)
    method --> phone
    method --> code
    method --> name
    phone --> [*]: own contact (verified, then the caller's continuation)
    code --> code: a wrong code
    code --> [*]: a valid code (verified, then the caller's continuation)
    name --> street
    street --> [*]: a card in the committee chat
    phone --> [*]: /cancel, likewise from every state
```

One module per purpose: `state` (the states, buttons, data and what /cancel does), `start`
(/verify, the attestation, the choice of method, what happens once verified), one module per method,
each registered in the table `methods.METHODS` (`phone`, `codes`, `approval`: by the committee),
`register` (/import_register) and `forget` (/forgetme). `get_routers()` gives them in the order
they are tried; each module builds its routers afresh in `router()`.
"""

from __future__ import annotations

from aiogram import Router

# The method modules register themselves in methods.METHODS when imported.
from conversations.verification import approval, codes, forget, phone, register, start
from conversations.verification.methods import METHODS
from conversations.verification.start import begin, not_a_command, when_verified
from conversations.verification.state import Verifying

__all__ = ["METHODS", "Verifying", "begin", "get_routers", "not_a_command", "when_verified"]
_METHOD_MODULES = (phone, codes, approval)  # a new method: its module here


def get_routers() -> list[Router]:
    # `start` first; then each method's routers (`codes` takes `/start <code>` before
    # onboarding's /start), each catch-all after the specific handlers of its state.
    method_routers = [router for method in METHODS.values() for router in method.routers()]
    return [start.router(), *method_routers, register.router(), forget.router()]
