"""Load mode: Locust's distributed mode sends correctly signed Flipdish deliveries and the totals add up.

Locust monkey-patches the process that imports it (gevent), so Locust only ever runs in child processes here;
the receiver is a plain threaded HTTP server on 127.0.0.1 that checks every request with flipdish_sim.verify.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from receivers import CLI, QuietHandler, free_port, serving

from flipdish_sim.contracts.catalogue import Family
from flipdish_sim.simulator.cli import main
from flipdish_sim.simulator.load._plan import LoadOptions, LoadPlanner, build_request, classify_status
from flipdish_sim.verify import InvalidSignature, verify_signature, verify_token

SECRET = "load-test-secret-9f8e"
TOKEN = "load-test-token-1a2b"


@dataclass
class Seen:
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver() -> Iterator[tuple[str, Seen]]:
    seen = Seen()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with seen.lock:
                seen.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    with serving(Handler, "/webhooks") as url:
        yield url, seen


def _locustfile() -> str:
    spec = importlib.util.find_spec("flipdish_sim.simulator.load.locustfile")
    assert spec is not None
    assert spec.origin is not None
    return spec.origin


def _run_distributed(url: str, summary: Path, *, family: str, env: dict[str, str]) -> None:
    """What a user runs on several machines: one master, two workers (here all on 127.0.0.1)."""
    base = [sys.executable, "-m", "locust", "-f", _locustfile()]
    port = free_port()
    master = subprocess.Popen(
        [
            *base,
            "--headless",
            "--only-summary",
            "--host",
            url,
            "-u",
            "6",
            "-r",
            "6",
            "-t",
            "3s",
            "--stop-timeout",
            "10",
            "--master",
            "--master-bind-host",
            "127.0.0.1",
            "--master-bind-port",
            str(port),
            "--expect-workers",
            "2",
            "--flipdish-family",
            family,
            "--flipdish-user-rate",
            "15",
            "--flipdish-duplicates",
            "0.25",
            "--flipdish-out-of-order",
            "0.5",
            "--flipdish-seed",
            "7",
            "--flipdish-summary",
            str(summary),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    workers = [
        subprocess.Popen(
            [*base, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        out, _ = master.communicate(timeout=60)
        assert master.returncode == 0, out.decode(errors="replace")[-2000:]
        for worker in workers:
            assert worker.wait(timeout=30) == 0
    finally:
        for process in [master, *workers]:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.mark.parametrize("family", ["v3", "legacy"])
def test_master_and_two_workers_send_signed_deliveries_and_totals_add_up(
    receiver: tuple[str, Seen], tmp_path: Path, family: str
) -> None:
    url, seen = receiver
    summary_file = tmp_path / "summary.json"
    env = {**os.environ, "FLIPDISH_SIM_SECRET": SECRET, "FLIPDISH_SIM_VERIFY_TOKEN": TOKEN}
    _run_distributed(url, summary_file, family=family, env=env)

    summary = json.loads(summary_file.read_text())
    per_worker = [counts.get("sent", 0) for counts in summary["workers"].values()]
    assert len(per_worker) == 2, summary
    assert all(sent > 0 for sent in per_worker), summary
    total = summary["total"]
    assert sum(per_worker) == total["sent"] == summary["locust"]["requests"] == len(seen.requests)
    assert total["outcome:acknowledged"] == total["sent"]

    ids: list[str] = []
    for headers, body in seen.requests:
        if family == "v3":
            verify_signature(headers.get("x-flipdish-signature"), body, SECRET, now=datetime.now(UTC))
            ids.append(headers["x-flipdish-idempotency-key"])
            assert headers["x-flipdish-event-type"] in {
                "sale.created.v1",
                "sale.accepted.v1",
                "sale.status.updated.v1",
            }
        else:
            assert verify_token(headers.get("x-verify-token"), TOKEN)
            assert json.loads(body)["Type"] in {"order.created", "order.accepted", "order.dispatched"}
    if family == "v3":
        # every duplicate re-sends an event id already delivered; the count matches what the workers reported
        assert len(ids) - len(set(ids)) == total.get("duplicates", 0) > 0


def test_a_wrong_secret_fails_verification_so_the_check_above_can_fail(receiver: tuple[str, Seen]) -> None:
    url, _ = receiver
    planner = LoadPlanner(
        LoadOptions(family=Family.V3, seed=1), lambda names, seed, at: [(n, {"name": n}) for n in names]
    )
    at = datetime.now(UTC)
    request = build_request(planner.next(at), url=url, family=Family.V3, at=at, secrets=[SECRET])
    with pytest.raises(InvalidSignature):
        verify_signature(request.header("X-Flipdish-Signature"), request.body, "another-secret", now=at)


def test_duplicates_resend_the_same_event_and_reordering_swaps_neighbours() -> None:
    options = LoadOptions(
        family=Family.LEGACY, duplicate_probability=1.0, out_of_order_probability=1.0, seed=3
    )
    planner = LoadPlanner(options, lambda names, seed, at: [(n, {"name": n, "seed": seed}) for n in names])
    at = datetime(2026, 1, 1, tzinfo=UTC)
    sent = [planner.next(at) for _ in range(6)]
    originals = sent[0::2]
    assert [d.duplicate for d in sent] == [False, True] * 3
    assert all(
        dup.event_id == orig.event_id and dup.payload == orig.payload
        for orig, dup in zip(sent[0::2], sent[1::2], strict=True)
    )
    assert [d.event_name for d in originals] != list(options.lifecycle)
    assert sorted(d.event_name for d in originals) == sorted(options.lifecycle)


@pytest.mark.parametrize(
    ("status", "ok"),
    [(200, True), (204, True), (299, True), (301, False), (304, False), (404, False), (503, False)],
)
def test_load_mode_classifies_statuses_like_flipdish(status: int, ok: bool) -> None:
    assert (classify_status(status).value == "acknowledged") is ok


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--url", "ftp://x"], "use http:// or https:// with a host"),
        (["--url", "http://127.0.0.1:9/", "--family", "v3"], "give --secret"),
        (["--url", "http://127.0.0.1:9/", "--duration", "soon"], "--duration"),
    ],
)
def test_load_command_rejects_bad_input_with_one_line_and_exit_2(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["load", *arguments], env={"FLIPDISH_SIM_SECRET": ""})
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_load_command_runs_locust_on_this_machine(receiver: tuple[str, Seen], tmp_path: Path) -> None:
    url, seen = receiver
    summary = tmp_path / "s.json"
    result = subprocess.run(
        [
            *CLI,
            "load",
            "--url",
            url,
            "--rate",
            "40",
            "--users",
            "2",
            "--duration",
            "2s",
            "--verify-token",
            TOKEN,
            "--summary",
            str(summary),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "acknowledged" in result.stdout
    assert json.loads(summary.read_text())["total"]["sent"] == len(seen.requests) > 0
    assert TOKEN not in result.stdout + result.stderr


def test_default_payloads_are_one_orders_realistic_lifecycle() -> None:
    from flipdish_sim.simulator.load._plan import DEFAULT_LIFECYCLES, example_payloads

    at = datetime(2026, 1, 1, tzinfo=UTC)
    lifecycle = example_payloads(DEFAULT_LIFECYCLES[Family.LEGACY], 7, at)
    assert [name for name, _ in lifecycle] == list(DEFAULT_LIFECYCLES[Family.LEGACY])
    assert [payload["Type"] for _, payload in lifecycle] == list(DEFAULT_LIFECYCLES[Family.LEGACY])
    orders = {json.dumps(payload["Body"]["Order"]["OrderId"]) for _, payload in lifecycle}  # type: ignore[index]
    assert len(orders) == 1


def test_the_documented_locustfile_path_still_loads_the_user_class() -> None:
    """README: ``locust -f "$(python -c 'import flipdish_sim.simulator.load as m; print(m.__file__)')"``.

    Loaded as Locust loads a locustfile (a SourceFileLoader named after the file), in a fresh process
    (Locust patches the process with gevent)."""
    code = (
        "import importlib.machinery, importlib.util, inspect, sys\n"
        "import flipdish_sim.simulator.load as m\n"
        "assert 'locust' not in sys.modules, 'importing the package must not import Locust'\n"
        "loader = importlib.machinery.SourceFileLoader('__init__', m.__file__)\n"
        "spec = importlib.util.spec_from_file_location('__init__', m.__file__, loader=loader)\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "loader.exec_module(module)\n"
        "from locust import User\n"
        "print(sorted(n for n, v in vars(module).items() if inspect.isclass(v) and issubclass(v, User)"
        " and not v.abstract))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['FlipdishWebhookUser']"
