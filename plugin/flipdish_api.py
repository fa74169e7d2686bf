"""A respx mock of the parts of Flipdish's REST API a webhook receiver calls back into.

    with FlipdishApi() as api:                      # the ``flipdish_api`` fixture
        httpx.post("https://api.flipdish.co/api/v1.0/orders/42/accept",
                   json={"EstimatedMinutesForDelivery": 20}, headers={"Authorization": "Bearer t"})
        assert api.accepted[42] == {"EstimatedMinutesForDelivery": 20}

Endpoints, in Flipdish's JSON shapes (FACTS.md section 4.1; the order endpoints from Flipdish's generated
API clients, ``OrdersApi``): the legacy webhook subscription API under
``/api/v1.0/{appId}/webhooks[/{oauthAppId}/subscriptions...]`` and ``POST /api/v1.0/orders/{id}/accept`` /
``.../reject``. Every other request (your receiver, other hosts) passes through untouched.

Assumptions (not published by Flipdish): a request without ``Authorization: Bearer ...`` is answered 401; an
error body is ``{"errorMessage", "errorCode"}`` (the shape Flipdish's error-handling page describes); an
unknown subscription is 404; accepting or rejecting the same order twice is allowed (last one wins).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from types import TracebackType
from typing import Any

import httpx

from flipdish_sim.contracts.catalogue import Family, catalogue
from flipdish_sim.contracts.examples import example
from flipdish_sim.errors import UsageError

# respx is optional (the flipdish-api extra): its pytest plugin would slow every pytest run of every user
try:
    import respx
except ImportError as err:
    raise UsageError(
        "the flipdish_api fixture needs respx: pip install 'flipdish-sim[flipdish-api]'"
    ) from err

__all__ = ["API_HOST", "REJECT_REASONS", "FlipdishApi"]

API_HOST = "api.flipdish.co"
REJECT_REASONS = (
    "TooBusy", "FoodUnavailable", "UnableToDeliver", "UnknownAddress", "UnknownReason", "TooSoon",
    "TimeUnavailable", "DontDeliverToArea", "StoreUncontactable",
)  # fmt: skip
"""``Reject.RejectReason`` values (Flipdish's generated API clients)."""

_SEG = r"(?P<{}>[^/]+)"
_SUBS = (
    r"^/api/v1\.0/" + _SEG.format("app_id") + "/webhooks/" + _SEG.format("oauth_app_id") + "/subscriptions"
)
_ONE = _SUBS + r"/(?P<sub_id>\d+)"
Handler = Callable[..., httpx.Response]


def _error(status: int, message: str, code: int | None = None) -> httpx.Response:
    return httpx.Response(status, json={"errorMessage": message, "errorCode": code or status})


def _body(request: httpx.Request) -> dict[str, Any]:
    try:
        document = json.loads(request.content or b"{}")
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


class FlipdishApi:
    """An in-memory Flipdish API behind respx; state is inspectable (``subscriptions``, ``accepted``...)."""

    def __init__(self, *, host: str = API_HOST, require_auth: bool = True) -> None:
        self.host = host
        self.require_auth = require_auth
        self.subscriptions: dict[int, dict[str, Any]] = {}
        self.accepted: dict[int, dict[str, Any]] = {}
        self.rejected: dict[int, dict[str, Any]] = {}
        self.logs: dict[int, list[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self.router = respx.MockRouter(assert_all_called=False, assert_all_mocked=False)
        self._register()

    # -- lifecycle -------------------------------------------------------------------------------------
    def __enter__(self) -> FlipdishApi:
        self.router.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.router.__exit__(kind, error, trace)

    @property
    def calls(self) -> Any:
        """respx's record of every call the mock answered."""
        return self.router.calls

    # -- routes ----------------------------------------------------------------------------------------
    def _route(self, method: str, pattern: str, handler: Handler) -> None:
        def guarded(request: httpx.Request, **groups: str) -> httpx.Response:
            auth = request.headers.get("Authorization", "")
            if self.require_auth and not auth.lower().startswith("bearer "):
                return _error(401, "Authorization has been denied for this request.")
            return handler(request, **groups)

        self.router.route(method=method, host=self.host, path__regex=pattern + "$").mock(side_effect=guarded)

    def _register(self) -> None:
        events = r"^/api/v1\.0/" + _SEG.format("app_id") + "/webhooks/events"
        self._route("GET", events, self._event_names)
        self._route("GET", _SUBS, self._list)
        self._route("POST", _SUBS, self._create)
        self._route("PUT", _ONE, self._update)
        self._route("DELETE", _ONE, self._delete)
        self._route("GET", _ONE + "/events", self._sub_events)
        self._route("POST", _ONE + r"/events/(?P<name>[^/]+)", self._add_event)
        self._route("DELETE", _ONE + r"/events/(?P<name>[^/]+)", self._remove_event)
        self._route("GET", _ONE + r"/events/(?P<name>[^/]+)/test", self._sample)
        self._route("GET", _ONE + "/logs", self._logs)
        self._route("POST", r"^/api/v1\.0/orders/(?P<order_id>\d+)/accept", self._accept)
        self._route("POST", r"^/api/v1\.0/orders/(?P<order_id>\d+)/reject", self._reject)
        self.router.route().pass_through()  # everything else: the real transport

    # -- handlers --------------------------------------------------------------------------------------
    def _event_names(self, request: httpx.Request, **_: str) -> httpx.Response:
        return httpx.Response(200, json={"Data": [spec.name for spec in catalogue(Family.LEGACY)]})

    def _list(self, request: httpx.Request, **_: str) -> httpx.Response:
        page = int(request.url.params.get("page", 1))
        limit = int(request.url.params.get("limit", 20))
        items = list(self.subscriptions.values())
        window = items[(page - 1) * limit : page * limit]
        return httpx.Response(
            200, json={"Page": page, "Limit": limit, "TotalRecordCount": len(items), "Data": window}
        )

    def _create(self, request: httpx.Request, **_: str) -> httpx.Response:
        body = _body(request)
        if not isinstance(body.get("CallbackUrl"), str):
            return _error(400, "CallbackUrl is required")
        new_id = next(self._ids)
        self.subscriptions[new_id] = {
            "Id": new_id,
            "OwnerUserId": int(body.get("OwnerUserId", 1)),
            "Version": str(body.get("Version", "2.0")),
            "EventNames": list(body.get("EventNames", [])),
            "CallbackUrl": body["CallbackUrl"],
            "Enabled": bool(body.get("Enabled", True)),
            "VerifyToken": body.get("VerifyToken"),
        }
        return httpx.Response(200, json={"Data": new_id})

    def _find(self, sub_id: str) -> dict[str, Any] | None:
        return self.subscriptions.get(int(sub_id))

    def _update(self, request: httpx.Request, sub_id: str, **_: str) -> httpx.Response:
        sub = self._find(sub_id)
        if sub is None:
            return _error(404, f"webhook subscription {sub_id} not found")
        changes = {k: v for k, v in _body(request).items() if k in sub and k != "Id"}
        sub.update(changes)  # re-enabling a disabled webhook = PUT with Enabled: true (FACTS 4.1)
        return httpx.Response(200)

    def _delete(self, request: httpx.Request, sub_id: str, **_: str) -> httpx.Response:
        if self.subscriptions.pop(int(sub_id), None) is None:
            return _error(404, f"webhook subscription {sub_id} not found")
        return httpx.Response(200)

    def _sub_events(self, request: httpx.Request, sub_id: str, **_: str) -> httpx.Response:
        sub = self._find(sub_id)
        if sub is None:
            return _error(404, f"webhook subscription {sub_id} not found")
        return httpx.Response(200, json={"Data": list(sub["EventNames"])})

    def _add_event(self, request: httpx.Request, sub_id: str, name: str, **_: str) -> httpx.Response:
        sub = self._find(sub_id)
        if sub is None:
            return _error(404, f"webhook subscription {sub_id} not found")
        if name in sub["EventNames"]:
            return _error(409, f"already subscribed to {name}")
        sub["EventNames"].append(name)
        return httpx.Response(200)

    def _remove_event(self, request: httpx.Request, sub_id: str, name: str, **_: str) -> httpx.Response:
        sub = self._find(sub_id)
        if sub is None or name not in sub["EventNames"]:
            return _error(404, f"webhook subscription {sub_id} has no event {name}")
        sub["EventNames"].remove(name)
        return httpx.Response(200)

    def _sample(self, request: httpx.Request, sub_id: str, name: str, **_: str) -> httpx.Response:
        if self._find(sub_id) is None:
            return _error(404, f"webhook subscription {sub_id} not found")
        if name not in {spec.name for spec in catalogue(Family.LEGACY)}:
            return _error(400, f"unknown event name {name}")
        return httpx.Response(200, json=example(name))  # WebhookEventSample: {Type, CreateTime, Body}

    def _logs(self, request: httpx.Request, sub_id: str, **_: str) -> httpx.Response:
        if "start" not in request.url.params or "end" not in request.url.params:
            return _error(400, "start and end are required")
        items = self.logs.get(int(sub_id), [])
        return httpx.Response(
            200, json={"Page": 1, "Limit": len(items), "TotalRecordCount": len(items), "Data": items}
        )

    def _accept(self, request: httpx.Request, order_id: str, **_: str) -> httpx.Response:
        self.accepted[int(order_id)] = _body(request)
        return httpx.Response(200)

    def _reject(self, request: httpx.Request, order_id: str, **_: str) -> httpx.Response:
        body = _body(request)
        if body.get("RejectReason") not in REJECT_REASONS:
            return _error(400, f"RejectReason must be one of {', '.join(REJECT_REASONS)}")
        self.rejected[int(order_id)] = body
        return httpx.Response(200)
