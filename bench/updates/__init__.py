"""Updates per second through the real bot, beside a bare aiogram echo bot fed the same way.

    python -m bench.updates --residents 200 --db sqlite --api-delay 0,50       # in-process, SQLite
    python -m bench.updates --residents 200 --db postgresql --api-delay 0,50   # PostgreSQL
    python -m bench.updates --residents 200 --db postgresql --redis            # PostgreSQL + Redis
    python -m bench.updates --residents 200 --db postgresql --redis --workers 1,2,4 --api-delay 0
                                                     # through `pbbot webhook --workers N`
    python -m bench.updates --db postgresql --workers 2 --api-delay 0   # refused without Redis: by design
    python -m bench.updates --memory 100000          # RSS every 10,000 distinct residents

Residents run real journeys, `--concurrency` (50) at a time: /start, the proposal wizard to the
end (/propose, title, summary, description, a category button, place, cost, /skip, ✅), /verify
and their own phone number (12 updates); then, four projects on the ballot, the vote (/vote,
select, next, select, submit, confirm: 6 updates). The Bot API is the tests' emulator answering
after `--api-delay` ms.

- In-process (api.py, in_process.py): the real `build_app` dispatcher fed with
  `feed_update`, its Bot talking to the emulator through a BaseSession (no HTTP); then the same
  updates fed to a bare aiogram dispatcher that answers every message and button once.
- Through the webhook (`--workers`, through_webhook.py): `pbbot webhook --workers N` in child
  processes, this process posting the updates over HTTP and serving the Bot API; then the same
  updates posted to a bare aiogram echo bot behind a webhook in as many processes (echo_webhook.py).
- Memory (`--memory N`, memory.py): N distinct residents, RSS at each `--checkpoint`.

PostgreSQL at 127.0.0.1:5432 (user postgres) in a database made for the run and dropped after
it; Redis at 127.0.0.1:6379 under a key prefix of the run's own, deleted after it (setups.py).
Printed, never asserted: updates/s, p50/p99 latency per update, SQL statements and commits per
update, peak memory. The machine may be shared: figures vary with its load.
"""
