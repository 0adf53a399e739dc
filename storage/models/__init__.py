"""Tables, one module per aggregate; importing this package registers them all."""

from storage.models.base import Base, utcnow
from storage.models.core import AuditRow, ConversationStateRow, ProposalRevisionRow, ProposalRow, UserRow
from storage.models import broadcasts, campaign_lock, committee, secrecy, voting  # noqa: F401  (registers their tables)

__all__ = ["AuditRow", "Base", "ConversationStateRow", "ProposalRevisionRow", "ProposalRow", "UserRow", "utcnow"]
