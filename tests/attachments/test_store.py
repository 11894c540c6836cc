"""The content-addressed file store."""

from __future__ import annotations

import hashlib

import pytest

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
