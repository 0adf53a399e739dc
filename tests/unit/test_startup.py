"""`pbbot run` / `pbbot webhook` refuse to start with every missing setting named at once, before
the database is created; `pbbot secret-key` prints a key they accept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pydantic import SecretStr

from bot.cli import main as pbbot
from bot.settings import Settings

REPOSITORY = Path(__file__).resolve().parents[2]


def _pbbot(tmp_path: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`pbbot` in an empty directory (no developer's .env) with only the given settings."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BOT_", "DATABASE_", "REDIS_", "ADMIN_", "CAMPAIGN_", "WEBHOOK_", "SECRET_"))
    }
    clean.update(PYTHONPATH=str(REPOSITORY), DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'pbbot.sqlite3'}", **env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *argv], capture_output=True, text=True, env=clean, cwd=tmp_path, timeout=60
    )


def test_run_without_token_and_secret_names_both_before_creating_the_database(tmp_path: Path) -> None:
    result = _pbbot(tmp_path, "run")
    assert result.returncode == 1
    assert "pbbot cannot start: 2 problem(s)" in result.stderr
    assert "BOT_TOKEN is not set" in result.stderr and "SECRET_KEY is not set" in result.stderr
    assert "pbbot secret-key" in result.stderr
    assert not (tmp_path / "pbbot.sqlite3").exists()  # nothing created, nothing migrated
    assert "alembic" not in result.stderr.lower() and "Traceback" not in result.stderr


def test_a_short_secret_key_is_called_too_short(tmp_path: Path) -> None:
    result = _pbbot(tmp_path, "run", BOT_TOKEN="123:abc", SECRET_KEY="short")
    assert result.returncode == 1
    assert "SECRET_KEY is too short (5 characters; at least 16)" in result.stderr
    assert "not set" not in result.stderr and "BOT_TOKEN" not in result.stderr
    assert not (tmp_path / "pbbot.sqlite3").exists()


def test_webhook_also_names_its_url_and_a_campaign_file_problem(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('id = "Bad Id"\n')
    result = _pbbot(tmp_path, "webhook", CAMPAIGN_FILE="c.toml", ADMIN_IDS="12, 34")
    assert result.returncode == 1
    for expected in (
        "BOT_TOKEN is not set",
        "SECRET_KEY is not set",
        "WEBHOOK_URL is not set",
        "CAMPAIGN_FILE c.toml: id: use 1 to 64 small letters",
        "CAMPAIGN_FILE c.toml: town: is missing",
    ):
        assert expected in result.stderr
    assert not (tmp_path / "pbbot.sqlite3").exists()


def test_an_unreadable_setting_is_named_in_plain_words(tmp_path: Path) -> None:
    result = _pbbot(tmp_path, "run", ADMIN_IDS="me, you")
    assert result.returncode == 1
    assert "ADMIN_IDS: write Telegram user ids as numbers separated by commas" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_campaign_entirely_past_is_a_warning_at_start(tmp_path: Path) -> None:
    result = _pbbot(tmp_path, "run", CAMPAIGN_FILE=str(REPOSITORY / "examples" / "bertrix-2020.toml"))
    assert result.returncode == 1  # no token: refused, but the warning is there too
    assert "warning: CAMPAIGN_FILE" in result.stderr and "every date is in the past" in result.stderr


def test_secret_key_prints_a_fresh_key_the_bot_accepts(capsys) -> None:
    assert pbbot(["secret-key"]) == 0
    first = capsys.readouterr().out.strip()
    assert pbbot(["secret-key"]) == 0
    second = capsys.readouterr().out.strip()
    assert first != second and len(first) >= 32
    assert Settings(_env_file=None, secret_key=SecretStr(first)).require_secret_key() == first.encode()


def test_refusing_to_start_loads_neither_aiogram_nor_the_database_layer(tmp_path: Path) -> None:
    """The refusal comes first, not after importing the Telegram library (seconds on a small server)."""
    script = (
        "import sys; from bot.cli import main; code = main(['run']); "
        "print(code, sorted(m for m in ('aiogram', 'sqlalchemy', 'alembic') if m in sys.modules))"
    )
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BOT_", "DATABASE_", "REDIS_", "ADMIN_", "CAMPAIGN_", "WEBHOOK_", "SECRET_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={**clean, "PYTHONPATH": str(REPOSITORY)},
    )
    assert result.stdout.strip() == "1 []", result.stderr
    assert "BOT_TOKEN is not set" in result.stderr
