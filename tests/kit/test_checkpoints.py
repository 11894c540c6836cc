from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from firstline.db import make_engine
from firstline.kit.checkpoints import BACKSTOP_PAGES, wal_checkpoints


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'log.db'}")
    yield engine
    engine.dispose()


def write_pages(engine: Engine, rows: int = 400) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS filler (body TEXT)"))
        connection.execute(text("INSERT INTO filler (body) VALUES (:body)"), [{"body": "x" * 1000}] * rows)


def database_file_size(engine: Engine) -> int:
    return Path(str(engine.url.database)).stat().st_size


def checkpointer_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "sqlite-checkpoints"]


class TestWalCheckpoints:
    def test_writers_leave_the_log_to_the_checkpointer_which_copies_it_into_the_database_file(
        self, sqlite_engine: Engine
    ) -> None:
        write_pages(sqlite_engine)
        # ~400 KB committed, all of it still in the log: no writer checkpointed on its own.
        assert database_file_size(sqlite_engine) < 100_000
        with wal_checkpoints(sqlite_engine, interval=0.02) as checkpointer:
            assert checkpointer is not None
            deadline = time.monotonic() + 10
            while database_file_size(sqlite_engine) < 400_000 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert checkpointer.checkpoints >= 1
        assert database_file_size(sqlite_engine) >= 400_000
        assert not checkpointer_threads()

    def test_writers_checkpoint_by_themselves_only_past_the_backstop(self, sqlite_engine: Engine) -> None:
        with sqlite_engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == BACKSTOP_PAGES

    def test_a_database_without_a_file_has_no_checkpointer(self) -> None:
        engine = create_engine("sqlite://")
        with wal_checkpoints(engine) as checkpointer:
            assert checkpointer is None
            assert not checkpointer_threads()

    def test_the_app_checkpoints_its_sqlite_database_for_as_long_as_it_runs(self, app: Any) -> None:
        if app.state.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL manages its own log")
        with TestClient(app):
            assert len(checkpointer_threads()) == 1
        assert not checkpointer_threads()
