"""Each Alembic revision upgrades, downgrades and upgrades again; the models match the schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import alembic_config, downgrade_schema, make_engine, upgrade_schema
from storage.models import Base


def _revisions(url: str) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(url))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def test_stairway(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'stairway.sqlite3'}"
    engine = make_engine(url)
    try:
        for revision in _revisions(url):
            await upgrade_schema(engine, revision)
            await downgrade_schema(engine, "-1")
            await upgrade_schema(engine, revision)
    finally:
        await engine.dispose()


async def test_models_and_migrations_agree(database_url):
    engine = make_engine(database_url)
    try:
        await upgrade_schema(engine)
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()
    assert differences == []
