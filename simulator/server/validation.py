"""Request parsing for the server: bounded JSON bodies, callback URLs, subscriptions, pages, timestamps.

Every refusal is an ``ApiError`` with a 4xx status and a Flipdish-style error code; nothing here raises
anything else for bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request

from flipdish_sim.contracts.document import JsonDocumentError, parse_json
from flipdish_sim.simulator.model._subscription_rules import (
    InvalidSubscriptionError,
    check_callback_url,
    check_verify_token,
    check_version,
)
from flipdish_sim.simulator.server.errors import ApiError
from flipdish_sim.simulator.server.querydates import parse_query_date

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_BODY_BYTES",
    "MAX_ID",
    "MAX_LIMIT",
    "DigitsConvertor",
    "SubscriptionInput",
    "page_of",
    "parse_page",
    "parse_subscription",
    "parse_timestamp",
    "path_id",
    "read_body",
    "read_json",
    "validate_callback_url",
]

#: Largest request body the server reads (bytes); larger bodies get 413.
MAX_BODY_BYTES = 1_000_000
#: Page size when ``limit`` is not given, and the largest accepted (Flipdish publishes neither: assumed).
DEFAULT_LIMIT = 20
MAX_LIMIT = 500
#: Largest id in a path: the log stores ids as SQLite integers (signed 64-bit).
MAX_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class SubscriptionInput:
    """The writable fields of a ``WebhookSubscription`` body; ``None`` means "not given"."""

    callback_url: str | None = None
    event_names: tuple[str, ...] | None = None
    enabled: bool | None = None
    verify_token: str | None = None
    version: str | None = None


async def read_body(request: Request, *, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refusing (413) anything over ``limit`` bytes before reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "payload_too_large", f"request body is {declared} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "payload_too_large", f"request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, *, limit: int = MAX_BODY_BYTES) -> object:
    """The request body parsed as strict JSON (400 ``invalid_json`` when it is not; see
    :mod:`flipdish_sim.contracts.document`)."""
    raw = await read_body(request, limit=limit)
    try:
        return parse_json(raw.decode("utf-8-sig"))
    except JsonDocumentError as err:  # NaN, 1e999999, a lone surrogate, nesting over MAX_DEPTH
        raise ApiError(400, "invalid_json", f"request body cannot be used: {err}") from err
    except (UnicodeDecodeError, ValueError) as err:
        raise ApiError(400, "invalid_json", f"request body is not valid JSON: {err}") from err


def validate_callback_url(url: object) -> str:
    """``url`` when the sender can POST to it (the subscription rule); else 400 ``invalid_callback_url``."""
    try:
        return check_callback_url(url)
    except InvalidSubscriptionError as err:
        raise ApiError(400, err.code, str(err)) from err


def _event_names(value: object, known: Collection[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(400, "invalid_subscription", "EventNames must be an array of strings")
    unknown = [name for name in value if name not in known]
    if unknown:
        raise ApiError(400, "unknown_event_name", f"unknown event name {unknown[0]!r}")
    return tuple(dict.fromkeys(value))


def _optional_str(doc: Mapping[str, object], key: str, rule: Callable[[object], str | None]) -> str | None:
    value = doc.get(key)
    if value is not None and not isinstance(value, str):
        raise ApiError(400, "invalid_subscription", f"{key} must be a string")
    try:
        return rule(value)
    except InvalidSubscriptionError as err:
        raise ApiError(400, err.code, str(err)) from err


def parse_subscription(doc: object, *, known_events: Collection[str], create: bool) -> SubscriptionInput:
    """A ``WebhookSubscription`` request body; ``create`` requires CallbackUrl. Id/OwnerUserId are ignored."""
    if not isinstance(doc, dict):
        raise ApiError(400, "invalid_subscription", "request body must be a WebhookSubscription JSON object")
    url = doc.get("CallbackUrl")
    if url is None and create:
        raise ApiError(400, "invalid_callback_url", "CallbackUrl is required")
    enabled = doc.get("Enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise ApiError(400, "invalid_subscription", "Enabled must be true or false")
    names = doc.get("EventNames")
    return SubscriptionInput(
        callback_url=None if url is None else validate_callback_url(url),
        event_names=None if names is None else _event_names(names, known_events),
        enabled=enabled,
        verify_token=_optional_str(doc, "VerifyToken", check_verify_token),
        version=_optional_str(doc, "Version", check_version),
    )


class DigitsConvertor(Convertor[str]):
    """``{name:digits}`` in a route: ASCII digits, kept as text (Starlette's ``int`` converts while routing,
    and a 5,000-digit id fails there, before any handler could answer); :func:`path_id` converts."""

    regex = "[0-9]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return str(value)


register_url_convertor("digits", DigitsConvertor())


def path_id(request: Request, name: str, what: str = "subscription") -> int:
    """The path parameter ``name`` as a log id: ASCII digits up to 2**63 - 1 (SQLite's integer range).

    A larger number names nothing in the log: 404 ``not_found``, as an unknown id; anything but ASCII
    digits is a 400 ``invalid_parameter``.
    """
    text = str(request.path_params[name])
    if not (text.isascii() and text.isdigit()):
        raise ApiError(400, "invalid_parameter", f"{name} must be an integer, not {text[:40]!r}")
    if len(text.lstrip("0")) > len(str(MAX_ID)) or int(text) > MAX_ID:
        raise ApiError(404, "not_found", f"no {what} {text[:40]}: ids go up to {MAX_ID}")
    return int(text)


def _int_param(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = query.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError as err:
        raise ApiError(400, "invalid_parameter", f"{name} must be an integer, not {text!r}") from err
    if not low <= value <= high:
        raise ApiError(400, "invalid_parameter", f"{name} must be between {low} and {high}, not {value}")
    return value


def parse_page(query: Mapping[str, str]) -> tuple[int, int]:
    """``(page, limit)`` from the query: page is 1-based (default 1), limit 1..MAX_LIMIT (default 20)."""
    return _int_param(query, "page", 1, 1, 2**31 - 1), _int_param(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)


def page_of(items: Sequence[object], page: int, limit: int) -> dict[str, object]:
    """A ``RestApiPaginationResult``: ``{Page, Limit, TotalRecordCount, Data}``."""
    offset = (page - 1) * limit
    return {
        "Page": page,
        "Limit": limit,
        "TotalRecordCount": len(items),
        "Data": list(items[offset : offset + limit]),
    }


def parse_timestamp(query: Mapping[str, str], name: str) -> datetime:
    """A required ISO-8601 query parameter as an aware datetime (naive values are taken as UTC)."""
    text = query.get(name)
    if not text:
        raise ApiError(400, "invalid_parameter", f"{name} is required (an ISO-8601 date-time)")
    try:
        return parse_query_date(text)  # ISO-8601, RFC 1123 or JavaScript's Date.toString(), as clients send
    except ValueError as err:
        raise ApiError(400, "invalid_parameter", f"{name}: {err}") from err
    except OverflowError as err:  # 0001-01-01T00:00+14:00 is before the first representable instant
        raise ApiError(
            400, "invalid_parameter", f"{name}: {text[:60]!r} is out of the range of dates"
        ) from err
