"""Authentication services: lockout, sessions and API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest

from firstline.agents import auth
from firstline.agents.roles import ROLE_PERMISSIONS, Permission, Role, has_permission, permissions_for
from firstline.kit.errors import NotAuthenticated, TooManyAttempts
from firstline.kit.time import utcnow
from tests.conftest import PASSWORD

POLICY = auth.LoginPolicy(max_failures=3, lockout=timedelta(minutes=15), session_lifetime=timedelta(hours=1))


class TestAuthenticate:
    def test_the_lock_lifts_after_the_lockout_period(self, db, italian_l1_agent) -> None:
        for _ in range(3):
            with pytest.raises(NotAuthenticated):
                auth.authenticate(db, email=italian_l1_agent.email, password="nope nope", policy=POLICY)
        with pytest.raises(TooManyAttempts):
            auth.authenticate(db, email=italian_l1_agent.email, password=PASSWORD, policy=POLICY)
        italian_l1_agent.locked_until = utcnow() - timedelta(seconds=1)
        assert (
            auth.authenticate(db, email=italian_l1_agent.email, password=PASSWORD, policy=POLICY)
            is italian_l1_agent
        )

    def test_a_deactivated_agent_cannot_log_in(self, db, italian_l1_agent) -> None:
        italian_l1_agent.is_active = False
        with pytest.raises(NotAuthenticated):
            auth.authenticate(db, email=italian_l1_agent.email, password=PASSWORD, policy=POLICY)

    def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(self, db) -> None:
        with pytest.raises(NotAuthenticated, match="Wrong email or password"):
            auth.authenticate(db, email="nobody@example.com", password=PASSWORD, policy=POLICY)

    def test_email_case_does_not_matter(self, db, italian_l1_agent) -> None:
        agent = auth.authenticate(db, email=italian_l1_agent.email.upper(), password=PASSWORD, policy=POLICY)
        assert agent is italian_l1_agent


class TestSessions:
    def test_only_the_hash_of_the_cookie_is_stored(self, db, italian_l1_agent) -> None:
        from firstline.agents.models import AgentSession

        token = auth.start_session(db, agent=italian_l1_agent, policy=POLICY)
        stored = db.query(AgentSession).filter_by(agent_id=italian_l1_agent.id).one()
        assert token not in stored.token_hash and len(stored.token_hash) == 64
        assert auth.resolve_session(db, token=token) is italian_l1_agent

    def test_an_expired_session_resolves_to_nobody(self, db, italian_l1_agent) -> None:
        from firstline.agents.models import AgentSession

        token = auth.start_session(db, agent=italian_l1_agent, policy=POLICY)
        db.query(AgentSession).filter_by(agent_id=italian_l1_agent.id).one().expires_at = utcnow()
        assert auth.resolve_session(db, token=token) is None


class TestApiTokens:
    def test_a_token_acts_as_its_agent_until_revoked(self, db, italian_l1_agent) -> None:
        token, secret = auth.create_api_token(db, agent_id=italian_l1_agent.id, name="back office")
        assert secret.startswith("fl_") and token.prefix == secret[:10]
        assert auth.resolve_api_token(db, secret=secret) is italian_l1_agent
        assert token.last_used_at is not None
        auth.revoke_api_token(db, agent_id=italian_l1_agent.id, token_id=token.id)
        assert auth.resolve_api_token(db, secret=secret) is None

    @pytest.mark.parametrize("forged", ["", "fl_", "fl_" + "A" * 43, "Bearer x", "not-a-token"])
    def test_forged_tokens_resolve_to_nobody(self, db, forged) -> None:
        assert auth.resolve_api_token(db, secret=forged) is None


class TestRoles:
    def test_permissions_are_the_union_of_roles(self) -> None:
        both = permissions_for(["qa", "kyc_reviewer"])
        assert both == ROLE_PERMISSIONS[Role.QA] | ROLE_PERMISSIONS[Role.KYC_REVIEWER]

    def test_unknown_roles_grant_nothing(self) -> None:
        assert permissions_for(["superuser"]) == frozenset()

    def test_qa_reads_but_does_not_reply(self) -> None:
        assert has_permission(["qa"], Permission.CONVERSATIONS_READ)
        assert not has_permission(["qa"], Permission.CONVERSATIONS_REPLY)
