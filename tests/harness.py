"""Private PostgreSQL, Redis and Dovecot instances for the test suite: loopback only, stopped by process id.

Each ``start_*`` function picks a free port, launches the server in the foreground as a child of this
process, waits until it really answers, and returns a ``RunningService``. Server logs go to ``base_dir``.
PostgreSQL and Dovecot run parts of themselves as other users (``postgres``, ``nobody``), who cannot be
assumed to reach ``base_dir`` (pytest's ``tmp_path`` is mode 0700), so their data lives in a private
directory under the system temporary directory that ``stop()`` removes.

Only the standard library is imported at module level; psycopg and pytest are imported where used.
"""

from __future__ import annotations

import atexit
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn, Self
from urllib.parse import quote, urlsplit, urlunsplit

START_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 10.0
PORT_ATTEMPTS = 3
LOG_TAIL_LINES = 20
REQUIRE_SERVICES_ENV = "FIRSTLINE_REQUIRE_SERVICES"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
POSTGRES_LIB_DIR = Path("/usr/lib/postgresql")

# A probe returns None when the server is ready, otherwise why it is not (reported on timeout).
Probe = Callable[[int], str | None]


class ServiceUnavailable(Exception):
    """A service cannot run on this machine: its binary or a user it needs is missing."""


class ServiceStartFailed(ServiceUnavailable):
    """The server was launched but exited or never became ready; the message ends with its log."""


@dataclass(eq=False)
class RunningService:
    """A server started by this module; ``stop()`` ends it and everything it spawned."""

    name: str
    url: str
    pid: int
    port: int
    log_path: Path
    _process: subprocess.Popen[bytes] = field(repr=False)
    stop_signal: signal.Signals = signal.SIGTERM
    _cleanups: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Send ``stop_signal``, wait up to ``timeout`` seconds, then SIGKILL; idempotent."""
        _LIVE.pop(id(self), None)
        descendants = _descendants(self.pid) if self._process.poll() is None else set()
        if self._process.poll() is None:
            self._process.send_signal(self.stop_signal)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        # Children normally exit with the server; this catches any orphaned on the way out.
        _reap_leftovers(descendants, timeout)
        while self._cleanups:
            self._cleanups.pop()()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


_LIVE: dict[int, RunningService] = {}


@atexit.register
def _stop_all() -> None:
    """Stop whatever a crashed or interrupted test run left running."""
    for service in list(_LIVE.values()):
        service.stop()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chromium_path() -> str | None:
    """Return Debian's Chromium, or a ``chromium`` on PATH, or None."""
    if DEBIAN_CHROMIUM.is_file() and os.access(DEBIAN_CHROMIUM, os.X_OK):
        return str(DEBIAN_CHROMIUM)
    return shutil.which("chromium")


def require_or_skip(exc: ServiceUnavailable) -> NoReturn:
    """Skip the current test because ``exc`` says a service cannot run, or fail it.

    It fails when FIRSTLINE_REQUIRE_SERVICES=1 (CI, where a missing service is a broken setup), and
    always when the server was found but did not start: skipping that would hide a broken harness.
    """
    import pytest

    if isinstance(exc, ServiceStartFailed) or os.environ.get(REQUIRE_SERVICES_ENV) == "1":
        pytest.fail(str(exc), pytrace=False)
    pytest.skip(str(exc))


# PostgreSQL


def start_postgres(base_dir: Path) -> RunningService:
    """Start a throwaway PostgreSQL cluster (trust auth, fsync off) on a free loopback port."""
    initdb, postgres = _postgres_binaries()
    server_user = _postgres_user()
    data_dir = _private_dir("postgres", server_user)
    try:
        _run_initdb(initdb, data_dir, server_user, base_dir / "initdb.log")
    except BaseException:
        shutil.rmtree(data_dir, ignore_errors=True)
        raise

    def argv(port: int) -> list[str]:
        return [
            postgres, "-D", str(data_dir), "-p", str(port),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        ]  # fmt: skip

    def probe(port: int) -> str | None:
        # pg_ctl -w waits the same way: line 8 of postmaster.pid becomes "ready" once connections work.
        try:
            lines = (data_dir / "postmaster.pid").read_text().splitlines()
        except FileNotFoundError:
            return "postmaster.pid not written yet"
        status = lines[7].strip() if len(lines) > 7 else "starting"
        return None if status == "ready" else f"postmaster status {status!r}"

    return _launch(
        "postgres",
        argv,
        probe,
        base_dir / "postgres.log",
        url=lambda port: f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
        stop_signal=signal.SIGINT,  # "fast" shutdown: SIGTERM would wait for every client to disconnect
        user=server_user,
        cwd=data_dir,
        cleanups=[lambda: shutil.rmtree(data_dir, ignore_errors=True)],
    )


