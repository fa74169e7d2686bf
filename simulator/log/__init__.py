"""The delivery log, and ALL its SQL: the store, schema, lock, file checks, reader, export, summary, captures.

The names below load on first use (the modules behind them are private).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flipdish_sim._lazy import exports

if TYPE_CHECKING:
    from flipdish_sim.simulator.log._captures import (
        CaptureLog,
        CaptureRow,
        capture_count,
        find_capture,
        iter_captures,
        read_captures,
    )
    from flipdish_sim.simulator.log._export import export_logs, webhook_logs
    from flipdish_sim.simulator.log._file import open_log
    from flipdish_sim.simulator.log._lock import LogInUseError
    from flipdish_sim.simulator.log._reader import LogReader
    from flipdish_sim.simulator.log._store import Store, UnknownSubscriptionError
    from flipdish_sim.simulator.log._summary import RunSummary, summarize

__all__ = [
    "CaptureLog",
    "CaptureRow",
    "LogInUseError",
    "LogReader",
    "RunSummary",
    "Store",
    "UnknownSubscriptionError",
    "capture_count",
    "export_logs",
    "find_capture",
    "iter_captures",
    "open_log",
    "read_captures",
    "summarize",
    "webhook_logs",
]

__getattr__ = exports(
    __name__,
    {
        "CaptureLog": "_captures",
        "CaptureRow": "_captures",
        "capture_count": "_captures",
        "find_capture": "_captures",
        "iter_captures": "_captures",
        "read_captures": "_captures",
        "LogInUseError": "_lock",
        "LogReader": "_reader",
        "RunSummary": "_summary",
        "Store": "_store",
        "UnknownSubscriptionError": "_store",
        "export_logs": "_export",
        "open_log": "_file",
        "summarize": "_summary",
        "webhook_logs": "_export",
    },
)
