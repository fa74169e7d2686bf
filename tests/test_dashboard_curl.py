""" "Copy as curl": an attempt from the log as a curl script that really sends the same request again.

The scripts run for real (``/bin/sh``, curl, openssl) against a receiver on 127.0.0.1; secrets come from
the environment, never from the script.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_dashboard import _attempt

from flipdish_sim.simulator.server.curl import curl_script
from flipdish_sim.verify import verify_signature

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("curl", "openssl")), reason="needs curl and openssl"
)

TOKEN = "super-secret-verify-token"
SECRET = "whsec_dashboard_curl"


@dataclass
class _Seen:
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    seen: _Seen


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.seen.requests.append((dict(self.headers.items()), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[tuple[str, _Seen]]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.seen = _Seen()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", server.seen
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _run(script: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "again.sh"
    path.write_text(script, encoding="utf-8")
    return subprocess.run(
        ["sh", str(path)], capture_output=True, text=True, timeout=60, env={**os.environ, **env}, check=False
    )


BODY = b'{"Type":"order.created","Body":{"Note":"it\'s $HOME `x` \\"q\\""}}\n\n'


def test_a_legacy_attempt_is_sent_again_byte_for_byte_with_the_token_from_the_environment(
    receiver: tuple[str, _Seen], tmp_path: Path
) -> None:
    url, seen = receiver
    row = _attempt(
        callback_url=url,
        request_body=BODY,
        request_headers=(("Content-Type", "application/json"), ("X-Verify-Token", TOKEN)),
    )
    script = curl_script(row)
    assert TOKEN not in script
    assert "$FLIPDISH_SIM_VERIFY_TOKEN" in script
    done = _run(script, tmp_path, FLIPDISH_SIM_VERIFY_TOKEN=TOKEN)
    assert done.returncode == 0, done.stderr
    ((headers, body),) = seen.requests
    assert body == BODY
    assert headers["X-Verify-Token"] == TOKEN
    assert headers["Content-Type"] == "application/json"


def test_without_the_variable_the_script_stops_and_says_which(
    receiver: tuple[str, _Seen], tmp_path: Path
) -> None:
    url, seen = receiver
    row = _attempt(callback_url=url, request_headers=(("X-Verify-Token", TOKEN),))
    env = {k: v for k, v in os.environ.items() if k != "FLIPDISH_SIM_VERIFY_TOKEN"}
    path = tmp_path / "again.sh"
    path.write_text(curl_script(row), encoding="utf-8")
    done = subprocess.run(["sh", str(path)], capture_output=True, text=True, timeout=60, env=env, check=False)
    assert done.returncode != 0
    assert "FLIPDISH_SIM_VERIFY_TOKEN" in done.stderr
    assert seen.requests == []


def test_a_v3_attempt_is_re_signed_from_the_secret_in_the_environment(
    receiver: tuple[str, _Seen], tmp_path: Path
) -> None:
    url, seen = receiver
    row = _attempt(
        callback_url=url,
        request_body=b'{"id":"e-1","detail-type":"sale.created.v1"}',
        request_headers=(
            ("Content-Type", "application/json"),
            ("X-Flipdish-Timestamp", "2026-01-01T00:00:00.000Z"),
            ("X-Flipdish-Signature", "t=2026-01-01T00:00:00.000Z,sha256=" + "a" * 64),
        ),
    )
    script = curl_script(row)
    assert "a" * 64 not in script
    done = _run(script, tmp_path, FLIPDISH_SIM_SECRET=SECRET)
    assert done.returncode == 0, done.stderr
    ((headers, body),) = seen.requests
    verify_signature(headers["X-Flipdish-Signature"], body, SECRET)  # fresh timestamp: verifies now
