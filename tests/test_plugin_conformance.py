"""The conformance suite through pytest: ``--flipdish-conformance`` items, the fixture, assert_passed()."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pytester import plugin_ini, receiver_project

pytest_plugins = ["pytester"]

RECEIVER = """
import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

applied = set()
REDIRECTED = {"order.dispatched"}


async def webhook(request: Request) -> Response:
    if request.headers.get("X-Verify-Token") != "tok":
        return Response('{"error": "bad token tok"}', status_code=401)
    envelope = json.loads(await request.body())
    if envelope["Type"] in REDIRECTED:
        return Response(status_code=302, headers={"Location": "/elsewhere"})
    applied.add(envelope["Body"]["FlipdishEventId"])
    return Response(status_code=200)


async def probe(request: Request) -> Response:
    return JSONResponse({"applied": len(applied)})


app = Starlette(routes=[Route("/webhook", webhook, methods=["POST"]), Route("/applied", probe)])
"""

INI = plugin_ini(verify_token="tok")

FAST = ("--flipdish-events", "order.created,order.rejected", "-p", "no:randomly")


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    return receiver_project(pytester, INI, receiver_app=RECEIVER)


def test_the_conformance_option_adds_one_item_per_check_named_by_its_id(project: pytest.Pytester) -> None:
    result = project.runpytest_inprocess(
        "--flipdish-conformance", *FAST, "--flipdish-probe-url", "/applied", "-v",
        "--flipdish-check", "ack.2xx,ack.no-redirect,auth.signature,idempotency.duplicates",
    )  # fmt: skip
    result.stdout.fnmatch_lines(
        [
            "*flipdish-conformance::ack.2xx PASSED*",
            "*flipdish-conformance::ack.no-redirect PASSED*",
            "*flipdish-conformance::auth.signature SKIPPED*",
            "*flipdish-conformance::idempotency.duplicates PASSED*",
        ]
    )
    result.assert_outcomes(passed=3, skipped=1)


def test_k_selects_checks_by_id(project: pytest.Pytester) -> None:
    result = project.runpytest_inprocess("--flipdish-conformance", *FAST, "-k", "compat", "-v")
    result.stdout.fnmatch_lines(["*::compat.unknown-event PASSED*", "*::compat.extra-fields PASSED*"])
    result.assert_outcomes(passed=2, deselected=10)


def test_a_failing_item_is_headed_by_its_check_and_shows_answer_and_reproducer(
    project: pytest.Pytester,
) -> None:
    result = project.runpytest_inprocess(
        "--flipdish-conformance", "--flipdish-events", "order.dispatched", "-p", "no:randomly",
        "--flipdish-check", "ack.no-redirect,compat.extra-fields",
    )  # fmt: skip
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ ack.no-redirect: never answer 3xx*",
            "ack.no-redirect failed: *answered 302*",
            "the receiver answered: 302 with an empty body",
            "reproduce: */ack-no-redirect-order-dispatched.sh",
            "*_ compat.extra-fields: *",
            "compat.extra-fields blocked: blocked by ack.no-redirect*",
        ]
    )
    assert "_ test session _" not in result.stdout.str()
    assert "X-Verify-Token: tok" not in result.stdout.str()


def test_skip_reasons_name_the_pytest_options(project: pytest.Pytester) -> None:
    result = project.runpytest_inprocess(
        "--flipdish-conformance", *FAST, "--flipdish-check", "idempotency.duplicates", "-rs"
    )
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["*no probe: pass --flipdish-probe-url or override the flipdish_probe fixture*"]
    )
    assert "--probe-url" not in result.stdout.str().replace("--flipdish-probe-url", "")


@pytest.mark.parametrize("where", ["", "tests/"])
def test_a_probe_override_in_a_conftest_is_honoured(project: pytest.Pytester, where: str) -> None:
    if where:
        project.mkpydir("tests")
        project.makepyfile(**{"tests/test_nothing": "def test_nothing():\n    pass\n"})
    Path(project.path, where, "conftest.py").write_text(
        "import pytest\nimport receiver_app\n\n\n"
        "@pytest.fixture\ndef flipdish_probe():\n    return lambda: len(receiver_app.applied)\n",
        encoding="utf-8",
    )
    result = project.runpytest_inprocess(
        "--flipdish-conformance", *FAST, "--flipdish-check", "idempotency.duplicates", "-v"
    )
    result.stdout.fnmatch_lines(["*flipdish-conformance::idempotency.duplicates PASSED*"])


def test_the_fixture_report_asserts_passed_or_lists_every_failure(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest
        import receiver_app
        from flipdish_sim.conformance import ConformanceFailedError

        def test_passes(flipdish_conformance):
            report = flipdish_conformance(events=("order.created",), fuzz_examples=2, valid_deliveries=5)
            assert report.ok
            report.assert_passed()

        def test_fails(flipdish_conformance):
            receiver_app.REDIRECTED.add("order.created")
            report = flipdish_conformance(events=("order.created",), fuzz_examples=2, valid_deliveries=5)
            assert not report.ok
            with pytest.raises(ConformanceFailedError) as caught:
                report.assert_passed()
            message = str(caught.value)
            assert "1 failed, 6 blocked" in message
            assert "ack.no-redirect failed" in message
            assert "the receiver answered: 302 with an empty body" in message
            assert "reproduce: " in message and ".sh" in message
            assert "contract.fuzz blocked: blocked by ack.no-redirect" in message
        """
    )
    project.runpytest_inprocess("-p", "no:randomly").assert_outcomes(passed=2)


def test_the_receivers_answer_is_masked_in_pytest_messages(project: pytest.Pytester) -> None:
    project.makeini(plugin_ini(verify_token="tok-wrong"))
    project.makepyfile(
        receiver_app=RECEIVER.replace('"bad token tok"', '"bad token tok-wrong"'),
    )
    result = project.runpytest_inprocess(
        "--flipdish-conformance", *FAST, "--flipdish-check", "ack.2xx", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(['the receiver answered: 401 with body \'{"error": "bad token ***"}\''])
    assert "tok-wrong" not in result.stdout.str()


def test_conformance_suite_grades_the_receiver_fixture(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        from flipdish_sim.plugin.conformance.pytest_items import conformance_suite

        test_flipdish_conformance = conformance_suite(
            events=("order.created",), checks=("ack.2xx", "auth.verify-token", "compat.unknown-event")
        )
        """
    )
    result = project.runpytest_inprocess("-p", "no:randomly", "-v")
    result.stdout.fnmatch_lines(
        ["*test_flipdish_conformance[[]auth.verify-token[[]order.created[]][]] PASS*"]
    )
    result.assert_outcomes(passed=3)


def test_a_receiver_fixture_override_is_graded_without_any_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(receiver_app=RECEIVER)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.syspathinsert()
    pytester.makeconftest(
        """
        import pytest
        import receiver_app
        from flipdish_sim.conformance import Target

        @pytest.fixture
        def flipdish_receiver():
            return Target.from_app(receiver_app.app, url="/webhook")

        @pytest.fixture
        def flipdish_verify_token():
            return "tok"
        """
    )
    result = pytester.runpytest_inprocess(
        "--flipdish-conformance", *FAST, "--flipdish-check", "ack.2xx,auth.verify-token", "-v"
    )
    result.stdout.fnmatch_lines(["*::ack.2xx PASSED*", "*::auth.verify-token PASSED*"])
