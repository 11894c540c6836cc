"""The content-addressed file store."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from firstline.attachments import store as store_module
from firstline.attachments.store import FileStore
from firstline.kit.errors import InvalidInput, NotFound


class TestFileStore:
    def test_the_same_bytes_are_stored_once_under_their_hash(self, tmp_path) -> None:
        store = FileStore(tmp_path, max_bytes=1024)
        data = b"%PDF-1.7 proof of deposit"
        first, second = store.put(data), store.put(data)
        assert first == second == hashlib.sha256(data).hexdigest()
        assert store.get(first) == data
        assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1

    def test_files_over_the_limit_are_refused(self, tmp_path) -> None:
        with pytest.raises(InvalidInput, match="larger than the limit"):
            FileStore(tmp_path, max_bytes=1024).put(b"x" * 1025)

    @pytest.mark.parametrize("name", ["../../etc/passwd", "a" * 64, "0" * 63, ""])
    def test_names_that_are_not_a_stored_hash_are_not_found(self, tmp_path, name) -> None:
        with pytest.raises(NotFound):
            FileStore(tmp_path, max_bytes=1024).get(name)


class TestDurability:
    @pytest.fixture
    def synced(self, monkeypatch: pytest.MonkeyPatch) -> list[set[Path]]:
        rounds: list[set[Path]] = []
        real_sync = store_module.sync_files

        def record(paths: set[Path]) -> None:
            rounds.append(set(paths))
            real_sync(paths)

        monkeypatch.setattr(store_module, "sync_files", record)
        return rounds

    def test_files_put_for_a_session_are_synced_together_when_it_commits(
        self, db: Session, tmp_path: Path, synced: list[set[Path]]
    ) -> None:
        store = FileStore(tmp_path, max_bytes=1024)
        names = [store.put(data, session=db) for data in (b"first", b"second")]
        assert synced == []
        db.commit()
        assert synced == [{store.path_for(name) for name in names}]

    def test_a_file_put_without_a_session_is_synced_before_put_returns(
        self, tmp_path: Path, synced: list[set[Path]]
    ) -> None:
        store = FileStore(tmp_path, max_bytes=1024)
        name = store.put(b"alone")
        assert synced == [{store.path_for(name)}]

    def test_a_file_that_cannot_be_synced_stops_the_commit(self, db: Session, tmp_path: Path) -> None:
        store = FileStore(tmp_path, max_bytes=1024)
        store.path_for(store.put(b"vanishing", session=db)).unlink()
        with pytest.raises(FileNotFoundError):
            db.commit()

    def test_a_rolled_back_session_syncs_nothing(
        self, db: Session, tmp_path: Path, synced: list[set[Path]]
    ) -> None:
        db.execute(text("SELECT 1"))  # a transaction under way, as when rows name the file
        FileStore(tmp_path, max_bytes=1024).put(b"abandoned", session=db)
        db.rollback()
        db.commit()
        assert synced == []

    @pytest.mark.parametrize("count", [2, store_module.SYNCFS_FROM_FILES + 1])
    def test_few_and_many_files_are_synced_without_error(self, tmp_path: Path, count: int) -> None:
        store = FileStore(tmp_path, max_bytes=1024)
        paths = {store.path_for(store.put(f"file {n}".encode(), session=None)) for n in range(count)}
        store_module.sync_files(paths)
