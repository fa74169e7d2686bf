"""This receiver's own tests, written with the flipdish-sim pytest plugin."""

from __future__ import annotations

import pytest

from flipdish_sim.plugin.properties import every_payload


def test_an_order_is_acknowledged_at_the_first_attempt(flipdish_deliver):
    result = flipdish_deliver("order.created")
    result.assert_acknowledged()
    result.assert_attempts(1)


def test_a_redelivered_event_is_applied_once(flipdish_simulator, flipdish_event, flipdish_probe):
    payload = flipdish_event("order.created", seed=3)
    flipdish_simulator.send("order.created", payload).assert_acknowledged()
    flipdish_simulator.send("order.created", payload).assert_acknowledged()
    assert flipdish_probe() == 1


@pytest.mark.flipdish(verify_token="not-our-token")
def test_a_delivery_with_a_wrong_token_is_refused(flipdish_deliver):
    result = flipdish_deliver("order.created")
    assert not result.acknowledged
    assert {attempt.status_code for attempt in result.attempts} == {401}


def test_a_whole_order_lifecycle_is_acknowledged(flipdish_scenario):
    assert flipdish_scenario("order-lifecycle").acknowledged


@every_payload("order.created", "order.accepted", max_examples=5)
def test_any_contract_valid_order_event_is_acknowledged(flipdish_simulator, flipdish_payload):
    name, payload = flipdish_payload
    flipdish_simulator.send(name, payload).assert_acknowledged()


def test_the_receiver_passes_the_conformance_suite(flipdish_conformance):
    report = flipdish_conformance(fuzz_examples=3)
    assert report.exit_code == 0, report.outcomes()
