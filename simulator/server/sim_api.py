"""The simulator's own API, under ``/_sim/`` and apart from Flipdish's paths (bearer token as well).

GET  /_sim/health                                   {"ok": true}          (no token: a readiness probe);
                                                     503 {"ok": false, "reason"} once deliveries stopped
GET  /_sim/clock                                    {"now", "virtual", "timeScale"}
POST /_sim/clock/advance     {"seconds": N} | {"to": ISO-8601}   virtual clock only (409 otherwise);
                                                     sends every attempt due by then, then answers
POST /_sim/events            {"event": NAME, "payload"?: {...}, "seed"?: N, "count"?: K}  202 {"eventIds"}
                             (NAME: a legacy or a v3 event type; a v3 payload is the camelCase body)
GET  /_sim/scenarios                                {"Data": [names]}
POST /_sim/scenarios/{name}                          202 {"scenario", "eventIds"}
GET  /_sim/subscriptions/{id}/disable-rule          the 72 h rule now: failures, total, share, min sample,
                                                     disabled at / why / on what numbers
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.errors import ApiError
from flipdish_sim.simulator.server.v3_input import v3_event_types
from flipdish_sim.simulator.server.validation import path_id, read_json
from flipdish_sim.simulator.wire._signing import format_timestamp

__all__ = ["CLOCK_LIMIT", "routes"]

MAX_COUNT = 1000
#: The virtual clock never goes this far: every retry, disable window and planned event after it must
#: still fit in a datetime (year 9999), so an advance to 9999-12-31 would break the next publish.
CLOCK_LIMIT = datetime(9000, 1, 1, tzinfo=UTC)
_PAST_THE_LIMIT = "the virtual clock stops short of 9000-01-01T00:00:00Z"
MAX_WARNINGS = 20


def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


async def health(request: Request) -> Response:
    failure = _backend(request).failure
    if failure is not None:
        return JSONResponse({"ok": False, "reason": failure}, status_code=503)
    return JSONResponse({"ok": True})


async def clock(request: Request) -> Response:
    return JSONResponse(_backend(request).clock_json())


def _target(doc: object, now: datetime) -> datetime:
    if not isinstance(doc, dict):
        raise ApiError(400, "invalid_request", 'body must be {"seconds": N} or {"to": "<ISO-8601>"}')
    if "to" in doc:
        text = doc["to"]
        try:
            target = datetime.fromisoformat(str(text))
        except ValueError as err:
            raise ApiError(400, "invalid_parameter", f"to is not an ISO-8601 date-time: {text!r}") from err
        target = target if target.tzinfo else target.replace(tzinfo=UTC)
    else:
        seconds = doc.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ApiError(400, "invalid_parameter", "seconds must be a number")
        try:
            target = now + timedelta(seconds=seconds)
        except OverflowError as err:
            raise ApiError(400, "invalid_parameter", _PAST_THE_LIMIT) from err
    if target < now:
        raise ApiError(400, "invalid_parameter", "the virtual clock only moves forward")
    if target >= CLOCK_LIMIT:
        raise ApiError(400, "invalid_parameter", _PAST_THE_LIMIT)
    return target


async def advance(request: Request) -> Response:
    backend = _backend(request)
    if not backend.clock.is_virtual:
        raise ApiError(
            409, "clock_not_virtual", "the server runs on the wall clock; start it with --clock virtual"
        )
    target = _target(await read_json(request), backend.clock.now())
    await backend.advance_to(target)
    return JSONResponse(backend.clock_json())


def _optional_int(doc: dict[str, object], key: str, default: int | None, low: int, high: int) -> int | None:
    value = doc.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiError(400, "invalid_parameter", f"{key} must be an integer between {low} and {high}")
    return value


async def trigger(request: Request) -> Response:
    backend = _backend(request)
    doc = await read_json(request)
    if not isinstance(doc, dict):
        raise ApiError(400, "invalid_request", 'body must be a JSON object: {"event": "order.created", ...}')
    name = doc.get("event")
    if not isinstance(name, str) or name not in (*backend.event_names(), *v3_event_types()):
        raise ApiError(400, "unknown_event_name", f"unknown event name {name!r}")
    payload = doc.get("payload")
    if payload is not None and not isinstance(payload, dict):
        raise ApiError(400, "invalid_payload", "payload must be a JSON object (the event's Body)")
    seed = _optional_int(doc, "seed", None, 0, 2**63 - 1)
    count = _optional_int(doc, "count", 1, 1, MAX_COUNT) or 1
    ids = await backend.trigger(name, payload=payload, seed=seed, count=count)
    answer: dict[str, object] = {"eventIds": ids}
    if payload is not None:
        answer["warnings"] = _contract_warnings(name, payload, backend.clock.now())
    return JSONResponse(answer, status_code=202)


def _contract_warnings(name: str, payload: dict[str, object], now: datetime) -> list[str]:
    """Where a hand-written payload breaks its event's documented contract (it is sent anyway)."""
    from flipdish_sim.contracts.validate import validate  # imports jsonschema: slow, so only when needed

    envelope = (
        payload
        if {"Type", "Body"} <= payload.keys() or name in v3_event_types()
        else {
            "Type": name,
            "CreateTime": format_timestamp(now),
            "Body": payload,
        }
    )
    return [str(issue) for issue in validate(envelope, name)[:MAX_WARNINGS]]


async def scenarios(request: Request) -> Response:
    return JSONResponse({"Data": list(_backend(request).scenario_names())})


async def run_scenario(request: Request) -> Response:
    backend = _backend(request)
    name = request.path_params["name"]
    if name not in backend.scenario_names():
        raise ApiError(404, "unknown_scenario", f"unknown scenario {name!r}; see GET /_sim/scenarios")
    ids = await backend.run_scenario(name)
    return JSONResponse({"scenario": name, "eventIds": ids}, status_code=202)


async def disable_rule(request: Request) -> Response:
    state = _backend(request).disable_state(path_id(request, "id"))
    return JSONResponse(state.as_json())


def routes() -> list[Route]:
    return [
        Route("/_sim/health", health, methods=["GET"]),
        Route("/_sim/clock", clock, methods=["GET"]),
        Route("/_sim/clock/advance", advance, methods=["POST"]),
        Route("/_sim/events", trigger, methods=["POST"]),
        Route("/_sim/scenarios", scenarios, methods=["GET"]),
        Route("/_sim/scenarios/{name}", run_scenario, methods=["POST"]),
        Route("/_sim/subscriptions/{id:digits}/disable-rule", disable_rule, methods=["GET"]),
    ]
