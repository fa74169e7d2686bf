"""The log's schema versions after the first: what each added, and the steps that take an older log forward.

Version 1 is :data:`~._schema.SCHEMA` as first released, version 2 the same with each attempt's URL and
subscription version; a new file is created at :data:`SCHEMA_BASE` and then takes every later step, so
a new log and a migrated one are the same by construction. A step runs inside the one transaction of
:func:`migrate` (statements split on ``;``: none may contain one).
"""

from __future__ import annotations

import sqlite3

from flipdish_sim.errors import StoreError

__all__ = [
    "CAPTURES_SCHEMA",
    "MARK_RESEND",
    "MIGRATES_FROM",
    "MIGRATIONS",
    "SCHEMA_BASE",
    "SCHEMA_VERSION",
    "V3_SUBSCRIPTIONS_SCHEMA",
    "migrate",
]

SCHEMA_VERSION = 3
"""2: each attempt records the URL and the subscription version it was sent with; 3: the v3 API's
subscription metadata (:data:`V3_SUBSCRIPTIONS_SCHEMA`), the ``captures`` table of ``flipdish-sim listen``
(:data:`CAPTURES_SCHEMA`) and, for a manual resend, the delivery it resends (``deliveries.resend_of``).
Older versions migrate on open, step by step."""
MIGRATES_FROM = (1, 2)

# -- schema version 3: the v3 management API (simulator/server/v3_api.py) -------------------------------
V3_SUBSCRIPTIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS v3_subscriptions (
    subscription_id INTEGER PRIMARY KEY REFERENCES subscriptions (id),
    public_id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL,
    property_ids TEXT,
    updated_us INTEGER NOT NULL,
    deleted_us INTEGER
);
CREATE INDEX IF NOT EXISTS v3_subscriptions_by_org ON v3_subscriptions (org_id, subscription_id);
CREATE TABLE IF NOT EXISTS v3_test_events (
    event_id TEXT NOT NULL,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id),
    event_type TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    PRIMARY KEY (event_id, subscription_id)
);
"""
"""A v3 API subscription is a ``subscriptions`` row of family v3 (URL, event types, status, secret) plus
this row: its ``sub_<uuid>`` id, its org, its property scope (a JSON array of ``p<digits>``; NULL: all the
org's properties) and when it was deleted (past deliveries stay). ``v3_test_events``: the events a
trigger sent, for ``GET /synthetic-delivery``."""
# -- version 3: captures (flipdish-sim listen) -------------------------------------------------------
CAPTURES_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    received_us INTEGER NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    family TEXT,
    event_type TEXT,
    event_id TEXT,
    auth TEXT,
    auth_detail TEXT,
    contracts TEXT,
    unknown_fields TEXT,
    forward_outcome TEXT,
    forward_status INTEGER,
    forward_duration REAL,
    forward_error TEXT,
    answered_status INTEGER
);
CREATE INDEX IF NOT EXISTS captures_by_time ON captures (received_us);
"""
"""One row per request ``listen`` received: the request as received (``headers`` as stored: secrets masked,
see ``_captures``), then its verdicts (NULL until checked) and what forwarding it gave. Created by a new
log and by the 2 -> 3 migration."""
# -- end of version 3: captures ----------------------------------------------------------------------


MIGRATE_1_TO_2 = """
ALTER TABLE attempts ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN version TEXT NOT NULL DEFAULT '';
UPDATE attempts SET
    url = (SELECT callback_url FROM subscriptions s WHERE s.id = attempts.subscription_id),
    version = (SELECT version FROM subscriptions s WHERE s.id = attempts.subscription_id);
"""
"""Version 1 did not record where an attempt went: its attempts take their subscription's URL and version
as they are when the log is migrated (the best the log knows)."""

# ---- schema 3: manual resends (issue 12, the dashboard's Resend) -------------------------------------
# A resend is a new delivery of the same event (same body) to the same subscription, made by hand; it
# names the delivery it resends, so the log, exports and the dashboard tell it apart from the sender's
# own deliveries and from injected duplicates. New files get the column too (SCHEMA + MIGRATIONS[2]),
# with the v3 API's tables and the captures table, in the same step.
RESEND_SCHEMA = """
ALTER TABLE deliveries ADD COLUMN resend_of INTEGER;
"""
MARK_RESEND = "UPDATE deliveries SET resend_of = ? WHERE id = ?"
# ---- end of schema 3 ---------------------------------------------------------------------------------
MIGRATE_2_TO_3 = V3_SUBSCRIPTIONS_SCHEMA + CAPTURES_SCHEMA + RESEND_SCHEMA

#: The statements that take a log from version ``key`` to ``key + 1``, applied in order on open.
MIGRATIONS = {1: MIGRATE_1_TO_2, 2: MIGRATE_2_TO_3}
#: The version :data:`SCHEMA` creates; a new file then runs the migrations from there.
SCHEMA_BASE = 2


def migrate(db: sqlite3.Connection, path: str) -> None:
    """Up to :data:`SCHEMA_VERSION`, in one transaction (another process may have done it meanwhile)."""
    try:
        db.execute("BEGIN IMMEDIATE")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        while version < SCHEMA_VERSION:
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    db.execute(statement)
            version += 1
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except sqlite3.Error as err:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise StoreError(f"cannot upgrade the log {path} to schema version {SCHEMA_VERSION}: {err}") from err
