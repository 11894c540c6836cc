"""SQLite's WAL checkpoints, run from a thread of their own instead of inside writers' commits.

In WAL mode a commit appends pages to the write-ahead log; a checkpoint copies them back into the
database file and syncs it. By default the writer whose commit takes the log past 1,000 pages does that
in its commit: under a steady stream of chats one commit in a few hundred took 5–10 ms instead of
0.2 ms, and with it whatever request or assignment was waiting on it. The server runs
``wal_checkpoints`` for its lifetime: a PASSIVE checkpoint every half second, which waits for nobody and
blocks nobody (the database releases Python's GIL while it copies). Writers keep a backstop
(``BACKSTOP_PAGES``, see ``firstline.db``) so a process without the checkpointer, such as a CLI import,
still keeps its log bounded.

Under a steady stream of writes the background checkpoint is rarely complete at the instant a writer
starts, so the log is started again from its beginning when it reaches the backstop: the writer that
crosses it finishes the (by then nearly empty) checkpoint, and the next writer syncs the new log's header.
Those one or two syncs (~10 ms here) come once per cycle of the log; a chat writes ~60 pages to it, so at
100 chats a second a 20,000-page backstop (~80 MB) makes it one stall every ~3.5 s rather than every
~1.75 s at 10,000 (``bench/routing.py``: p99 13.7 and 17.5 ms against 16.9 and 56 ms).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 0.5
BACKSTOP_PAGES = 20_000  # ~80 MB of log before a writer checkpoints by itself


class WalCheckpointer:
    """A daemon thread that checkpoints the database at ``path`` every ``interval`` seconds until stopped."""

    def __init__(self, path: str, *, interval: float = INTERVAL_SECONDS) -> None:
        self.path = path
        self.interval = interval
        self.checkpoints = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def checkpoint(self, connection: sqlite3.Connection) -> tuple[int, int, int]:
        """One PASSIVE checkpoint: (busy, pages in the log, pages copied), as SQLite reports them."""
        busy, logged, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.checkpoints += 1
        return busy, logged, copied

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA synchronous=NORMAL")
            while not self._stop.wait(self.interval):
                try:
                    self.checkpoint(connection)
                except sqlite3.Error:  # the next round tries again; writers' backstop bounds the log
                    log.exception("WAL checkpoint failed")
        finally:
            connection.close()


@contextmanager
def wal_checkpoints(
    engine: Engine, *, interval: float = INTERVAL_SECONDS
) -> Iterator[WalCheckpointer | None]:
    """Checkpoint ``engine``'s SQLite file in the background while the block runs; nothing for other
    databases (or an in-memory SQLite, which has no log)."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        yield None
        return
    checkpointer = WalCheckpointer(path, interval=interval)
    checkpointer.start()
    try:
        yield checkpointer
    finally:
        checkpointer.stop()
