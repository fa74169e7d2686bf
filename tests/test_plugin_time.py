"""One model of simulated time: what an in-process receiver's clocks read, whatever kind of app it is.

While the simulator delivers, every clock a receiver reads (``datetime.now``/``utcnow``, ``date.today``,
``time.time``, ``time.monotonic``) reads the attempt's simulated time, the same under an ASGI app, a Flask
app, a bare WSGI callable and a bare ASGI callable. The test body runs in real time; a user's own
``@freeze_time`` composes with the simulator's. Each test drives a throwaway project with pytester.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from _pytester import plugin_ini, receiver_project

pytest_plugins = ["pytester"]

RECEIVERS = """
import datetime as dt
import time
import warnings

from flask import Flask
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from flipdish_sim.verify import InvalidSignature, verify_signature

seen = []
failures_left = {"n": 0}


def read_clocks():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # utcnow is deprecated from Python 3.12
        utcnow = dt.datetime.utcnow()
    seen.append({
        "now": dt.datetime.now(dt.timezone.utc),
        "utcnow": utcnow.replace(tzinfo=dt.timezone.utc),
        "today": dt.date.today(),
        "time": time.time(),
        "monotonic": time.monotonic(),
    })
    if failures_left["n"]:
        failures_left["n"] -= 1
        return 500
    return 200


def bare_wsgi(environ, start_response):
    status = read_clocks()
    start_response(f"{status} X", [("Content-Type", "text/plain")])
    return [b""]


flask_app = Flask(__name__)


@flask_app.post("/")
def flask_webhook():
    return "", read_clocks()


async def starlette_webhook(request):
    await request.body()
    return Response(status_code=read_clocks())


starlette_app = Starlette(routes=[Route("/", starlette_webhook, methods=["POST"])])


async def bare_asgi(scope, receive, send):
    assert scope["type"] == "http"
    await receive()
    await send({"type": "http.response.start", "status": read_clocks(), "headers": []})
    await send({"type": "http.response.body", "body": b""})


def v3_wsgi(environ, start_response):  # checks the replay window with time.time(), as many receivers do
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    now = dt.datetime.fromtimestamp(time.time(), dt.timezone.utc)
    try:
        verify_signature(environ.get("HTTP_X_FLIPDISH_SIGNATURE"), body, "whsec", now=now)
    except InvalidSignature:
        start_response("401 Unauthorized", [])
        return [b""]
    seen.append({"now": now})
    start_response("200 OK", [])
    return [b""]
"""

CONFTEST = """
import pytest
import clock_receivers
from flipdish_sim.plugin.target import Target


@pytest.fixture(params=["bare_wsgi", "flask_app", "starlette_app", "bare_asgi"])
def flipdish_receiver(request):
    clock_receivers.seen.clear()
    return Target.from_app(getattr(clock_receivers, request.param))
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    ini = plugin_ini(app=None, url=None, verify_token="tok")
    return receiver_project(pytester, ini, clock_receivers=RECEIVERS, conftest=CONFTEST)


def run(project: pytest.Pytester, tests: str) -> pytest.RunResult:
    project.makepyfile(test_time=textwrap.dedent(tests))
    return project.runpytest_inprocess("-p", "no:randomly", "-W", "error", "-v")


def test_every_kind_of_receiver_reads_the_attempts_simulated_time_on_every_clock(
    project: pytest.Pytester,
) -> None:
    result = run(
        project,
        """
        import datetime as dt
        import clock_receivers

        def test_clocks(flipdish_simulator, flipdish_clock):
            flipdish_clock.move_to(dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone.utc))
            clock_receivers.failures_left["n"] = 2  # two failures: the retries come later in simulated time
            result = flipdish_simulator.send("order.created")
            result.assert_acknowledged()
            assert len(result.attempts) == len(clock_receivers.seen) == 3
            for attempt, clocks in zip(result.attempts, clock_receivers.seen):
                assert clocks["now"] == clocks["utcnow"] == attempt.at
                assert clocks["today"] == attempt.at.date()
                assert clocks["time"] == clocks["monotonic"] == attempt.at.timestamp()
            assert clock_receivers.seen[0]["now"] == dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone.utc)
            monotonic = [clocks["monotonic"] for clocks in clock_receivers.seen]
            assert monotonic == sorted(set(monotonic))  # it moves forward with the retry schedule
        """,
    )
    result.assert_outcomes(passed=4)


def test_the_test_body_runs_in_real_time_and_asks_for_simulated_time(project: pytest.Pytester) -> None:
    year = dt.datetime.now().year
    result = run(
        project,
        f"""
        import datetime as dt
        import time
        import freezegun.api

        def test_body(flipdish_simulator, flipdish_clock):
            assert type(dt.datetime.now()) is freezegun.api.real_datetime
            flipdish_simulator.send("order.created").assert_acknowledged()
            assert type(dt.datetime.now()) is freezegun.api.real_datetime
            assert dt.datetime.now().year == time.gmtime().tm_year == {year}
            assert flipdish_clock.now() == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
        """,
    )
    result.assert_outcomes(passed=4)


