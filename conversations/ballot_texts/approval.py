"""The approval ballot's texts: the base class's."""

from __future__ import annotations

from conversations.ballot_texts import BallotTexts, register

register(BallotTexts)
