"""Load mode: a Locust user class that sends realistic, correctly signed Flipdish deliveries at a target rate.

Run it with Locust itself, on one machine or spread over many (Locust's ``--master`` / ``--worker``)::

    LOCUSTFILE="$(python -c 'import flipdish_sim.simulator.load.locustfile as m; print(m.__file__)')"
    FLIPDISH_SIM_SECRET=... locust -f "$LOCUSTFILE" \\
        --headless --host https://receiver.example/webhooks -u 50 -r 10 -t 1m \\
        --flipdish-family v3 --flipdish-user-rate 2 --flipdish-duplicates 0.05

or through ``flipdish-sim load`` for the one-machine case. Every delivery is recorded under its event name
and, when it fails, under the outcome Flipdish would record (``http-error 503``, ``timeout``...).

Secrets never travel on the command line: each process reads the v3 secret(s) and the legacy verify token
from the environment variables named by ``--flipdish-secret-env`` (default ``FLIPDISH_SIM_SECRET``, several
secrets comma-separated while one rotates) and ``--flipdish-verify-token-env`` (default
``FLIPDISH_SIM_VERIFY_TOKEN``), so a worker on another machine needs them set there.

``--flipdish-summary PATH`` makes the master (or a lone process) write a JSON summary when it quits: per
worker and in total, deliveries sent, duplicates, reordered lifecycles, and outcomes.

Load mode runs on the wall clock with Locust's HTTP client (connect and read timeouts of the deadline each);
for exact retries, schedules and the auto-disable rule use a scenario run (``flipdish-sim run``) instead.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import FastHttpUser, events, task
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from flipdish_sim.contracts.catalogue import Family
from flipdish_sim.simulator.http._classify import classify_exception
from flipdish_sim.simulator.http._network import Network
from flipdish_sim.simulator.load._plan import (
    LoadOptions,
    LoadPlanner,
    PlannedDelivery,
    build_request,
    classify_status,
    example_payloads,
)
from flipdish_sim.simulator.model._attempt import Outcome

__all__ = ["FlipdishWebhookUser", "LoadTally"]

DEFAULT_SECRET_ENV = "FLIPDISH_SIM_SECRET"
DEFAULT_VERIFY_TOKEN_ENV = "FLIPDISH_SIM_VERIFY_TOKEN"


class LoadTally:
    """What this process sent since the last report to the master, plus every worker's total on the master."""

    def __init__(self) -> None:
        self.pending: Counter[str] = Counter()
        self.workers: dict[str, Counter[str]] = {}

    def record(self, delivery: PlannedDelivery, outcome: str) -> None:
        self.pending["sent"] += 1
        self.pending[f"outcome:{outcome}"] += 1
        if delivery.duplicate:
            self.pending["duplicates"] += 1
        if delivery.out_of_order:
            self.pending["out_of_order"] += 1

    def drain(self) -> dict[str, int]:
        drained = dict(self.pending)
        self.pending.clear()
        return drained

    def add(self, worker: str, counts: dict[str, int]) -> None:
        self.workers.setdefault(worker, Counter()).update(counts)

    def summary(self) -> dict[str, Any]:
        total: Counter[str] = Counter()
        for counts in self.workers.values():
            total.update(counts)
        return {"workers": {name: dict(c) for name, c in sorted(self.workers.items())}, "total": dict(total)}


TALLY = LoadTally()


def _add_arguments(parser: Any) -> None:
    group = parser.add_argument_group("flipdish-sim", "Flipdish webhook deliveries")
    group.add_argument(
        "--flipdish-family",
        choices=[f.value for f in Family],
        default=Family.LEGACY.value,
        help="webhook family: legacy (X-Verify-Token) or v3 (signed)",
    )
    group.add_argument(
        "--flipdish-events",
        default="",
        help="comma-separated event names sent in this order per lifecycle (default: an order's)",
    )
    group.add_argument(
        "--flipdish-user-rate",
        type=float,
        default=1.0,
        help="deliveries per second per simulated user (0 = as fast as the receiver answers)",
    )
    group.add_argument(
        "--flipdish-duplicates",
        type=float,
        default=0.0,
        help="probability that an event is delivered twice (same id, same body)",
    )
    group.add_argument(
        "--flipdish-out-of-order",
        type=float,
        default=0.0,
        help="probability that a lifecycle has two neighbouring events swapped",
    )
    group.add_argument("--flipdish-deadline", type=float, default=10.0, help="seconds to connect and to read")
    group.add_argument("--flipdish-seed", type=int, default=None, help="seed (each user derives its own)")
    group.add_argument(
        "--flipdish-secret-env",
        default=DEFAULT_SECRET_ENV,
        help="environment variable holding the v3 secret(s), comma-separated",
    )
    group.add_argument(
        "--flipdish-verify-token-env",
        default=DEFAULT_VERIFY_TOKEN_ENV,
        help="environment variable holding the legacy verify token",
    )
    group.add_argument("--flipdish-summary", default="", help="write a JSON summary here when the run ends")
    group.add_argument(
        "--flipdish-ca-bundle", default="", help="also trust the CA certificates in this PEM file"
    )
    group.add_argument(
        "--flipdish-trust-env", action="store_true", help="honour SSL_CERT_* and *_PROXY variables"
    )
    group.add_argument("--flipdish-insecure", action="store_true", help="do not check receiver certificates")
    group.add_argument("--flipdish-proxy", default="", help="send every delivery through this HTTP proxy")


