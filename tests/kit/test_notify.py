from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from firstline.kit.notify import send_on_commit, subscribe


@pytest.fixture
def published() -> Iterator[list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    unsubscribe = subscribe(seen.append)
    yield seen
    unsubscribe()


def numbers(published: list[dict[str, Any]]) -> list[int]:
    return [payload["n"] for payload in published if "n" in payload]


class TestSendOnCommit:
    def test_a_released_savepoint_publishes_nothing_before_the_commit(self, db: Session, published) -> None:
        db.execute(text("SELECT 1"))
        with db.begin_nested():
            send_on_commit(db, {"n": 1})
        assert numbers(published) == []
        db.commit()
        assert numbers(published) == [1]

    def test_a_rolled_back_savepoint_drops_only_its_own_notifications(self, db: Session, published) -> None:
        send_on_commit(db, {"n": 1})
        with pytest.raises(ValueError), db.begin_nested():
            send_on_commit(db, {"n": 2})
            raise ValueError
        with db.begin_nested():
            send_on_commit(db, {"n": 3})
        db.commit()
        assert numbers(published) == [1, 3]

    def test_nested_savepoints_roll_back_to_their_own_mark(self, db: Session, published) -> None:
        with db.begin_nested():
            send_on_commit(db, {"n": 1})
            with pytest.raises(ValueError), db.begin_nested():
                send_on_commit(db, {"n": 2})
                raise ValueError
            send_on_commit(db, {"n": 3})
        db.commit()
        assert numbers(published) == [1, 3]

    def test_a_rollback_of_the_transaction_drops_everything(self, db: Session, published) -> None:
        send_on_commit(db, {"n": 1})
        with db.begin_nested():
            send_on_commit(db, {"n": 2})
        db.rollback()
        db.commit()
        assert numbers(published) == []
