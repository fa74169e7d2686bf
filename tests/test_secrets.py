"""Secrets: a recognisable verify token and signing secret never appear unmasked in what the product writes.

Runs a scenario (legacy and v3), ``send``, a conformance run and the server with them, then searches every
output: terminal output, the log export (JSON Lines and CSV), the conformance JSON and JUnit reports and
curl reproducers, the server's API responses and the dashboard's HTML.
"""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from receivers import CLI, QuietHandler, serving

pytestmark = pytest.mark.faults

TOKEN = "VTOKEN-zq7x-recognisable-4242"
SECRET = "SECRET-k9w2-recognisable-1717"
NEEDLES = (TOKEN, SECRET)


def assert_masked(text: str | bytes, where: str) -> None:
    content = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    for needle in NEEDLES:
        assert needle not in content, f"{where} shows a secret unmasked"


def assert_tree_masked(directory: Path) -> int:
    """Search every file under ``directory``; returns how many were searched."""
    files = [p for p in directory.rglob("*") if p.is_file()]
    for path in files:
        assert_masked(path.read_bytes(), str(path.relative_to(directory)))
    return len(files)


def cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=120, env=env, cwd=cwd, check=False
    )
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    return result


@pytest.fixture(scope="module")
def receiver() -> Iterator[str]:
    """A loopback receiver that fails every third request (so retries and failures get logged too)."""
    count = 0
    lock = threading.Lock()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            nonlocal count
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                count += 1
                status = 503 if count % 3 == 0 else 200
            body = b'{"echo": "ok"}'
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serving(Handler, "/webhooks") as url:
        yield url


SCENARIOS = {
    "legacy": """\
        name: secrets-legacy
        subscription:
          family: legacy
          verify_token_env: SECRETS_TEST_TOKEN
        events:
          - event: order.created
            count: 6
            rate: 1/minute
            seed: 1
        """,
    "v3": """\
        name: secrets-v3
        subscription:
          family: v3
          secrets_env: SECRETS_TEST_SECRET
        events:
          - event: sale.created.v1
            count: 6
            rate: 1/minute
            seed: 1
        """,
}


@pytest.mark.parametrize("family", ["legacy", "v3"])
def test_a_scenario_run_and_its_log_export_never_show_the_secrets(
    receiver: str, tmp_path: Path, family: str
) -> None:
    scenario = tmp_path / f"{family}.yaml"
    scenario.write_text(textwrap.dedent(SCENARIOS[family]), encoding="utf-8")
    db = tmp_path / "run.db"
    env = {**os.environ, "SECRETS_TEST_TOKEN": TOKEN, "SECRETS_TEST_SECRET": SECRET}
    run = cli("run", str(scenario), "--url", receiver, "--db", str(db), "--no-progress", env=env)
    assert run.returncode in (0, 1), run.stderr
    assert "attempts" in run.stdout
    assert_masked(run.stdout + run.stderr, "flipdish-sim run's terminal output")

    for fmt in ("jsonl", "csv"):
        export = cli("logs", "export", "--db", str(db), "--format", fmt)
        assert export.returncode == 0, export.stderr
        assert "RequestHeaders" in export.stdout
        assert_masked(export.stdout + export.stderr, f"logs export --format {fmt}")


