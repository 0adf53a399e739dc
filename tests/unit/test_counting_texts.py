"""What /count says about the ballots counted agrees with their number, in every language."""

from __future__ import annotations

import pytest

from bot.i18n import make_i18n
from conversations.committee.counting import counted_already_text, counted_text

CASES = [
    ("en", 1, "Counted: 1 ballot, stored", "1 sealed ballot could not be opened and is not counted", ": 1 ballot."),
    ("en", 2, "Counted: 2 ballots, shuffled", "2 sealed ballots could not be opened and are not", ": 2 ballots."),
    ("fr", 1, "Dépouillé : 1 bulletin, enregistré", "1 bulletin scellé n'a pas pu être ouvert", " : 1 bulletin."),
    ("fr", 2, "Dépouillé : 2 bulletins, mélangés", "2 bulletins scellés n'ont pas pu être ouverts", " : 2 bulletins."),
]


@pytest.mark.parametrize(("locale", "count", "counted", "unreadable", "already"), CASES)
def test_the_counts_agree_with_the_number(locale: str, count: int, counted: str, unreadable: str, already: str) -> None:
    i18n = make_i18n("en", ["fr"])
    with i18n.context(), i18n.use_locale(locale):
        assert counted in counted_text(count, 0)
        assert unreadable not in counted_text(count, 0)
        assert unreadable in counted_text(count, count)
        assert already in counted_already_text("1 May", count)