def _report(client_id: str, data: dict[str, Any]) -> None:
    data["flipdish_sim"] = TALLY.drain()


def _collect(client_id: str, data: dict[str, Any]) -> None:
    TALLY.add(client_id, data.get("flipdish_sim", {}))


def _write_summary(environment: Environment, **_: Any) -> None:
    options = environment.parsed_options
    path = getattr(options, "flipdish_summary", "") if options else ""
    if not path or isinstance(environment.runner, WorkerRunner):
        return
    if not isinstance(environment.runner, MasterRunner):
        TALLY.add("local", TALLY.drain())
    stats = environment.stats.total
    summary = TALLY.summary() | {"locust": {"requests": stats.num_requests, "failures": stats.num_failures}}
    target = Path(path)
    target.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")


_LISTENERS: tuple[tuple[Any, Any], ...] = (
    (events.init_command_line_parser, _add_arguments),
    (events.report_to_master, _report),
    (events.worker_report, _collect),
    (events.quitting, _write_summary),
)
for _hook, _listener in _LISTENERS:
    _hook.add_listener(_listener)


def _options_from(environment: Environment) -> Any:
    return environment.parsed_options


def _raw(body: bytes) -> Any:
    """The bytes as they are (geventhttpclient sends bytes unchanged; its stubs only say str or dict)."""
    return body


def _network_from(options: object) -> Network:
    ca_bundle = str(getattr(options, "flipdish_ca_bundle", "") or "")
    return Network(
        ca_bundle=Path(ca_bundle) if ca_bundle else None,
        trust_env=bool(getattr(options, "flipdish_trust_env", False)),
        insecure=bool(getattr(options, "flipdish_insecure", False)),
        proxy=str(getattr(options, "flipdish_proxy", "") or "") or None,
    )


class FlipdishWebhookUser(FastHttpUser):
    """One simulated Flipdish sender: posts each event of its lifecycles to ``--host`` (the callback URL)."""

    abstract = False

    def __init__(self, environment: Environment) -> None:
        options = _options_from(environment)
        deadline = float(getattr(options, "flipdish_deadline", 10.0))
        self.network_timeout = deadline
        self.connection_timeout = deadline
        self._use_network(_network_from(options), str(environment.host))
        super().__init__(environment)
        self.family = Family(getattr(options, "flipdish_family", Family.LEGACY.value))
        names = tuple(n.strip() for n in str(getattr(options, "flipdish_events", "")).split(",") if n.strip())
        seed = getattr(options, "flipdish_seed", None)
        load_options = LoadOptions(
            family=self.family,
            events=names,
            duplicate_probability=float(getattr(options, "flipdish_duplicates", 0.0)),
            out_of_order_probability=float(getattr(options, "flipdish_out_of_order", 0.0)),
            seed=seed,
        )
        user_seed = None if seed is None else hash((seed, id(self))) & 0xFFFFFFFF
        self.planner = LoadPlanner(load_options, example_payloads, seed=user_seed)
        secret_env = str(getattr(options, "flipdish_secret_env", DEFAULT_SECRET_ENV))
        token_env = str(getattr(options, "flipdish_verify_token_env", DEFAULT_VERIFY_TOKEN_ENV))
        self.secrets = tuple(s for s in os.environ.get(secret_env, "").split(",") if s)
        self.verify_token = os.environ.get(token_env) or None
        if self.family == Family.V3 and not self.secrets:
            raise ValueError(f"v3 load needs a secret: set the environment variable {secret_env}")
        self.rate = float(getattr(options, "flipdish_user_rate", 1.0))
        self._next_due = 0.0

    def _use_network(self, network: Network, url: str) -> None:
        """Trust and proxy as the command's network options say (Locust's own default checks nothing)."""
        self.insecure = network.insecure
        if not network.insecure:
            self.ssl_context_factory = network.ssl_context
        proxy = network.proxy_for(url)
        if proxy is not None:
            parts = urlsplit(proxy)
            self.proxy_host, self.proxy_port = parts.hostname, parts.port or 80

    def wait_time(self) -> float:
        """Pace each user at ``--flipdish-user-rate`` deliveries per second (Locust's constant throughput)."""
        if self.rate <= 0:
            return 0.0
        import time

        now = time.monotonic()
        self._next_due = (
            max(self._next_due + 1.0 / self.rate, now) if self._next_due else now + 1.0 / self.rate
        )
        return max(0.0, self._next_due - now)

    @task
    def deliver(self) -> None:
        now = datetime.now(UTC)
        delivery = self.planner.next(now)
        request = build_request(
            delivery,
            url=self.host or "",
            family=self.family,
            at=now,
            verify_token=self.verify_token,
            secrets=self.secrets,
        )
        name = f"{delivery.event_name}{' (duplicate)' if delivery.duplicate else ''}"
        with self.client.request(
            "POST",
            "",
            data=_raw(request.body),
            headers=dict(request.headers),
            name=name,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            error = getattr(response, "error", None)
            if error is not None and not getattr(response, "status_code", 0):
                outcome = classify_exception(error)[0].value
                response.failure(outcome)
            else:
                status = int(response.status_code)
                result = classify_status(status)
                outcome = result.value
                if result == Outcome.ACKNOWLEDGED:
                    response.success()
                else:
                    response.failure(f"{outcome} {status}")
        TALLY.record(delivery, outcome)
