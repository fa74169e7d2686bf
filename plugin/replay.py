"""Captured traffic as a regression test: a capture file replayed into a receiver on the virtual clock.

    report = replay_captures("captures.jsonl", app, verify_token="t", duplicates=2, out_of_order=True)
    report.assert_all_acknowledged()

Each capture is delivered through the sender (its retry schedule in virtual time, duplicates and reordering
as asked) at the simulated moment it was received: an in-process receiver reads that time (its clock is
frozen to the simulator's), so a v3 capture keeps a valid signature without any secret. ``re_sign`` signs
again with ``secrets`` instead (needed for exported captures: their signatures are masked).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flipdish_sim.contracts.catalogue import Family, catalogue
from flipdish_sim.errors import DeliveryAssertionError, UsageError
from flipdish_sim.plugin.simulator import Simulator
from flipdish_sim.simulator.clock import VirtualClock
from flipdish_sim.simulator.engine import AttemptReport, SenderPolicy
from flipdish_sim.simulator.log._replay_sources import captures_from_jsonl
from flipdish_sim.simulator.model import Capture
from flipdish_sim.simulator.model._subscription import Event
from flipdish_sim.simulator.policy._faults import DuplicatePolicy, ReorderPolicy
from flipdish_sim.simulator.wire._captured import identify

__all__ = ["ReplayReport", "replay_captures"]

_UNUSED_SECRET = "flipdish-sim-replay-keeps-the-captured-signature"


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """What a replay did: the events replayed (one per capture) and every attempt, in order."""

    events: tuple[Event, ...]
    reports: tuple[AttemptReport, ...]

    @property
    def deliveries(self) -> int:
        """Deliveries made, duplicates included."""
        return len({r.delivery_id for r in self.reports})

    @property
    def acknowledged(self) -> int:
        """Deliveries the receiver acknowledged (2xx), duplicates included."""
        return len({r.delivery_id for r in self.reports if r.attempt.ok})

    @property
    def duplicates(self) -> int:
        return len({r.delivery_id for r in self.reports if r.duplicate})

    @property
    def order(self) -> tuple[str, ...]:
        """Event ids in the order the receiver first saw them (reordered by ``out_of_order``)."""
        return tuple(dict.fromkeys(r.event_id for r in self.reports))

    def assert_all_acknowledged(self) -> None:
        """Every delivery acknowledged; the message names the ones that were not and their last attempt."""
        last = {r.delivery_id: r for r in self.reports}
        failed = [r for r in last.values() if not r.attempt.ok]
        if failed:
            shown = "; ".join(
                f"{r.event_name} {r.event_id} after {r.attempt_no} attempts: {r.attempt.describe()}"
                for r in failed[:5]
            )
            raise DeliveryAssertionError(
                f"expected every one of {len(last)} replayed deliveries acknowledged, {len(failed)} were"
                f" not: {shown}"
            )


def replay_captures(
    captures: str | Path | Sequence[Capture],
    receiver: object,
    *,
    url: str | None = None,
    verify_token: str | None = None,
    secrets: Sequence[str] = (),
    re_sign: bool = False,
    duplicates: int = 0,
    out_of_order: bool | timedelta = False,
    lifespan: bool | None = None,
) -> ReplayReport:
    """Replay ``captures`` (a JSON Lines file or Capture records) into ``receiver`` (an ASGI/WSGI app, a
    URL or a Target; ``url``: the path an app serves) and return what happened.

    ``out_of_order``: each delivery is held back by a seeded delay up to 30 s (or the ``timedelta``
    given): captures received further apart than that keep their order."""
    records = captures_from_jsonl(captures) if isinstance(captures, str | Path) else list(captures)
    if not records:
        raise UsageError("no captures to replay")
    if re_sign and not secrets:
        raise UsageError("re_sign=True signs with secrets: pass secrets=[...]")
    ordered = sorted(records, key=lambda c: c.received_at)
    identities = {c.id: identify(c) for c in ordered}
    families = sorted({i.family for i in identities.values()})
    policy = SenderPolicy(
        duplicates=DuplicatePolicy(count=duplicates) if duplicates else None,
        reorder=ReorderPolicy(window=_window(out_of_order)) if out_of_order else None,
    )
    first = families[0]
    with Simulator(
        receiver,
        url=url,
        family=first,
        verify_token=verify_token if first == "legacy" else None,
        secrets=_keys(first, secrets),
        clock=VirtualClock(ordered[0].received_at),
        policy=policy,
        lifespan=lifespan,
    ) as sim:
        subs = {first: sim.subscription.id}
        for family in families[1:]:
            subs[family] = sim.sender.add_subscription(
                sim.target.url,
                event_names=[spec.name for spec in catalogue(Family(family))],
                family="v3" if family == "v3" else "legacy",
                verify_token=verify_token if family == "legacy" else None,
                secrets=_keys(family, secrets),
            ).id
        events = tuple(
            sim.sender.publish_captured(
                c, to_subscription=subs[identities[c.id].family], resign=re_sign, at=c.received_at
            )
            for c in ordered
        )
        sim.run_until_idle()
        return ReplayReport(events, tuple(sim.reports))


def _keys(family: str, secrets: Sequence[str]) -> tuple[str, ...]:
    if family != "v3":
        return ()
    return tuple(secrets) or (_UNUSED_SECRET,)


def _window(out_of_order: bool | timedelta) -> timedelta:
    return out_of_order if isinstance(out_of_order, timedelta) else timedelta(seconds=30)
