"""What the browser tests share: a live console in a thread, a watch on console errors, the login form, screenshots.

Each browser module seeds a database of its own (the seeding stays with its tests) and serves it with
``serve_console`` for all its tests; the console runs in uvicorn in a thread of the test process, on a
free port, so the tests can read and write the same database the pages show.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import ConsoleMessage, Page, ViewportSize, expect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from firstline.config import Settings
from firstline.db import make_engine, make_session_factory, migrate, session_scope
from firstline.web.app import create_app
from tests import harness

PASSWORD = "browser test password"  # noqa: S105 - test password
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
SERVER_START_SECONDS = 20.0
SERVER_STOP_SECONDS = 10.0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCREENSHOT_MIN_BYTES = 10_000  # a blank or broken page compresses to less


# --- the live server --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    """A running console: its base url, its database, and what the seed returned."""

    url: str
    database_url: str
    factory: sessionmaker[Session]
    seeded: Any

    def at(self, path: str) -> str:
        return f"{self.url}{path}"


@contextmanager
def serve_console(
    request: pytest.FixtureRequest, purpose: str, seed: Callable[[Session], Any], **settings: Any
) -> Iterator[LiveServer]:
    """The console on a fresh database for ``purpose``, seeded by ``seed(session)`` in one unit of work.

    For module-scoped fixtures: the database comes from the ``fresh_database_url`` fixture and the data
    directory from ``tmp_path_factory``. ``settings`` are further fields of ``Settings``
    (``run_timers=False`` keeps the timer loops from changing the seeded floor behind the test's back).
    The engine is disposed when the server stops.
    """
    database_url = request.getfixturevalue("fresh_database_url")(purpose)
    data_dir = request.getfixturevalue("tmp_path_factory").mktemp(f"{purpose}-data")
    migrate(database_url)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        with session_scope(factory) as session:
            seeded = seed(session)
        app_settings = Settings(
            data_dir=data_dir, database_url=database_url, secret_key="browser-test-" + "x" * 40, **settings
        )
        with serve(app_settings, engine) as url:
            yield LiveServer(url=url, database_url=database_url, factory=factory, seeded=seeded)
    finally:
        engine.dispose()


@contextmanager
def serve(settings: Settings, engine: Engine) -> Iterator[str]:
    """The console for ``settings`` in uvicorn in a thread, on a free loopback port: yields its base url.

    In a thread, uvicorn leaves the process's signal handlers alone. The server is stopped on the way
    out; when the body ended normally, it must have stopped within SERVER_STOP_SECONDS.
    """
    port = harness.free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, engine=engine),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
        )
    )
    thread = threading.Thread(target=server.run, name="firstline-live-server", daemon=True)
    thread.start()
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/healthz", thread)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=SERVER_STOP_SECONDS)
    assert not thread.is_alive(), f"the live server did not stop within {SERVER_STOP_SECONDS:.0f} s"


def wait_until_healthy(url: str, thread: threading.Thread) -> None:
    """Returns once ``url`` answers 200; fails the test if ``thread`` dies or SERVER_START_SECONDS pass."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        if not thread.is_alive():
            pytest.fail("the live server thread exited before answering /healthz", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"the live server did not answer {url} within {SERVER_START_SECONDS:.0f}s", pytrace=False
            )
        time.sleep(0.05)


# --- the pages --------------------------------------------------------------------------------------


class ConsoleErrors:
    """Console and JavaScript errors of the pages watched, except those the story being tested expects."""

    _REFUSED = re.compile(r"server responded with a status of (\d{3})")
    _SOCKET = re.compile(r"WebSocket connection to .* failed")

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.expected_statuses: set[int] = set()
        self.network_may_fail = False  # set while a test cuts the network on purpose

    def expect_status(self, *statuses: int) -> None:
        """Chromium logs every refused request; these statuses are part of the story being tested."""
        self.expected_statuses.update(statuses)

    def watch(self, page: Page) -> Page:
        """Records the console errors and uncaught exceptions of ``page`` from now on."""
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.seen.append(f"page error: {error}"))
        return page

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        refused = self._REFUSED.search(message.text)
        if refused and int(refused.group(1)) in self.expected_statuses:
            return
        if self.network_may_fail and (
            self._SOCKET.search(message.text) or "ERR_INTERNET_DISCONNECTED" in message.text
        ):
            return
        self.seen.append(f"{message.text} ({message.location.get('url')})")


def submit_login(page: Page, base_url: str, email: str, password: str = PASSWORD) -> Page:
    """Fills in and sends the login form, whatever the answer."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    return page


def log_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> Page:
    """Logs in through the form and checks the agent lands on the inbox."""
    submit_login(page, base_url, email, password)
    expect(page).to_have_url(f"{base_url}/inbox")
    return page


# --- screenshots ------------------------------------------------------------------------------------


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """``name``.png under test-artifacts/screenshots: the whole page, or only what the window shows.

    The whole page is taken through a window as tall as the page, then the window is put back,
    because Chromium's own full-page capture draws sticky elements (top bar, composer) where they
    sit in the scrolled window.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    window = page.viewport_size
    if full_page and window is not None:
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": window["width"], "height": max(height, window["height"])})
        page.screenshot(path=str(path))
        page.set_viewport_size(window)
    else:
        page.screenshot(path=str(path), full_page=full_page)
    assert_png(path)
    return path


def assert_png(path: Path, *, min_bytes: int = SCREENSHOT_MIN_BYTES) -> None:
    """``path`` is a PNG file of at least ``min_bytes`` bytes."""
    assert path.read_bytes()[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert path.stat().st_size > min_bytes, f"{path} is only {path.stat().st_size} bytes"
