"""Repositories take a session, return domain objects, and never commit."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.audit import AuditRepository
from storage.repositories.ballots import BallotRepository
from storage.repositories.broadcasts import BroadcastRepository
from storage.repositories.committee import CommitteeRepository
from storage.repositories.counting import CountingRepository
from storage.repositories.conversation_state import ConversationStateRepository
from storage.repositories.locks import LockRepository
from storage.repositories.proposals import ProposalRepository
from storage.repositories.statistics import StatisticsRepository
from storage.repositories.users import User, UserRepository
from storage.repositories.verification import VerificationRepository


class Repositories:
    """Every repository over one session: one transaction per update.

    Each is made when first used: an update uses two or three of the eleven."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self.session)

    @cached_property
    def proposals(self) -> ProposalRepository:
        return ProposalRepository(self.session)

    @cached_property
    def states(self) -> ConversationStateRepository:
        return ConversationStateRepository(self.session)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.session)

    @cached_property
    def broadcasts(self) -> BroadcastRepository:
        return BroadcastRepository(self.session)

    @cached_property
    def ballots(self) -> BallotRepository:
        return BallotRepository(self.session)

    @cached_property
    def verification(self) -> VerificationRepository:
        return VerificationRepository(self.session)

    @cached_property
    def committee(self) -> CommitteeRepository:
        return CommitteeRepository(self.session)

    @cached_property
    def statistics(self) -> StatisticsRepository:
        return StatisticsRepository(self.session)

    @cached_property
    def locks(self) -> LockRepository:
        return LockRepository(self.session)

    @cached_property
    def counting(self) -> CountingRepository:
        return CountingRepository(self.session)


__all__ = ["Repositories", "User"]
