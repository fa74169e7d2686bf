"""In-process ASGI apps get their lifespan (startup/shutdown) as under a server; on by default, switchable.

A throwaway FastAPI receiver that opens its "database pool" in ``lifespan`` and answers 503 without it,
driven with pytester under ``-W error``.
"""

from __future__ import annotations

import pytest
from _pytester import plugin_ini, receiver_project

pytest_plugins = ["pytester"]

RECEIVER = """
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

events = []


@asynccontextmanager
async def lifespan(app):
    events.append("startup")
    app.state.pool = {"connections": 5}
    yield
    app.state.pool = None
    events.append("shutdown")


app = FastAPI(lifespan=lifespan)


@app.post("/webhook")
async def webhook(request: Request) -> Response:
    if getattr(request.app.state, "pool", None) is None:
        return Response(status_code=503)
    return Response(status_code=200)


@asynccontextmanager
async def broken_lifespan(app):
    raise RuntimeError("database unreachable")
    yield


broken = FastAPI(lifespan=broken_lifespan)


async def bare(scope, receive, send):  # a bare ASGI callable that knows nothing of lifespans
    assert scope["type"] == "http"
    await receive()
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})
"""

INI = plugin_ini()


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    return receiver_project(pytester, INI, receiver_app=RECEIVER)


def test_the_lifespan_runs_around_the_deliveries_by_default(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import receiver_app
        from flipdish_sim.plugin.simulator import Simulator
        from flipdish_sim.plugin.target import Target

        def test_every_attempt_is_answered_2xx(flipdish_simulator):
            assert receiver_app.events == ["startup"]
            scenario = flipdish_simulator.run_scenario("order-lifecycle")
            assert scenario.reports and all(r.attempt.status_code == 200 for r in scenario.reports)
            result = flipdish_simulator.send("order.created")
            assert [attempt.status_code for attempt in result.attempts] == [200]

        def test_then_the_lifespan_was_shut_down():
            assert receiver_app.events == ["startup", "shutdown"]

        def test_an_app_without_lifespan_support_is_served_without_one():
            with Simulator(Target.from_app(receiver_app.bare)) as sim:
                assert not sim.lifespan_running
                sim.send("order.created").assert_acknowledged()

        def test_a_wsgi_app_has_no_lifespan():
            def wsgi(environ, start_response):
                start_response("200 OK", [])
                return [b""]
            with Simulator(Target.from_app(wsgi)) as sim:
                sim.send("order.created").assert_acknowledged()
        """
    )
    project.runpytest_inprocess("-p", "no:randomly", "-W", "error").assert_outcomes(passed=4)


@pytest.mark.parametrize(
    ("how", "ini"),
    [
        ("@pytest.mark.flipdish(lifespan=False)", ""),
        ("", "flipdish_lifespan = false"),
        (
            "@pytest.fixture\ndef flipdish_receiver():\n"
            '    return Target.from_app(app, url="/webhook", lifespan=False)',
            "",
        ),
    ],
    ids=["marker", "ini", "target"],
)
def test_with_the_lifespan_off_the_503s_are_explained(project: pytest.Pytester, how: str, ini: str) -> None:
    project.makeini(INI + ini + "\n")
    project.makepyfile(
        f"""
import pytest
from flipdish_sim.plugin.target import Target
from receiver_app import app

{how}
def test_without_lifespan(flipdish_deliver):
    result = flipdish_deliver("order.created")
    assert {{attempt.status_code for attempt in result.attempts}} == {{503}}
    result.assert_acknowledged()
"""
    )
    result = project.runpytest_inprocess("-p", "no:randomly", "-W", "error")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*answered 503: Flipdish counts any non-2xx answer*"
            "note: the app's ASGI lifespan is off (lifespan=False)*"
        ]
    )


def test_a_lifespan_startup_failure_is_reported_clearly(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import datetime as dt

        import freezegun.api
        import pytest

        @pytest.mark.flipdish(url="/webhook")
        def test_startup_fails(flipdish_simulator):
            pass

        def test_next_test_is_unaffected():
            assert freezegun.api.freeze_factories == []
            assert type(dt.datetime.now()) is freezegun.api.real_datetime
        """
    )
    result = project.runpytest_inprocess(
        "-p", "no:randomly", "-W", "error", "-o", "flipdish_app=receiver_app:broken"
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*UsageError: asgi app receiver_app:broken at http://receiver.test/webhook: its ASGI lifespan "
            "startup failed (RuntimeError: database unreachable)*"
        ]
    )


def test_a_target_that_chose_its_lifespan_wins_over_the_ini_key(project: pytest.Pytester) -> None:
    project.makeini(INI + "flipdish_lifespan = false\n")
    project.makepyfile(
        """
        import pytest
        from flipdish_sim.plugin.target import Target
        from receiver_app import app

        @pytest.fixture
        def flipdish_receiver():
            return Target.from_app(app, url="/webhook", lifespan=True)

        def test_with_lifespan(flipdish_deliver):
            flipdish_deliver("order.created").assert_attempts(1)
        """
    )
    project.runpytest_inprocess("-p", "no:randomly", "-W", "error").assert_outcomes(passed=1)
