"""The captures of ``flipdish-sim listen`` in the log: written as they arrive, read by every viewer.

Write order (crash safety). :meth:`CaptureLog.record` commits the request as received before anything else
happens to it; :meth:`CaptureLog.judge` then adds its verdicts and :meth:`CaptureLog.forwarded` what
forwarding gave, each in its own transaction. A process killed in between leaves the capture with NULL
verdicts or forward columns, never a lost request.

Secrets. ``X-Verify-Token`` (and ``Authorization``, ``Proxy-Authorization``, ``Cookie``) are stored masked:
the token itself never reaches the file. The v3 ``X-Flipdish-Signature`` is stored as received: it is an
HMAC of that one body, useless for any other body and stale after the receiver's tolerance (5 minutes by
default), and keeping it lets ``replay`` resend a fresh capture without the secret. The log file is 0600;
:meth:`CaptureRow.masked` (what pages, exports and terminal lines show) masks its digests too.

Readers: :func:`read_captures` (a time range, in order), :func:`find_capture` (one) and
:func:`capture_count` over an open :class:`~.Store`; :func:`iter_captures` over a log file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.log._where import Where
from flipdish_sim.simulator.model._capture import Capture
from flipdish_sim.simulator.model._subscription import from_us, to_us
from flipdish_sim.simulator.model._verdict import AuthVerdict, CaptureVerdict, ContractVerdict
from flipdish_sim.simulator.wire._envelope import mask_headers
from flipdish_sim.simulator.wire._headers import headers_from, headers_text

__all__ = ["CaptureLog", "CaptureRow", "capture_count", "find_capture", "iter_captures", "read_captures"]

_INSERT = "INSERT INTO captures (id, received_us, method, path, headers, body) VALUES (?, ?, ?, ?, ?, ?)"
_JUDGE = (
    "UPDATE captures SET family = ?, event_type = ?, event_id = ?, auth = ?, auth_detail = ?, contracts = ?,"
    " unknown_fields = ? WHERE id = ?"
)
_FORWARDED = (
    "UPDATE captures SET forward_outcome = ?, forward_status = ?, forward_duration = ?, forward_error = ?,"
    " answered_status = ? WHERE id = ?"
)
_COLUMNS = (
    "seq, id, received_us, method, path, headers, body, family, event_type, event_id, auth, auth_detail,"
    " contracts, unknown_fields, forward_outcome, forward_status, forward_duration, forward_error,"
    " answered_status"
)


@dataclass(frozen=True, slots=True)
class CaptureRow:
    """One stored capture with its verdicts (``verdict`` None: not judged yet) and its forwarding.

    ``capture.headers`` are as stored: verify token masked, v3 signature kept (use :meth:`masked` for
    anything shown). ``answered_status``: what ``listen`` answered its caller."""

    seq: int
    capture: Capture
    verdict: CaptureVerdict | None
    forward_outcome: str | None
    forward_status: int | None
    forward_duration: float | None
    forward_error: str | None
    answered_status: int | None

    def masked(self) -> Capture:
        """The capture with every secret masked, signature digests included: what may be shown."""
        return replace(self.capture, headers=mask_headers(self.capture.headers))


class CaptureLog:
    """The write side, over a :class:`~.Store` this process owns (``open_log``: locked, 0600)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, capture: Capture) -> None:
        """Commit ``capture`` (its body byte for byte; its secret headers masked, see the module doc)."""
        stored = headers_text(mask_headers(capture.headers, keep_signature=True))
        values = (capture.id, to_us(capture.received_at), capture.method, capture.path, stored, capture.body)
        self._write(_INSERT, values)

    def judge(self, capture_id: str, verdict: CaptureVerdict) -> None:
        """Store the verdicts of a recorded capture."""
        contracts = json.dumps([_contract_json(c) for c in verdict.contracts])
        unknown = json.dumps(list(verdict.unknown_fields))
        values = (
            verdict.family,
            verdict.event_type,
            verdict.event_id,
            verdict.auth.value,
            verdict.auth_detail,
            contracts,
            unknown,
            capture_id,
        )
        self._write(_JUDGE, values)

    def forwarded(
        self,
        capture_id: str,
        *,
        outcome: str,
        status: int | None,
        duration: float | None,
        error: str | None,
        answered: int,
    ) -> None:
        """Store what forwarding gave (an attempt outcome, or ``not-forwarded``) and the answer."""
        self._write(_FORWARDED, (outcome, status, duration, error, answered, capture_id))

    def _write(self, sql: str, values: tuple[object, ...]) -> None:
        with self.store._write():
            self.store._db.execute(sql, values)


def read_captures(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    newest_first: bool = False,
    limit: int | None = None,
) -> Iterator[CaptureRow]:
    """The captures received in ``[since, until)``, in arrival order (or newest first), streamed."""
    store.commit()
    where = Where().between("received_us", since, until)
    order = "DESC" if newest_first else "ASC"
    tail = f" LIMIT {int(limit)}" if limit is not None else ""
    sql = f"SELECT {_COLUMNS} FROM captures{where.sql} ORDER BY seq {order}{tail}"
    for row in store._db.execute(sql, where.params):
        yield _row(row)


def find_capture(store: Store, *, seq: int | None = None, capture_id: str | None = None) -> CaptureRow | None:
    """The capture numbered ``seq`` in this log, or with id ``capture_id`` (None: no such capture)."""
    store.commit()
    column, value = ("seq", seq) if seq is not None else ("id", capture_id)
    row = store._db.execute(f"SELECT {_COLUMNS} FROM captures WHERE {column} = ?", (value,)).fetchone()
    return None if row is None else _row(row)


def capture_count(store: Store) -> int:
    """How many captures the log holds."""
    store.commit()
    return int(store._db.execute("SELECT count(*) FROM captures").fetchone()[0])


def iter_captures(path: str | Path) -> Iterator[CaptureRow]:
    """Every capture of the log at ``path``, read without taking its lock (a running ``listen`` may write)."""
    from flipdish_sim.simulator.log._file import open_log

    with open_log(path, existing=True, write=False) as store:
        yield from read_captures(store)


def _row(r: tuple[Any, ...]) -> CaptureRow:
    capture = Capture(
        id=r[1],
        received_at=from_us(r[2]),
        method=r[3],
        path=r[4],
        headers=headers_from(r[5]),
        body=bytes(r[6]),
    )
    verdict = None
    if r[10] is not None:
        verdict = CaptureVerdict(
            family=r[7],
            event_type=r[8],
            event_id=r[9],
            auth=AuthVerdict(r[10]),
            auth_detail=r[11] or "",
            contracts=tuple(_contract(item) for item in json.loads(r[12] or "[]")),
            unknown_fields=tuple(json.loads(r[13] or "[]")),
        )
    return CaptureRow(r[0], capture, verdict, r[14], r[15], r[16], r[17], r[18])


def _contract_json(verdict: ContractVerdict) -> dict[str, object]:
    return {
        "profile": verdict.profile,
        "checked": verdict.checked,
        "count": verdict.count,
        "issues": [list(issue) for issue in verdict.issues],
        "note": verdict.note,
    }


def _contract(item: dict[str, Any]) -> ContractVerdict:
    return ContractVerdict(
        profile=str(item["profile"]),
        checked=bool(item["checked"]),
        count=int(item["count"]),
        issues=tuple((str(p), str(m)) for p, m in item["issues"]),
        note=str(item.get("note", "")),
    )
