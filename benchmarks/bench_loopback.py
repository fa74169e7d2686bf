"""Loopback HTTP: deliveries per second to a bare ASGI app under uvicorn on 127.0.0.1.

Clients, all posting the same ~2 KB body with the same headers at concurrency 1, 10 and 100:
``wrk`` (the machine's limit: client and server share the cores), a bare ``httpx.AsyncClient`` loop,
``httpx`` over the httpx-aiohttp transport, a bare ``aiohttp`` session, and flipdish-sim's own
``delivery.attempt`` over the client ``delivery.make_client`` builds, over the httpx-aiohttp transport and
over the proposed ``benchmarks.aiohttp_transport`` (the transport decision of issue 6).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.harness import HEADERS, Rate, sample_body, uvicorn_receiver, warm_then_measure

CONCURRENCIES = (1, 10, 100)
WRK = "/usr/bin/wrk"


def _limits(concurrency: int) -> httpx.Limits:
    return httpx.Limits(
        max_connections=max(100, concurrency), max_keepalive_connections=max(100, concurrency)
    )


def wrk_rate(url: str, body: bytes, concurrency: int, seconds: float) -> Rate:
    """Run ``wrk -t1`` with a Lua POST script; parse ``Requests/sec``."""
    wrk = shutil.which("wrk") or WRK
    with tempfile.TemporaryDirectory() as tmp:
        body_file = Path(tmp, "body.json")
        body_file.write_bytes(body)
        headers = "\n".join(f'wrk.headers["{name}"] = "{value}"' for name, value in HEADERS)
        script = Path(tmp, "post.lua")
        script.write_text(
            f'wrk.method = "POST"\nlocal f = io.open("{body_file}", "rb")\n'
            f"wrk.body = f:read('*a')\nf:close()\n{headers}\n"
        )
        seconds_arg = f"{max(1, round(seconds))}s"
        # a short warm-up, then the measured run
        subprocess.run([wrk, "-t1", f"-c{concurrency}", "-d1s", "-s", str(script), url], capture_output=True)
        out = subprocess.run(
            [wrk, "-t1", f"-c{concurrency}", f"-d{seconds_arg}", "-s", str(script), url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    if rps is None or total is None:
        raise RuntimeError(f"cannot parse wrk output:\n{out}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    count = int(total.group(1))
    return Rate(count, count / float(rps.group(1)), errors)


def _measure(
    make: Callable[[], Any], post: Callable[[Any], Awaitable[bool]], concurrency: int, seconds: float
) -> Rate:
    async def main() -> Rate:
        client = make()
        try:
            return await warm_then_measure(lambda: post(client), concurrency=concurrency, seconds=seconds)()
        finally:
            await client.aclose() if hasattr(client, "aclose") else await client.close()

    return asyncio.run(main())


def httpx_rate(url: str, body: bytes, concurrency: int, seconds: float) -> Rate:
    headers = dict(HEADERS)

    async def post(client: httpx.AsyncClient) -> bool:
        response = await client.post(url, content=body, headers=headers)
        return response.is_success

    return _measure(lambda: httpx.AsyncClient(limits=_limits(concurrency)), post, concurrency, seconds)


def aiohttp_transport(concurrency: int = 100) -> httpx.AsyncBaseTransport:
    from httpx_aiohttp import AiohttpTransport

    return AiohttpTransport(limits=_limits(concurrency))


def httpx_aiohttp_rate(url: str, body: bytes, concurrency: int, seconds: float) -> Rate:
    headers = dict(HEADERS)

    async def post(client: httpx.AsyncClient) -> bool:
        response = await client.post(url, content=body, headers=headers)
        return response.is_success

    def make() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=aiohttp_transport(concurrency))

    return _measure(make, post, concurrency, seconds)


def aiohttp_rate(url: str, body: bytes, concurrency: int, seconds: float) -> Rate:
    import aiohttp

    headers = dict(HEADERS)

    async def post(session: aiohttp.ClientSession) -> bool:
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            return 200 <= response.status < 300

    def make() -> aiohttp.ClientSession:
        return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=max(100, concurrency)))

    return _measure(make, post, concurrency, seconds)


def delivery_rate(url: str, body: bytes, concurrency: int, seconds: float, *, transport: str) -> Rate:
    """flipdish-sim's ``delivery.attempt`` (deadline, bounded read, classification) over ``make_client``."""
    from flipdish_sim.simulator.http import _delivery as delivery
    from flipdish_sim.simulator.wire._envelope import OutgoingRequest

    request = OutgoingRequest(url=url, headers=HEADERS, body=body)
    at = datetime(2026, 1, 1, tzinfo=UTC)

    async def post(client: httpx.AsyncClient) -> bool:
        result = await delivery.attempt(client, request, at=at)
        return result.ok

    def make() -> httpx.AsyncClient:
        if transport == "aiohttp":
            return delivery.make_client(transport=aiohttp_transport(concurrency))
        if transport == "proposed":
            from flipdish_sim.simulator.http._transport import AiohttpDeliveryTransport

            return delivery.make_client(transport=AiohttpDeliveryTransport())
        return delivery.make_client()

    return _measure(make, post, concurrency, seconds)


