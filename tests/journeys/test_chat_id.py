"""/chatid: a committee member learns the group's id for ADMIN_CHAT_ID; nobody else does."""

from __future__ import annotations

from tests.conftest import COMMITTEE_CHAT_ID, COMMITTEE_ID
from tests.journeys.committee_steps import anne, anne_in_group, eve_in_group  # noqa: F401

NEW_GROUP = -1005551234


async def test_a_member_learns_a_new_groups_id_and_what_to_do_with_it(app, resident_factory) -> None:
    anne_in_new_group = resident_factory(COMMITTEE_ID, "Anne", "fr", chat_id=NEW_GROUP)
    replies = await anne_in_new_group.send("/chatid@pbbot_test_bot")
    assert len(replies) == 1 and replies[0].chat_id == NEW_GROUP
    assert replies.text == (
        "L'identifiant de ce groupe est <code>-1005551234</code>. Pour en faire le groupe du comité, "
        "mettez <code>ADMIN_CHAT_ID=-1005551234</code> dans les réglages du bot (.env) et redémarrez-le."
    )


async def test_the_committee_group_is_recognised(app, anne_in_group) -> None:
    replies = await anne_in_group.send("/chatid")
    assert replies.text == f"Ce groupe est déjà celui du comité (ADMIN_CHAT_ID={COMMITTEE_CHAT_ID})."


async def test_in_private_a_member_is_told_where_to_ask(app, anne) -> None:
    replies = await anne.send("/chatid")
    assert replies.text.startswith("Ajoutez-moi au groupe du comité, puis envoyez /chatid")


async def test_a_non_member_is_refused_in_a_group_and_in_private(app, eve_in_group, john) -> None:
    replies = await eve_in_group.send("/chatid")
    assert replies.text.startswith("This command is for the steering committee only.")
    assert str(COMMITTEE_CHAT_ID) not in replies.text
    assert (await john.send("/chatid")).text.startswith("This command is for the steering committee only.")
