"""The wire format of Flipdish's v3 Webhook Service API (org-owned subscriptions), in ONE place.

Every name, status code and shape the simulator's v3 management API puts on the wire is here, tagged as
the fact sheet tags it (``/work/shared/ref/flipdish/V3-SUBSCRIPTIONS.md``, section numbers as ``§2.5``):

* ``[V]`` verified: Flipdish states it (source key in brackets, as in the fact sheet);
* ``[I]`` inferred from Flipdish's sources;
* ``[U]`` unknown: Flipdish does not publish it. These are ASSUMPTIONS, each a row of docs/fidelity.md;
  when Flipdish publishes the real value, change it here and nowhere else.

Pure: constants and small functions of data, no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = [
    "ALLOW_LOCAL_HTTP_ENV",
    "DELIVERY_STATUS",
    "DISABLED_EVENT_TYPES",
    "ERROR_CODE_FIELD",
    "ERROR_KEY",
    "ERROR_MESSAGE_FIELD",
    "LIST_KEY",
    "MAX_EVENT_TYPES",
    "MAX_PROPERTY_IDS",
    "MAX_SYNTHETIC_IDS",
    "NOT_FOUND_KEY",
    "ORG_ID",
    "PROPERTY_ID",
    "STATUS",
    "SUBSCRIPTIONS_PATH",
    "SUBSCRIPTION_ID",
    "SYNTHETIC_DELIVERY_PATH",
    "SYNTHETIC_DELIVERY_QUERY",
    "SYNTHETIC_TTL_DAYS",
    "TEST_FLAG_FIELD",
    "TRIGGER_KEY",
    "UPDATE_METHODS",
    "Code",
    "D",
    "F",
    "Status",
    "error_body",
    "property_of",
]

# -- paths ----------------------------------------------------------------------------------------------
#: [V TRG] for the trigger URL; [I] for list/create/update/delete (REST pattern, IDX ordering). The
#: parameter NAMES ``orgId`` / ``subscriptionId`` are [I] (the stored pages render them blank).
SUBSCRIPTIONS_PATH = "/webhooks/orgs/{orgId}/subscriptions"
#: [V TRG] the endpoint exists and takes the trigger's eventIds; prefix, query-vs-path: [U] (assumed:
#: ``GET /synthetic-delivery?eventIds=a,b``, ids also accepted as repeated parameters).
SYNTHETIC_DELIVERY_PATH = "/synthetic-delivery"
SYNTHETIC_DELIVERY_QUERY = "eventIds"
#: Update's method is [U] (UPD is cut off before it): PATCH changes the fields given (absent = kept);
#: PUT replaces the subscription (absent = default). Both are accepted.
UPDATE_METHODS = ("PATCH", "PUT")

# -- ids (§3.1) -----------------------------------------------------------------------------------------
#: ``sub_`` + UUID [V UPD, TRG]; lower-case version 4 when generated [I].
#: Input: any UUID, its hex digits in any case (the prefix is lower-case).
SUBSCRIPTION_ID = re.compile(
    r"sub_(?i:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", re.ASCII
)
#: ``^org\d+$`` [V EVT common-schemas.ts]; ASCII digits only, at most 18 of them (a length limit: [U]).
ORG_ID = re.compile(r"org[0-9]{1,18}", re.ASCII)
#: ``^p\d+$`` [V EVT]; same limits as the org id.
PROPERTY_ID = re.compile(r"p[0-9]{1,18}", re.ASCII)

# -- limits [U] -----------------------------------------------------------------------------------------
MAX_EVENT_TYPES = 100  # more than the 11 catalogue types; only duplicates could exceed it
MAX_PROPERTY_IDS = 1000
#: Catalogue types that are not "enabled" (UPD: new types must exist AND be enabled [V]; what disables one
#: is [U], per-org beta gating of ``sale.*`` is a plausible reading [I]). Default: every type is enabled.
DISABLED_EVENT_TYPES: frozenset[str] = frozenset()


# -- request and response fields: every JSON name is [U] unless tagged ------------------------------------
class F:
    """JSON field names of a subscription (request and response). All [U]: camelCase as every v3 body
    is camelCase [V EVT]; the concepts are [V IDX, UPD]."""

    ID = "id"  # the ``sub_<uuid>`` id [V format; U name]
    ORG_ID = "orgId"  # [U name; "orgId" is the v3 events' field, V EVT]
    CALLBACK_URL = "callbackUrl"  # HTTPS callback [V concept]
    EVENT_TYPES = "eventTypes"  # one or more catalogue types [V concept]
    #: Property scope [V concept: all properties or specific ones; U wire shape]. Assumed: an array of
    #: ``p<digits>`` ids; absent or null = all of the org's properties; an empty array is refused.
    PROPERTY_IDS = "propertyIds"
    STATUS = "status"  # "enabled" / "disabled" [V concept UPD; U name and values]
    #: The signing secret [V exists, IDX]; returned only by create [U: assumed, fact sheet §9.3].
    SECRET = "secret"
    CREATED_AT = "createdAt"  # ISO-8601 UTC [U]
    UPDATED_AT = "updatedAt"  # [U]


class Status:
    """Values of :attr:`F.STATUS` [U]."""

    ENABLED = "enabled"
    DISABLED = "disabled"


STATUS = (Status.ENABLED, Status.DISABLED)

#: List response: ``{"data": [subscription, ...]}``, consolidated (one entry per subscription, its types
#: grouped [V IDX]); no pagination (none documented [V IDX absent]). The wrapper key is [U].
LIST_KEY = "data"
#: Trigger response: ``{"eventIds": [...]}``: the word is [V TRG], the wrapper object [U].
TRIGGER_KEY = "eventIds"


class D:
    """Fields of one ``GET /synthetic-delivery`` entry (one per test event and subscription). All [U]."""

    EVENT_ID = "eventId"
    EVENT_TYPE = "eventType"
    SUBSCRIPTION_ID = "subscriptionId"
    CREATED_AT = "createdAt"
    STATUS = "status"  # a value of DELIVERY_STATUS
    ATTEMPTS = "attempts"
    LAST_ATTEMPT_AT = "lastAttemptAt"
    LAST_STATUS_CODE = "lastStatusCode"  # the receiver's HTTP status, null when none (timeout, refused)
    LAST_OUTCOME = "lastOutcome"  # the simulator's outcome class (acknowledged, timeout, 500, ...)


#: ``/synthetic-delivery`` answers ``{"data": [entries], "notFound": [ids]}`` [U]; ids unknown, not a test
#: event, or older than SYNTHETIC_TTL_DAYS are "not found". At most MAX_SYNTHETIC_IDS ids per request [U].
NOT_FOUND_KEY = "notFound"
MAX_SYNTHETIC_IDS = 100
#: The sender's delivery state -> the status reported [U].
DELIVERY_STATUS = {
    "pending": "pending",  # waiting for its first attempt or a retry
    "acknowledged": "delivered",  # a 2xx came back
    "expired": "failed",  # retried for the whole retry window without a 2xx
    "dropped": "not_sent",  # the subscription was disabled when the event was raised
    "suspended": "suspended",  # the subscription was disabled while it waited for a retry
}

#: The synthetic events' test flag [V TRG: "metadata flagging them as test"]; its name and place [U]:
#: assumed a top-level boolean of the (camelCase) body.
TEST_FLAG_FIELD = "isTest"
#: Test-delivery records live 7 days [V TRG]: ``/synthetic-delivery`` forgets them after that.
SYNTHETIC_TTL_DAYS = 7
#: The switch that lets local receivers use ``http://127.0.0.1`` / ``http://localhost`` callbacks
#: (Flipdish accepts HTTPS only [V IDX, UPD, V3DOC]); also ``flipdish-sim serve --v3-allow-local-http``.
ALLOW_LOCAL_HTTP_ENV = "FLIPDISH_SIM_V3_ALLOW_LOCAL_HTTP"


# -- status codes: all [U] but constrained to the codes Flipdish's API linter allows [V SPEC] ---------------
class Code:
    """HTTP statuses. Flipdish's ``publish-api`` lint allows only 200, 201, 204, 400, 401, 403, 404, 409,
    429 and 500 [V SPEC] (so no 202 for the asynchronous trigger)."""

    LISTED = 200
    CREATED = 201
    UPDATED = 200  # answers with the updated subscription
    DELETED = 204
    TRIGGERED = 200
    DELIVERY_STATUS = 200
    BAD_REQUEST = 400  # bad body, http:// URL, unknown type, malformed id [§9.2 I]
    UNAUTHORIZED = 401  # [V ERR]
    NOT_FOUND = 404  # unknown or deleted subscription, or another org's [§9.2 I]
    CONFLICT = 409  # trigger of a disabled subscription (§9.2 leaves 400 or 409 open)
    METHOD_NOT_ALLOWED = 405  # Starlette's answer; outside the linted list, as at any HTTP server


# -- errors ----------------------------------------------------------------------------------------------
#: ``{"error": {"message": ..., "code": ...}}``: the example of Flipdish's error-handling page [V ERR];
#: its prose names the fields errorMessage/errorCode instead [V ERR, inconsistent]; which one the
#: Webhook Service uses is [U]. The codes themselves (snake_case [V ERR style]) are [U].
ERROR_KEY = "error"
ERROR_MESSAGE_FIELD = "message"
ERROR_CODE_FIELD = "code"


def error_body(code: str, message: str) -> dict[str, object]:
    """The v3 error document for ``code`` (snake_case) and a one-sentence ``message``."""
    return {ERROR_KEY: {ERROR_MESSAGE_FIELD: message, ERROR_CODE_FIELD: code}}


def property_of(payload: Mapping[str, object]) -> str | None:
    """The property id a v3 event is about: the body's ``propertyId`` (every v3 properties schema requires
    it [V EVT]), or ``detail.properties.propertyId`` in the EventBridge form; ``None`` when absent."""
    found = payload.get("propertyId")
    if found is None:
        detail = payload.get("detail")
        properties = detail.get("properties") if isinstance(detail, Mapping) else None
        found = properties.get("propertyId") if isinstance(properties, Mapping) else None
    return found if isinstance(found, str) else None
