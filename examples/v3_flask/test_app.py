"""This receiver's own tests, written with the flipdish-sim pytest plugin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flipdish_sim.plugin.properties import every_payload


def test_a_sale_is_acknowledged_at_the_first_attempt(flipdish_deliver):
    result = flipdish_deliver("sale.created.v1")
    result.assert_acknowledged()
    result.assert_attempts(1)


def test_the_receiver_sees_the_simulators_virtual_time(flipdish_simulator, flipdish_clock):
    flipdish_clock.move_to(datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    result = flipdish_simulator.send("sale.created.v1")
    result.assert_acknowledged()  # its replay check read the simulated time, the signature's timestamp
    assert result.attempts[0].at == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert datetime.now(UTC) > result.attempts[0].at  # the test body itself runs in real time


@pytest.mark.flipdish(secrets=["a-rotated-out-secret"])
def test_a_delivery_signed_with_another_secret_is_refused(flipdish_deliver):
    result = flipdish_deliver("sale.created.v1")
    assert not result.acknowledged
    assert {attempt.status_code for attempt in result.attempts} == {401}


@every_payload("sale.created.v1", "sale.status.updated.v1", max_examples=5)
def test_any_contract_valid_sale_event_is_acknowledged(flipdish_simulator, flipdish_payload):
    name, payload = flipdish_payload
    flipdish_simulator.send(name, payload).assert_acknowledged()


def test_the_receiver_passes_the_conformance_suite(flipdish_conformance):
    report = flipdish_conformance(fuzz_examples=3)
    assert report.exit_code == 0, report.outcomes()
