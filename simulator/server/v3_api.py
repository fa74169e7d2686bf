"""Flipdish's v3 Webhook Service API (org-owned subscriptions), at the fact sheet's paths.

    GET         /webhooks/orgs/{orgId}/subscriptions                          200 {"data": [subscription]}
    POST        /webhooks/orgs/{orgId}/subscriptions                          201 subscription + "secret"
    PATCH|PUT   /webhooks/orgs/{orgId}/subscriptions/{subscriptionId}         200 subscription
    DELETE      /webhooks/orgs/{orgId}/subscriptions/{subscriptionId}         204
    GET         /webhooks/orgs/{orgId}/subscriptions/{subscriptionId}/trigger 200 {"eventIds": [...]}
    GET         /synthetic-delivery?eventIds=a,b                              200 {"data", "notFound"}

Bearer-authenticated with the server's API token, like the v1.0 API. Every field name, status code and
the error shape come from :mod:`flipdish_sim.simulator.wire._v3_api` (which tags each as verified,
inferred or assumed); every refusal is ``{"error": {"message", "code"}}`` with a 4xx, never a 500.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.log._store import UnknownSubscriptionError
from flipdish_sim.simulator.log._v3 import TestDelivery, V3Meta
from flipdish_sim.simulator.model._subscription import Subscription
from flipdish_sim.simulator.model._subscription_rules import InvalidSubscriptionError
from flipdish_sim.simulator.server.errors import ApiError
from flipdish_sim.simulator.server.v3_input import V3Error, parse_change, parse_org, parse_subscription_id
from flipdish_sim.simulator.server.v3_registry import V3Registry
from flipdish_sim.simulator.server.validation import read_json
from flipdish_sim.simulator.wire._signing import format_timestamp
from flipdish_sim.simulator.wire._v3_api import (
    DELIVERY_STATUS,
    LIST_KEY,
    MAX_SYNTHETIC_IDS,
    NOT_FOUND_KEY,
    SUBSCRIPTIONS_PATH,
    SYNTHETIC_DELIVERY_PATH,
    SYNTHETIC_DELIVERY_QUERY,
    TRIGGER_KEY,
    UPDATE_METHODS,
    Code,
    D,
    F,
    Status,
    error_body,
)

__all__ = ["routes", "subscription_json"]

ONE = SUBSCRIPTIONS_PATH + "/{subscriptionId}"
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
Handler = Callable[[Request], Awaitable[Response]]


def _error(status: int, code: str, message: str) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == Code.UNAUTHORIZED else None
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def _v3(methods: dict[str, Handler]) -> Handler:
    """One endpoint: the bearer token, the method, and every refusal in the v3 error shape."""

    async def endpoint(request: Request) -> Response:
        if not request.app.state.keys.bearer_ok(request.headers.get("authorization")):
            return _error(Code.UNAUTHORIZED, "unauthorized", "send 'Authorization: Bearer <token>'")
        handler = methods.get(request.method)
        if handler is None:
            response = _error(
                Code.METHOD_NOT_ALLOWED, "method_not_allowed", f"{request.method} is not allowed here"
            )
            response.headers["Allow"] = ", ".join(methods)
            return response
        try:
            return await handler(request)
        except (V3Error, ApiError) as err:
            return _error(err.status, err.code, err.message)
        except InvalidSubscriptionError as err:
            return _error(Code.BAD_REQUEST, err.code, str(err))
        except UnknownSubscriptionError as err:
            return _error(Code.NOT_FOUND, "subscription_not_found", str(err))
        except UsageError as err:
            return _error(Code.BAD_REQUEST, "bad_request", str(err))

    return endpoint


def _registry(request: Request) -> V3Registry:
    registry: V3Registry = request.app.state.v3
    return registry


def _org(request: Request) -> str:
    return parse_org(str(request.path_params["orgId"]))


def _target(request: Request) -> tuple[str, str]:
    return _org(request), parse_subscription_id(str(request.path_params["subscriptionId"]))


def subscription_json(sub: Subscription, meta: V3Meta) -> dict[str, object]:
    """A subscription as the v3 API shows it (the secret is added by create only)."""
    return {
        F.ID: meta.public_id,
        F.ORG_ID: meta.org_id,
        F.CALLBACK_URL: sub.callback_url,
        F.EVENT_TYPES: list(sub.event_names),
        F.PROPERTY_IDS: None if meta.property_ids is None else list(meta.property_ids),
        F.STATUS: Status.ENABLED if sub.enabled else Status.DISABLED,
        F.CREATED_AT: format_timestamp(sub.created_at) if sub.created_at else None,
        F.UPDATED_AT: format_timestamp(meta.updated_at),
    }


def _allow_local_http(request: Request) -> bool:
    return bool(getattr(request.app.state, "v3_allow_local_http", False))


async def list_subscriptions(request: Request) -> Response:
    found = _registry(request).of_org(_org(request))
    return JSONResponse({LIST_KEY: [subscription_json(s, m) for s, m in found]}, status_code=Code.LISTED)


async def create_subscription(request: Request) -> Response:
    org = _org(request)
    doc = await read_json(request)
    change = parse_change(doc, method="POST", allow_local_http=_allow_local_http(request))
    sub, meta, secret = _registry(request).create(org, change)
    return JSONResponse({**subscription_json(sub, meta), F.SECRET: secret}, status_code=Code.CREATED)


async def update_subscription(request: Request) -> Response:
    org, public_id = _target(request)
    registry = _registry(request)
    registry.get(org, public_id)  # 404 before reading the body
    doc = await read_json(request)
    change = parse_change(doc, method=request.method, allow_local_http=_allow_local_http(request))
    sub, meta = await registry.update(org, public_id, change)
    return JSONResponse(subscription_json(sub, meta), status_code=Code.UPDATED)


async def delete_subscription(request: Request) -> Response:
    _registry(request).delete(*_target(request))
    return Response(status_code=Code.DELETED)


async def trigger(request: Request) -> Response:
    ids = await _registry(request).trigger(*_target(request))
    return JSONResponse({TRIGGER_KEY: ids}, status_code=Code.TRIGGERED)


def _event_ids(request: Request) -> list[str]:
    ids = [
        part.strip()
        for value in request.query_params.getlist(SYNTHETIC_DELIVERY_QUERY)
        for part in value.split(",")
        if part.strip()
    ]
    if not ids:
        raise V3Error(Code.BAD_REQUEST, "invalid_request", f"give event ids: ?{SYNTHETIC_DELIVERY_QUERY}=a,b")
    if len(ids) > MAX_SYNTHETIC_IDS or any(len(i) > 100 for i in ids):
        raise V3Error(
            Code.BAD_REQUEST, "invalid_request", f"at most {MAX_SYNTHETIC_IDS} event ids of 100 characters"
        )
    return list(dict.fromkeys(ids))


def _delivery_json(row: TestDelivery) -> dict[str, object]:
    return {
        D.EVENT_ID: row.event_id,
        D.EVENT_TYPE: row.event_type,
        D.SUBSCRIPTION_ID: row.public_id,
        D.CREATED_AT: format_timestamp(row.created_at),
        D.STATUS: DELIVERY_STATUS.get(row.state, row.state),
        D.ATTEMPTS: row.attempts,
        D.LAST_ATTEMPT_AT: format_timestamp(row.last_attempt_at) if row.last_attempt_at else None,
        D.LAST_STATUS_CODE: row.last_status,
        D.LAST_OUTCOME: row.last_outcome,
    }


async def synthetic_delivery(request: Request) -> Response:
    found, missing = _registry(request).test_deliveries(_event_ids(request))
    body = {LIST_KEY: [_delivery_json(r) for r in found], NOT_FOUND_KEY: missing}
    return JSONResponse(body, status_code=Code.DELIVERY_STATUS)


def routes() -> list[Route]:
    """The v3 routes; every method reaches the endpoint, which answers 405 in the v3 shape itself."""
    update = dict.fromkeys(UPDATE_METHODS, update_subscription)
    table: list[tuple[str, dict[str, Handler]]] = [
        (SUBSCRIPTIONS_PATH, {"GET": list_subscriptions, "POST": create_subscription}),
        (ONE, {**update, "DELETE": delete_subscription}),
        (ONE + "/trigger", {"GET": trigger}),
        (SYNTHETIC_DELIVERY_PATH, {"GET": synthetic_delivery}),
    ]
    return [Route(path, _v3(methods), methods=_ALL_METHODS) for path, methods in table]
