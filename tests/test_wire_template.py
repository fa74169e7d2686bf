"""The request templates give, per attempt, exactly what ``v3_request``/``legacy_request`` and
``mask_headers`` give: the same headers in the same order, the same masked text for the log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flipdish_sim.simulator.model._subscription import Delivery, DeliveryState, Subscription
from flipdish_sim.simulator.wire._envelope import RequestOptions, legacy_request, mask_headers, v3_request
from flipdish_sim.simulator.wire._headers import headers_text
from flipdish_sim.simulator.wire._signing import SIGNED_BODY
from flipdish_sim.simulator.wire._template import RequestTemplates

AT = datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=UTC)


def _sub(family: str, secrets: tuple[str, ...] = (), token: str | None = None) -> Subscription:
    return Subscription(
        id=7,
        owner_user_id=1,
        callback_url="https://receiver.example/hooks",
        family=family,  # type: ignore[arg-type]
        version="v3" if family == "v3" else "2.0",
        event_names=("sale.created.v1",),
        enabled=True,
        verify_token=token,
        secrets=secrets,
        created_at=AT,
    )


def _delivery(body: bytes, event_id: str = "evt-1") -> Delivery:
    return Delivery(
        id=1,
        event_seq=1,
        event_id=event_id,
        event_name="sale.created.v1",
        subscription_id=7,
        webhook_id="w-1",
        body=body,
        state=DeliveryState.PENDING,
        created_at=AT,
    )


OPTIONS = [
    RequestOptions(),
    RequestOptions(signed=SIGNED_BODY, user_agent=None, event_version="v2"),
    RequestOptions(idempotency_header=None, extra_headers=(("X-Team", "a"), ("Cookie", "c=1"))),
    RequestOptions(idempotency_header="Authorization"),  # a secret header's name: masked whole
]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("secrets", [("whsec_1",), ("whsec_new", "whsec_old")])
def test_v3_template_matches_v3_request_attempt_after_attempt(
    options: RequestOptions, secrets: tuple[str, ...]
) -> None:
    templates = RequestTemplates(options)
    sub = _sub("v3", secrets)
    for n, stamp in enumerate([AT, AT, AT + timedelta(milliseconds=1), AT + timedelta(hours=5), AT]):
        delivery = _delivery(b'{"id":"evt-%d"}' % n, event_id=f"evt-{n}")
        request, masked = templates.request(sub, delivery, stamp)
        expected = v3_request(
            sub.callback_url,
            delivery.event_name,
            {"id": f"evt-{n}"},
            secrets=secrets,
            at=stamp,
            event_id=delivery.event_id,
            options=options,
        )
        assert request.headers == expected.headers
        assert request.body == expected.body == delivery.body
        assert masked == headers_text(mask_headers(expected.headers))
        assert all(secret not in masked for secret in secrets)


@pytest.mark.parametrize("options", OPTIONS)
def test_legacy_template_matches_legacy_request(options: RequestOptions) -> None:
    sub = _sub("legacy", token="tok-123")
    request, masked = RequestTemplates(options).request(sub, _delivery(b"{}"), AT)
    expected = legacy_request(sub.callback_url, {}, verify_token="tok-123", options=options)
    assert request.headers == expected.headers
    assert masked == headers_text(mask_headers(expected.headers))
    assert "tok-123" not in masked
