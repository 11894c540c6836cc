"""The test-service harness really starts PostgreSQL, Redis and Dovecot, and leaves nothing running."""

from __future__ import annotations

import imaplib
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import harness


def _is_running(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie (read from /proc, independently of the harness)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return "zombie" not in state


def _descendant_pids(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat_line = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat_line[stat_line.rindex(")") + 2 :].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _assert_stop_leaves_nothing_running(service: harness.RunningService, expect_children: bool) -> None:
    processes = {service.pid} | _descendant_pids(service.pid)
    assert _is_running(service.pid)
    assert len(processes) > 1 or not expect_children, "the check would be vacuous: no children seen"
    service.stop()
    assert [pid for pid in processes if _is_running(pid)] == []


def _start(start: Callable[..., harness.RunningService], *args: Any) -> harness.RunningService:
    try:
        return start(*args)
    except harness.ServiceUnavailable as exc:
        harness.require_or_skip(exc)


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[harness.RunningService]:
    with _start(harness.start_postgres, tmp_path) as service:
        yield service


@pytest.fixture
def redis_service(tmp_path: Path) -> Iterator[harness.RunningService]:
    with _start(harness.start_redis, tmp_path) as service:
        yield service


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[harness.RunningService]:
    with _start(
        harness.start_dovecot, tmp_path, {"tester": "secret", "agent@example.com": "hunter2"}
    ) as service:
        yield service


def _psycopg_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.mark.postgres
class TestStartPostgres:
    def test_answers_select_one_on_its_loopback_url(self, postgres: harness.RunningService) -> None:
        import psycopg

        assert postgres.url == f"postgresql+psycopg://postgres@127.0.0.1:{postgres.port}/postgres"
        with psycopg.connect(_psycopg_url(postgres.url)) as conn:
            assert conn.execute("select 1").fetchone() == (1,)

    def test_runs_with_fsync_off(self, postgres: harness.RunningService) -> None:
        import psycopg

        with psycopg.connect(_psycopg_url(postgres.url)) as conn:
            assert conn.execute("show fsync").fetchone() == ("off",)

    def test_creates_and_drops_a_database_even_while_connected(
        self, postgres: harness.RunningService
    ) -> None:
        import psycopg

        name = "Firstline-Test db"  # needs identifier quoting and URL quoting
        url = harness.create_postgres_database(postgres.url, name)

        assert url == f"postgresql+psycopg://postgres@127.0.0.1:{postgres.port}/Firstline-Test%20db"
        lingering = psycopg.connect(_psycopg_url(url))
        assert lingering.execute("select current_database()").fetchone() == (name,)
        harness.drop_postgres_database(postgres.url, name)
        with psycopg.connect(_psycopg_url(postgres.url)) as conn:
            assert conn.execute("select count(*) from pg_database where datname = %s", [name]).fetchone() == (
                0,
            )
        with pytest.raises(psycopg.OperationalError):
            lingering.execute("select 1")
        lingering.close()

    def test_dropping_a_missing_database_is_not_an_error(self, postgres: harness.RunningService) -> None:
        harness.drop_postgres_database(postgres.url, "never_created")

    def test_stop_ends_the_server_and_all_its_processes(self, postgres: harness.RunningService) -> None:
        _assert_stop_leaves_nothing_running(postgres, expect_children=True)


@pytest.mark.redis
class TestStartRedis:
    def test_stores_and_returns_a_value(self, redis_service: harness.RunningService) -> None:
        import redis

        assert redis_service.url == f"redis://127.0.0.1:{redis_service.port}/0"
        client = redis.Redis.from_url(redis_service.url)
        try:
            assert client.set("greeting", "olá") is True
            assert client.get("greeting") == "olá".encode()
        finally:
            client.close()

    def test_keeps_nothing_on_disk(self, redis_service: harness.RunningService) -> None:
        import redis

        client = redis.Redis.from_url(redis_service.url, decode_responses=True)
        try:
            assert client.config_get("save") == {"save": ""}
            assert client.config_get("appendonly") == {"appendonly": "no"}
        finally:
            client.close()

    def test_stop_ends_the_server(self, redis_service: harness.RunningService) -> None:
        _assert_stop_leaves_nothing_running(redis_service, expect_children=False)

    def test_retries_on_another_port_when_the_first_is_taken(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        with socket.socket() as squatter:
            squatter.bind(("127.0.0.1", 0))
            squatter.listen()
            taken = squatter.getsockname()[1]
            ports = iter([taken, harness.free_port()])
            monkeypatch.setattr(harness, "free_port", lambda: next(ports))
            with _start(harness.start_redis, tmp_path) as service:
                assert service.port != taken
        assert "already in use" in (tmp_path / "redis.log").read_text()


class TestStartDovecot:
    def test_lets_a_user_log_in_and_select_the_inbox(self, dovecot: harness.RunningService) -> None:
        assert dovecot.url == f"imap://127.0.0.1:{dovecot.port}"
        with imaplib.IMAP4("127.0.0.1", dovecot.port, timeout=5) as imap:
            assert imap.login("agent@example.com", "hunter2")[0] == "OK"
            assert imap.select("INBOX") == ("OK", [b"0"])
            imap.logout()

    def test_rejects_a_wrong_password(self, dovecot: harness.RunningService) -> None:
        with imaplib.IMAP4("127.0.0.1", dovecot.port, timeout=5) as imap, pytest.raises(imaplib.IMAP4.error):
            imap.login("tester", "wrong")

    def test_stop_ends_the_server_and_all_its_processes(self, dovecot: harness.RunningService) -> None:
        _assert_stop_leaves_nothing_running(dovecot, expect_children=True)

    @pytest.mark.parametrize("users", [{}, {"a:b": "x"}, {"tester": ""}, {"tester": "line\nbreak"}])
    def test_refuses_users_it_cannot_write_to_a_passwd_file(
        self, tmp_path: Path, users: dict[str, str]
    ) -> None:
        with pytest.raises(ValueError):
            harness.start_dovecot(tmp_path, users)


class TestRunningServiceStop:
    def test_kills_a_server_that_ignores_the_stop_signal(self, tmp_path: Path) -> None:
        stubborn = subprocess.Popen(
            [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
             " print('ignoring', flush=True); time.sleep(60)"],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        assert stubborn.stdout is not None and stubborn.stdout.readline() == b"ignoring\n"
        service = harness.RunningService(
            name="stubborn",
            url="",
            pid=stubborn.pid,
            port=0,
            log_path=tmp_path / "none.log",
            _process=stubborn,
        )
        service.stop(timeout=0.3)
        assert stubborn.returncode == -signal.SIGKILL
        assert not _is_running(stubborn.pid)
        stubborn.stdout.close()

    def test_is_idempotent_and_runs_cleanups_once(self, tmp_path: Path) -> None:
        calls: list[str] = []
        process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        service = harness.RunningService(
            name="sleeper", url="", pid=process.pid, port=0, log_path=tmp_path / "none.log", _process=process,
            _cleanups=[lambda: calls.append("cleaned")],
        )  # fmt: skip
        with service:
            pass
        service.stop()
        assert process.returncode == -signal.SIGTERM
        assert calls == ["cleaned"]


def _fake_executable(directory: Path, name: str, script: str) -> Path:
    path = directory / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


class TestStartFailures:
    def test_a_missing_binary_is_reported_as_unavailable_not_as_a_failed_start(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PATH", str(tmp_path))
        with pytest.raises(harness.ServiceUnavailable, match="redis-server") as caught:
            harness.start_redis(tmp_path)
        assert not isinstance(caught.value, harness.ServiceStartFailed)

    def test_a_server_that_exits_is_reported_with_the_tail_of_its_log(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        _fake_executable(bin_dir, "redis-server", "echo 'FATAL: config is broken'; exit 3")
        monkeypatch.setenv("PATH", str(bin_dir))
        with pytest.raises(harness.ServiceStartFailed, match=r"(?s)exited with 3.*FATAL: config is broken"):
            harness.start_redis(tmp_path)


class TestRequireOrSkip:
    def test_skips_with_the_reason_when_services_are_optional(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv(harness.REQUIRE_SERVICES_ENV, raising=False)
        with pytest.raises(pytest.skip.Exception, match="no redis-server"):
            harness.require_or_skip(harness.ServiceUnavailable("no redis-server"))

    def test_fails_with_the_reason_when_services_are_required(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(harness.REQUIRE_SERVICES_ENV, "1")
        with pytest.raises(pytest.fail.Exception, match="no redis-server"):
            harness.require_or_skip(harness.ServiceUnavailable("no redis-server"))

    def test_fails_when_an_installed_server_did_not_start(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv(harness.REQUIRE_SERVICES_ENV, raising=False)
        with pytest.raises(pytest.fail.Exception, match="exited with 1"):
            harness.require_or_skip(harness.ServiceStartFailed("redis exited with 1"))


class TestChromiumPath:
    def test_prefers_the_debian_browser(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        debian = _fake_executable(tmp_path, "debian-chromium", "exit 0")
        monkeypatch.setattr(harness, "DEBIAN_CHROMIUM", debian)
        assert harness.chromium_path() == str(debian)

    def test_falls_back_to_chromium_on_path(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(harness, "DEBIAN_CHROMIUM", tmp_path / "absent")
        on_path = _fake_executable(tmp_path, "chromium", "exit 0")
        monkeypatch.setenv("PATH", str(tmp_path))
        assert harness.chromium_path() == str(on_path)

    def test_returns_none_without_a_browser(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(harness, "DEBIAN_CHROMIUM", tmp_path / "absent")
        monkeypatch.setenv("PATH", str(tmp_path))
        assert harness.chromium_path() is None


class TestFreePort:
    def test_returns_a_loopback_port_that_can_be_bound(self) -> None:
        port = harness.free_port()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
        assert 1024 <= port <= 65535
