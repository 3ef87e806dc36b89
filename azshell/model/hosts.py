"""Persistence for the hosts part of the tenant (tables added by migration; see ``migrate``)."""

from __future__ import annotations

import sqlite3


def migrate(db: sqlite3.Connection) -> None:
    """Schema migration for hosts (appended to ``store.MIGRATIONS``; never edit once released)."""
