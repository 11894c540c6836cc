"""Routing settings saved in the console override the environment's, and routing uses them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from firstline.kit.errors import InvalidInput
from firstline.routing import config as routing_config
from firstline.routing import service
from firstline.routing import settings as routing_settings
from firstline.routing.models import QueueEntry
from firstline.routing.settings import RoutingValues
from firstline.timeline.service import EventKind, list_events_of_kinds


@pytest.fixture(autouse=True)
def auto_mode() -> Iterator[None]:
    """No configuration forced in this process: routing reads the environment and the stored row."""
    yield None


class TestApplyStored:
    def test_without_a_stored_row_the_environment_s_values_are_in_force(self, db) -> None:
        view = routing_settings.get_routing_settings(db)
        assert view.in_force == view.defaults == routing_config.current()
        assert routing_config.current(db) == view.defaults

    def test_stored_values_override_only_the_fields_they_set(self, db, team_lead) -> None:
        values = RoutingValues(mode="offer", english_after_seconds=300)
        routing_settings.update_routing_settings(db, values=values, actor_agent_id=team_lead.id)
        in_force = routing_config.current(db)
        defaults = routing_config.current()
        assert (in_force.mode, in_force.rules.english_after_seconds) == ("offer", 300)
        assert in_force.offer_timeout_seconds == defaults.offer_timeout_seconds
        assert in_force.rules.secondary_after_seconds == defaults.rules.secondary_after_seconds

    def test_emptying_a_field_goes_back_to_the_environment_s_value(self, db) -> None:
        routing_settings.update_routing_settings(db, values=RoutingValues(mode="offer"), actor_agent_id=None)
        routing_settings.update_routing_settings(db, values=RoutingValues(), actor_agent_id=None)
        assert routing_config.current(db) == routing_config.current()


class TestRoutingUsesTheStoredSettings:
    def test_a_stored_offer_mode_and_timeout_make_dispatch_offer_the_chat(
        self, db, online_agent, start_chat
    ) -> None:
        routing_settings.update_routing_settings(
            db, values=RoutingValues(mode="offer", offer_timeout_seconds=45), actor_agent_id=None
        )
        agent = online_agent()
        chat = start_chat("en")
        status = service.enqueue(db, conversation_id=chat.id)
        entry = db.query(QueueEntry).filter_by(conversation_id=chat.id).one()
        assert status.state == "offered" and chat.assignee_id is None
        assert entry.offered_agent_id == agent.id
        assert entry.offer_expires_at - entry.enqueued_at >= timedelta(seconds=44)

    def test_a_stored_english_overflow_lets_an_english_speaker_take_an_italian_chat_sooner(
        self, db, online_agent, start_chat
    ) -> None:
        routing_settings.update_routing_settings(
            db,
            values=RoutingValues(secondary_language_after_seconds=0, english_after_seconds=5),
            actor_agent_id=None,
        )
        english = online_agent(languages={"en": "native"})
        chat = start_chat("it")
        service.enqueue(db, conversation_id=chat.id)
        assert chat.assignee_id is None
        entry = db.query(QueueEntry).filter_by(conversation_id=chat.id).one()
        service.dispatch(db, now=entry.enqueued_at + timedelta(seconds=6))
        assert chat.assignee_id == english.id


class TestUpdateRoutingSettings:
    def test_a_change_is_recorded_with_who_made_it_and_the_values_before_and_after(
        self, db, team_lead
    ) -> None:
        routing_settings.update_routing_settings(
            db, values=RoutingValues(offer_timeout_seconds=30), actor_agent_id=team_lead.id
        )
        event = list_events_of_kinds(db, kinds=[EventKind.ROUTING_SETTINGS_UPDATED], limit=1)[0]
        assert event.actor_agent_id == team_lead.id
        assert event.data["changes"] == {"offer_timeout_seconds": [None, 30]}

    def test_saving_the_same_values_again_records_nothing(self, db) -> None:
        values = RoutingValues(mode="auto")
        routing_settings.update_routing_settings(db, values=values, actor_agent_id=None)
        routing_settings.update_routing_settings(db, values=values, actor_agent_id=None)
        assert len(list_events_of_kinds(db, kinds=[EventKind.ROUTING_SETTINGS_UPDATED], limit=10)) == 1

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            (RoutingValues(mode="round_robin"), "mode"),
            (RoutingValues(offer_timeout_seconds=2), "offer_timeout_seconds"),
            (RoutingValues(offer_timeout_seconds=601), "offer_timeout_seconds"),
            (RoutingValues(secondary_language_after_seconds=90000), "secondary_language_after_seconds"),
            (
                RoutingValues(secondary_language_after_seconds=120, english_after_seconds=60),
                "english_after_seconds",
            ),
        ],
    )
    def test_a_value_out_of_range_is_refused_naming_its_field(self, db, values, field: str) -> None:
        with pytest.raises(InvalidInput) as refused:
            routing_settings.update_routing_settings(db, values=values, actor_agent_id=None)
        assert refused.value.field == field
        assert routing_config.current(db) == routing_config.current()


class TestRoutingValuesFromForm:
    def test_empty_fields_keep_the_environment_s_values(self) -> None:
        assert (
            routing_settings.routing_values_from_form({"mode": "", "offer_timeout_seconds": ""})
            == RoutingValues()
        )

    def test_numbers_are_read_as_seconds(self) -> None:
        values = routing_settings.routing_values_from_form(
            {"mode": "offer", "offer_timeout_seconds": "25", "english_after_seconds": " 90 "}
        )
        assert values == RoutingValues(mode="offer", offer_timeout_seconds=25, english_after_seconds=90)

    def test_text_that_is_not_a_number_of_seconds_names_its_field(self) -> None:
        with pytest.raises(InvalidInput, match="whole number of seconds") as refused:
            routing_settings.routing_values_from_form({"secondary_language_after_seconds": "half a minute"})
        assert refused.value.field == "secondary_language_after_seconds"
