"""Migrations build the schema the models describe, and can be undone, on the database under test."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from firstline.cases.search import ddl as search_ddl
from firstline.db import Base, alembic_config, make_engine, migrate
from firstline.models import load_all_models


class TestMigrations:
    def test_upgrade_matches_the_models_and_downgrade_removes_everything(self, fresh_database_url) -> None:
        url = fresh_database_url("migrations")
        migrate(url)
        load_all_models()
        engine = make_engine(url)
        with engine.connect() as connection:
            # Full-text search structures (FTS5 tables, GIN expression indexes) live outside the models.
            context = MigrationContext.configure(connection, opts={"include_name": search_ddl.include_name})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
        command.downgrade(alembic_config(url), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
