"""The audit trail of settings: who changed which policy, calendar or routing value, and when."""

from __future__ import annotations

import uuid

from firstline.routing import settings as routing_settings
from firstline.sla import audit, calendars, settings


def calendar(db, **fields):
    values = calendars.CalendarValues(
        name=fields.pop("name", f"Madrid {uuid.uuid4().hex[:6]}"),
        timezone="Europe/Madrid",
        hours={0: [(540, 1080)]},
        holidays=fields.pop("holidays", {}),
    )
    return calendars.create_calendar(db, values=values, actor_agent_id=fields.pop("actor", None))


class TestListChanges:
    def test_a_policy_edit_reads_as_who_changed_which_target_from_what_to_what(self, db, team_lead) -> None:
        values = settings.PolicyValues(
            name=f"Chat {uuid.uuid4().hex[:6]}", channel="chat", first_response_seconds=30
        )
        policy = settings.create_policy(db, values=values, actor_agent_id=None)
        madrid = calendar(db)
        edited = settings.PolicyValues(
            name=policy.name, channel="chat", first_response_seconds=90, calendar_id=madrid.id
        )
        settings.update_policy(db, policy_id=policy.id, values=edited, actor_agent_id=team_lead.id)
        latest, created = audit.list_changes(db, kinds=audit.POLICY_KINDS, key="policy_id", row_id=policy.id)
        assert (latest.who, latest.subject) == (team_lead.name, policy.name)
        assert latest.summary == f"first response: 30s → 1m 30s; calendar: 24/7 → {madrid.name}"
        assert (created.who, created.summary) == ("system", "created")

    def test_holidays_read_as_added_and_removed_with_their_names(self, db, team_lead) -> None:
        row = calendar(db, holidays={"2026-10-12": "Fiesta Nacional"})
        values = calendars.CalendarValues(
            name=row.name,
            timezone=row.timezone,
            hours={0: [(540, 1080)]},
            holidays={"2026-12-08": "Inmaculada"},
        )
        calendars.update_calendar(db, calendar_id=row.id, values=values, actor_agent_id=team_lead.id)
        latest = audit.list_changes(db, kinds=audit.CALENDAR_KINDS, key="calendar_id", row_id=row.id)[0]
        assert latest.summary == "holidays: added 2026-12-08 Inmaculada; removed 2026-10-12"

    def test_only_the_asked_row_s_changes_are_listed(self, db) -> None:
        first, second = calendar(db), calendar(db)
        changes = audit.list_changes(db, kinds=audit.CALENDAR_KINDS, key="calendar_id", row_id=second.id)
        assert [change.subject for change in changes] == [second.name]
        assert first.name in {change.subject for change in audit.list_changes(db, kinds=audit.SLA_KINDS)}

    def test_routing_changes_name_the_setting_in_words(self, db, admin) -> None:
        routing_settings.update_routing_settings(
            db, values=routing_settings.RoutingValues(english_after_seconds=120), actor_agent_id=admin.id
        )
        latest = audit.list_changes(db, kinds=audit.ROUTING_KINDS)[0]
        assert (latest.who, latest.subject) == (admin.name, "Routing settings")
        assert latest.summary == "overflow to English: environment default → 120 s"
