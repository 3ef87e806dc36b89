"""Persistence for the keyvault part of the tenant (tables added by migration; see ``migrate``)."""

from __future__ import annotations

import sqlite3


def migrate(db: sqlite3.Connection) -> None:
    """Schema migration for keyvault (appended to ``store.MIGRATIONS``; never edit once released)."""
