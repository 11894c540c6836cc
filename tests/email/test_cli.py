"""``firstline import-mail``: directories and mbox files, with a summary a script can read."""

from __future__ import annotations

import json
import mailbox
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from firstline.cli import app
from firstline.config import get_settings
from tests.email.conftest import CORPUS, corpus

runner = CliRunner()


@pytest.fixture
def cli_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_database_url: Callable[[str], str]
) -> Iterator[Path]:
    monkeypatch.setenv("FIRSTLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FIRSTLINE_DATABASE_URL", fresh_database_url("importmail"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def summary_of(args: list[str]) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["import-mail", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


class TestImportMail:
    def test_a_directory_is_imported_with_a_json_summary(self, cli_env: Path) -> None:
        directory = cli_env / "mail"
        directory.mkdir()
        for name in (
            "multipart_alternative.eml",
            "nested_multipart.eml",
            "no_sender.eml",
            "broadcast_reply_alice.eml",
        ):
            shutil.copy(CORPUS / name, directory / name)
        (directory / "zz_reply.eml").write_bytes(
            b"From: joao.silva@example.com\nMessage-ID: <r@x>\nIn-Reply-To: <alt-1@mail.example.com>\n\nThanks"
        )
        (directory / ".hidden.eml").write_bytes(b"not mail")
        summary = summary_of([str(directory)])
        assert {k: summary[k] for k in ("imported", "threaded", "duplicates", "rejected", "total")} == {
            "imported": 3, "threaded": 1, "duplicates": 0, "rejected": 1, "total": 5,
        }  # fmt: skip
        assert summary["rejections"][0]["source"].endswith("no_sender.eml")
        assert "sender" in summary["rejections"][0]["reason"]
        again = summary_of([str(directory)])
        assert (again["duplicates"], again["total"]) == (5, 5)

    def test_an_mbox_file_is_imported_message_by_message(self, cli_env: Path) -> None:
        path = cli_env / "archive.mbox"
        box = mailbox.mbox(path)
        for name in ("wrong_charset.eml", "missing_charset.eml", "wrong_charset.eml"):
            box.add(corpus(name))
        box.flush()
        box.close()
        summary = summary_of([str(path)])
        assert (summary["imported"], summary["duplicates"], summary["total"]) == (2, 1, 3)

    def test_the_plain_summary_names_every_count(self, cli_env: Path) -> None:
        result = runner.invoke(app, ["import-mail", str(CORPUS / "multipart_alternative.eml")])
        assert result.exit_code == 0, result.output
        assert "1 mails: 1 imported as new conversations, 0 threaded into existing ones" in result.stdout

    def test_a_missing_path_is_a_clear_error(self, cli_env: Path) -> None:
        result = runner.invoke(app, ["import-mail", str(cli_env / "nope")])
        assert result.exit_code == 2 and "no such file" in result.output
