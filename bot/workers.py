"""`pbbot webhook --workers N`: N webhook processes behind one port.

Each worker is a whole `pbbot webhook` (bot/webhook.py) that binds the port with SO_REUSEPORT;
the kernel spreads Telegram's connections over them. What makes them one bot:

- conversation state and the per-resident lock are in Redis, so one resident's updates are
  handled one at a time, whichever worker receives them, and an update Telegram sends again is
  skipped by whichever worker gets the copy (bot/recent_updates.py);
- the data is in PostgreSQL; a worker that changes the calendar or the committee tells the
  others with NOTIFY (storage/changes.py); one worker, elected by an advisory lock, runs the
  scheduler and the broadcaster (bot/leader.py).

Hence N > 1 needs PostgreSQL and Redis. This process only starts the workers, restarts one
that dies, and passes SIGTERM/SIGINT on to them (each finishes the updates in flight).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from multiprocessing.process import BaseProcess
from pathlib import Path

from bot.settings import Settings
from storage.db import is_sqlite

log = logging.getLogger(__name__)

RESTART_PAUSE = 1.0  # seconds before a worker that died is started again


def worker_problems(settings: Settings, workers: int) -> list[str]:
    if workers <= 1:
        return []
    problems = []
    if is_sqlite(settings.database_url):
        problems.append(
            "--workers above 1 needs PostgreSQL (DATABASE_URL=postgresql+asyncpg://…): SQLite has one writer"
        )
    if not settings.redis_url:
        problems.append(
            "--workers above 1 needs Redis (REDIS_URL=redis://…): it keeps each resident's updates in order across workers"
        )
    if not hasattr(__import__("socket"), "SO_REUSEPORT"):
        problems.append("--workers above 1 needs SO_REUSEPORT (Linux, BSD, macOS)")
    return problems


def _worker(settings: Settings, workers: int, log_level: str) -> None:
    from bot.logs import configure_logging
    from bot.webhook import run_webhook

    configure_logging(log_level, settings.log_format)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop, with SIGTERM
    asyncio.run(run_webhook(settings, workers=workers, reuse_port=True))


def serve(settings: Settings, workers: int) -> int:
    """Run `workers` webhook processes until SIGTERM or SIGINT; 0 when stopped cleanly."""
    if workers <= 1:
        from bot.webhook import run_webhook

        asyncio.run(run_webhook(settings))
        return 0
    from bot.polling import migrate

    asyncio.run(migrate(settings))  # once, before the workers start
    # prometheus_client's multiprocess mode: each worker writes its counters in this folder,
    # and /metrics on any worker adds them up. The library reads the variable when imported,
    # so it is set here, for the workers this process starts.
    metrics_dir = tempfile.TemporaryDirectory(prefix="pbbot-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir.name
    settings = settings.model_copy(update={"prometheus_multiproc_dir": Path(metrics_dir.name)})
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no event loop or connection inherited
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start(index: int) -> BaseProcess:
        process = context.Process(
            target=_worker, args=(settings, workers, settings.log_level), name=f"pbbot-worker-{index}"
        )
        process.start()
        log.info("worker %d started (pid %s)", index, process.pid)
        return process

    processes = [start(index) for index in range(workers)]
    try:
        while not stopping:
            time.sleep(0.2)
            for index, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    log.error(
                        "worker %d (pid %s) exited with %s; starting it again", index, process.pid, process.exitcode
                    )
                    time.sleep(RESTART_PAUSE)
                    processes[index] = start(index)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: finish what is in flight, then exit
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    metrics_dir.cleanup()
    return 0 if all(p.exitcode == 0 for p in processes) else 1


if __name__ == "__main__":  # pragma: no cover - `pbbot webhook --workers N` is the way in
    sys.exit(serve(Settings(), 2))
