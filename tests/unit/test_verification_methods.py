"""Verification methods are a table (conversations.verification.methods.METHODS): one entry per
name the campaign file accepts, and a name it does not know is refused when the file is loaded."""

from __future__ import annotations

from typing import get_args

import pytest

from campaign.schema import CampaignError, Verification, parse_campaign
from conversations.verification import METHODS
from conversations.verification.methods import offered
from tests.unit.test_campaign_file import _town


def test_every_method_the_campaign_file_accepts_has_one_entry_in_the_table() -> None:
    (item,) = get_args(Verification.model_fields["methods"].annotation)
    assert set(get_args(item)) == set(METHODS)
    for name, method in METHODS.items():
        assert method.name == name
        assert method.routers(), f"{name} has no router"


def test_an_unknown_method_is_refused_when_the_campaign_is_loaded() -> None:
    data = _town()
    data["verification"] = {"methods": ["code", "carrier-pigeon"]}
    with pytest.raises(CampaignError) as caught:
        parse_campaign(data)
    assert any(problem.startswith("verification.methods #2") for problem in caught.value.problems)


def test_the_campaign_offers_its_methods_in_the_order_of_its_file() -> None:
    data = _town()
    data["verification"] = {"methods": ["committee", "code"]}
    campaign = parse_campaign(data)
    assert {name for name, method in METHODS.items() if method.offered_in(campaign)} == {"code", "committee"}
    assert [m.name for m in offered(campaign)] == ["committee", "code"]
