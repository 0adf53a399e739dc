"""What is printed: rates, latencies, SQL statements and commits, memory."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


class SqlMeter:
    """Statements and commits sent by one engine (this process's)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.statements = self.commits = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._statement)
        event.listen(engine.sync_engine, "commit", self._commit)

    def _statement(self, *_: Any) -> None:
        self.statements += 1

    def _commit(self, *_: Any) -> None:
        self.commits += 1


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (Linux /proc), leaving out multiprocessing's resource tracker."""
    try:
        if b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return []
    except OSError:
        return []
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found.extend(process_tree(int(child)))
    return found


def peak_mb_of(pid: int) -> float:
    """The peak resident memory (VmHWM) of one process, in MB; 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU time one process has used so far (Linux /proc); 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Figures:
    rate: float  # updates per second
    p50: float  # ms
    p99: float  # ms


def report(name: str, count: int, seconds: float, latencies: list[float], extra: str = "") -> Figures:
    rate = count / seconds if seconds else 0.0
    ordered = sorted(latencies) or [0.0]
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(
        f"  {name:<22} {count:>7,} updates in {seconds:6.1f} s = {rate:7.0f}/s   p50 {p50:6.1f} ms  p99 {p99:7.1f} ms{extra}"
    )
    return Figures(rate, p50, p99)


@dataclass
class Row:
    """One line of the summary printed at the end, in the README's table layout."""

    setup: str
    pbbot: Figures
    sql_commits: str = "—"  # "5.9, 1.00": SQL statements and commits per update (in-process)
    transactions: str = "—"  # PostgreSQL transactions per update (pg_stat_database)
    echo: str = "—"  # the bare echo bot's updates/s
    memory: str = ""  # peak MB


TABLE: list[Row] = []


def print_table() -> None:
    if not TABLE:
        return
    print()
    print(
        "| setup | pbbot updates/s | p50 / p99 ms | SQL, commits per update | PostgreSQL transactions per update | bare echo updates/s | peak MB |"
    )
    print("|---|---:|---|---|---|---:|---|")
    for row in TABLE:
        figures = row.pbbot
        print(
            f"| {row.setup} | {figures.rate:,.0f} | {figures.p50:,.0f} / {figures.p99:,.0f} | {row.sql_commits} "
            f"| {row.transactions} | {row.echo} | {row.memory} |"
        )