def test_send_never_prints_the_secrets(receiver: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLIPDISH")}
    legacy = cli("send", "order.created", "--url", receiver, "--verify-token", TOKEN, "--retry", env=env)
    v3 = cli("send", "sale.created.v1", "--url", receiver, "--secret", SECRET, "--retry", env=env)
    for result in (legacy, v3):
        assert result.returncode in (0, 1), result.stderr
        assert result.stdout.strip()
        assert_masked(result.stdout + result.stderr, "flipdish-sim send's terminal output")


SLOPPY_RECEIVER = """
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def hook(request: Request) -> JSONResponse:
    # accepts everything, checks nothing, and echoes the request headers: many checks fail
    await request.body()
    return JSONResponse({"headers": dict(request.headers)})


app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
"""


@pytest.mark.parametrize(
    ("family", "credential"), [("legacy", ["--verify-token", TOKEN]), ("v3", ["--secret", SECRET])]
)
def test_a_conformance_run_never_writes_the_secrets(
    tmp_path: Path, family: str, credential: list[str]
) -> None:
    (tmp_path / "sloppy_receiver.py").write_text(SLOPPY_RECEIVER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env = {k: v for k, v in env.items() if not k.startswith("FLIPDISH")}
    out = tmp_path / "out"
    out.mkdir()
    result = cli(
        "conformance",
        "--app",
        "sloppy_receiver:app",
        "--url",
        "/hook",
        "--family",
        family,
        *credential,
        "--junitxml",
        str(out / "junit.xml"),
        "--report-json",
        str(out / "report.json"),
        "--reproducers",
        str(out / "reproducers"),
        "--seed",
        "1",
        "--fuzz-examples",
        "2",
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode in (0, 1), result.stderr
    assert (out / "junit.xml").exists()
    assert (out / "report.json").exists()
    assert_masked(result.stdout + result.stderr, "flipdish-sim conformance's terminal output")
    assert assert_tree_masked(out) >= 2


# -- the server --------------------------------------------------------------------------------------

API_TOKEN = "secrets-test-api-token"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
SUBS = "/api/v1.0/store/webhooks/app/subscriptions"


def _server_pages(tmp_path: Path, *, reveal: bool) -> tuple[dict[str, bytes], Path]:
    """Every response a client and a dashboard user get after a few deliveries; and the server's log."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from flipdish_sim.simulator.clock import VirtualClock
    from flipdish_sim.simulator.engine import Sender
    from flipdish_sim.simulator.http import _delivery as delivery
    from flipdish_sim.simulator.log._store import Store
    from flipdish_sim.simulator.server.app import create_app
    from flipdish_sim.simulator.server.backend import Backend
    from flipdish_sim.simulator.server.runner import ServerThread

    async def hook(request: Request) -> Response:
        # a receiver that echoes what it got: the token in a response header and in its body
        token = request.headers.get("x-verify-token", "")
        body = b'{"echo": "ok", "got": "' + token.encode() + b'", "raw": ' + await request.body() + b"}"
        return Response(body, media_type="application/json", headers={"X-Echo-Token": token})

    hooks = Starlette(routes=[Route("/hook", hook, methods=["POST"])])  # in-process: no sockets left behind
    db = tmp_path / "server.db"
    store = Store(db)
    client = delivery.make_client(transport=delivery.asgi_transport(hooks))
    backend = Backend(Sender(store, clock=VirtualClock(), client=client), store)
    pages: dict[str, bytes] = {}
    with (
        ServerThread(create_app(backend, api_token=API_TOKEN, reveal_verify_token=reveal)) as live,
        httpx.Client(base_url=live.url) as http,
    ):
        created = http.post(
            SUBS,
            json={
                "CallbackUrl": "http://receiver.test/hook",
                "EventNames": ["order.created"],
                "VerifyToken": TOKEN,
            },
            headers=AUTH,
        )
        assert created.status_code == 200, created.text
        sub_id = created.json()["Data"]
        pages["create"] = created.content
        for _ in range(3):
            pages["trigger"] = http.post(
                "/_sim/events", json={"event": "order.created"}, headers=AUTH
            ).content
        pages["advance"] = http.post("/_sim/clock/advance", json={"seconds": 3600}, headers=AUTH).content
        for name, path in [
            ("list", SUBS),
            ("events", f"{SUBS}/{sub_id}/events"),
            ("logs", f"{SUBS}/{sub_id}/logs"),
            ("sample", f"{SUBS}/{sub_id}/events/order.created/test"),
            ("rule", f"/_sim/subscriptions/{sub_id}/disable-rule"),
            ("clock", "/_sim/clock"),
        ]:
            window = (
                {"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"} if name == "logs" else {}
            )
            response = http.get(path, params=window, headers=AUTH)
            assert response.status_code == 200, (path, response.text)
            pages[name] = response.content
        assert b"RequestHeaders" in pages["logs"]
        signed_in = http.get("/dashboard", params={"token": API_TOKEN}, follow_redirects=True)
        assert signed_in.status_code == 200
        for name, path in [
            ("home", "/"),
            ("dashboard", "/dashboard"),
            ("details", f"/dashboard/subscriptions/{sub_id}"),
        ]:
            response = http.get(path, follow_redirects=True)
            assert response.status_code == 200, (path, response.status_code)
            pages[name] = response.content
        links = re.findall(r'class="open-attempt" href="([^"]+)"', pages["details"].decode())
        assert len(links) >= 3
        for link in links:  # every attempt page: request and response, headers and bodies
            response = http.get(link)
            assert response.status_code == 200, link
            assert b"x-echo-token" in response.content.lower()
            pages[link] = response.content
    store.close()
    return pages, db


def test_the_server_masks_the_verify_token_everywhere_when_asked(tmp_path: Path) -> None:
    pages, db = _server_pages(tmp_path, reveal=False)
    for name, content in pages.items():
        assert_masked(content, f"server response {name!r}")
    export = cli("logs", "export", "--db", str(db))
    assert export.returncode == 0, export.stderr
    assert_masked(export.stdout, "logs export of the server's log")


def test_by_default_the_server_reveals_the_token_only_where_flipdish_does(
    receiver: str, tmp_path: Path
) -> None:
    pages, _ = _server_pages(tmp_path, reveal=True)
    # Flipdish's GET .../subscriptions returns each subscription's VerifyToken to its owner; nothing else may
    assert TOKEN in pages["list"].decode()
    for name, content in pages.items():
        if name != "list":
            assert_masked(content, f"server response {name!r}")


def test_serve_never_prints_a_chosen_api_token(tmp_path: Path) -> None:
    """A user-chosen --api-token stays off the terminal (a generated one is printed: it is new)."""
    chosen = "CHOSEN-api-token-recognisable-5151"
    process = subprocess.Popen(
        [*CLI, "serve", "--db", str(tmp_path / "s.db"), "--port", "0", "--api-token", chosen],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:  # ends at "Press Ctrl+C", printed once the server listens
            lines.append(line)
            if line.startswith("Press Ctrl+C"):
                break
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    output = "".join(lines) + err
    assert "dashboard:" in output
    assert "?token=<your API token>" in output
    assert chosen not in output
