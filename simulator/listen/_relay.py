"""``listen --mode ack``: each delivery handed to a running sender that delivers it to the local receiver.

The caller (Flipdish, through the user's tunnel) gets 200 as soon as the delivery is recorded and handed
over; the sender then POSTs the exact body bytes to ``--forward-to`` on its own retry schedule (10 s
deadline, retries for 24 h, every attempt in the same log), so a local receiver that is down while you work
still gets every delivery once it is back. The sender runs on the wall clock; its log is the listen log, so
``listen --mode ack --db FILE`` run again resumes what was still pending.

Headers: a legacy delivery carries ``--verify-token`` (the log never keeps the token it arrived with, and a
retry may come after a restart); a v3 delivery is re-signed at each attempt when ``--secret`` is given, and
otherwise keeps the signature it arrived with (a retry more than 5 minutes later is then stale at a
receiver that checks the timestamp: give ``--secret``).
"""

from __future__ import annotations

from flipdish_sim.contracts.catalogue import Family, catalogue
from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.engine import Sender
from flipdish_sim.simulator.model._capture import Capture
from flipdish_sim.simulator.wire._captured import identify

__all__ = ["Relay"]


class Relay:
    """Hands captures to ``sender``, one subscription per family pointed at ``forward_to``."""

    def __init__(
        self,
        sender: Sender,
        forward_to: str,
        *,
        verify_token: str | None = None,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.sender = sender
        self._forward_to = forward_to
        self._verify_token = verify_token
        self._secrets = secrets
        self._subscriptions: dict[str, int] = {}

    def hand(self, capture: Capture) -> str | None:
        """Schedule ``capture``'s delivery; ``None`` when handed over, else why it cannot be (one line)."""
        family = identify(capture).family
        if family == "legacy" and not self._verify_token:
            return "a legacy delivery is relayed with --verify-token, which was not given"
        try:
            self.sender.publish_captured(
                capture,
                to_subscription=self._subscription(family),
                resign=family == "v3" and bool(self._secrets),
            )
        except UsageError as err:
            return str(err)
        return None

    def _subscription(self, family: str) -> int:
        """The subscription of ``family`` to ``forward_to``: one already in the log with the same credentials
        (a resumed listen; its auto-disable state applies as in any run), else a new one subscribed to every
        event of the family (what is relayed is what arrived)."""
        found = self._subscriptions.get(family)
        if found is not None:
            return found
        for sub in self.sender.subscriptions():
            same = (
                (sub.verify_token == self._verify_token)
                if family == "legacy"
                else (tuple(sub.secrets) == self._secrets)
            )
            if sub.family == family and sub.callback_url == self._forward_to and same:
                self._subscriptions[family] = sub.id
                return sub.id
        names = [spec.name for spec in catalogue(Family(family))]
        if family == "legacy":
            sub = self.sender.add_subscription(
                self._forward_to, event_names=names, family="legacy", verify_token=self._verify_token
            )
        else:
            sub = self.sender.add_subscription(
                self._forward_to, event_names=names, family="v3", secrets=self._secrets
            )
        self._subscriptions[family] = sub.id
        return sub.id
