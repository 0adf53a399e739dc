"""Verification journeys: phone, invitation codes, committee approval, register, /forgetme."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import COMMITTEE_CHAT_ID, COMMITTEE_ID
from tests.journeys.voting_helpers import ballot_count, make_finalists, open_voting, phone_of, verifications

CAMPAIGNS = Path(__file__).resolve().parents[1] / "campaigns"


@pytest.fixture
def campaign_file() -> Path:
    # phone (+32 only), code and committee; age and residency attestation
    return CAMPAIGNS / "verify-all.toml"


@pytest.fixture
def committee(resident_factory):
    return resident_factory(COMMITTEE_ID, "Chair", "en")


@pytest.fixture
def committee_in_group(resident_factory):
    return resident_factory(COMMITTEE_ID, "Chair", "en", chat_id=COMMITTEE_CHAT_ID)


def alert(emulator) -> str:
    return emulator.callback_answers[-1]["text"] or ""


async def start_phone(resident):
    replies = await resident.send("/verify")
    assert "at least 16 years old" in replies.text and "I live in Testville" in replies.text
    replies = await resident.press("✅ I confirm")
    assert replies[-1].button_labels() == [
        "📱 With my phone number",
        "🔑 I have an invitation code",
        "🏛 Ask the committee",
    ]
    replies = await resident.press("📱 With my phone number")
    assert "Accepted numbers start with +32" in replies.text
    assert replies[-1].reply_keyboard[0][0]["request_contact"] is True
    return replies


def pdf_text(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


async def make_codes(committee, count: int) -> list[tuple[str, str]]:
    replies = await committee.send(f"/codes {count}")
    assert [m.filename.rsplit(".", 1)[-1] for m in replies if m.document] == ["csv", "pdf"], replies.text
    listing, sheet = replies[-2], replies[-1]
    document = listing.document
    assert isinstance(document, bytes), replies.text
    rows = list(csv.reader(io.StringIO(document.decode())))
    assert rows[0] == ["code", "link"] and len(rows) == count + 1
    # The printable slips: a PDF with every code of the CSV on it (the QR codes are checked
    # in tests/unit/test_code_sheet.py).
    assert isinstance(sheet.document, bytes) and sheet.document.startswith(b"%PDF")
    assert sheet.filename.startswith("codes-") and sheet.filename == listing.filename[:-4] + ".pdf"
    assert "Printable slips" in sheet.caption
    printed = pdf_text(sheet.document)
    assert "Testville participatory budget" in printed  # the campaign, in English
    for code, _link in rows[1:]:
        assert code in printed.split("\n")
    return [(row[0], row[1]) for row in rows[1:]]


# --- phone ---------------------------------------------------------------------------------


async def test_own_phone_verifies_and_only_a_hash_is_stored(app, john):
    await start_phone(john)
    replies = await john.press("📱 Share my phone number", phone=phone_of(john))
    assert "you are now a verified resident" in replies.text
    assert replies[-1].removes_keyboard
    (row,) = await verifications(app)
    assert row.method == "phone" and row.attested_age and row.attested_residency
    assert row.phone_hash and phone_of(john) not in row.phone_hash and len(row.phone_hash) == 64
    replies = await john.send("/verify")
    assert "already verified" in replies.text


async def test_a_forwarded_or_typed_contact_is_refused(app, john, marie):
    await start_phone(john)
    replies = await john.share_contact(phone_of(marie), user_id=marie.user_id)  # Marie's card, forwarded
    assert "This is not your own contact" in replies.text
    replies = await john.share_contact(phone_of(john), user_id=None)  # a typed number
    assert "This is not your own contact" in replies.text
    replies = await john.send("+32 470 00 10 02")
    assert "typing the number does not work" in replies.text
    assert await verifications(app) == []


async def test_one_phone_number_verifies_one_account(app, john, resident_factory):
    await start_phone(john)
    await john.press("📱 Share my phone number", phone="+32 470 12 34 56")
    other = resident_factory(1777, "Johnny", "en")
    await start_phone(other)
    replies = await other.share_contact("0032470123456")
    assert "already verifies another Telegram account" in replies.text
    assert len(await verifications(app)) == 1


async def test_a_number_outside_the_prefixes_is_refused(app, john):
    await start_phone(john)
    replies = await john.share_contact("33612345678")
    assert "only phone numbers starting with +32" in replies.text
    assert await verifications(app) == []


async def test_refusing_the_attestation_stops(app, john):
    await john.send("/verify")
    replies = await john.press("✖ No")
    assert "only residents who meet these conditions" in replies.text
    assert await verifications(app) == []


# --- invitation codes -------------------------------------------------------------------------


async def test_codes_by_deep_link_and_typed(app, committee, john, resident_factory):
    codes = await make_codes(committee, 3)
    (code, link), (second, _), _third = codes
    assert link.startswith("https://t.me/pbbot_test_bot?start=") and link.endswith(code.replace("-", ""))

    replies = await john.send(f"/start {link.rsplit('=', 1)[1]}")
    assert "at least 16 years old" in replies.text
    replies = await john.press("✅ I confirm")
    assert "you are now a verified resident" in replies.text
    (row,) = await verifications(app)
    assert row.method == "code" and row.phone_hash is None

    other = resident_factory(1888, "Olga", "en")
    await other.send("/verify")
    await other.press("✅ I confirm")
    replies = await other.press("🔑 I have an invitation code")
    assert "Type the invitation code" in replies.text
    replies = await other.send(code)
    assert "already been used" in replies.text
    replies = await other.send("ZZZZZ-ZZZZZ")
    assert "I do not know this code" in replies.text
    replies = await other.send("hello")
    assert "does not look like a code" in replies.text
    replies = await other.send(second.lower().replace("-", " "))
    assert "you are now a verified resident" in replies.text


async def test_replies_go_as_json_and_files_as_forms(app, emulator, committee, john):
    """bot/bot_api_session.py: a call that uploads no file is one JSON body, with the fields
    aiogram's form would have sent (the bot's defaults filled in); an upload stays a form."""
    await make_codes(committee, 2)  # the CSV and the PDF: two uploads
    await john.send("/verify")
    await john.press("✅ I confirm")
    replies = await john.press("🔑 I have an invitation code")
    assert "Type the invitation code" in replies.text
    sent = [(method, kind) for (method, kind), count in emulator.bodies.items() for _ in range(count)]
    assert sorted(kind for method, kind in sent if method == "sendDocument") == ["multipart/form-data"] * 2
    assert {kind for method, kind in sent if method != "sendDocument"} == {"application/json"}
    assert {"sendMessage", "answerCallbackQuery"} <= {method for method, _ in sent}
    to_john = [
        params for method, params in emulator.calls if method == "sendMessage" and params["chat_id"] == john.chat_id
    ]
    assert to_john and all(params["parse_mode"] == "HTML" for params in to_john)
    assert all(params["link_preview_options"] == {"is_disabled": True} for params in to_john)
    keyboards = [params["reply_markup"]["inline_keyboard"] for params in to_john if "reply_markup" in params]
    assert keyboards and all(button["callback_data"] for rows in keyboards for row in rows for button in row)


async def test_an_expired_code(app, committee, john, clock):
    ((code, _),) = await make_codes(committee, 1)
    clock.set(app.campaign.calendar.voting_close + timedelta(minutes=1))
    await john.send(f"/code {code}")
    replies = await john.press("✅ I confirm")
    assert "This code has expired" in replies.text


async def test_wrong_codes_are_slowed_down(app, committee, john, clock):
    ((code, _),) = await make_codes(committee, 1)
    await john.send("/verify")
    await john.press("✅ I confirm")
    await john.press("🔑 I have an invitation code")
    for _ in range(3):
        replies = await john.send("AAAAA-AAAAA")
        assert "I do not know this code" in replies.text
    replies = await john.send(code)
    assert "Too many wrong codes" in replies.text
    clock.advance(timedelta(seconds=31))
    replies = await john.send(code)
    assert "you are now a verified resident" in replies.text


async def test_a_french_committee_member_gets_french_slips(app, resident_factory):
    chair = resident_factory(COMMITTEE_ID, "Présidente", "fr")
    replies = await chair.send("/codes 2")
    sheet = replies[-1]
    assert sheet.filename.endswith(".pdf") and "Fiches à imprimer" in sheet.caption
    printed = pdf_text(sheet.document)
    assert "Budget participatif de Testville" in printed
    assert "Scannez ce code avec l'appareil photo" in printed


async def test_only_the_committee_makes_codes(app, john):
    replies = await john.send("/codes 10")
    assert "Only committee members" in replies.text


async def test_a_plain_start_link_still_greets(app, john):
    replies = await john.send("/start hello")
    assert "Testville" in replies.text


# --- committee approval ---------------------------------------------------------------------------


async def test_committee_approves_a_resident(app, john, committee_in_group, emulator):
    await john.send("/verify")
    await john.press("✅ I confirm")
    replies = await john.press("🏛 Ask the committee")
    assert "full name" in replies.text
    await john.send("John <b>Smith</b>")
    replies = await john.send("Rue de l'Église")
    assert "The committee will check your request" in replies.text
    card = emulator.last_message(COMMITTEE_CHAT_ID)  # in the campaign's default language, French
    assert "John <b>Smith</b>" in card.plain_text and "Rue de l'Église" in card.plain_text

    approve = card.button("✅ Approuver")["callback_data"]
    # Someone outside the committee cannot decide.
    await john.press_data(approve)
    assert "Only committee members" in alert(emulator)
    assert await verifications(app) == []

    await committee_in_group.press("✅ Approuver")
    assert "Approuvée par Chair" in emulator.last_message(COMMITTEE_CHAT_ID).text
    assert "you are now a verified resident" in john.last.text
    (row,) = await verifications(app)
    assert row.method == "committee" and row.approved_by == COMMITTEE_ID
    await committee_in_group.press_data(approve, message_id=card.message_id)
    assert "already been decided" in alert(emulator)


async def test_verification_before_voting_then_the_ballot(app, john, clock):
    await make_finalists(app, [("Bench", 1500), ("Trees", 4000)])
    open_voting(app, clock)
    replies = await john.send("/vote")
    assert "Only residents may take part" in replies.text
    await john.press("✅ I confirm")
    await john.press("📱 With my phone number")
    replies = await john.press("📱 Share my phone number", phone=phone_of(john))
    assert "verified resident" in replies.text and "1 / 2" in replies.text


# --- /forgetme ----------------------------------------------------------------------------------


async def test_forgetme_erases_the_link_but_not_the_phone_rule(app, john, resident_factory, clock):
    await make_finalists(app, [("Bench", 1500)])
    open_voting(app, clock)
    await start_phone(john)
    await john.press("📱 Share my phone number", phone=phone_of(john))
    await john.send("/vote")
    await john.press("☑️ Select")
    await john.press("Submit my ballot (1)")
    await john.press("✅ Confirm my vote")

    replies = await john.send("/forgetme")
    assert "erases your personal data" in replies.text
    replies = await john.press("🗑 Yes, erase my data")
    assert "has been erased" in replies.text
    (row,) = await verifications(app)
    assert row.user_id is None and row.attested_age is None
    assert await ballot_count(app) == 1, "the ballot stays counted"
    replies = await john.send("/myvote")
    assert "You have voted" in replies.text

    other = resident_factory(1999, "Jon", "en")
    await start_phone(other)
    replies = await other.share_contact(phone_of(john))
    assert "already verifies another Telegram account" in replies.text


# --- the phone register ----------------------------------------------------------------------------


class TestRegister:
    @pytest.fixture
    def campaign_file(self) -> Path:
        return CAMPAIGNS / "register.toml"

    async def test_only_numbers_in_the_register(self, app, committee, john, marie):
        replies = await committee.send("/import_register")
        assert "CSV document" in replies.text
        replies = await committee.send_document(
            "register.csv", "phone\n0470 00 10 02\n+32 470 00 10 03\nnot a phone\n".encode()
        )
        assert "2 numbers read, 2 new" in replies.text and "4" in replies.text
        await john.send("/verify")
        replies = await john.share_contact(phone_of(john))
        assert "you are now a verified resident" in replies.text
        await marie.send("/verify")
        replies = await marie.share_contact(phone_of(marie))
        assert "pas dans la liste" in replies.text

    async def test_a_number_written_with_its_trunk_zero_matches_the_contact(self, app, committee, john, marie):
        # "+32 (0)470…" once became +320470…, a number no contact ever matches; and a number
        # that is not Belgian is reported, not stored as another.
        replies = await committee.send("/import_register")
        replies = await committee.send_document("register.csv", "+32 (0)470 00 10 02\n8 912 345 67 89\n".encode())
        assert "Register imported: 1 number read, 1 new." in replies.text
        assert "These lines could not be read as phone numbers: 2." in replies.text
        await john.send("/verify")
        replies = await john.share_contact(phone_of(john))
        assert "you are now a verified resident" in replies.text

    async def test_only_the_committee_imports(self, app, john):
        replies = await john.send("/import_register")
        assert "Only committee members" in replies.text
