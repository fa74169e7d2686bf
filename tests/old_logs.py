"""Logs as older flipdish-sim versions wrote them, for the tests of the migrations on open."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from flipdish_sim.simulator.log import Store


def version_2_log(path: Path) -> Path:
    """A new log taken back to schema version 2: without what version 3 added (the v3 API's tables, the
    captures table, ``deliveries.resend_of``)."""
    Store(path).close()
    with closing(sqlite3.connect(path)) as db:
        db.execute("DROP TABLE v3_subscriptions")
        db.execute("DROP TABLE v3_test_events")
        db.execute("DROP TABLE captures")
        db.execute("ALTER TABLE deliveries DROP COLUMN resend_of")
        db.execute("PRAGMA user_version = 2")
        db.commit()
    return path
