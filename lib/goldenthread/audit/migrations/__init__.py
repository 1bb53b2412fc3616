"""The audit store's schema history, as Alembic migrations run by :class:`goldenthread.audit.store.AuditStore`.

The store upgrades its database to the newest revision here when it is opened, so a council never runs
Alembic by hand and needs no ``alembic.ini``. A new column or index is a new file in ``versions/`` (never an
edit to a released one): a database written by an older goldenthread is then brought forward on first use.
A maintainer writes one in the shape of ``script.py.mako``, by hand or with
``alembic.command.revision(config, "what changes")`` on a ``Config`` whose ``script_location`` is
:data:`LOCATION`, and sets :data:`HEAD` to its revision.

The revisions live in their own version table (:data:`VERSION_TABLE`), not Alembic's default
``alembic_version``: on a council's shared PostgreSQL database another application may already use that one.
"""

from pathlib import Path

#: The folder Alembic is pointed at (``script_location``): this package's own directory, wherever installed.
LOCATION = Path(__file__).resolve().parent
#: Where the database records which revision its audit schema is at.
VERSION_TABLE = "audit_alembic_version"
#: The newest revision in ``versions/``: a store already at it opens without loading Alembic (a tenth of a
#: second of every report build that reads sign-offs). A new migration changes it; a test keeps the two the same.
HEAD = "0001"
