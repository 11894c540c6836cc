"""The routing floor's change log: routing_floor_change, filled by triggers on SQLite

Every change to what the dispatcher reads of an agent (profile, presence, idle time, open conversations
assigned, pending offers) appends the agent's id, whatever code path made it, so the dispatcher re-reads
only those agents (``firstline.routing.floor``). The triggers exist on SQLite only: PostgreSQL sequence
values commit out of order, so a reader of "ids above the last one seen" could miss a change; there the
dispatcher reads the whole floor every time and the table stays empty.

A later migration that rebuilds one of the watched tables on SQLite (batch mode copies the table and
drops the old one, and its triggers with it) must create that table's triggers again; the floor reads
the whole floor, logging nothing, while any trigger is missing.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

# ruff: noqa: S608  (DDL built from the fixed names below; no input reaches it)
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_LOG = "INSERT INTO routing_floor_change (agent_id)"


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)


def _watch(table: str, agent_column: str, columns: tuple[str, ...], *, always: bool) -> dict[str, str]:
    """Triggers logging ``agent_column`` (old and new value) when a row of ``table`` that concerns an agent
    is inserted, deleted, or has one of ``columns`` changed; ``always``: every row concerns one."""
    new_set = "" if always else f" WHEN NEW.{agent_column} IS NOT NULL"
    old_set = "" if always else f" WHEN OLD.{agent_column} IS NOT NULL"
    either = "" if always else f" AND (OLD.{agent_column} IS NOT NULL OR NEW.{agent_column} IS NOT NULL)"
    both = (
        f"{_LOG} SELECT OLD.{agent_column} WHERE OLD.{agent_column} IS NOT NULL"
        f" UNION SELECT NEW.{agent_column} WHERE NEW.{agent_column} IS NOT NULL"
    )
    name = f"routing_floor_{table}"
    return {
        f"{name}_insert": f"AFTER INSERT ON {table}{new_set} BEGIN {_LOG} VALUES (NEW.{agent_column}); END",
        f"{name}_update": (
            f"AFTER UPDATE OF {', '.join(columns)} ON {table} WHEN ({_changed(columns)}){either}"
            f" BEGIN {both}; END"
        ),
        f"{name}_delete": f"AFTER DELETE ON {table}{old_set} BEGIN {_LOG} VALUES (OLD.{agent_column}); END",
    }


# What ``firstline.routing.floor`` reads of each table.
TRIGGERS = {
    **_watch(
        "agent",
        "id",
        ("id", "tier", "languages", "skills", "max_concurrent_chats", "is_active"),
        always=True,
    ),
    **_watch("agent_presence", "agent_id", ("agent_id", "status", "idle_since"), always=True),
    **_watch("conversation", "assignee_id", ("assignee_id", "status", "channel"), always=False),
    **_watch(
        "queue_entry", "offered_agent_id", ("offered_agent_id", "state", "offer_expires_at"), always=False
    ),
}


def upgrade() -> None:
    op.create_table(
        "routing_floor_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_floor_change")),
        sqlite_autoincrement=True,
    )
    if op.get_bind().dialect.name == "sqlite":
        for name, body in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("routing_floor_change")