def create_postgres_database(admin_url: str, name: str) -> str:
    """Create database ``name`` through ``admin_url`` and return its SQLAlchemy URL."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(_libpq_url(admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path="/" + quote(name, safe="")))


def drop_postgres_database(admin_url: str, name: str) -> None:
    """Drop database ``name`` if it exists, disconnecting any sessions still using it."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(_libpq_url(admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _libpq_url(sqlalchemy_url: str) -> str:
    """Turn ``postgresql+psycopg://...`` into the ``postgresql://...`` that libpq understands."""
    scheme, separator, rest = sqlalchemy_url.partition("://")
    return f"{scheme.split('+')[0]}{separator}{rest}"


def _postgres_binaries() -> tuple[str, str]:
    """Return (initdb, postgres) from the newest /usr/lib/postgresql/N/bin, else from PATH."""
    versioned = [d for d in POSTGRES_LIB_DIR.glob("*/bin") if d.parent.name.isdigit()]
    for bin_dir in sorted(versioned, key=lambda d: int(d.parent.name), reverse=True):
        if (bin_dir / "initdb").is_file() and (bin_dir / "postgres").is_file():
            return str(bin_dir / "initdb"), str(bin_dir / "postgres")
    initdb, postgres = shutil.which("initdb"), shutil.which("postgres")
    if initdb is None or postgres is None:
        raise ServiceUnavailable(
            f"PostgreSQL not installed: no initdb/postgres in {POSTGRES_LIB_DIR}/*/bin or PATH"
        )
    return initdb, postgres


def _postgres_user() -> pwd.struct_passwd | None:
    """The user to run PostgreSQL as: ``postgres`` when we are root (it refuses root), else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise ServiceUnavailable(
            "running as root but there is no 'postgres' user to run PostgreSQL as"
        ) from None


def _run_initdb(initdb: str, data_dir: Path, user: pwd.struct_passwd | None, log_path: Path) -> None:
    argv = [initdb, "-D", str(data_dir), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]
    with log_path.open("wb") as log:
        result = subprocess.run(
            [*argv, "--locale=C"], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            cwd=data_dir, check=False, timeout=START_TIMEOUT_SECONDS, **_as_user(user),
        )  # fmt: skip
    if result.returncode != 0:
        raise ServiceStartFailed(f"initdb exited with {result.returncode}{_log_tail(log_path, 0)}")


# Redis


def start_redis(base_dir: Path) -> RunningService:
    """Start an in-memory Redis (no RDB, no AOF) on a free loopback port."""
    server = shutil.which("redis-server")
    if server is None:
        raise ServiceUnavailable("Redis not installed: no redis-server on PATH")
    work_dir = base_dir / "redis"
    work_dir.mkdir(parents=True, exist_ok=True)

    def argv(port: int) -> list[str]:
        return [
            server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--dir", str(work_dir), "--logfile", "",
        ]  # fmt: skip

    def probe(port: int) -> str | None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
                sock.sendall(b"PING\r\n")
                reply = sock.recv(64)
        except OSError as exc:
            return str(exc)
        return None if reply.startswith(b"+PONG") else f"PING answered {reply!r}"

    return _launch(
        "redis",
        argv,
        probe,
        base_dir / "redis.log",
        url=lambda port: f"redis://127.0.0.1:{port}/0",
        cwd=work_dir,
    )


# Dovecot


def start_dovecot(base_dir: Path, users: dict[str, str]) -> RunningService:
    """Start a Dovecot IMAP server (plaintext, no TLS) on a free loopback port with these users.

    Preconditions: running as root (Dovecot runs mail processes as ``nobody`` and logins as
    ``dovenull``), and at least one user, because readiness is a real IMAP LOGIN as the first one.
    """
    if not users:
        raise ValueError("start_dovecot needs at least one user")
    for credential in (*users, *users.values()):
        if not credential or any(char in credential for char in ":\n\r"):
            raise ValueError(
                f"user names and passwords must be non-empty, without ':' or newlines: {credential!r}"
            )
    server = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin")
    if server is None:
        raise ServiceUnavailable("Dovecot not installed: no dovecot on PATH or in /usr/sbin")
    if os.geteuid() != 0:
        raise ServiceUnavailable(f"the Dovecot harness must run as root (running as uid {os.geteuid()})")
    mail_owner = pwd.getpwnam("nobody")
    root_dir = _private_dir("dovecot", None)
    root_dir.chmod(0o711)  # mail processes run as nobody and must reach their home below it
    (root_dir / "mail").mkdir(mode=0o700)
    os.chown(root_dir / "mail", mail_owner.pw_uid, mail_owner.pw_gid)
    (root_dir / "users").write_text(
        "".join(f"{name}:{{PLAIN}}{password}::::::\n" for name, password in users.items())
    )
    config = root_dir / "dovecot.conf"
    log_path = base_dir / "dovecot.log"
    first_user, first_password = next(iter(users.items()))

    def argv(port: int) -> list[str]:
        config.write_text(_dovecot_config(root_dir, log_path, port, mail_owner))
        return [server, "-F", "-c", str(config)]

    def probe(port: int) -> str | None:
        try:
            with imaplib.IMAP4("127.0.0.1", port, timeout=1.0) as imap:
                imap.login(first_user, first_password)
                imap.logout()
        except (OSError, imaplib.IMAP4.error) as exc:
            return f"IMAP LOGIN as {first_user!r}: {exc}"
        return None

    return _launch(
        "dovecot", argv, probe, log_path, url=lambda port: f"imap://127.0.0.1:{port}", cwd=root_dir,
        cleanups=[lambda: shutil.rmtree(root_dir, ignore_errors=True)],
    )  # fmt: skip


def _dovecot_config(root_dir: Path, log_path: Path, port: int, mail_owner: pwd.struct_passwd) -> str:
    return f"""\
