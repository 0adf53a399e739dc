"""`pbbot verify-log`: check the audit log's hash chain (campaign.audit_chain) in DATABASE_URL.

Exit 0 and the head hash when every entry fits; exit 1 and the id of the first entry that
does not (edited, deleted or inserted) otherwise.
"""

from __future__ import annotations

from campaign.audit_chain import first_broken
from storage.db import make_engine, make_sessionmaker
from storage.repositories.audit import AuditRepository


async def verify_log(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            report = first_broken(await AuditRepository(session).chain())
    finally:
        await engine.dispose()
    if report.broken_at is not None:
        print(
            f"BROKEN at audit entry {report.broken_at} ({report.reason}); {report.checked} entries before it are intact"
        )
        return 1
    print(f"OK: {report.checked} entries chained ({report.unchained} older entries unchained); head {report.head}")
    return 0
