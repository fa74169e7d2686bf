"""Property-based receiver tests over any event's contract (Hypothesis).

    from flipdish_sim.plugin.properties import every_payload

    @every_payload("order.created", "order.accepted")
    def test_receiver_acknowledges_any_valid_order(flipdish_simulator, flipdish_payload):
        name, payload = flipdish_payload
        flipdish_simulator.send(name, payload).assert_acknowledged()

``event_payloads(name)`` is the strategy (contract-valid payloads, edge values included, inside the declared
fields); ``every_payload`` applies ``@given`` with settings that suit a fixture-backed receiver test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from flipdish_sim.conformance.fuzz import fuzz_strategy
from flipdish_sim.contracts.catalogue import Profile, get_event

__all__ = ["event_payloads", "every_payload"]

F = TypeVar("F", bound=Callable[..., Any])


def event_payloads(name: str, *, profile: Profile = Profile.OBSERVED) -> SearchStrategy[dict[str, object]]:
    """Contract-valid delivered payloads of ``name`` (legacy envelope or v3 body), fields as declared."""
    get_event(name)
    return fuzz_strategy(name, Profile(profile))


def every_payload(
    *names: str, profile: Profile = Profile.OBSERVED, max_examples: int | None = None
) -> Callable[[F], F]:
    """Run the test for many ``(event name, payload)`` pairs, passed as its ``flipdish_payload`` argument."""
    if not names:
        raise ValueError("every_payload needs at least one event name")
    strategy = st.one_of([st.tuples(st.just(name), event_payloads(name, profile=profile)) for name in names])
    options: dict[str, Any] = {
        "deadline": None,
        "suppress_health_check": [
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    }
    if max_examples is not None:
        options["max_examples"] = max_examples

    def decorate(test: F) -> F:
        return settings(**options)(given(flipdish_payload=strategy)(test))  # type: ignore[return-value]

    return decorate
