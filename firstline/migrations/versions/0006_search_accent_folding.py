"""search: fold accents on PostgreSQL as SQLite's FTS5 does ("peticao" finds "petição")

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from firstline.cases.search import ddl

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite's FTS5 tables of 0005 fold accents already (unicode61 remove_diacritics 2).
    if op.get_bind().dialect.name != "postgresql":
        return
    utf8 = op.get_bind().exec_driver_sql("SHOW server_encoding").scalar() == "UTF8"
    for name in ddl.POSTGRES_INDEXES.values():
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for statement in ddl.postgres_upgrade(utf8=utf8):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in ddl.postgres_downgrade():
        op.execute(statement)
    for statement in ddl.postgres_unfolded_indexes():
        op.execute(statement)
