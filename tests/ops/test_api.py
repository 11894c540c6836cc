"""Health, readiness, metrics and structured logs."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from firstline.kit.logging import JsonFormatter
from firstline.web.app import create_app


class TestHealth:
    def test_healthz_answers_without_login(self, client) -> None:
        assert client.get("/healthz").json() == {"status": "ok"}

    def test_readyz_checks_the_database(self, client) -> None:
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["checks"] == {"database": "ok"}

    def test_readyz_is_503_when_the_database_is_gone(self, settings) -> None:
        from sqlalchemy import create_engine

        unreachable = create_engine(
            "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
        )
        app = create_app(settings, engine=unreachable)
        with TestClient(app) as client:
            response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["database"] == "unreachable"

    @pytest.mark.redis
    def test_readyz_checks_redis_when_configured(self, settings, engine, redis_url) -> None:
        app = create_app(settings.model_copy(update={"redis_url": redis_url}), engine=engine)
        with TestClient(app) as client:
            assert client.get("/readyz").json()["checks"] == {"database": "ok", "redis": "ok"}

    def test_readyz_reports_an_unreachable_redis(self, settings, engine) -> None:
        from tests.harness import free_port

        app = create_app(
            settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"}), engine=engine
        )
        with TestClient(app) as client:
            response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["redis"] == "unreachable"


class TestMetrics:
    def test_requests_are_counted_by_route_template(self, client, chat_with_joao) -> None:
        client.get("/healthz")
        client.get(f"/api/v1/conversations/{chat_with_joao.id}")
        text = client.get("/metrics").text
        assert 'firstline_http_requests_total{method="GET",route="/healthz",status="200"}' in text
        assert 'route="/api/v1/conversations/{conversation_id}"' in text
        assert f"/api/v1/conversations/{chat_with_joao.id}" not in text

    def test_a_metrics_token_guards_the_endpoint(self, settings, engine) -> None:
        app = create_app(settings.model_copy(update={"metrics_token": "scrape-me"}), engine=engine)
        with TestClient(app) as client:
            assert client.get("/metrics").status_code == 401
            assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200


class TestJsonLogs:
    def test_each_record_is_one_json_object_with_its_extra_fields(self) -> None:
        record = logging.LogRecord(
            "firstline.test", logging.WARNING, __file__, 1, "login failed %s", ("twice",), None
        )
        record.agent_id = 42
        line = JsonFormatter().format(record)
        assert "\n" not in line
        entry = json.loads(line)
        assert entry["message"] == "login failed twice"
        assert entry["level"] == "warning" and entry["agent_id"] == 42
        assert entry["time"].endswith("+00:00")


class TestSecurityHeaders:
    def test_pages_forbid_framing_and_foreign_scripts(self, client) -> None:
        response = client.get("/login")
        assert response.headers["x-frame-options"] == "DENY"
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
