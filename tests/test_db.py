"""SQLite transactions: writers take the write lock up front, so read-then-write never fails half way."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from firstline.db import declare_write, make_engine, make_session_factory, migrate


class TestDeclareWrite:
    def test_a_second_writer_waits_for_the_first_instead_of_failing(self, tmp_path) -> None:
        url = f"sqlite:///{tmp_path}/firstline.db"
        migrate(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        first = factory()
        declare_write(first)
        first.execute(
            text(
                "INSERT INTO team (name, description, tier, created_at) VALUES ('A', '', 'l1', '2026-01-01')"
            )
        )

        def finish_first() -> None:
            time.sleep(0.3)
            first.commit()

        releaser = threading.Thread(target=finish_first)
        started = time.monotonic()
        releaser.start()
        second = factory()
        declare_write(second)  # blocks on BEGIN IMMEDIATE until the first commits
        waited = time.monotonic() - started
        count = second.execute(text("SELECT count(*) FROM team")).scalar_one()
        second.execute(
            text(
                "INSERT INTO team (name, description, tier, created_at) VALUES ('B', '', 'l1', '2026-01-01')"
            )
        )
        second.commit()
        releaser.join()
        engine.dispose()
        assert waited >= 0.25
        assert count == 1  # the second writer saw the first one's row: no lost update
