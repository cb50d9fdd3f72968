"""The schema comes from Alembic migrations, which are idempotent and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from binhon.db.base import Base
from binhon.db.migrate import upgrade


def test_upgrade_is_idempotent_and_matches_the_models(engine: Engine) -> None:
    upgrade(engine)  # the fixture already ran it once
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {
        "observations",
        "commodities",
        "areas",
        "outlets",
        "audit_log",
        "alerts",
        "alembic_version",
    } <= tables
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_current_price_key_is_unique(engine: Engine) -> None:
    indexes = {ix["name"]: ix for ix in inspect(engine).get_indexes("observations")}
    key = indexes["uq_observations_current_key"]
    assert key["unique"]
    assert key["column_names"] == ["commodity_id", "outlet_id", "obs_date", "price_type", "obs_time"]
