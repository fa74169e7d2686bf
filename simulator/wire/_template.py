"""Per-subscription request templates: the headers of each attempt without rebuilding them every time.

A legacy request's headers depend only on the subscription (token, options), so they are built once. A v3
request changes per attempt only in four values (event type, timestamp, signature, idempotency key): the
template is built once by :func:`~flipdish_sim.simulator.wire.v3_request` itself (so the order and names
cannot drift from it) and each attempt fills in those four places and signs the stored body bytes once.

Every request comes with the masked text the log stores (:func:`~flipdish_sim.simulator.wire.mask_headers`
then
:func:`~flipdish_sim.simulator.wire._headers.headers_text`): tokens and signature digests never reach the log.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flipdish_sim.simulator.model._subscription import Delivery, Subscription
from flipdish_sim.simulator.wire._envelope import (
    OutgoingRequest,
    RequestOptions,
    legacy_request,
    mask_headers,
    v3_request,
)
from flipdish_sim.simulator.wire._headers import headers_text
from flipdish_sim.simulator.wire._signing import format_timestamp, signed_header

__all__ = ["RequestTemplates"]

Headers = tuple[tuple[str, str], ...]
_TYPE, _ID = "\x00event-type", "\x00event-id"
_PROBE_AT = datetime(2000, 1, 1, tzinfo=UTC)
_PROBE_TS = format_timestamp(_PROBE_AT)


class _V3:
    """The v3 headers of one subscription with the positions of the four per-attempt values, and their
    masked log lines (built once: per attempt only those four lines change)."""

    __slots__ = ("_stamp", "_timestamp", "headers", "lines", "places", "secrets", "signed")

    def __init__(self, sub: Subscription, options: RequestOptions) -> None:
        probe = v3_request(
            sub.callback_url, _TYPE, {}, secrets=sub.secrets, at=_PROBE_AT, event_id=_ID, options=options
        )
        self.headers = probe.headers
        masked = mask_headers(probe.headers)
        self.lines = [headers_text((pair,)) for pair in masked]
        self.secrets = sub.secrets
        self.signed = options.signed
        self._stamp: datetime | None = None
        self._timestamp = ""
        places: list[tuple[int, str, str, str | None]] = []  # index, what, masked line's prefix, suffix
        for index, (name, value) in enumerate(probe.headers):
            lowered = name.lower()
            if value == _TYPE:
                what = "type"
            elif value == _ID:
                what = "id"
            elif lowered == "x-flipdish-timestamp" and value == _PROBE_TS:
                what = "timestamp"
            elif lowered == "x-flipdish-signature" and value.startswith(f"t={_PROBE_TS},"):
                what = "signature"
            else:
                continue
            line = self.lines[index]
            suffix: str | None
            if masked[index][1] == value:  # logged as sent: the line is the name, then the value
                prefix, suffix = line[: len(line) - len(value)], ""
            elif what == "signature":  # the digests masked, the time kept
                prefix, _, suffix = line.partition(_PROBE_TS)
            else:  # a secret header's name (e.g. the idempotency key as Authorization): masked whole
                prefix, suffix = line, None
            places.append((index, what, prefix, suffix))
        self.places = tuple(places)

    def fill(self, delivery: Delivery, stamp: datetime) -> tuple[Headers, str]:
        if stamp != self._stamp:  # the attempts of one instant share it
            self._timestamp, self._stamp = format_timestamp(stamp), stamp
        timestamp = self._timestamp
        values = {
            "type": delivery.event_name,
            "id": delivery.event_id,
            "timestamp": timestamp,
            "signature": signed_header(self.secrets, timestamp, delivery.body, signed=self.signed),
        }
        headers = list(self.headers)
        lines = self.lines.copy()
        for index, what, prefix, suffix in self.places:
            value = values[what]
            headers[index] = (headers[index][0], value)
            if suffix is not None:
                lines[index] = f"{prefix}{timestamp}{suffix}" if what == "signature" else prefix + value
        return tuple(headers), "\r\n".join(lines)


class RequestTemplates:
    """The request of each attempt, from templates cached per subscription (:meth:`forget` on a change)."""

    __slots__ = ("_legacy", "_options", "_v3")

    def __init__(self, options: RequestOptions) -> None:
        self._options = options
        self._legacy: dict[int, tuple[Headers, str]] = {}
        self._v3: dict[int, _V3] = {}

    def forget(self, subscription_id: int) -> None:
        """Drop a subscription's templates (its URL, token, secrets or version changed)."""
        self._legacy.pop(subscription_id, None)
        self._v3.pop(subscription_id, None)

    def request(self, sub: Subscription, delivery: Delivery, stamp: datetime) -> tuple[OutgoingRequest, str]:
        """The POST of one attempt and its masked header text; ``stamp``: v3's signed time."""
        if sub.family == "legacy":
            cached = self._legacy.get(sub.id)
            if cached is None:
                headers = legacy_request(
                    sub.callback_url, {}, verify_token=sub.verify_token, options=self._options
                ).headers
                cached = self._legacy[sub.id] = (headers, headers_text(mask_headers(headers)))
            return OutgoingRequest(sub.callback_url, cached[0], delivery.body), cached[1]
        template = self._v3.get(sub.id)
        if template is None:
            template = self._v3[sub.id] = _V3(sub, self._options)
        headers, masked = template.fill(delivery, stamp)
        return OutgoingRequest(sub.callback_url, headers, delivery.body), masked
