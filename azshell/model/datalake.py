"""Persistence for the datalake part of the tenant (tables added by migration; see ``migrate``)."""

from __future__ import annotations

import sqlite3


def migrate(db: sqlite3.Connection) -> None:
    """Schema migration for datalake (appended to ``store.MIGRATIONS``; never edit once released)."""
