"""Opening the log a user names with ``--db``: a file that is not a flipdish-sim log is a usage error.

:func:`open_log` reads the SQLite header first (without opening the database for writing), so an SQLite
file of another application or of another flipdish-sim schema version, or a file that is not SQLite at all,
is refused untouched: one line, exit 2.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from flipdish_sim.errors import StoreError, UsageError
from flipdish_sim.simulator.log._schema import MIGRATES_FROM
from flipdish_sim.simulator.log._store import APPLICATION_ID, SCHEMA_VERSION, Store

__all__ = ["check_log_file", "check_writable", "open_log"]

_MAGIC = b"SQLite format 3\x00"


def check_log_file(path: Path, *, existing: bool = False) -> None:
    """UsageError unless ``path`` is absent, empty, or an SQLite file marked as a flipdish-sim log.

    ``existing``: the command only reads a log, so an absent or empty file is refused too."""
    if path.is_dir():
        raise UsageError(f"--db {path} is a directory, not a log file")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_MAGIC))
    except FileNotFoundError:
        if existing:
            raise UsageError(f"no log at {path}") from None
        return
    except OSError as err:
        raise UsageError(f"cannot read the log {path}: {err.strerror or err}") from err
    if header and header != _MAGIC:
        raise UsageError(f"{path} is not a flipdish-sim log (not an SQLite file); use a new --db file")
    found = _identity(path)  # read-only: reads a write-ahead log a killed run left, changes nothing
    if found is None:
        return  # SQLite could not say: the Store decides (and its error is one line too)
    app, version, tables = found
    if app == 0 and version == 0 and tables == 0:
        if existing:
            raise UsageError(f"{path} is empty, not a flipdish-sim log")
        return
    if app == 0:
        # A read-only look may miss what a killed run left in the write-ahead log; the Store reads the
        # file properly and refuses another application's file before changing anything in it.
        return
    if app != APPLICATION_ID:
        raise UsageError(
            f"{path} is an SQLite file of another application (application id {app:#x}), not a flipdish-sim"
            " log; use a new --db file"
        )
    if version > SCHEMA_VERSION:
        raise UsageError(
            f"{path} holds schema version {version}, written by a newer flipdish-sim (this one writes"
            f" version {SCHEMA_VERSION}): upgrade flipdish-sim, or use a new --db file"
        )
    if version != SCHEMA_VERSION and version not in MIGRATES_FROM:
        raise UsageError(
            f"{path} holds schema version {version}; this flipdish-sim writes version {SCHEMA_VERSION}:"
            " use a new --db file"
        )


def _identity(path: Path) -> tuple[int, int, int] | None:
    """(application id, user version, table count) read through a read-only connection, or None."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            app = int(db.execute("PRAGMA application_id").fetchone()[0])
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            tables = int(db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])
    except sqlite3.Error:
        return None
    return app, version, tables


def open_log(path: str | Path, *, existing: bool = False, write: bool = True) -> Store:
    """The log at ``path`` (created when absent unless ``existing``); UsageError, file untouched, when
    it is not a log, cannot be written (``write``) or another process writes it (:mod:`.loglock`)."""
    target = Path(path)
    check_log_file(target, existing=existing)
    if write:
        check_writable(target)
    try:
        return Store(target, owner=write)
    except StoreError as err:  # another schema version, or an unusable location
        raise UsageError(str(err)) from err


def check_writable(path: Path) -> None:
    """UsageError unless this process may write the log at ``path`` and create files beside it."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"the log {path} is read-only; make it writable or use another --db")
    if not folder.exists():
        raise UsageError(f"cannot create the log {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(
            f"cannot write beside the log {path}: folder {folder} is read-only (SQLite keeps its"
            " write-ahead log there); use another --db"
        )
