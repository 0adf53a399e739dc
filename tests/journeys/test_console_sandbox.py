"""`pbbot console` is a sandbox: its own database, the demo campaign, no `.env`; the scheduler and
the broadcaster run inside it; the files the bot sends are saved; `:reset` starts over. And the
road a new town takes: `pbbot init`, `pbbot check-campaign`, `pbbot console` on the new file."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.app import App
from bot.console import run_console
from bot.settings import Settings
from tests.conftest import COMMITTEE_ID
from tests.emulator import BotAPIEmulator
from tests.journeys.test_console import scripted

REPOSITORY = Path(__file__).resolve().parents[2]


def _environment(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BOT_", "DATABASE_", "REDIS_", "ADMIN_", "CAMPAIGN_", "WEBHOOK_", "SECRET_"))
    }
    return {**env, "PYTHONPATH": str(REPOSITORY), **extra}


def _pbbot(cwd: Path, *argv: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        env=_environment(**env),
        cwd=cwd,
        timeout=120,
    )


def test_the_console_leaves_the_real_database_byte_for_byte_unchanged(tmp_path: Path) -> None:
    real = tmp_path / "pbbot.sqlite3"
    url = f"sqlite+aiosqlite:///{real}"
    assert _pbbot(tmp_path, "migrate", DATABASE_URL=url).returncode == 0
    # A real bot's settings, in .env and in the environment, with the console user on the committee.
    (tmp_path / ".env").write_text(
        f"DATABASE_URL={url}\nADMIN_IDS=1001\nCAMPAIGN_FILE=examples/bertrix-2020.toml\n"
        "SECRET_KEY=a-real-secret-key-of-the-town\n"
    )
    before, listing = real.read_bytes(), sorted(p.name for p in tmp_path.iterdir())
    stamp = real.stat().st_mtime_ns

    result = _pbbot(
        tmp_path,
        "console",
        "--committee",
        "--language",
        "en",
        stdin="/start\n/advance\n1\n/calendar\n:phase results\n/publish\n",
        DATABASE_URL=url,
        ADMIN_IDS="1001",
    )

    assert result.returncode == 0, result.stderr
    assert "pbbot console — Démoville participatory budget (Démoville)" in result.stdout  # the demo, not .env's Bertrix
    assert "phase: proposals" in result.stdout
    assert "a committee member" in result.stdout
    assert "Done: the review phase has started." in result.stdout  # the committee's /advance was carried out...
    assert "proposals are closed. Thank you for your ideas!" in result.stdout  # ...and announced
    sandbox = re.search(r"database: sqlite\+aiosqlite:///(\S+)", result.stdout).group(1)
    assert Path(sandbox).parent != tmp_path and Path(sandbox).exists()
    assert "Traceback" not in result.stderr
    assert real.read_bytes() == before and real.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # no journal, no new file beside it


def test_env_makes_the_console_use_the_real_settings(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"DATABASE_URL=sqlite+aiosqlite:///{tmp_path / 'real.sqlite3'}\nCAMPAIGN_FILE=tests/campaigns/town.toml\n"
    )
    result = _pbbot(tmp_path, "console", "--env", stdin=":reset\n/start\n")
    assert result.returncode == 0, result.stderr
    assert "Budget participatif de Testville" in result.stdout
    assert f"database: sqlite+aiosqlite:///{tmp_path / 'real.sqlite3'}" in result.stdout
    assert "only the console's own database can be reset" in result.stdout
    assert (tmp_path / "real.sqlite3").exists()


def test_init_then_check_campaign_then_console_shows_a_live_campaign(tmp_path: Path) -> None:
    init = _pbbot(
        tmp_path,
        "init",
        "--town",
        "Herbeumont",
        "--population",
        "1600",
        "--envelope",
        "10000",
        "--languages",
        "en,fr",
        "--phone-prefix",
        "+32",
    )
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "campaign.toml").exists()
    check = _pbbot(tmp_path, "check-campaign", "campaign.toml")
    assert check.returncode == 0 and "OK" in check.stdout and check.stderr == ""

    console = _pbbot(tmp_path, "console", "--campaign", "campaign.toml", "--language", "en", stdin="/start\n1\n")
    assert console.returncode == 0, console.stderr
    assert "pbbot console — Herbeumont participatory budget (Herbeumont)" in console.stdout
    assert "phase: proposals" in console.stdout
    assert "Proposals are open until" in console.stdout
    assert "[1] 📝 Propose a project" in console.stdout
    assert "Step 1 of 7 — Title." in console.stdout
    assert "Traceback" not in console.stderr


async def test_announcements_reach_the_terminal_and_files_are_saved(
    app: App,
    settings: Settings,
    emulator: BotAPIEmulator,
    tmp_path: Path,
) -> None:
    output: list[str] = []
    files = tmp_path / "files"
    await run_console(
        settings,
        phase="proposals",
        user_id=COMMITTEE_ID,
        language="en",
        output=output.append,
        files_dir=files,
        read_line=scripted(
            [
                "/start",
                "/advance",
                "1",  # ✅ Yes: proposals close now, and the calendar announces it at once
                "/export proposals",
            ]
        ),
    )
    transcript = "\n".join(output)
    assert f"files the bot sends are saved in {files}" in transcript
    assert "announcements and broadcasts are sent here" in transcript
    advance = transcript.split("> /advance", 1)[1].split("> /export", 1)[0]
    assert "proposals are closed. Thank you for your ideas!" in advance  # the broadcast, to the console user
    saved = re.search(r"\[document (\S+\.csv)\] saved as (\S+)", transcript)
    assert saved is not None, transcript
    path = Path(saved.group(2))
    assert path.parent == files and path.name == saved.group(1)
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows and rows[0]  # a header row, as the committee would open it
    assert "the bot failed" not in transcript and emulator.calls == []


async def test_reset_starts_over_with_an_empty_database(tmp_path: Path) -> None:
    own = tmp_path / "console.sqlite3"
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{own}",
        campaign_file=Path("examples/demo.toml"),
        admin_ids=[],
        bot_api_url="http://127.0.0.1:9",
    )  # never called
    output: list[str] = []
    await run_console(
        settings,
        user_id=1001,
        language="en",
        output=output.append,
        own_database=own,
        read_line=scripted(["/start", "1", "A bench on the square", ":reset", "/myproposals"]),
    )
    transcript = "\n".join(output)
    assert transcript.count("pbbot console — Démoville") == 2
    assert "starting over: a new empty database" in transcript
    after = transcript.split("starting over", 1)[1]
    assert "A bench on the square" not in after  # the draft went with the old database
    assert "the bot failed" not in transcript
