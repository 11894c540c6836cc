"""The firstline command line."""

from __future__ import annotations

import gc

from typer.testing import CliRunner

from firstline.cli import app, tune_collector

runner = CliRunner()


class TestHelp:
    def test_help_explains_every_command(self) -> None:
        result = runner.invoke(app, ["--help"])
        assert result.exit_code == 0
        for command in ("demo", "serve", "migrate", "create-agent", "create-token"):
            assert command in result.output


class TestCreateAgent:
    def test_creates_an_agent_who_can_then_get_a_token(self, tmp_path, monkeypatch) -> None:
        monkeypatch.setenv("FIRSTLINE_DATA_DIR", str(tmp_path))
        monkeypatch.delenv("FIRSTLINE_DATABASE_URL", raising=False)
        from firstline.config import get_settings

        get_settings.cache_clear()
        try:
            result = runner.invoke(
                app,
                [
                    "create-agent",
                    "--email",
                    "Nina@Example.com",
                    "--name",
                    "Nina Weber",
                    "--role",
                    "agent_l1",
                    "--language",
                    "de:native",
                    "--language",
                    "en",
                    "--password",
                    "a long password",
                ],
            )
            assert result.exit_code == 0, result.output
            assert "nina@example.com (agent_l1)" in result.output
            token = runner.invoke(app, ["create-token", "--email", "nina@example.com", "--name", "crm"])
            assert token.exit_code == 0 and token.output.strip().startswith("fl_")
            again = runner.invoke(
                app,
                [
                    "create-agent",
                    "--email",
                    "nina@example.com",
                    "--name",
                    "N",
                    "--role",
                    "agent_l1",
                    "--password",
                    "a long password",
                ],
            )
            assert again.exit_code == 2 and "already exists" in again.output
            bad_role = runner.invoke(
                app,
                [
                    "create-agent",
                    "--email",
                    "x@example.com",
                    "--name",
                    "X",
                    "--role",
                    "wizard",
                    "--password",
                    "a long password",
                ],
            )
            assert bad_role.exit_code == 2 and "Unknown role 'wizard'" in bad_role.output
        finally:
            get_settings.cache_clear()


class TestTuneCollector:
    def test_the_server_freezes_what_exists_at_start_and_collects_less_often(self) -> None:
        threshold = gc.get_threshold()
        try:
            tune_collector()
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold()[0] >= 10 * threshold[0]
        finally:
            gc.unfreeze()
            gc.set_threshold(*threshold)
