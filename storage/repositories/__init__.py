"""Repositories take a session, return domain objects, and never commit."""

from __future__ import annotations

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
    """Every repository over one session: one transaction per update."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserRepository(session)
        self.proposals = ProposalRepository(session)
        self.states = ConversationStateRepository(session)
        self.audit = AuditRepository(session)
        self.broadcasts = BroadcastRepository(session)
        self.ballots = BallotRepository(session)
        self.verification = VerificationRepository(session)
        self.committee = CommitteeRepository(session)
        self.statistics = StatisticsRepository(session)
        self.locks = LockRepository(session)
        self.counting = CountingRepository(session)


__all__ = ["Repositories", "User"]
