"""Where replayed captures come from: one small function per source, each returning :class:`Capture` records.

* :func:`captures_from_jsonl`: a JSON Lines file of captures (``capture_to_json``'s format; ``captures
  export`` writes it). A line that is not a capture stops the read with its line number: nothing is sent.
* :func:`captures_from_log`: a ``listen`` log's captures (headers as received, verify tokens masked,
  v3 signatures kept; the attempts of ``listen --mode ack`` are those captures relayed, so not read
  again), else a ``run``/``serve``/``send`` log's attempts: one capture per event x
  subscription, the first attempt of each original delivery (not the sender's duplicates), with its body
  bytes and the request headers the log keeps (verify tokens and signature digests masked).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.log._captures import read_captures
from flipdish_sim.simulator.log._file import open_log
from flipdish_sim.simulator.model._capture import Capture, CaptureFormatError, capture_from_json

__all__ = ["captures_from_jsonl", "captures_from_log"]


def captures_from_jsonl(path: str | Path) -> list[Capture]:
    """Every capture of the JSON Lines file ``path`` (blank lines skipped); ``UsageError`` naming the first
    line that is not a capture, or a file that holds none."""
    try:
        lines = Path(path).read_bytes().splitlines()
    except OSError as err:
        raise UsageError(f"cannot read captures {path}: {err.strerror or err}") from err
    except ValueError as err:  # a name no file system takes (a NUL byte)
        raise UsageError(f"cannot read captures {path}: {err}") from err
    captures = [c for n, line in enumerate(lines, 1) if (c := _line(path, n, line)) is not None]
    if not captures:
        raise UsageError(f"{path} holds no captures (expected JSON Lines, one capture per line)")
    return captures


def _line(path: str | Path, number: int, raw: bytes) -> Capture | None:
    if not raw.strip():
        return None
    try:
        return capture_from_json(json.loads(raw))
    except UnicodeDecodeError as err:
        raise UsageError(f"{path} line {number}: not UTF-8 text ({err.reason})") from err
    except json.JSONDecodeError as err:
        raise UsageError(f"{path} line {number}: not JSON ({err.msg} at column {err.colno})") from err
    except CaptureFormatError as err:
        raise UsageError(f"{path} line {number}: {err}") from err


def captures_from_log(path: str | Path) -> list[Capture]:
    """A listen log's captures, else the first attempt of every original delivery in the log at ``path``,
    as captures (time order). A listen log's attempts (``--mode ack``) are its captures relayed: not read."""
    with open_log(path, existing=True, write=False) as store:
        captures = [row.capture for row in read_captures(store)]
        for row in () if captures else store.attempts():
            if row.attempt_no != 1 or row.duplicate_of is not None:
                continue
            url = urlsplit(row.callback_url or "/")
            target = (url.path or "/") + (f"?{url.query}" if url.query else "")
            captures.append(
                Capture(row.webhook_id, row.at, "POST", target, tuple(row.request_headers), row.request_body)
            )
    if not captures:
        raise UsageError(f"the log {path} holds no captures or attempts to replay")
    return sorted(captures, key=lambda capture: capture.received_at)
