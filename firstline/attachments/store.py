"""A content-addressed file store on local disk: a file's name is the SHA-256 of its bytes.

Durability: a stored file, and its name in its directory, reach the disk (fsync) before anything that
refers to it is committed. ``put(data)`` syncs before it returns. ``put(data, session=session)`` leaves
the syncing to that session: just before its transaction commits, every file put for it is synced in
one pass (the files, then their directories), and a sync that fails makes the commit fail. So a batch
of mail committed together pays for one round of syncs instead of one per file, and "stored before
acknowledged" still holds: a row naming a file is never committed before the file is on disk, and the
acknowledgement (SMTP 250, an IMAP flag) comes only after that commit.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from firstline.kit.errors import InvalidInput, NotFound

_UNSYNCED_KEY = "firstline_unsynced_files"


class FileStore:
    def __init__(self, root: Path, *, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFound("No such file.")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes, *, session: Session | None = None) -> str:
        """Store ``data`` once, whatever number of times it is put; returns its SHA-256.

        Without ``session`` the file is on disk when this returns; with it, when the session commits.
        """
        if len(data) > self.max_bytes:
            raise InvalidInput(f"The file is larger than the limit of {self.max_bytes // (1024 * 1024)} MB.")
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if not target.exists():
            self._write(target, data)
        # Synced even when it existed: another transaction may have written it and not committed yet.
        if session is None:
            sync_files([target])
        else:
            session.info.setdefault(_UNSYNCED_KEY, set()).add(target)
        return digest

    def get(self, sha256: str) -> bytes:
        path = self.path_for(sha256)
        if not path.exists():
            raise NotFound("No such file.")
        return path.read_bytes()

    @staticmethod
    def _write(target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file and rename, so a crash never leaves a half-written file under its final name.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def sync_files(paths: list[Path] | set[Path]) -> None:
    """Make ``paths`` durable: the files' bytes and the directory entries naming them.

    A few files: fsync each, then each directory on the way to it (which makes the rename that named it
    durable). Many on Linux: one ``syncfs`` of their filesystem, which flushes all of them and the
    journal in one go instead of one journal commit per file and directory.
    """
    if len(paths) >= SYNCFS_FROM_FILES and _syncfs is not None:
        for root in {path.parent.parent.parent for path in paths}:
            _syncfs_of(root)
        return
    directories: set[Path] = set()
    for path in sorted(paths):
        _fsync(path)
        # The file's directory names it; the two above it name directories a new file may have created.
        directories.update((path.parent, path.parent.parent, path.parent.parent.parent))
    for directory in sorted(directories):
        _fsync(directory)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _load_syncfs() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    return function


def _syncfs_of(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        if _syncfs(descriptor) != 0:  # Linux 5.8+ reports write-back errors here too
            error = ctypes.get_errno()
            raise OSError(error, f"syncfs failed: {os.strerror(error)}", str(directory))
    finally:
        os.close(descriptor)


# From this many files in one commit, one syncfs is cheaper than an fsync per file and directory.
SYNCFS_FROM_FILES = 8
_syncfs = _load_syncfs()


@event.listens_for(Session, "before_commit")
def _sync_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT: the files wait for the real commit
    unsynced = session.info.pop(_UNSYNCED_KEY, None)
    if unsynced:
        sync_files(unsynced)  # raises on failure, and then the commit does not happen


@event.listens_for(Session, "after_rollback")
def _forget_unsynced(session: Session) -> None:
    if not session.in_nested_transaction():
        # Nothing committed refers to them; syncing them later is pointless (a SAVEPOINT's are kept:
        # the same bytes may be named by rows that remain).
        session.info.pop(_UNSYNCED_KEY, None)
