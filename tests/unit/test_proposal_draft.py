from __future__ import annotations

from decimal import Decimal

from hypothesis import given, strategies as st

from campaign.calendar import Phase
from campaign.proposal import FIELD_ORDER, ProposalDraft, ProposalStatus, author_may_edit, next_field, previous_field

texts = st.one_of(st.none(), st.text(max_size=20))
drafts = st.builds(
    ProposalDraft,
    title=texts,
    summary=texts,
    description=texts,
    category=texts,
    location_text=texts,
    latitude=st.one_of(st.none(), st.floats(-90, 90)),
    longitude=st.one_of(st.none(), st.floats(-180, 180)),
    cost=st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2)),
    photo_file_id=texts,
    photo_skipped=st.booleans(),
)


@given(drafts)
def test_a_draft_survives_the_conversation_storage(draft):
    assert ProposalDraft.from_data(draft.to_data()) == draft


@given(drafts)
def test_the_next_question_is_always_a_missing_one(draft):
    for name in FIELD_ORDER:
        following = next_field(name, draft)
        assert following is None or not draft.has(following)
    assert (draft.first_missing() is None) == draft.is_complete


def test_questions_go_in_order():
    assert previous_field("title") is None
    assert previous_field("summary") == "title"
    assert next_field("title", ProposalDraft(title="x")) == "summary"
    full = ProposalDraft("t", "s", "d", "c", "here", None, None, Decimal(5), None, True)
    assert full.is_complete and next_field("cost", full) is None


def test_authors_edit_only_while_allowed():
    assert author_may_edit(ProposalStatus.SUBMITTED, Phase.PROPOSALS)
    assert not author_may_edit(ProposalStatus.SUBMITTED, Phase.REVIEW)
    assert author_may_edit(ProposalStatus.CHANGES_REQUESTED, Phase.REVIEW)
    assert not author_may_edit(ProposalStatus.FINALIST, Phase.PROPOSALS)
    assert not author_may_edit(ProposalStatus.CHANGES_REQUESTED, Phase.VOTING)
