"""The simple key mode at start-up, and `pbbot counting-key` (print a new private key).

With COUNTING_KEY set, the campaign's public key is recorded the first time the bot starts;
afterwards the environment must keep holding the same key, or ballots already sealed could
not be opened: the bot refuses to start rather than record ballots nobody can count.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from campaign.clock import Clock
from storage.secrecy import fingerprint, new_private_key, private_key_hex, public_hex
from storage.repositories import Repositories
from storage.repositories.counting import ENVIRONMENT


async def register_environment_key(
    sessionmaker: async_sessionmaker[AsyncSession], campaign_id: str, key, clock: Clock
) -> None:  # noqa: ANN001 (a nacl PrivateKey)
    public = public_hex(key)
    async with sessionmaker() as session:
        repos = Repositories(session)
        await repos.counting.create(campaign_id, public, ENVIRONMENT, clock.now())
        await session.commit()
        stored = await repos.counting.get(campaign_id)
    assert stored is not None
    if stored.public_key != public:
        how = "the committee's shares (/count)" if stored.mode != ENVIRONMENT else "another COUNTING_KEY"
        raise SystemExit(
            f"COUNTING_KEY does not match campaign {campaign_id!r}: its ballots are sealed to key "
            f"{fingerprint(stored.public_key)}, held by {how}; this key is {fingerprint(public)}. "
            "Restore the original key (or unset COUNTING_KEY in the shares mode)."
        )


def print_new_key() -> int:
    key = new_private_key()
    print(private_key_hex(key))
    print(
        f"# public key fingerprint {fingerprint(public_hex(key))}: put the line above in COUNTING_KEY, "
        "and keep a copy away from the database backups",
        flush=True,
    )
    return 0
