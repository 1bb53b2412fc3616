"""Alembic's entry point for the audit schema, run by :class:`goldenthread.audit.store.AuditStore`.

The store passes its own connection, already inside the transaction (and, on SQLite, the write lock) that
serialises two processes opening a new store at once, through ``config.attributes["connection"]``: the
migrations then run in that transaction and commit or roll back with it. Without one (a maintainer running
Alembic by hand), the URL comes from ``-x url=...`` or the ``sqlalchemy.url`` option.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from goldenthread.audit.migrations import VERSION_TABLE

config = context.config


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("Give the audit store's database: alembic -x url=sqlite:///path/audit.sqlite ...")
    return url


def _run(connection: Connection) -> None:
    context.configure(connection=connection, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """``alembic upgrade --sql``: the SQL a database administrator can review and run."""
    context.configure(url=_url(), version_table=VERSION_TABLE, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as own:
        _run(own)
        own.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
