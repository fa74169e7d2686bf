"""The pytest plugin, exercised the way users run it (pytester, in-process)."""

from __future__ import annotations

import pytest
from _pytester import plugin_ini, receiver_project

pytest_plugins = ["pytester"]

RECEIVER = """
import datetime as dt
import json

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

seen_times = []
applied = []


async def webhook(request: Request) -> Response:
    if request.headers.get("X-Verify-Token") != "tok":
        return Response(status_code=401)
    seen_times.append(dt.datetime.now(dt.timezone.utc))
    envelope = json.loads(await request.body())
    if envelope["Type"] == "order.dispatched":
        return Response(status_code=302, headers={"Location": "/elsewhere"})
    event_id = envelope["Body"]["FlipdishEventId"]
    if event_id not in applied:
        applied.append(event_id)
    if envelope["Type"] == "order.accepted":
        order_id = envelope["Body"]["Order"]["OrderId"]
        async with httpx.AsyncClient() as client:
            await client.post(f"https://api.flipdish.co/api/v1.0/orders/{order_id}/accept",
                              json={"EstimatedMinutesForDelivery": 25}, headers={"Authorization": "Bearer x"})
    return Response(status_code=200)


async def probe(request: Request) -> Response:
    return JSONResponse({"applied": len(applied)})


app = Starlette(routes=[Route("/webhook", webhook, methods=["POST"]), Route("/applied", probe)])
"""

INI = plugin_ini(verify_token="tok")


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    return receiver_project(pytester, INI, receiver_app=RECEIVER)


def test_fixtures_deliver_to_the_receiver_configured_in_the_ini_file(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import datetime as dt
        import receiver_app

        def test_ack(flipdish_deliver):
            result = flipdish_deliver("order.created")
            result.assert_acknowledged()
            result.assert_attempts(1)

        def test_receiver_sees_virtual_time(flipdish_simulator, flipdish_clock):
            flipdish_simulator.send("order.created")
            assert receiver_app.seen_times[-1] == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

        def test_overrides(flipdish_event):
            payload = flipdish_event("order.created", Order__Customer__Name=None, Description="x")
            assert payload["Body"]["Order"]["Customer"]["Name"] is None
            assert payload["Body"]["Description"] == "x"
        """
    )
    project.runpytest_inprocess("-p", "no:randomly").assert_outcomes(passed=3)


def test_a_redirect_fails_with_what_flipdish_would_do(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        def test_dispatched(flipdish_deliver):
            flipdish_deliver("order.dispatched").assert_acknowledged()
        """
    )
    result = project.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*answered 302: Flipdish treats redirects as failures and retries for 24 h*"]
    )


def test_the_marker_passes_simulator_arguments(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        @pytest.mark.flipdish(verify_token="not-the-token")
        def test_refused(flipdish_deliver):
            result = flipdish_deliver("order.created")
            assert not result.acknowledged
            assert result.attempts[0].status_code == 401
            assert len(result.attempts) > 1  # retried over the virtual 24 h
        """
    )
    project.runpytest_inprocess("-p", "no:randomly").assert_outcomes(passed=1)


def test_the_flipdish_api_mock_answers_the_receivers_callbacks(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        def test_accept(flipdish_deliver, flipdish_api):
            result = flipdish_deliver("order.accepted")
            result.assert_acknowledged()
            (order_id, body), = flipdish_api.accepted.items()
            assert body == {"EstimatedMinutesForDelivery": 25}
            assert order_id == result.event.payload["Body"]["Order"]["OrderId"]
        """
    )
    project.runpytest_inprocess("-p", "no:randomly").assert_outcomes(passed=1)


def test_without_a_receiver_the_fixture_says_how_to_configure_one(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile("def test_x(flipdish_simulator):\n    pass\n")
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no receiver configured: override the flipdish_receiver fixture*"])


def test_the_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile("def test_x(flipdish_clock):\n    pass\n")
    result = pytester.runpytest_inprocess("-p", "no:flipdish_sim", "-p", "no:randomly")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'flipdish_clock' not found*"])


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest_inprocess("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.flipdish(**kwargs):*"])
