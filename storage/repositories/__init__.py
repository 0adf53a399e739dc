"""Repositories take a session, return domain objects, and never commit."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.audit import AuditRepository
from storage.repositories.conversation_state import ConversationStateRepository
from storage.repositories.proposals import ProposalRepository
from storage.repositories.users import User, UserRepository


class Repositories:
    """Every repository over one session: one transaction per update."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserRepository(session)
        self.proposals = ProposalRepository(session)
        self.states = ConversationStateRepository(session)
        self.audit = AuditRepository(session)


__all__ = ["Repositories", "User"]
