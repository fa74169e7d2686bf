"""Parsing the v3 API's requests: ids, callback URLs, event types, property scope, status.

Every refusal is a :class:`V3Error` (400 unless said otherwise) whose code and message the v3 API sends in
its error shape (:func:`flipdish_sim.simulator.wire._v3_api.error_body`). Field names come from the wire
module; the rules are the fact sheet's (V3-SUBSCRIPTIONS.md §3.2) and the sender's own subscription rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from flipdish_sim.contracts.catalogue import Family, catalogue
from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.model._subscription_rules import InvalidSubscriptionError, check_callback_url
from flipdish_sim.simulator.wire._v3_api import (
    DISABLED_EVENT_TYPES,
    MAX_EVENT_TYPES,
    MAX_PROPERTY_IDS,
    ORG_ID,
    PROPERTY_ID,
    STATUS,
    SUBSCRIPTION_ID,
    Code,
    F,
    Status,
)

__all__ = [
    "LOCAL_HOSTS",
    "V3Change",
    "V3Error",
    "parse_change",
    "parse_org",
    "parse_subscription_id",
    "v3_event_types",
]

#: Hosts an ``http://`` callback may name when local HTTP is allowed (``--v3-allow-local-http``).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


class V3Error(UsageError):
    """A v3 API request refused: HTTP ``status``, snake_case ``code``, one-sentence ``message``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@cache
def v3_event_types() -> tuple[str, ...]:
    """The v3 catalogue's event types a subscription may take (the enabled ones)."""
    return tuple(s.name for s in catalogue(Family.V3) if s.name not in DISABLED_EVENT_TYPES)


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:60] + "…")


def parse_org(text: str) -> str:
    if ORG_ID.fullmatch(text) is None:
        why = f"orgId must be 'org' and digits, not {_shown(text)}"
        raise V3Error(Code.BAD_REQUEST, "invalid_org_id", why)
    return text


def parse_subscription_id(text: str) -> str:
    """A ``sub_<uuid>`` id, lower-cased (ids are generated lower-case; any case finds them)."""
    if SUBSCRIPTION_ID.fullmatch(text) is None:
        raise V3Error(
            Code.BAD_REQUEST,
            "invalid_subscription_id",
            f"subscriptionId must be 'sub_' and a UUID, not {_shown(text)}",
        )
    return text.lower()


@dataclass(frozen=True, slots=True)
class V3Change:
    """The writable fields of a request; ``None`` is "not given", except for the property scope, where
    ``scope_given`` says whether ``property_ids`` (None: all properties) was given."""

    callback_url: str | None = None
    event_types: tuple[str, ...] | None = None
    property_ids: tuple[str, ...] | None = None
    scope_given: bool = False
    status: str | None = None


def _callback_url(value: object, *, allow_local_http: bool) -> str:
    if not isinstance(value, str):
        raise V3Error(Code.BAD_REQUEST, "invalid_callback_url", f"{F.CALLBACK_URL} must be a string")
    try:
        url = check_callback_url(value)
    except InvalidSubscriptionError as err:
        raise V3Error(Code.BAD_REQUEST, "invalid_callback_url", str(err)) from err
    parts = urlsplit(url)
    if parts.scheme == "https":
        return url
    if allow_local_http and (parts.hostname or "").lower() in LOCAL_HOSTS:
        return url
    hint = "" if allow_local_http else " (start the server with --v3-allow-local-http for local receivers)"
    why = "must use https://" + (", or http:// to 127.0.0.1 or localhost" if allow_local_http else "")
    raise V3Error(Code.BAD_REQUEST, "invalid_callback_url", f"{F.CALLBACK_URL} {why}{hint}")


def _event_types(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise V3Error(Code.BAD_REQUEST, "invalid_event_types", f"{F.EVENT_TYPES} must be an array of strings")
    if not value:
        raise V3Error(Code.BAD_REQUEST, "invalid_event_types", f"{F.EVENT_TYPES} needs at least one type")
    if len(value) > MAX_EVENT_TYPES:
        raise V3Error(
            Code.BAD_REQUEST, "invalid_event_types", f"{F.EVENT_TYPES} holds more than {MAX_EVENT_TYPES}"
        )
    known = v3_event_types()
    for name in value:
        if name not in known:
            raise V3Error(
                Code.BAD_REQUEST,
                "unknown_event_type",
                f"{_shown(name)} is not an enabled v3 event type; known: {', '.join(known)}",
            )
    return tuple(dict.fromkeys(value))


def _property_ids(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None  # all of the org's properties
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise V3Error(
            Code.BAD_REQUEST, "invalid_property_ids", f"{F.PROPERTY_IDS} must be null or an array of strings"
        )
    if not value or len(value) > MAX_PROPERTY_IDS:
        raise V3Error(
            Code.BAD_REQUEST,
            "invalid_property_ids",
            f"{F.PROPERTY_IDS} must hold 1 to {MAX_PROPERTY_IDS} ids (null: all properties)",
        )
    for item in value:
        if PROPERTY_ID.fullmatch(item) is None:
            why = f"a property id is 'p' and digits, not {_shown(item)}"
            raise V3Error(Code.BAD_REQUEST, "invalid_property_ids", why)
    return tuple(dict.fromkeys(value))


def _status(value: object) -> str:
    if value not in STATUS:
        raise V3Error(
            Code.BAD_REQUEST, "invalid_status", f"{F.STATUS} must be one of {', '.join(map(repr, STATUS))}"
        )
    assert isinstance(value, str)
    return value


def parse_change(doc: object, *, method: str, allow_local_http: bool) -> V3Change:
    """A create (``POST``), replace (``PUT``) or partial update (``PATCH``) body.

    POST and PUT require the callback URL and event types and default the scope to all properties and the
    status to enabled; PATCH changes only what it gives (``propertyIds: null`` = all properties). Unknown
    fields (e.g. delivery preferences, which the simulator does not model) are ignored.
    """
    if not isinstance(doc, Mapping):
        raise V3Error(Code.BAD_REQUEST, "invalid_request", "request body must be a JSON object")
    full = method != "PATCH"
    for name in (F.CALLBACK_URL, F.EVENT_TYPES):
        if full and doc.get(name) is None:
            raise V3Error(Code.BAD_REQUEST, "invalid_request", f"{name} is required")
    url, types, status = doc.get(F.CALLBACK_URL), doc.get(F.EVENT_TYPES), doc.get(F.STATUS)
    scope_given = F.PROPERTY_IDS in doc or full
    return V3Change(
        callback_url=None if url is None else _callback_url(url, allow_local_http=allow_local_http),
        event_types=None if types is None else _event_types(types),
        property_ids=_property_ids(doc.get(F.PROPERTY_IDS)) if scope_given else None,
        scope_given=scope_given,
        status=Status.ENABLED if status is None and full else (None if status is None else _status(status)),
    )
