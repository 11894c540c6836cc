"""IMAP passwords sealed at rest: mailbox.imap_password (clear) becomes mailbox.imap_password_sealed

Existing passwords are sealed with the key the app derives from FIRSTLINE_SECRET_KEY. The secret is
taken from the Alembic config attribute ``secret_key`` when the caller sets one, else from the
settings the app reads (``firstline migrate`` and ``firstline serve`` migrate with those), and only
when there is a password to seal, so a fresh database never needs it.

The columns are added and dropped with plain ALTER TABLE (SQLite 3.35+ drops a column in place):
rebuilding ``mailbox`` in batch mode would drop the table, and SQLite's implicit DELETE would set
every mail's ``mailbox_id`` to NULL through the foreign keys.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from firstline.kit.sealing import UnreadableSecret, seal, unseal

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_mailbox = sa.table(
    "mailbox",
    sa.column("id", sa.Integer()),
    sa.column("imap_password", sa.String()),
    sa.column("imap_password_sealed", sa.Text()),
)


def _secret_key() -> str:
    given = context.config.attributes.get("secret_key")
    if given:
        return str(given)
    from firstline.config import get_settings

    return get_settings().effective_secret_key()


def upgrade() -> None:
    op.add_column("mailbox", sa.Column("imap_password_sealed", sa.Text(), nullable=False, server_default=""))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_mailbox.c.id, _mailbox.c.imap_password).where(_mailbox.c.imap_password != "")
    ).all()
    secret_key = _secret_key() if rows else ""
    for mailbox_id, password in rows:
        connection.execute(
            _mailbox.update()
            .where(_mailbox.c.id == mailbox_id)
            .values(imap_password_sealed=seal(secret_key, password))
        )
    op.execute("ALTER TABLE mailbox DROP COLUMN imap_password")


def downgrade() -> None:
    op.add_column(
        "mailbox", sa.Column("imap_password", sa.String(length=500), nullable=False, server_default="")
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_mailbox.c.id, _mailbox.c.imap_password_sealed).where(_mailbox.c.imap_password_sealed != "")
    ).all()
    secret_key = _secret_key() if rows else ""
    for mailbox_id, sealed in rows:
        try:
            password = unseal(secret_key, sealed)
        except UnreadableSecret:
            password = ""  # unusable under this key either way: the password is entered again
        connection.execute(
            _mailbox.update().where(_mailbox.c.id == mailbox_id).values(imap_password=password)
        )
    op.execute("ALTER TABLE mailbox DROP COLUMN imap_password_sealed")
