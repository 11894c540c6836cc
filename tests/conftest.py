"""Test fixtures: a migrated database per test run, a rolled-back transaction per test, and personas.

The suite runs on SQLite by default and on PostgreSQL when FIRSTLINE_DATABASE_URL points at one
(each xdist worker then gets a fresh database of its own on that server).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from firstline.agents.auth import create_api_token
from firstline.agents.models import Agent
from firstline.agents.service import create_agent, create_team
from firstline.config import Settings
from firstline.conversations.models import Conversation
from firstline.conversations.service import open_conversation
from firstline.customers.models import Customer
from firstline.customers.service import create_customer
from firstline.db import make_engine, migrate
from firstline.web.app import create_app
from firstline.web.security import CSRF_COOKIE
from tests import harness

PASSWORD = "correct horse battery"  # noqa: S105 - test password


_BROWSER_FIXTURES = {"page", "context", "browser", "browser_context"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives Chromium is a browser test, whether or not its author marked it."""
    for item in items:
        if _BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium instead of a downloaded one (see TESTING.md); skip or fail when it is missing."""
    chromium = harness.chromium_path()
    if chromium is None:
        harness.require_or_skip(harness.ServiceUnavailable("Chromium not installed: no /usr/bin/chromium"))
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def postgres_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server: FIRSTLINE_TEST_POSTGRES_URL if given, else a private one started here."""
    given = os.environ.get("FIRSTLINE_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    try:
        server = harness.start_postgres(tmp_path_factory.mktemp("pg"))
    except harness.ServiceUnavailable as exc:
        harness.require_or_skip(exc)
    with server:
        yield server.url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis server: FIRSTLINE_TEST_REDIS_URL if given, else a private one started here."""
    given = os.environ.get("FIRSTLINE_TEST_REDIS_URL")
    if given:
        yield given
        return
    try:
        server = harness.start_redis(tmp_path_factory.mktemp("redis"))
    except harness.ServiceUnavailable as exc:
        harness.require_or_skip(exc)
    with server:
        yield server.url


@pytest.fixture(scope="session")
def fresh_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """Makes empty databases of the kind this run tests (SQLite file or PostgreSQL database)."""
    configured = os.environ.get("FIRSTLINE_DATABASE_URL", "")
    created: list[str] = []

    def make(purpose: str) -> str:
        if configured.startswith("postgresql"):
            name = f"fl_{purpose}_{_worker()}_{uuid.uuid4().hex[:8]}"
            created.append(name)
            return harness.create_postgres_database(configured, name)
        return f"sqlite:///{tmp_path_factory.mktemp(purpose) / 'firstline.db'}"

    yield make
    for name in created:
        harness.drop_postgres_database(configured, name)


@pytest.fixture(scope="session")
def database_url(fresh_database_url: Callable[[str], str]) -> str:
    url = fresh_database_url("suite")
    migrate(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # Timer loops stay off: they would share the test's connection from another thread.
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        secret_key="test-secret-key-" + "x" * 32,
        run_timers=False,
    )


@pytest.fixture
def connection(engine: Engine) -> Iterator[Any]:
    """One connection whose outer transaction is rolled back after the test: nothing leaks between tests."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        if outer.is_active:
            outer.rollback()


def _session_on(connection: Any) -> Session:
    return Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def db(connection: Any) -> Iterator[Session]:
    session = _session_on(connection)
    yield session
    session.close()


@pytest.fixture
def app(settings: Settings, engine: Engine, connection: Any) -> Any:
    """The real application; its requests share the test's connection and transaction."""
    return create_app(settings, engine=engine, session_factory=lambda: _session_on(connection))


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


# --- personas -------------------------------------------------------------------------------------


@pytest.fixture
def make_agent(db: Session) -> Callable[..., Agent]:
    counter = iter(range(1, 10_000))

    def make(
        *, roles: list[str] | None = None, languages: dict[str, str] | None = None, **fields: Any
    ) -> Agent:
        number = next(counter)
        fields.setdefault("email", f"agent{number}-{uuid.uuid4().hex[:6]}@firstline.example")
        fields.setdefault("name", f"Agent {number}")
        agent = create_agent(
            db,
            password=PASSWORD,
            roles=roles or ["agent_l1"],
            languages=languages or {"en": "fluent"},
            **fields,
        )
        db.commit()
        return agent

    return make


@pytest.fixture
def italian_l1_agent(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(name="Giulia Rossi", roles=["agent_l1"], languages={"it": "native", "en": "fluent"})


@pytest.fixture
def team_lead(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(name="Hannah Becker", roles=["team_lead"], languages={"de": "native", "en": "fluent"})


@pytest.fixture
def compliance_officer(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(
        name="Marta Ortega", roles=["compliance"], tier="compliance", languages={"es": "native"}
    )


@pytest.fixture
def admin(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(name="Alex Admin", roles=["admin"])


@pytest.fixture
def portuguese_customer(db: Session) -> Customer:
    customer = create_customer(
        db,
        name="João Silva",
        email="joao.silva@example.com",
        exchange_uid="48213377",
        preferred_language="pt",
    )
    db.commit()
    return customer


@pytest.fixture
def chat_with_joao(db: Session, portuguese_customer: Customer) -> Conversation:
    conversation = open_conversation(
        db, customer_id=portuguese_customer.id, channel="chat", category="deposit_not_credited"
    )
    db.commit()
    return conversation


@pytest.fixture
def l1_team(db: Session) -> Any:
    team = create_team(db, name=f"L1-Italian-{uuid.uuid4().hex[:4]}", tier="l1", language="it")
    db.commit()
    return team


# --- clients acting as someone --------------------------------------------------------------------


@pytest.fixture
def api_as(db: Session, client: TestClient) -> Callable[[Agent], dict[str, str]]:
    """Headers that authenticate an API call as ``agent`` with a fresh bearer token."""

    def headers(agent: Agent) -> dict[str, str]:
        _, secret = create_api_token(db, agent_id=agent.id, name="tests")
        db.commit()
        return {"Authorization": f"Bearer {secret}"}

    return headers


def login(client: TestClient, agent: Agent, password: str = PASSWORD) -> Any:
    """Log in through the real form, CSRF token included; returns the response."""
    page = client.get("/login")
    assert page.status_code == 200
    return client.post(
        "/login",
        data={"email": agent.email, "password": password, "csrf_token": client.cookies[CSRF_COOKIE]},
        follow_redirects=False,
    )


def csrf(client: TestClient) -> str:
    if CSRF_COOKIE not in client.cookies:
        client.get("/login")
    return client.cookies[CSRF_COOKIE]