def engine_rate(url: str, body: bytes, concurrency: int, seconds: float, *, transport: str) -> Rate:
    """The whole engine (virtual clock, SQLite log, legacy subscription) delivering to the loopback receiver.

    ``300 * seconds`` events are published at one instant, so attempts go out ``concurrency`` at a time.
    """
    import json
    import tempfile
    import time
    from pathlib import Path

    from flipdish_sim.simulator.clock import VirtualClock
    from flipdish_sim.simulator.engine import Sender, SenderPolicy
    from flipdish_sim.simulator.http import _delivery as delivery
    from flipdish_sim.simulator.log._store import Store

    payload = json.loads(body)
    count = int(300 * seconds)

    async def main(db: Path) -> Rate:
        if transport == "proposed":
            from flipdish_sim.simulator.http._transport import AiohttpDeliveryTransport

            client = delivery.make_client(transport=AiohttpDeliveryTransport())
        else:
            client = delivery.make_client()
        acknowledged = 0

        def tally(report: Any) -> None:
            nonlocal acknowledged
            acknowledged += report.attempt.ok

        with Store(db) as store:
            sender = Sender(
                store, clock=VirtualClock(), client=client, policy=SenderPolicy(concurrency=concurrency)
            )
            sender.add_subscription(url, event_names=["order.created"], verify_token="bench-token")
            sender.on_attempt.append(tally)
            started = time.perf_counter()
            for i in range(count):
                sender.publish("order.created", payload, seed=i)
            await sender.run_until_idle()
            elapsed = time.perf_counter() - started
        await client.aclose()
        return Rate(count, elapsed, count - acknowledged)

    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(main(Path(tmp, "loopback.db")))


CLIENTS: dict[str, Callable[[str, bytes, int, float], Rate]] = {
    "wrk": wrk_rate,
    "httpx": httpx_rate,
    "httpx+aiohttp-transport": httpx_aiohttp_rate,
    "aiohttp": aiohttp_rate,
    "flipdish-sim attempt (make_client)": lambda u, b, c, s: delivery_rate(u, b, c, s, transport="default"),
    "flipdish-sim attempt (httpx-aiohttp transport)": lambda u, b, c, s: delivery_rate(
        u, b, c, s, transport="aiohttp"
    ),
    "flipdish-sim attempt (proposed aiohttp transport)": lambda u, b, c, s: delivery_rate(
        u, b, c, s, transport="proposed"
    ),
    "flipdish-sim engine (make_client)": lambda u, b, c, s: engine_rate(u, b, c, s, transport="default"),
    "flipdish-sim engine (proposed aiohttp transport)": lambda u, b, c, s: engine_rate(
        u, b, c, s, transport="proposed"
    ),
}


def run(
    seconds: float = 3.0, concurrencies: tuple[int, ...] = CONCURRENCIES, repeat: int = 1
) -> list[dict[str, Any]]:
    """Measure every client at every concurrency against one receiver.

    With ``repeat`` > 1 the clients take turns (round-robin) and each keeps its best round, so a burst of
    load from elsewhere on the machine does not land on one client only.
    """
    body = sample_body()
    rows: list[dict[str, Any]] = []
    with uvicorn_receiver() as url:
        for concurrency in concurrencies:
            best: dict[str, Rate] = {}
            skipped: dict[str, str] = {}
            for _ in range(repeat):
                for name, measure in CLIENTS.items():
                    if name in skipped:
                        continue
                    try:
                        rate = measure(url, body, concurrency, seconds)
                    except ImportError as err:
                        skipped[name] = f"not available: {err}"
                        continue
                    if name not in best or rate.per_second > best[name].per_second:
                        best[name] = rate
            for name in CLIENTS:
                if name in skipped:
                    rows.append({"client": name, "concurrency": concurrency, "skipped": skipped[name]})
                    continue
                rate = best[name]
                rows.append(
                    {
                        "client": name,
                        "concurrency": concurrency,
                        "count": rate.count,
                        "seconds": round(rate.seconds, 3),
                        "errors": rate.errors,
                        "per_second": round(rate.per_second, 1),
                    }
                )
                errors = f"  errors={rate.errors}" if rate.errors else ""
                print(
                    f"  loopback c={concurrency:<3} {name:<50} {rate.per_second:9.0f}/s{errors}", flush=True
                )
    return rows
