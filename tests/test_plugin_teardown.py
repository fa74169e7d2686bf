"""Item: a fixture whose setup fails tears down what it set up (freezer, store, loop), whatever failed.

Each test builds a throwaway receiver project and runs it with pytester under ``-W error``: the first tests
make ``flipdish_simulator`` fail during setup, the last one checks it runs in real time with nothing leaked.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable

import pytest
from _pytester import plugin_ini, receiver_project

pytest_plugins = ["pytester"]

RECEIVER = """
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route


async def webhook(request):
    return Response(status_code=200)


app = Starlette(routes=[Route("/webhook", webhook, methods=["POST"])])
"""

INI = plugin_ini()

CHECK_REAL_TIME = """
def test_zz_next_test_sees_real_time_and_nothing_leaked():
    import datetime as dt, gc, time
    import freezegun.api

    gc.collect()  # an unclosed event loop or coroutine left behind warns now, and -W error fails the test
    assert freezegun.api.freeze_factories == []
    assert type(dt.datetime.now()) is freezegun.api.real_datetime
    assert dt.datetime.now().year == {year}
    assert time.gmtime(time.time()).tm_year == {year}
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    return receiver_project(pytester, INI, receiver_app=RECEIVER)


@pytest.mark.parametrize(
    ("marker", "error"),
    [
        ('family="v3"', "*a v3 subscription needs at least one signing secret*"),
        ('events=["order.craeted"]', "*unknown event 'order.craeted'*"),
        ('url="ftp://receiver.test/webhook"', "*URL must be a path or an absolute http(s) URL*"),
        ('db="/nonexistent-folder/log.db"', "*"),
    ],
    ids=["v3-without-secret", "misspelt-event", "bad-target", "bad-db"],
)
def test_a_failed_setup_leaves_real_time_and_nothing_open(
    project: pytest.Pytester, marker: str, error: str
) -> None:
    project.makepyfile(
        textwrap.dedent(f"""
        import pytest

        @pytest.mark.flipdish({marker})
        def test_aa_setup_fails(flipdish_simulator):
            pass

        @pytest.mark.flipdish({marker})
        def test_ab_setup_fails_in_the_async_face_too(flipdish_async_simulator):
            pass
        """)
        + CHECK_REAL_TIME.format(year=dt.datetime.now().year)
    )
    result = project.runpytest_inprocess("-p", "no:randomly", "-W", "error")
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines([error])


def test_a_failure_inside_the_test_also_releases_everything(project: pytest.Pytester) -> None:
    project.makepyfile(
        textwrap.dedent("""
        def test_aa_fails_after_sending(flipdish_simulator):
            flipdish_simulator.send("order.created")
            raise RuntimeError("boom")
        """)
        + CHECK_REAL_TIME.format(year=dt.datetime.now().year)
    )
    result = project.runpytest_inprocess("-p", "no:randomly", "-W", "error")
    result.assert_outcomes(passed=1, failed=1)


def test_under_random_order_and_xdist_no_test_inherits_a_failed_setup(project: pytest.Pytester) -> None:
    checks = "".join(
        CHECK_REAL_TIME.format(year=dt.datetime.now().year).replace("test_zz_next", f"test_{n}_next")
        for n in range(6)
    )
    project.makepyfile(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.parametrize("n", range(6))
            @pytest.mark.flipdish(family="v3")
            def test_setup_fails(flipdish_simulator, n):
                pass
            """
        )
        + checks
    )
    result = project.runpytest_inprocess(
        "-p", "randomly", "-p", "xdist", "-p", "no:benchmark", "-n", "2", "-W", "error"
    )
    result.assert_outcomes(passed=6, errors=6)


def test_a_closed_simulator_says_so_and_leaves_no_coroutine_behind() -> None:
    import gc
    import warnings

    from flipdish_sim.errors import UsageError
    from flipdish_sim.plugin.simulator import Simulator

    def app(environ: object, start_response: Callable[..., object]) -> list[bytes]:
        start_response("200 OK", [])
        return [b""]

    with Simulator(app) as sim:
        sim.send("order.created").assert_acknowledged()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UsageError, match="the Simulator is not open"):
            sim.send("order.created")
        with pytest.raises(UsageError, match="the Simulator is not open"):
            sim.run(sim.sender.run_until_idle())
        gc.collect()
