"""The audit trail and sign-offs: what was changed in a council's data through goldenthread, by whom, and
who has approved a period's report.

:mod:`goldenthread.audit.store` is the database itself (SQLite beside the data by default, PostgreSQL by
URL; append-only and hash-chained, so ``goldenthread audit verify`` finds a row edited or deleted afterwards).

The names below are loaded on first use: importing this package (the command line does, to register
``goldenthread audit``) must not import SQLAlchemy and Alembic into a report build that never opens the store.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from goldenthread.audit.store import AuditCheck, AuditEvent, AuditStore, audit_url

__all__ = ["AuditCheck", "AuditEvent", "AuditStore", "audit_url"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("goldenthread.audit.store"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
