"""Flipdish's v1.0 webhook management API at Flipdish's own paths and with its JSON shapes (FACTS.md 4.1).

    GET    /api/v1.0/{appId}/webhooks/events                               RestApiStringArrayResult
    GET    /api/v1.0/{appId}/webhooks/{oauthAppId}/subscriptions?page&limit  RestApiPaginationResult
    POST   /api/v1.0/{appId}/webhooks/{oauthAppId}/subscriptions           RestApiIntegerResult
    PUT    .../subscriptions/{id}              (Enabled: true re-enables)  200, empty body
    DELETE .../subscriptions/{id}                                          200, empty body
    GET    .../subscriptions/{id}/events                                   RestApiStringArrayResult
    POST   .../subscriptions/{id}/events/{eventName}   (409 if present)    200, empty body
    DELETE .../subscriptions/{id}/events/{eventName}                       200, empty body
    GET    .../subscriptions/{id}/events/{eventName}/test?version=         WebhookEventSample
    GET    .../subscriptions/{id}/logs?start&end&page&limit                RestApiPaginationResult

``appId`` and ``oauthAppId`` are accepted and not checked: the simulator holds one app's subscriptions.
Subscriptions of the v3 family (org-owned: :mod:`.v3_api`) are not v1.0 webhooks: not listed, 404 by id.
The verify token is returned unmasked only by ``GET .../subscriptions`` (the owner's own listing, as at
Flipdish), unless the server was started with ``reveal_verify_token=False``; everywhere else it is masked.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flipdish_sim.simulator.log._store import UnknownSubscriptionError
from flipdish_sim.simulator.model._subscription import Subscription, mask_secret
from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.errors import ApiError
from flipdish_sim.simulator.server.validation import (
    page_of,
    parse_page,
    parse_subscription,
    parse_timestamp,
    path_id,
    read_json,
)

__all__ = ["routes", "subscription_json"]

BASE = "/api/v1.0/{appId}/webhooks"
SUBS = BASE + "/{oauthAppId}/subscriptions"
ONE = SUBS + "/{webhookSubscriptionId:digits}"


def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


def _id(request: Request) -> int:
    """The path's subscription id; a v3 (org-owned) subscription is not a v1.0 webhook: 404."""
    sub_id = path_id(request, "webhookSubscriptionId")
    if _backend(request).subscription(sub_id).family != "legacy":
        raise UnknownSubscriptionError(f"no subscription {sub_id}: it is a v3 subscription")
    return sub_id


def subscription_json(sub: Subscription, *, reveal_token: bool) -> dict[str, object]:
    """A ``WebhookSubscription`` (``VerifyToken`` masked unless ``reveal_token``; absent when unset)."""
    doc: dict[str, object] = {
        "Id": sub.id,
        "OwnerUserId": sub.owner_user_id,
        "Version": sub.version,
        "EventNames": list(sub.event_names),
        "CallbackUrl": sub.callback_url,
        "Enabled": sub.enabled,
    }
    if sub.verify_token is not None:
        doc["VerifyToken"] = sub.verify_token if reveal_token else mask_secret(sub.verify_token)
    return doc


def _ok() -> Response:
    return Response(status_code=200)


async def event_names(request: Request) -> Response:
    return JSONResponse({"Data": list(_backend(request).event_names())})


async def list_subscriptions(request: Request) -> Response:
    page, limit = parse_page(request.query_params)
    reveal = bool(request.app.state.reveal_verify_token)
    subs = [
        subscription_json(s, reveal_token=reveal)
        for s in _backend(request).subscriptions()
        if s.family == "legacy"
    ]
    return JSONResponse(page_of(subs, page, limit))


async def create_subscription(request: Request) -> Response:
    backend = _backend(request)
    spec = parse_subscription(await read_json(request), known_events=backend.event_names(), create=True)
    return JSONResponse({"Data": backend.create_subscription(spec).id})


async def update_subscription(request: Request) -> Response:
    backend = _backend(request)
    sub_id = _id(request)
    backend.subscription(sub_id)  # 404 before reading the body
    spec = parse_subscription(await read_json(request), known_events=backend.event_names(), create=False)
    await backend.update_subscription(sub_id, spec)
    return _ok()


async def delete_subscription(request: Request) -> Response:
    _backend(request).delete_subscription(_id(request))
    return _ok()


async def subscription_events(request: Request) -> Response:
    sub = _backend(request).subscription(_id(request))
    return JSONResponse({"Data": list(sub.event_names)})


def _known_event(backend: Backend, name: str) -> str:
    if name not in backend.event_names():
        raise ApiError(400, "unknown_event_name", f"unknown event name {name!r}")
    return name


async def add_event_name(request: Request) -> Response:
    backend = _backend(request)
    sub = backend.subscription(_id(request))
    name = _known_event(backend, request.path_params["eventName"])
    if name in sub.event_names:
        raise ApiError(409, "conflict", f"subscription {sub.id} already receives {name!r}")
    backend.set_event_names(sub.id, (*sub.event_names, name))
    return _ok()


async def remove_event_name(request: Request) -> Response:
    backend = _backend(request)
    sub = backend.subscription(_id(request))
    name = request.path_params["eventName"]
    if name not in sub.event_names:
        raise ApiError(404, "not_found", f"subscription {sub.id} does not receive {name!r}")
    backend.set_event_names(sub.id, tuple(n for n in sub.event_names if n != name))
    return _ok()


async def event_sample(request: Request) -> Response:
    backend = _backend(request)
    sub = backend.subscription(_id(request))
    name = _known_event(backend, request.path_params["eventName"])
    version = request.query_params.get("version") or sub.version
    return JSONResponse(backend.sample(name, version=version))


async def logs(request: Request) -> Response:
    backend = _backend(request)
    sub = backend.subscription(_id(request))
    query = request.query_params
    start, end = parse_timestamp(query, "start"), parse_timestamp(query, "end")
    if end < start:
        raise ApiError(400, "invalid_parameter", "end must not be earlier than start")
    page, limit = parse_page(query)
    total, records = backend.webhook_logs(
        sub.id, start=start, end=end, offset=(page - 1) * limit, limit=limit
    )
    return JSONResponse({"Page": page, "Limit": limit, "TotalRecordCount": total, "Data": records})


def routes() -> list[Route]:
    """The v1.0 routes, in Flipdish's order."""
    return [
        Route(BASE + "/events", event_names, methods=["GET"]),
        Route(SUBS, list_subscriptions, methods=["GET"]),
        Route(SUBS, create_subscription, methods=["POST"]),
        Route(ONE, update_subscription, methods=["PUT"]),
        Route(ONE, delete_subscription, methods=["DELETE"]),
        Route(ONE + "/events", subscription_events, methods=["GET"]),
        Route(ONE + "/events/{eventName}", add_event_name, methods=["POST"]),
        Route(ONE + "/events/{eventName}", remove_event_name, methods=["DELETE"]),
        Route(SUBS + "/{webhookSubscriptionId}/events/{eventName}/test", event_sample, methods=["GET"]),
        Route(ONE + "/logs", logs, methods=["GET"]),
    ]
