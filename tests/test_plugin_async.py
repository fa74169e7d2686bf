"""The plugin in async test suites: pytest-asyncio (auto and strict mode) and anyio's pytest plugin.

A throwaway FastAPI receiver project, run with pytester under ``-W error``: the sync fixtures work from
``async def`` tests, ``flipdish_async_simulator`` and ``async with Simulator(...)`` are awaited, and the
test's own event loop keeps running while the sender delivers (the receiver calls a server on it).
"""

from __future__ import annotations

import textwrap

import pytest
from _pytester import plugin_ini, receiver_project

pytest_plugins = ["pytester"]

RECEIVER = """
import json
from datetime import datetime, timezone
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request, Response

upstream = {"url": None}
seen_times = []


@asynccontextmanager
async def lifespan(app):
    app.state.pool = "open"
    yield
    app.state.pool = None


app = FastAPI(lifespan=lifespan)


@app.post("/webhook")
async def webhook(request: Request) -> Response:
    if request.headers.get("X-Verify-Token") != "tok":
        return Response(status_code=401)
    json.loads(await request.body())
    seen_times.append(datetime.now(timezone.utc))
    if upstream["url"]:  # a service the test runs on its own event loop
        async with httpx.AsyncClient() as client:
            answer = await client.get(upstream["url"])
        return Response(status_code=answer.status_code)
    return Response(status_code=200)
"""

INI = plugin_ini(verify_token="tok", asyncio_scope=False)  # each mode loads pytest-asyncio or not

TESTS = """
from datetime import datetime, timezone

import anyio
import anyio.abc
import pytest

import receiver_app
from flipdish_sim.plugin.simulator import Simulator
from flipdish_sim.plugin.target import Target

{header}


async def test_the_sync_fixtures_work_in_an_async_test(flipdish_deliver, flipdish_simulator):
    flipdish_deliver("order.created").assert_acknowledged()
    flipdish_simulator.assert_delivered("order.created")


async def test_the_async_fixture_is_awaited(flipdish_async_simulator):
    result = await flipdish_async_simulator.send("order.created")
    result.assert_acknowledged()
    result.assert_attempts(1)
    flipdish_async_simulator.assert_delivered("order.created")
    assert receiver_app.seen_times[-1] == result.attempts[0].at == flipdish_async_simulator.clock.now()
    assert datetime.now(timezone.utc) != result.attempts[0].at  # the test body reads real time


async def test_the_conformance_fixture_in_an_async_test(flipdish_conformance):
    report = flipdish_conformance(checks=("ack.2xx",))
    report.assert_passed()
    assert report.attempts > 0


async def test_async_with_simulator():
    target = Target.from_app(receiver_app.app, url="/webhook")
    async with Simulator(target, verify_token="tok") as sim:
        (await sim.send("order.accepted")).assert_acknowledged()
        scenario = await sim.run_scenario("order-lifecycle")
        assert scenario.acknowledged


NO_CONTENT = b"HTTP/1.1 204 No Content\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n"


async def test_the_tests_loop_runs_while_the_sender_delivers(flipdish_async_simulator):
    async def answer(stream):
        async with stream:
            request = b""
            while b"\\r\\n\\r\\n" not in request:
                request += await stream.receive()
            await stream.send(NO_CONTENT)

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")  # served by the test's own loop
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tasks:
        tasks.start_soon(listener.serve, answer)
        receiver_app.upstream["url"] = f"http://127.0.0.1:{{port}}/"
        try:
            result = await flipdish_async_simulator.send("order.created")
        finally:
            receiver_app.upstream["url"] = None
            tasks.cancel_scope.cancel()
    assert [attempt.status_code for attempt in result.attempts] == [204]
"""

ANYIO = "pytestmark = pytest.mark.anyio\n\n\n@pytest.fixture\ndef anyio_backend():\n    return {backend!r}"
ASYNCIO = ["-p", "no:anyio", "-o", "asyncio_default_fixture_loop_scope=function"]
MODES = {
    "pytest-asyncio-auto": ("", [*ASYNCIO, "-o", "asyncio_mode=auto"]),
    "pytest-asyncio-strict": ("pytestmark = pytest.mark.asyncio", [*ASYNCIO, "-o", "asyncio_mode=strict"]),
    "anyio-asyncio": (ANYIO.format(backend="asyncio"), ["-p", "no:asyncio"]),
    "anyio-trio": (ANYIO.format(backend="trio"), ["-p", "no:asyncio"]),
}


@pytest.mark.parametrize("mode", MODES)
def test_async_tests_use_the_fixtures_and_the_async_api(pytester: pytest.Pytester, mode: str) -> None:
    header, options = MODES[mode]
    project = receiver_project(pytester, INI, receiver_app=RECEIVER)
    project.makepyfile(test_async=textwrap.dedent(TESTS).format(header=header))
    result = project.runpytest_inprocess("-p", "no:randomly", "-W", "error", *options)
    result.assert_outcomes(passed=5)