def test_a_users_own_freeze_time_composes_with_the_simulators(project: pytest.Pytester) -> None:
    result = run(
        project,
        """
        import datetime as dt
        import pytest
        import clock_receivers
        from freezegun import freeze_time
        from flipdish_sim.plugin.target import Target

        @pytest.fixture
        def flipdish_receiver():
            clock_receivers.seen.clear()
            return Target.from_app(clock_receivers.v3_wsgi)

        @freeze_time("2020-06-01 12:00:00")
        @pytest.mark.flipdish(family="v3", secrets=["whsec"], events=["sale.created.v1"])
        def test_user_frozen(flipdish_deliver):
            result = flipdish_deliver("sale.created.v1")
            result.assert_attempts(1)  # the replay check read the simulated time, not 2020
            assert clock_receivers.seen == [{"now": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)}]
            assert dt.datetime.now() == dt.datetime(2020, 6, 1, 12)  # the user's freezer holds again

        @freeze_time("2020-06-01 12:00:00", tick=True)
        @pytest.mark.flipdish(family="v3", secrets=["whsec"], events=["sale.created.v1"])
        def test_user_frozen_and_ticking(flipdish_deliver):
            flipdish_deliver("sale.created.v1").assert_attempts(1)
            assert dt.datetime.now().year == 2020
        """,
    )
    result.assert_outcomes(passed=2)


def test_many_sends_never_pay_freezeguns_scan_of_every_loaded_module(project: pytest.Pytester) -> None:
    """What keeps a send fast (docs/plugin.md, "Simulated time"): no run has freezegun read every module."""
    result = run(
        project,
        """
        import freezegun.api

        def test_sends(flipdish_simulator, monkeypatch):
            scanned = []
            scan = freezegun.api._get_cached_module_attributes
            counted = lambda module: scanned.append(module) or scan(module)
            monkeypatch.setattr(freezegun.api, "_get_cached_module_attributes", counted)
            for _ in range(5):
                flipdish_simulator.send("order.created").assert_acknowledged()
            assert scanned == []
        """,
    )
    result.assert_outcomes(passed=4)


BOUND_CLOCKS = """
import importlib
import sys
from datetime import date, datetime, timezone
from time import monotonic, time

seen = []


def app(environ, start_response):
    late = importlib.import_module("late_clock")  # first imported during an attempt: binds the frozen clock
    between = sys.modules.get("between_clock")  # imported by the test body between two sends
    seen.append({
        "now": datetime.now(timezone.utc),
        "today": date.today(),
        "time": time(),
        "monotonic": monotonic(),
        "late": late.late_time(),
        "between": between.between_time() if between else None,
    })
    start_response("200 OK", [])
    return [b""]
"""


def test_clocks_imported_by_name_read_the_simulated_time_on_every_send_and_real_time_after(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(
        bound_clocks=BOUND_CLOCKS,
        late_clock="from time import time as late_time\n",
        between_clock="from time import time as between_time\n",
    )
    result = run(
        project,
        """
        import datetime as dt
        import importlib
        import time
        import pytest
        import bound_clocks
        from flipdish_sim.plugin.target import Target

        @pytest.fixture
        def flipdish_receiver():
            return Target.from_app(bound_clocks.app)

        def test_bound(flipdish_simulator, flipdish_clock):
            first = flipdish_simulator.send("order.created")
            between = importlib.import_module("between_clock")
            assert between.between_time is time.time  # imported in the test body: the real clock
            flipdish_clock.move_to(dt.datetime(2026, 2, 1, 8, tzinfo=dt.timezone.utc))
            second = flipdish_simulator.send("order.created")
            assert len(bound_clocks.seen) == 2
            for sent, clocks in zip([first, second], bound_clocks.seen):
                at = sent.attempts[0].at
                assert clocks["now"] == at and clocks["today"] == at.date()
                assert clocks["time"] == clocks["monotonic"] == clocks["late"] == at.timestamp()
            assert bound_clocks.seen[1]["between"] == second.attempts[0].at.timestamp()
            import late_clock
            assert late_clock.late_time is bound_clocks.time is between.between_time is time.time
            assert bound_clocks.datetime is dt.datetime and bound_clocks.monotonic is time.monotonic
        """,
    )
    result.assert_outcomes(passed=1)


def test_a_users_freezer_around_one_send_among_others_composes(project: pytest.Pytester) -> None:
    result = run(
        project,
        """
        import datetime as dt
        import time
        import clock_receivers
        import freezegun.api
        from freezegun import freeze_time

        def test_mixed(flipdish_simulator):
            flipdish_simulator.send("order.created").assert_acknowledged()
            with freeze_time("2020-06-01 12:00:00"):
                inside = flipdish_simulator.send("order.created")
                assert dt.datetime.now() == dt.datetime(2020, 6, 1, 12)
            last = flipdish_simulator.send("order.created")
            seen = [clocks["now"] for clocks in clock_receivers.seen[1:]]
            assert seen == [inside.attempts[0].at, last.attempts[0].at]
            assert freezegun.api.freeze_factories == []
            assert type(dt.datetime.now()) is freezegun.api.real_datetime
            assert time.time is freezegun.api.real_time and time.monotonic is freezegun.api.real_monotonic
        """,
    )
    result.assert_outcomes(passed=4)


def test_a_run_that_fails_leaves_every_clock_bound_by_name_real(project: pytest.Pytester) -> None:
    project.makepyfile(bound_clocks=BOUND_CLOCKS, late_clock="from time import time as late_time\n")
    result = run(
        project,
        """
        import importlib
        import time
        import pytest
        import bound_clocks
        import freezegun.api

        def test_fails(flipdish_simulator):
            async def failing_run():
                assert bound_clocks.time is not freezegun.api.real_time  # frozen during the run
                importlib.import_module("late_clock")  # binds the frozen clock, then the run fails
                raise RuntimeError("the run fails")

            with pytest.raises(RuntimeError, match="the run fails"):
                flipdish_simulator.run(failing_run())
            import late_clock
            assert bound_clocks.time is late_clock.late_time is time.time is freezegun.api.real_time
            assert bound_clocks.datetime is freezegun.api.real_datetime
            assert freezegun.api.freeze_factories == []
        """,
    )
    result.assert_outcomes(passed=4)
