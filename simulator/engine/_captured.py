"""Captured requests sent through the sender (``replay``, ``flipdish_replay``, ``listen --mode ack``).

    event = sender.publish_captured(capture, to_subscription=sub.id, resign=True)
    await sender.run_until_idle()

:meth:`CapturedSender.publish_captured` records a captured request
(:class:`~flipdish_sim.simulator.model.Capture`) as an event for ONE subscription and puts its delivery on
the agenda like any other: the sender's deadline, retry schedule, auto-disable window, duplicate and
reorder policies apply, and every attempt is written to the log before the next one starts. Only the
request differs: the body bytes go exactly as captured and the headers as
:func:`~flipdish_sim.simulator.wire._captured.replay_headers` makes them (the subscription's verify token;
a fresh v3 signature with ``resign``, else the captured one).

The log keeps what a captured event's deliveries send (in its ``meta`` table, headers masked, written
with the event, before its first attempt), so a sender resuming the log, or resending the event later,
sends them the same way. Masked means: a resumed legacy delivery still carries the subscription's token
and a re-signed v3 one a fresh signature, but a v3 one sent with its captured signature gets it masked
(it would be stale by then in most cases anyway).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.clock import utc_now
from flipdish_sim.simulator.engine._loop import Loop
from flipdish_sim.simulator.model._capture import Capture, capture_from_json, capture_to_json
from flipdish_sim.simulator.model._subscription import Delivery, DeliveryState, Event
from flipdish_sim.simulator.wire._captured import identify, replay_headers, replay_problem
from flipdish_sim.simulator.wire._envelope import OutgoingRequest, mask_headers
from flipdish_sim.simulator.wire._headers import headers_text

__all__ = ["CapturedSender"]

_META = "captured"
"""The log's meta key saying it holds captured events; ``captured:<event seq>`` holds each one."""


@dataclass(frozen=True, slots=True)
class _Captured:
    """What every attempt of a captured event's deliveries sends, besides the subscription's credentials."""

    capture: Capture
    resign: bool


class CapturedSender(Loop):
    """The sender's captured-request half: :meth:`publish_captured` and the requests of such deliveries."""

    _captured: dict[int, _Captured | None]  # event seq -> what its deliveries send; None: an ordinary event
    _logs_captures: bool | None  # whether the log holds captured events (None: not asked yet)

    def publish_captured(
        self,
        capture: Capture,
        *,
        to_subscription: int,
        resign: bool = False,
        at: datetime | None = None,
    ) -> Event:
        """Record ``capture`` as an event for subscription ``to_subscription`` only and schedule its delivery
        (plus the copies the duplicate policy plans; delayed by the reorder policy), to the subscription's
        callback URL. Returns the stored event (its name and id read from the capture).

        ``resign``: a v3 capture gets a fresh ``X-Flipdish-Timestamp`` and ``X-Flipdish-Signature`` from the
        subscription's secrets on every attempt. Without it the captured signature is sent unchanged, and a
        capture whose signature is masked, unreadable or older than the receiver's window (judged at the
        time the sender signs, see ``SenderPolicy.signing_time``) raises ``UsageError`` before anything is
        recorded. A legacy capture always carries the subscription's verify token.
        """
        sub = self._subs.get(to_subscription) or self.store.subscription(to_subscription)
        identity = identify(capture)
        if identity.family != sub.family:
            raise UsageError(
                f"capture {capture.id} is a {identity.family} delivery; subscription {sub.id} is {sub.family}"
            )
        if resign and sub.family == "v3" and not sub.secrets:
            raise UsageError(f"re-signing needs a secret: subscription {sub.id} has none (add --secret S)")
        problem = replay_problem(identity, resign=resign, now=self._signing_now())
        if problem is not None:
            raise UsageError(f"capture {capture.id} ({identity.event_name}) cannot be replayed: {problem}")
        at = self.clock.now() if at is None else at
        deliveries = self._deliveries_for(sub, identity.event_id, identity.event_name, capture.body, at)
        seq = self.store.stage_event(identity.event_id, identity.event_name, capture.body, at, deliveries)
        self._captured[seq] = _Captured(capture, resign)
        self._log_captured(seq, capture, resign)
        if not self.clock.is_virtual:
            self.store.commit()
        for delivery in deliveries:
            if delivery.state is DeliveryState.PENDING:
                self._schedule(delivery)
        event = Event(seq=seq, id=identity.event_id, name=identity.event_name, payload=_payload(capture),
                      created_at=at)  # fmt: skip
        for hook in self.on_publish:
            hook(event)
        return event

    def _signing_now(self) -> datetime:
        """The time a receiver compares a v3 timestamp with (as the sender stamps, ``signing_time``)."""
        return utc_now() if self.policy.signing_time == "real" else self.clock.now()

    def _log_captured(self, seq: int, capture: Capture, resign: bool) -> None:
        masked = Capture(capture.id, capture.received_at, capture.method, capture.path,
                         mask_headers(capture.headers), capture.body)  # fmt: skip
        record = capture_to_json(masked)
        record.pop("body", None)  # the event row holds the bytes
        record.pop("body_base64", None)
        if self._logs_captures is not True:
            self.store.set_meta(_META, "1")
            self._logs_captures = True
        self.store.set_meta(f"{_META}:{seq}", json.dumps({"capture": record, "resign": resign}))

    def _schedule(self, delivery: Delivery) -> None:
        """Also: a logged captured event first seen here (on recovery, a resend) is loaded from the log."""
        seq = delivery.event_seq
        if seq not in self._captured and self._logs_captured_events():
            self._captured[seq] = self._load_captured(seq, delivery.body)
        super()._schedule(delivery)

    def _logs_captured_events(self) -> bool:
        found = self._logs_captures
        if found is None:
            found = self._logs_captures = self.store.get_meta(_META) is not None
        return bool(found)

    def _load_captured(self, seq: int, body: bytes) -> _Captured | None:
        raw = self.store.get_meta(f"{_META}:{seq}")
        if raw is None:
            return None
        stored = json.loads(raw)
        capture = capture_from_json({**stored["capture"], "body_base64": base64.b64encode(body).decode()})
        return _Captured(capture, bool(stored["resign"]))

    def _request(self, delivery: Delivery, at: datetime) -> tuple[OutgoingRequest, str]:
        captured = self._captured.get(delivery.event_seq)
        if captured is None:
            return super()._request(delivery, at)
        sub = self._subs[delivery.subscription_id]
        stamp = None
        if captured.resign and sub.family == "v3":
            stamp = at if self.policy.signing_time == "simulated" else utc_now()
        headers = replay_headers(
            captured.capture,
            family=sub.family,
            verify_token=sub.verify_token,
            secrets=sub.secrets,
            stamp=stamp,
            signed=self.policy.request.signed,
        )
        request = OutgoingRequest(sub.callback_url, headers, delivery.body)
        return request, headers_text(mask_headers(headers))


def _payload(capture: Capture) -> dict[str, object]:
    try:
        document = json.loads(capture.body)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}
