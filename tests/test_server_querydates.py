"""``getWebhookLogs`` reads ``start`` and ``end`` exactly as each of Flipdish's generated clients writes them.

Each format below was read in the published client's source; every test drives the real endpoint on a
loopback port, with the query percent-encoded the way that client encodes it, and checks that the window
selects the attempt it contains (and not one outside it), so a date read in the wrong zone fails.

The one attempt in the log is at 2026-01-01T00:00:00Z (the virtual clock's start); every ``inside`` window
is 2025-12-31T23:00Z .. 2026-01-01T01:00Z and every ``after`` start is 2026-01-01T00:30Z.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import Sender
from flipdish_sim.simulator.http._delivery import asgi_transport
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.server.app import create_app
from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.querydates import parse_query_date
from flipdish_sim.simulator.server.runner import ServerThread

TOKEN = "querydates-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SUBS = "/api/v1.0/app1/webhooks/oauth1/subscriptions"


@dataclass(frozen=True)
class Case:
    """One client's text for the window's bounds, and how that client percent-encodes a query value."""

    start: str
    end: str
    after: str
    safe: str = "-_.~"  # encodeURIComponent / Uri.EscapeDataString / rawurlencode / quote_plus alike


CASES = {
    # @flipdish/api-client-typescript, api.ts: ``localVarQueryParameters['start'] =
    # ObjectSerializer.serialize(start, "Date")``, and ``serialize`` returns ``data.toString()`` for "Date";
    # the ``request`` library sends ``qs`` through qs.stringify (RFC 3986 percent-encoding).
    "typescript, UTC": Case(
        "Wed Dec 31 2025 23:00:00 GMT+0000 (Coordinated Universal Time)",
        "Thu Jan 01 2026 01:00:00 GMT+0000 (Coordinated Universal Time)",
        "Thu Jan 01 2026 00:30:00 GMT+0000 (Coordinated Universal Time)",
    ),
    # The same client in Node with TZ=Asia/Kolkata (node -e 'new Date(...).toString()').
    "typescript, India": Case(
        "Thu Jan 01 2026 04:30:00 GMT+0530 (India Standard Time)",
        "Thu Jan 01 2026 06:30:00 GMT+0530 (India Standard Time)",
        "Thu Jan 01 2026 06:00:00 GMT+0530 (India Standard Time)",
    ),
    # With LANG=de_DE.UTF-8 TZ=Europe/Berlin V8 localises the zone name (checked with Node 20).
    "typescript, German locale": Case(
        "Thu Jan 01 2026 00:00:00 GMT+0100 (Mitteleuropäische Normalzeit)",
        "Thu Jan 01 2026 02:00:00 GMT+0100 (Mitteleuropäische Normalzeit)",
        "Thu Jan 01 2026 01:30:00 GMT+0100 (Mitteleuropäische Normalzeit)",
    ),
    # The same client west of UTC: the date is the previous day.
    "typescript, New York": Case(
        "Wed Dec 31 2025 18:00:00 GMT-0500 (Eastern Standard Time)",
        "Wed Dec 31 2025 20:00:00 GMT-0500 (Eastern Standard Time)",
        "Wed Dec 31 2025 19:30:00 GMT-0500 (Eastern Standard Time)",
    ),
    # flipdishbytes/api-client-javascript, src/ApiClient.js: ``paramToString`` returns
    # ``param.toISOString()`` for a Date.
    "javascript": Case("2025-12-31T23:00:00.000Z", "2026-01-01T01:00:00.000Z", "2026-01-01T00:30:00.000Z"),
    # flipdishbytes/api-client-csharp, src/Flipdish/Client/ApiClient.cs: ``ParameterToString`` formats a
    # DateTime with ``Configuration.DateTimeFormat``, ``ISO8601_DATETIME_FORMAT = "o"`` (round-trip):
    # seven fraction digits, ``Z`` for DateTimeKind.Utc ...
    ".NET, Utc": Case(
        "2025-12-31T23:00:00.0000000Z", "2026-01-01T01:00:00.0000000Z", "2026-01-01T00:30:00.0000000Z"
    ),
    # ... the local offset for DateTimeKind.Local and DateTimeOffset ...
    ".NET, Local": Case(
        "2026-01-01T00:00:00.0000000+01:00",
        "2026-01-01T02:00:00.0000000+01:00",
        "2026-01-01T01:30:00.0000000+01:00",
    ),
    # ... and no zone at all for DateTimeKind.Unspecified (taken as UTC).
    ".NET, Unspecified": Case(
        "2025-12-31T23:00:00.0000000", "2026-01-01T01:00:00.0000000", "2026-01-01T00:30:00.0000000"
    ),
    # flipdishbytes/api-client-java, ApiClient.java ``parameterToString`` serialises an OffsetDateTime with
    # JSON.OffsetDateTimeTypeAdapter, ``DateTimeFormatter.ISO_OFFSET_DATE_TIME`` (fraction only when
    # non-zero, up to nanoseconds); ``escapeString`` is URLEncoder with "+" turned into "%20".
    "java": Case("2025-12-31T23:00:00Z", "2026-01-01T01:00:00Z", "2026-01-01T00:30:00Z"),
    "java, offset and nanoseconds": Case(
        "2026-01-01T00:00:00.123456789+01:00",
        "2026-01-01T02:00:00.000000001+01:00",
        "2026-01-01T01:30:00.5+01:00",
    ),
    # flipdishbytes/api-client-php, lib/Api/WebhooksApi.php: ``ObjectSerializer::toQueryValue($start)``,
    # whose swagger-codegen ``toString`` returns ``$value->format(\DateTime::ATOM)`` (Y-m-d\TH:i:sP);
    # Guzzle's build_query encodes with rawurlencode.
    "php": Case("2025-12-31T23:00:00+00:00", "2026-01-01T01:00:00+00:00", "2026-01-01T00:30:00+00:00"),
    # swagger-codegen's Python client (api_client.py ``sanitize_for_serialization``: ``obj.isoformat()``,
    # then urlencode): an aware datetime ...
    "python, aware": Case(
        "2025-12-31T23:00:00+00:00", "2026-01-01T01:00:00.000001+00:00", "2026-01-01T00:30:00.250000+00:00"
    ),
    # ... or a naive one (datetime.utcnow()), taken as UTC.
    "python, naive": Case("2025-12-31T23:00:00", "2026-01-01T01:00:00", "2026-01-01T00:30:00"),
    # RFC 1123 (IMF-fixdate): JavaScript's toUTCString(), .NET's ToString("R"), HTTP dates.
    "rfc 1123": Case(
        "Wed, 31 Dec 2025 23:00:00 GMT", "Thu, 01 Jan 2026 01:00:00 GMT", "Thu, 01 Jan 2026 00:30:00 GMT"
    ),
}


def _receiver() -> Starlette:
    async def hook(request: Request) -> Response:
        await request.body()
        return Response(status_code=204)

    return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, int]]:
    """A live server whose log holds one delivered attempt at 2026-01-01T00:00:00Z."""
    store = Store(Path(tmp_path_factory.mktemp("querydates")) / "server.db")
    client = httpx.AsyncClient(transport=asgi_transport(_receiver()))
    backend = Backend(Sender(store, clock=VirtualClock(), client=client), store)
    with ServerThread(create_app(backend, api_token=TOKEN)) as live, httpx.Client(base_url=live.url) as http:
        body = {"CallbackUrl": "http://receiver.test/hook", "EventNames": ["order.created"]}
        sub_id = int(http.post(SUBS, json=body, headers=AUTH).json()["Data"])
        assert http.post("/_sim/events", json={"event": "order.created"}, headers=AUTH).status_code < 300
        http.post("/_sim/clock/advance", json={"seconds": 1}, headers=AUTH)
        yield http, sub_id
    asyncio.run(client.aclose())
    store.close()


def _logs(api: tuple[httpx.Client, int], start: str, end: str, safe: str = "-_.~") -> httpx.Response:
    http, sub_id = api
    query = f"start={quote(start, safe=safe)}&end={quote(end, safe=safe)}"
    return http.get(f"{SUBS}/{sub_id}/logs?{query}", headers=AUTH)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_every_generated_clients_dates_select_the_right_window(
    api: tuple[httpx.Client, int], case: Case
) -> None:
    inside = _logs(api, case.start, case.end, case.safe)
    assert inside.status_code == 200, inside.text
    assert inside.json()["TotalRecordCount"] == 1
    after = _logs(api, case.after, case.end, case.safe)
    assert after.status_code == 200, after.text
    assert after.json()["TotalRecordCount"] == 0


def test_an_unencoded_plus_in_an_offset_still_reads_as_plus(api: tuple[httpx.Client, int]) -> None:
    """A hand-written client that forgets to encode "+" sends a space in its place."""
    inside = _logs(api, "2026-01-01T00:00:00+01:00", "2026-01-01T02:00:00+01:00", safe="-_.~:+")
    assert inside.json()["TotalRecordCount"] == 1
    js = _logs(api, "Thu Jan 01 2026 01:30:00 GMT+0100 (CET)", "2026-01-01T02:00:00+01:00", safe="-_.~:+ ()")
    assert js.json()["TotalRecordCount"] == 0


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "Tue Feb 31 2026 21:40:00 GMT+0000 (Coordinated Universal Time)",
        "Tue Dec 01 2026 21:40:00 GMT+9999",
        "Invalid Date",  # String(new Date("nonsense"))
        "2026-13-01T00:00:00Z",
        "x" * 10_000,
    ],
)
def test_a_date_no_client_writes_is_one_clear_400(api: tuple[httpx.Client, int], text: str) -> None:
    response = _logs(api, text, "2026-01-01T01:00:00Z")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["errorCode"] == "invalid_parameter"
    assert error["errorMessage"].startswith("start: ")
    assert len(error["errorMessage"]) < 250
    assert "\n" not in error["errorMessage"]


def test_the_parser_agrees_with_node_on_date_to_string() -> None:
    """Node's own Date.toString() output for several zones parses back to the same instant."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    script = "for (const ms of JSON.parse(process.argv[1])) console.log(new Date(ms).toString())"
    instants = [0, 1_767_225_600_000, 1_796_161_200_123, 951_782_400_000]  # 1970, 2026, 2026 +ms, leap day
    for zone in ("UTC", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "Europe/Berlin"):
        env = {"TZ": zone, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
        out = subprocess.run(
            [node, "-e", script, json.dumps(instants)], capture_output=True, text=True, env=env, check=True
        )
        parsed = [parse_query_date(line).timestamp() * 1000 for line in out.stdout.splitlines()]
        assert parsed == [ms - ms % 1000 for ms in instants], zone  # toString() drops milliseconds
