"""Importing stored mail in batches: every mail accounted for, one bad mail costing no other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from firstline.config import Settings
from firstline.email import intake
from firstline.email.importer import collect, import_items
from firstline.email.models import InboundMail
from tests.email.conftest import simple_mail


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "mail"
    directory.mkdir()
    for number in range(1, 6):
        (directory / f"{number}.eml").write_bytes(simple_mail(100 + number, sender=f"c{number}@example.org"))
    return directory


class TestImportItems:
    def test_mail_is_committed_in_batches_of_the_given_size(
        self, db: Session, factory: sessionmaker[Session], mail_settings: Settings, mail_dir: Path
    ) -> None:
        commits: list[int] = []
        session_class: Any = factory.class_

        def count(session: Session) -> None:
            if not session.in_nested_transaction():
                commits.append(1)

        event.listen(session_class, "after_commit", count)
        try:
            summary = import_items(factory, collect([mail_dir]), settings=mail_settings, batch_size=2)
        finally:
            event.remove(session_class, "after_commit", count)
        assert (summary.imported, summary.rejected) == (5, 0)
        assert len(commits) == 3
        assert db.scalar(select(func.count()).select_from(InboundMail)) == 5

    def test_a_mail_that_cannot_be_stored_is_listed_with_its_reason_and_the_others_are_imported(
        self,
        db: Session,
        factory: sessionmaker[Session],
        mail_settings: Settings,
        mail_dir: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        real_post = intake._post

        def post(session: Session, parsed: Any, *args: Any) -> Any:
            if parsed.message_id == "<batch-103@example.org>":
                raise RuntimeError("storage hiccup")
            return real_post(session, parsed, *args)

        monkeypatch.setattr(intake, "_post", post)
        summary = import_items(factory, collect([mail_dir]), settings=mail_settings, batch_size=10)
        assert (summary.imported, summary.rejected) == (4, 1)
        (rejection,) = summary.rejections
        assert rejection["source"].endswith("3.eml") and "could not be stored" in rejection["reason"]
        assert db.scalar(select(func.count()).select_from(InboundMail)) == 4
