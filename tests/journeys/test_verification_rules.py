"""Verification cannot be entered sideways (issue 8): every route passes the campaign's
attestations, duplicate requests are flagged, /forgetme keeps the wrong-code limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import COMMITTEE_CHAT_ID, COMMITTEE_ID
from tests.journeys.voting_helpers import phone_of, verifications

CAMPAIGNS = Path(__file__).resolve().parents[1] / "campaigns"
ATTEST = "Only residents may take part, so I need to check who you are first. Please confirm:"


@pytest.fixture
def campaign_file() -> Path:
    return CAMPAIGNS / "verify-all.toml"  # phone (+32), code, committee; age and residency attested


@pytest.fixture
def chair(resident_factory):
    return resident_factory(COMMITTEE_ID, "Chair", "en")


@pytest.fixture
def chair_in_group(resident_factory):
    return resident_factory(COMMITTEE_ID, "Chair", "en", chat_id=COMMITTEE_CHAT_ID)


async def a_code(chair) -> str:
    replies = await chair.send("/codes 1")
    listing = next(m for m in replies if m.document and m.filename.endswith(".csv"))
    return listing.document.decode().splitlines()[1].split(",")[0]


async def test_a_contact_sent_without_verify_asks_the_attestation_first(app, john):
    replies = await john.share_contact(phone_of(john))
    assert ATTEST in replies.text
    assert await verifications(app) == []
    await john.press("✅ I confirm")
    await john.press("📱 With my phone number")
    replies = await john.share_contact(phone_of(john))
    assert "verified resident" in replies.text
    (row,) = await verifications(app)
    assert row.attested_age is True and row.attested_residency is True


async def test_a_bare_code_command_asks_the_attestation_before_the_code_counts(app, chair, john):
    code = await a_code(chair)
    await john.send("/code")
    replies = await john.send(code)
    assert ATTEST in replies.text
    assert await verifications(app) == []
    replies = await john.press("✅ I confirm")
    assert "verified resident" in replies.text
    (row,) = await verifications(app)
    assert row.method == "code" and row.attested_age is True


async def test_refusing_the_attestation_verifies_nothing(app, chair, john):
    code = await a_code(chair)
    await john.send(f"/code {code}")
    await john.press("✖ No")
    await john.share_contact(phone_of(john))
    assert await verifications(app) == []


async def ask_committee(resident, name: str, street: str):
    await resident.send("/verify")
    await resident.press("✅ I confirm")
    await resident.press("🏛 Ask the committee")
    await resident.send(name)
    return await resident.send(street)


async def test_two_accounts_asking_as_the_same_person_are_flagged_with_both_shown(
    app, john, resident_factory, chair_in_group, emulator
):
    await ask_committee(john, "Jean Dupont", "Rue Haute")
    first = emulator.last_message(COMMITTEE_CHAT_ID)
    assert "⚠️" not in first.text
    other = resident_factory(1777, "J", "en")
    await ask_committee(other, "JEAN  DUPONT", "rue haute")
    card = emulator.last_message(COMMITTEE_CHAT_ID)
    assert "Nom : JEAN DUPONT\nRue : rue haute" in card.plain_text
    assert (
        "⚠️ Même nom et même rue que la demande n°1 (en attente), venue d'un autre compte Telegram :\n"
        "Nom : Jean Dupont\nRue : Rue Haute"
    ) in card.plain_text
    # Approved, the first stays a reference for the next one.
    await chair_in_group.press("✅ Approuver", in_message=first)
    third = resident_factory(1778, "D", "en")
    await ask_committee(third, "Jean Dupont", "Rue  Haute")
    assert "demande n°1 (approuvée)" in emulator.last_message(COMMITTEE_CHAT_ID).plain_text
    assert "demande n°2 (en attente)" in emulator.last_message(COMMITTEE_CHAT_ID).plain_text


async def test_forgetme_does_not_reset_the_wrong_code_limit(app, chair, john):
    code = await a_code(chair)
    await john.send("/verify")
    await john.press("✅ I confirm")
    await john.press("🔑 I have an invitation code")
    for _ in range(3):
        await john.send("AAAAA-AAAAA")
    await john.send("/forgetme")
    assert "has been erased" in (await john.press("🗑 Yes, erase my data")).text
    await john.send("/verify")
    await john.press("✅ I confirm")
    await john.press("🔑 I have an invitation code")
    replies = await john.send(code)
    assert "Too many wrong codes" in replies.text
    assert await verifications(app) == []
