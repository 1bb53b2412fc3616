"""The audit trail: one row per change made through goldenthread, hash-chained.

Revision ID: 0001
Revises:
Create Date: 2026-12-02

Text columns throughout (``at`` too, an ISO 8601 UTC string): each row's hash covers its content as
written, so the content must read back exactly as it went in on SQLite and PostgreSQL alike - a database
timestamp or JSON type would hand back its own rendering (time zone, precision, key order) and break it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        # Explicit ids, assigned by the store under its lock (the hash covers the id): never reused, no gaps.
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("indicator", sa.Text),
        sa.Column("period", sa.Text),
        sa.Column("field", sa.Text),
        sa.Column("old", sa.Text),
        sa.Column("new", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("source_file", sa.Text),
        sa.Column("source_sha256", sa.Text),
        sa.Column("batch", sa.Text),
        sa.Column("details", sa.Text),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_event_batch", "audit_event", ["batch"])
    op.create_index("ix_audit_event_period_action", "audit_event", ["period", "action"])


def downgrade() -> None:
    raise NotImplementedError("The audit trail is append-only: its schema is never downgraded (that would drop it)")
