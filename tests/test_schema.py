"""The migrations build exactly the schema the models declare, on SQLite and on PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.models import Base


def test_the_migrated_schema_is_the_models_schema(empty_vaern):
    with empty_vaern.db.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
