"""Hostile receivers: every attempt ends classified within the deadline, memory stays bounded, nothing hangs.

Each receiver is a real server on 127.0.0.1 (tests/receivers.py). The deadline is 1 s instead of Flipdish's
10 s so the suite stays fast; the rule under test is the same: the deadline covers the whole exchange.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable
from datetime import UTC, datetime

import psutil
import pytest
import receivers

from flipdish_sim.simulator.http import _delivery as delivery
from flipdish_sim.simulator.model._attempt import Attempt, Outcome
from flipdish_sim.simulator.wire._envelope import OutgoingRequest, legacy_request

pytestmark = pytest.mark.faults

DEADLINE = 1.0
MARGIN = 1.0  # scheduling slack on a busy 2-core machine; a hung attempt would take far longer
SAFETY = DEADLINE + 20  # if this outer limit fires, something hung: the test fails instead of blocking CI
AT = datetime(2026, 1, 1, tzinfo=UTC)
MB = 2**20

HOSTILE: dict[str, tuple[Callable[[], receivers.Receiver], Outcome]] = {
    "never answers": (receivers.silent, Outcome.TIMEOUT),
    "trickles its response": (lambda: receivers.trickle(interval=0.2), Outcome.TIMEOUT),
    "headers then stall": (receivers.stall_after_headers, Outcome.TIMEOUT),
    "resets the connection": (receivers.reset, Outcome.CONNECTION_RESET),
    "answers 100 MB": (receivers.large, Outcome.ACKNOWLEDGED),
    "broken HTTP": (receivers.broken, Outcome.MALFORMED_RESPONSE),
    "redirects in a loop": (receivers.redirect_loop, Outcome.HTTP_ERROR),
    "untrusted TLS": (receivers.tls_untrusted, Outcome.TLS_ERROR),
}


def _request(url: str) -> OutgoingRequest:
    envelope = {"Type": "order.created", "CreateTime": "2026-01-01T00:00:00.000Z", "Body": {"OrderId": 1}}
    return legacy_request(url, envelope, verify_token="hostile-token")


def _rss() -> int:
    gc.collect()
    return int(psutil.Process().memory_info().rss)


async def _attempt_all(urls: list[str], deadline: float = DEADLINE) -> list[Attempt]:
    client = delivery.make_client()
    try:
        attempts = [delivery.attempt(client, _request(url), at=AT, deadline=deadline) for url in urls]
        return await asyncio.wait_for(asyncio.gather(*attempts), SAFETY)
    finally:
        await client.aclose()


def _check(attempt: Attempt, expected: Outcome | set[Outcome], kind: str, deadline: float = DEADLINE) -> None:
    allowed = expected if isinstance(expected, set) else {expected}
    assert attempt.outcome in allowed, f"{kind}: {attempt}"
    assert attempt.duration <= deadline + MARGIN, f"{kind} took {attempt.duration:.2f} s"
    assert len(attempt.response_body) <= delivery.DEFAULT_MAX_RESPONSE_BYTES
    if attempt.outcome is not Outcome.ACKNOWLEDGED:
        assert attempt.error, f"{kind}: a failure always says why"


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_each_hostile_receiver_ends_classified_within_the_deadline(kind: str) -> None:
    factory, expected = HOSTILE[kind]
    before = _rss()
    with factory() as receiver:
        (attempt,) = asyncio.run(_attempt_all([receiver.url]))
    _check(attempt, expected, kind)
    assert receiver.requests or kind == "untrusted TLS", "the receiver saw the request"
    assert _rss() - before < 50 * MB


def test_a_100_mb_answer_is_never_downloaded() -> None:
    with receivers.large(size=100 * MB) as receiver:
        before = _rss()
        (attempt,) = asyncio.run(_attempt_all([receiver.url]))
        grown = _rss() - before
    assert attempt.ok
    assert attempt.response_truncated
    assert len(attempt.response_body) == delivery.DEFAULT_MAX_RESPONSE_BYTES
    assert grown < 20 * MB


def test_100_hostile_attempts_in_flight_at_once_all_end_classified() -> None:
    kinds = list(HOSTILE)
    deadline = 3 * DEADLINE  # 100 exchanges share two cores with their own receivers' threads
    before = _rss()
    opened = [HOSTILE[kind][0]() for kind in kinds]
    try:
        for receiver in opened:
            receiver.__enter__()
        plan = [(kinds[i % len(kinds)], opened[i % len(kinds)]) for i in range(100)]
        attempts = asyncio.run(_attempt_all([receiver.url for _, receiver in plan], deadline))
    finally:
        for receiver in opened:
            receiver.close()
    assert len(attempts) == 100
    for (kind, _), attempt in zip(plan, attempts, strict=True):
        expected: Outcome | set[Outcome] = HOSTILE[kind][1]
        if kind == "answers 100 MB":  # thirteen 100 MB senders may not get their first bytes out in time
            expected = {Outcome.ACKNOWLEDGED, Outcome.TIMEOUT}
        _check(attempt, expected, kind, deadline)
    # thirteen 100 MB answers in flight: only their bounded prefixes may stay in memory
    assert _rss() - before < 100 * MB


def test_a_refused_connection_is_classified_at_once() -> None:
    (attempt,) = asyncio.run(_attempt_all([receivers.refused_url()]))
    _check(attempt, Outcome.CONNECTION_REFUSED, "refused")
