"""A captured delivery: one POST as a receiver saw it, byte for byte, and its JSON Lines form.

``flipdish-sim listen`` records captures; ``captures export`` writes them as JSON Lines; ``replay`` and the
``flipdish_replay`` fixture read them back. The line format is versioned (``FlipdishSimCapture``) so files
written today stay readable.

Pure (no I/O, no clock): the caller gives the time and writes the text.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

__all__ = ["CAPTURE_FORMAT", "Capture", "CaptureFormatError", "capture_from_json", "capture_to_json"]

CAPTURE_FORMAT = 1
"""The version written in each line's ``FlipdishSimCapture`` key."""

Headers = tuple[tuple[str, str], ...]


class CaptureFormatError(ValueError):
    """A line that is not a capture this version can read; the message says which field is wrong."""


@dataclass(frozen=True, slots=True)
class Capture:
    """One received request. ``path`` keeps the query string; ``headers`` keep their order and case.

    ``body`` is the exact bytes received. ``received_at`` is timezone-aware (UTC).
    """

    id: str
    received_at: datetime
    method: str
    path: str
    headers: Headers
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


def capture_to_json(capture: Capture) -> dict[str, object]:
    """The JSON object of one capture: the body as text when it is UTF-8, else as ``body_base64``.

    Headers are written as given: mask them first (``wire.mask_headers``) for anything leaving the log.
    """
    record: dict[str, object] = {
        "FlipdishSimCapture": CAPTURE_FORMAT,
        "id": capture.id,
        "received_at": capture.received_at.isoformat(),
        "method": capture.method,
        "path": capture.path,
        "headers": [[name, value] for name, value in capture.headers],
    }
    try:
        record["body"] = capture.body.decode("utf-8")
    except UnicodeDecodeError:
        record["body_base64"] = base64.b64encode(capture.body).decode("ascii")
    return record


def capture_from_json(record: object) -> Capture:
    """The capture a ``capture_to_json`` object describes; ``CaptureFormatError`` names what is wrong."""
    if not isinstance(record, Mapping) or "FlipdishSimCapture" not in record:
        raise CaptureFormatError("not a capture (no FlipdishSimCapture key)")
    version = record["FlipdishSimCapture"]
    if version != CAPTURE_FORMAT:
        raise CaptureFormatError(
            f"capture format {version!r} is not supported (this version reads {CAPTURE_FORMAT})"
        )
    received_at = _received_at(record.get("received_at"))
    headers = record.get("headers")
    if not isinstance(headers, list) or not all(_is_header(pair) for pair in headers):
        raise CaptureFormatError("headers: expected a list of [name, value] string pairs")
    return Capture(
        id=_text(record, "id"),
        received_at=received_at,
        method=_text(record, "method"),
        path=_text(record, "path"),
        headers=tuple((pair[0], pair[1]) for pair in headers),
        body=_body(record),
    )


def _is_header(pair: object) -> bool:
    return isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair)


def _text(record: Mapping[str, object], key: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value:
        raise CaptureFormatError(f"{key}: expected a non-empty string")
    return value


def _received_at(value: object) -> datetime:
    if not isinstance(value, str):
        raise CaptureFormatError("received_at: expected an ISO-8601 time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise CaptureFormatError(f"received_at: not an ISO-8601 time: {value!r}") from err
    if parsed.tzinfo is None:
        raise CaptureFormatError(f"received_at: no UTC offset: {value!r}")
    return parsed


def _body(record: Mapping[str, object]) -> bytes:
    text, encoded = record.get("body"), record.get("body_base64")
    if isinstance(text, str) and encoded is None:
        return text.encode("utf-8")
    if isinstance(encoded, str) and text is None:
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as err:
            raise CaptureFormatError("body_base64: not base64") from err
    raise CaptureFormatError("expected exactly one of body (text) or body_base64")
