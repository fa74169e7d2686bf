"""A scenario run over a log: builds the sender from a scenario, and resumes an interrupted run.

:func:`open_run` validates everything first (scenario, URL, policy) and only then touches the log, so bad
input never half-writes a database. The log remembers the run under the meta key ``run`` (scenario,
seed, clock, simulated start, subscription, events already in the log before it).

One run, one log. A run never sends to a URL the user did not give in that run, so :func:`open_run`
accepts exactly two kinds of log:

* a new (empty) one: a fresh run;
* one whose run did not finish, opened with the same scenario, seed and clock and the same callback URL:
  the run resumes (the events already published are skipped, pending deliveries continue through the
  sender's own recovery, the clock continues from the latest time in the log).

Anything else is refused before a byte is written (UsageError): a finished run (it is never appended to
a second time), an unfinished run of another scenario, seed, clock or URL, and a log that ``serve`` or
``send`` wrote (its subscriptions are not this run's).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice

import httpx

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.clock import DEFAULT_START, Clock, VirtualClock, WallClock
from flipdish_sim.simulator.engine import Sender, check_url
from flipdish_sim.simulator.log._store import Store
from flipdish_sim.simulator.model._identity import RunIdentity, new_salt
from flipdish_sim.simulator.scenario._model import PlannedEvent, Scenario
from flipdish_sim.simulator.scenario._plan import plan

__all__ = ["ScenarioRun", "callback_url", "clock_for_log", "open_run"]

RUN_KEY = "run"


def clock_for_log(store: Store, *, time_scale: float = 1.0) -> Clock:
    """The clock a command that is not a run (``subscriptions enable``) should use on this log."""
    meta = _meta(store)
    if meta.get("clock") == "wall":
        return WallClock(time_scale)
    return VirtualClock(store.latest_time() or DEFAULT_START)


def _meta(store: Store) -> dict[str, object]:
    raw = store.get_meta(RUN_KEY)
    try:
        found = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}


@dataclass
class ScenarioRun:
    """A sender ready to run a scenario's remaining events (:meth:`events`)."""

    scenario: Scenario
    sender: Sender
    start: datetime
    skip: int
    resumed: bool
    seed: int
    _key: dict[str, object]

    @property
    def events_before(self) -> int:
        """Events already in the log before this run started (its summary counts the ones after)."""
        return int(str(self._key["events_before"]))

    @property
    def total_events(self) -> int:
        return self.scenario.event_count

    def events(self) -> Iterator[PlannedEvent]:
        """The planned events not yet published (a resumed run skips those already in the log)."""
        planned = plan(self.scenario, self.start, seed_offset=self.seed)
        return islice(planned, self.skip, None)

    def finish(self) -> bool:
        """Mark the run finished in the log, unless deliveries still wait (suspended by a disable, or
        pending): then it stays resumable, so after a re-enable the same command sends them."""
        store = self.sender.store
        if store.has_waiting_deliveries():
            return False
        store.set_meta(RUN_KEY, json.dumps({**self._key, "finished": True}))
        return True


def _check_log(store: Store, meta: dict[str, object], identity: dict[str, object], callback: str) -> bool:
    """True when the log holds this run unfinished (resume), False when it is new; UsageError otherwise."""
    where = f"the log {store.path}"
    if not meta:
        subs = len(store.subscriptions())
        events = store.count_events()
        if subs or events:
            raise UsageError(
                f"{where} was not written by 'run' ({subs} subscriptions, {events} events): a run sends"
                " only to the URL it is given; use a new --db (or none: each run gets its own log)"
            )
        return False
    what = f"{meta.get('scenario')} (seed {meta.get('seed')}, {meta.get('clock')} clock)"
    if meta.get("finished"):
        raise UsageError(
            f"{where} holds a finished run of {what}; a finished run is not appended to: use a new --db"
            " (or none: each run gets its own log)"
        )
    if any(meta.get(k) != v for k, v in identity.items()):
        raise UsageError(
            f"{where} holds an unfinished run of {what}; resume it with the same scenario, --seed and"
            " --clock, or use a new --db"
        )
    subscribed = [s.callback_url for s in store.subscriptions() if s.id == meta.get("subscription_id")]
    if subscribed and subscribed[0] != callback:
        raise UsageError(
            f"{where} holds an unfinished run that delivers to {subscribed[0]}, not {callback}; resume it"
            " with that --url, or use a new --db"
        )
    return True


def callback_url(scenario: Scenario, url: str | None) -> str:
    """The URL a run delivers to (``--url`` wins over the scenario's); UsageError when none or invalid."""
    callback = url or scenario.subscription.callback_url
    if not callback:
        raise UsageError(f"scenario {scenario.name} has no subscription.callback_url: pass --url URL")
    check_url(callback)
    return callback


def open_run(
    scenario: Scenario,
    store: Store,
    client: httpx.AsyncClient,
    *,
    url: str | None = None,
    clock: str = "virtual",
    time_scale: float = 1.0,
    seed: int = 0,
    fixed_ids: bool = False,
) -> ScenarioRun:
    """A sender for ``scenario`` on ``store`` (a fresh run, or the resumption of an unfinished one).

    ``fixed_ids``: event and order ids as seeded (byte-identical reruns); by default they are unique to
    the run (:mod:`~flipdish_sim.simulator.model._identity`), and a resumed run keeps its own."""
    callback = callback_url(scenario, url)
    if clock not in ("virtual", "wall"):
        raise UsageError(f"clock must be virtual or wall, got {clock!r}")
    if not time_scale > 0:
        raise UsageError(f"--time-scale must be > 0, got {time_scale}")
    policy = scenario.to_policy()
    meta = _meta(store)
    identity = {"scenario": scenario.source, "seed": seed, "clock": clock}
    if _check_log(store, meta, identity, callback):
        start = datetime.fromisoformat(str(meta["start"]))
        latest = max(start, store.latest_time() or start)
        the_clock: Clock = VirtualClock(latest) if clock == "virtual" else WallClock(time_scale, start=latest)
        salt = meta.get("ids")  # absent in logs of older versions: their ids were the seeded ones
        ids = RunIdentity(salt if isinstance(salt, str) else None)
        sender = Sender(store, clock=the_clock, client=client, policy=policy, rng_seed=seed, identity=ids)
        skip = store.count_events() - int(str(meta["events_before"]))
        return ScenarioRun(scenario, sender, start, skip, True, seed, meta)
    start = scenario.start or (DEFAULT_START if clock == "virtual" else datetime.now(UTC))
    the_clock = VirtualClock(start) if clock == "virtual" else WallClock(time_scale, start=start)
    ids = RunIdentity(None if fixed_ids or scenario.fixed_ids else new_salt())
    sender = Sender(store, clock=the_clock, client=client, policy=policy, rng_seed=seed, identity=ids)
    sub = scenario.subscription
    created = sender.add_subscription(
        callback,
        event_names=sub.event_names,
        family=sub.family,
        version=sub.version,
        verify_token=sub.verify_token,
        secrets=sub.secrets,
        owner_user_id=sub.owner_user_id,
    )
    key: dict[str, object] = {
        **identity,
        "start": start.isoformat(),
        "subscription_id": created.id,
        "events_before": 0,
        "ids": ids.salt,
    }
    store.set_meta(RUN_KEY, json.dumps(key))
    return ScenarioRun(scenario, sender, start, 0, False, seed, key)