protocols = imap
listen = 127.0.0.1
base_dir = {root_dir}/run
state_dir = {root_dir}/state
instance_name = firstline-test-{port}
log_path = {log_path}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root_dir}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root_dir}/users
  default_fields = uid={mail_owner.pw_uid} gid={mail_owner.pw_gid} home={root_dir}/mail/%u
}}
"""


# Launching, waiting, stopping


def _launch(
    name: str,
    argv: Callable[[int], list[str]],
    probe: Probe,
    log_path: Path,
    *,
    url: Callable[[int], str],
    stop_signal: signal.Signals = signal.SIGTERM,
    user: pwd.struct_passwd | None = None,
    cwd: Path | None = None,
    cleanups: list[Callable[[], None]] | None = None,
) -> RunningService:
    """Start ``argv(port)`` on a free port, retrying if another process takes the port first."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, PORT_ATTEMPTS + 1):
        port = free_port()
        log_offset = log_path.stat().st_size if log_path.exists() else 0
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                argv(port), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=cwd,
                **_as_user(user),
            )  # fmt: skip
        service = RunningService(
            name=name, url=url(port), pid=process.pid, port=port, log_path=log_path,
            _process=process, stop_signal=stop_signal,
        )  # fmt: skip
        _LIVE[id(service)] = service
        try:
            failure = _wait_until_ready(service, probe)
        except BaseException:  # e.g. Ctrl-C while waiting: leave neither the process nor its files behind
            service._cleanups.extend(cleanups or [])
            service.stop()
            raise
        if failure is None:
            service._cleanups.extend(cleanups or [])
            return service
        service.stop()
        tail = _log_tail(log_path, log_offset)
        if attempt < PORT_ATTEMPTS and "already in use" in tail:
            continue
        for cleanup in cleanups or []:
            cleanup()
        raise ServiceStartFailed(f"{name} (pid {process.pid}, port {port}) {failure}{tail}")
    raise AssertionError("unreachable")


def _wait_until_ready(service: RunningService, probe: Probe) -> str | None:
    """Poll ``probe`` until it passes (None), the server exits, or the start timeout passes."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        returncode = service._process.poll()
        if returncode is not None:
            return f"exited with {returncode} before it was ready"
        reason = probe(service.port)
        if reason is None:
            return None
        if time.monotonic() > deadline:
            return f"not ready after {START_TIMEOUT_SECONDS:.0f}s: {reason}"
        time.sleep(0.02)


def _as_user(user: pwd.struct_passwd | None) -> dict[str, Any]:
    """Popen arguments that drop to ``user`` in the child, as ``runuser -u`` would, keeping its pid ours."""
    if user is None:
        return {}
    return {
        "user": user.pw_uid,
        "group": user.pw_gid,
        "extra_groups": [],
        "env": {**os.environ, "HOME": user.pw_dir},
    }


def _private_dir(name: str, owner: pwd.struct_passwd | None) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"firstline-{name}-"))
    if owner is not None:
        os.chown(path, owner.pw_uid, owner.pw_gid)
    return path


def _log_tail(log_path: Path, offset: int) -> str:
    try:
        with log_path.open("rb") as log:
            log.seek(offset)
            lines = log.read().decode(errors="replace").splitlines()[-LOG_TAIL_LINES:]
    except OSError as exc:
        return f"\n(no log at {log_path}: {exc})"
    return f"\n--- last lines of {log_path} ---\n" + "\n".join(lines) if lines else f"\n({log_path} is empty)"


def _process_start_time(pid: int) -> tuple[int, int] | None:
    """(ppid, start time) of a live process from /proc, or None if it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name in parentheses may contain spaces
    if fields[0] == "Z":
        return None
    return int(fields[1]), int(fields[19])


def _descendants(pid: int) -> set[tuple[int, int]]:
    """(pid, start time) of every live descendant of ``pid``; empty where there is no /proc."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        info = _process_start_time(int(entry.name))
        if info is not None:
            children.setdefault(info[0], []).append((int(entry.name), info[1]))
    found: set[tuple[int, int]] = set()
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.add(child)
            pending.append(child[0])
    return found


def _reap_leftovers(processes: set[tuple[int, int]], timeout: float) -> None:
    """Wait for these processes to exit, then SIGKILL the ones still running (matched by start time)."""

    def still_running() -> list[int]:
        return [pid for pid, started in processes if (_process_start_time(pid) or (0, -1))[1] == started]

    deadline = time.monotonic() + timeout
    while still_running() and time.monotonic() < deadline:
        time.sleep(0.02)
    for pid in still_running():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
