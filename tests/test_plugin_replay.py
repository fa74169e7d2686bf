"""The ``flipdish_replay`` fixture: a capture file replayed into an in-process receiver (pytester)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from capture_files import SECRET, TOKEN, legacy_capture, v3_capture, write

pytest_plugins = ["pytester"]

OLD = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)  # long past the 5-minute window of any real clock


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    legacy = [legacy_capture(n, at=OLD + timedelta(seconds=5 * n)) for n in range(4)]
    write(pytester.path / "legacy.jsonl", legacy)
    write(pytester.path / "v3.jsonl", [v3_capture(n, signed_at=OLD + timedelta(hours=n)) for n in range(3)])
    write(pytester.path / "v3_masked.jsonl", [v3_capture(n, signed_at=OLD, masked=True) for n in range(2)])
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makeconftest(
        f"""
        import pytest
        from examples.legacy_fastapi.app import create_app as legacy_app
        from examples.v3_flask.app import create_app as v3_app

        @pytest.fixture
        def legacy():
            return legacy_app({TOKEN!r})

        @pytest.fixture
        def v3():
            return v3_app([{SECRET!r}])
        """
    )
    return pytester


def test_a_capture_file_becomes_a_regression_test(project: pytest.Pytester) -> None:
    project.makepyfile(
        f"""
        from flipdish_sim.errors import DeliveryAssertionError
        import pytest

        def test_legacy_idempotent_under_duplicates_and_reordering(flipdish_replay, legacy):
            report = flipdish_replay("legacy.jsonl", to=legacy, url="/webhooks/flipdish",
                                     verify_token={TOKEN!r}, duplicates=2, out_of_order=True)
            report.assert_all_acknowledged()
            assert (report.deliveries, report.duplicates) == (12, 8)
            assert len(legacy.state.applied) == 4
            assert report.order != tuple(e.id for e in report.events)

        def test_v3_signatures_verify_at_the_simulated_time_they_were_made(flipdish_replay, v3):
            # a WSGI receiver: its clock reads the virtual clock, set to each capture's own time
            report = flipdish_replay("v3.jsonl", to=v3, url="/webhooks/flipdish", secrets=[])
            report.assert_all_acknowledged()
            assert report.deliveries == 3

        def test_masked_v3_captures_need_re_signing(flipdish_replay, v3):
            with pytest.raises(Exception, match="signature is masked"):
                flipdish_replay("v3_masked.jsonl", to=v3, url="/webhooks/flipdish", secrets=[])
            report = flipdish_replay("v3_masked.jsonl", to=v3, url="/webhooks/flipdish",
                                     secrets=[{SECRET!r}], re_sign=True)
            report.assert_all_acknowledged()

        def test_a_wrong_token_fails_with_the_attempts_named(flipdish_replay, legacy):
            report = flipdish_replay("legacy.jsonl", to=legacy, url="/webhooks/flipdish", verify_token="nope")
            with pytest.raises(DeliveryAssertionError, match="4 were not: order.created evt-0 after"):
                report.assert_all_acknowledged()
        """
    )
    result = project.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=4)


def test_the_default_receiver_and_credentials_come_from_the_fixtures(project: pytest.Pytester) -> None:
    project.makeconftest(
        """
        import pytest
        from flipdish_sim.conformance.target import Target
        from examples.legacy_fastapi.app import create_app

        APP = create_app("from-the-fixture")

        @pytest.fixture
        def flipdish_receiver():
            return Target.from_app(APP, url="/webhooks/flipdish")

        @pytest.fixture
        def flipdish_verify_token():
            return "from-the-fixture"
        """
    )
    project.makepyfile(
        """
        from conftest import APP

        def test_replay(flipdish_replay):
            flipdish_replay("legacy.jsonl").assert_all_acknowledged()
            assert len(APP.state.applied) == 4
        """
    )
    result = project.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1)


def test_a_broken_capture_file_names_its_line(project: pytest.Pytester) -> None:
    (project.path / "broken.jsonl").write_text((project.path / "legacy.jsonl").read_text() + "{oops\n")
    project.makepyfile(
        """
        import pytest
        from flipdish_sim.errors import UsageError

        def test_replay(flipdish_replay, legacy):
            with pytest.raises(UsageError, match="broken.jsonl line 5: not JSON") as caught:
                flipdish_replay("broken.jsonl", to=legacy, url="/webhooks/flipdish")
            assert len(legacy.state.applied) == 0
            print(caught.value)
        """
    )
    result = project.runpytest("-p", "no:randomly", "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*broken.jsonl line 5: not JSON (Expecting property name*column 2)"])
