"""Reaching staging: ``--ca-bundle``, ``--trust-env``, ``--insecure``, ``--proxy``, against loopback servers.

The receivers are HTTPS on a fresh self-signed certificate (tests/receivers.py) or plain HTTP; the proxy is
a real forward proxy on 127.0.0.1 written below (absolute-form requests for http://, CONNECT tunnels for
https://) that records what it forwarded.
"""

from __future__ import annotations

import os
import select
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import receivers
from click.testing import CliRunner

from flipdish_sim.simulator.cli import main
from flipdish_sim.simulator.cli.network import INSECURE_WARNING
from flipdish_sim.simulator.environment import SECRET_ENV, VERIFY_TOKEN_ENV

PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)
NO_ENV: dict[str, str | None] = {
    VERIFY_TOKEN_ENV: None,
    SECRET_ENV: None,
    "SSL_CERT_FILE": None,
    "SSL_CERT_DIR": None,
    **dict.fromkeys(PROXY_VARIABLES),
}
SENDING_COMMANDS = ["send", "run", "conformance", "load", "serve"]


def _send(url: str, *options: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    arguments = ["send", "order.created", "--url", url, *options]
    result = CliRunner().invoke(main, arguments, env={**NO_ENV, **(env or {})})
    return result.exit_code, result.stdout, result.stderr


class _Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.seen: list[str] = []  # request lines: "POST http://..." or "CONNECT host:port"


class _ProxyHandler(socketserver.StreamRequestHandler):
    server: _Proxy

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.connection.recv(65536)
            if not chunk:
                return
            head += chunk
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, target, _ = request_line.split(" ", 2)
        self.server.seen.append(f"{method} {target}")
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)), timeout=10)
            self.connection.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            rest = head.split(b"\r\n\r\n", 1)[1]
        else:  # absolute form: forward as origin form over a fresh connection
            authority = target.split("://", 1)[1].split("/", 1)[0]
            host, port = authority.rsplit(":", 1)
            path = "/" + target.split("://", 1)[1].split("/", 1)[1]
            upstream = socket.create_connection((host, int(port)), timeout=10)
            rest = head.replace(target.encode(), path.encode(), 1)
        with upstream:
            if rest:
                upstream.sendall(rest)
            self._pipe(self.connection, upstream)

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        for _ in range(10_000):  # bounded: a delivery is a few round trips
            ready, _, _ = select.select([a, b], [], [], 5)
            if not ready:
                return
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                (b if sock is a else a).sendall(data)


@contextmanager
def forward_proxy() -> Iterator[_Proxy]:
    proxy = _Proxy()
    thread = threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=5)


def _proxy_url(proxy: _Proxy) -> str:
    return f"http://127.0.0.1:{proxy.server_address[1]}"


@pytest.mark.parametrize("command", SENDING_COMMANDS)
def test_every_sending_command_has_the_same_network_options(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    for option in ("--ca-bundle FILE", "--trust-env", "--insecure", "--proxy URL"):
        assert option in result.stdout, f"{command} lacks {option}"


def test_by_default_an_untrusted_certificate_is_refused_as_flipdish_would() -> None:
    with receivers.tls_untrusted() as receiver:
        code, out, _ = _send(receiver.url, "--verify-token", "t")
    assert code == 1
    assert "tls-error" in out
    assert receiver.requests == []


def test_ca_bundle_trusts_a_staging_certificate(tmp_path: Path) -> None:
    with receivers.tls_untrusted() as receiver:
        assert receiver.certificate is not None
        code, out, err = _send(
            receiver.url, "--verify-token", "t", "--ca-bundle", str(receiver.certificate.cert_file)
        )
    assert code == 0, out + err
    assert len(receiver.requests) == 1
    assert INSECURE_WARNING not in err


def test_the_ca_variables_are_ignored_unless_trust_env_asks_for_them() -> None:
    with receivers.tls_untrusted() as receiver:
        assert receiver.certificate is not None
        env = {"SSL_CERT_FILE": str(receiver.certificate.cert_file)}
        ignored, _, _ = _send(receiver.url, "--verify-token", "t", env=env)
        trusted, out, err = _send(receiver.url, "--verify-token", "t", "--trust-env", env=env)
    assert ignored == 1
    assert trusted == 0, out + err
    assert len(receiver.requests) == 1


def test_insecure_accepts_any_certificate_and_warns_on_every_run() -> None:
    with receivers.tls_untrusted() as receiver:
        runs = [_send(receiver.url, "--verify-token", "t", "--insecure") for _ in range(2)]
    for code, _, err in runs:
        assert code == 0
        assert INSECURE_WARNING in err
    assert len(receiver.requests) == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--ca-bundle", "{not_pem}"], "cannot read CA bundle"),
        (["--ca-bundle", "{missing}"], "does not exist"),
        (["--proxy", "socks5://127.0.0.1:1080"], "proxy must be an http:// or https:// URL"),
        (["--insecure", "--ca-bundle", "{not_pem}"], "--insecure and --ca-bundle contradict each other"),
    ],
)
def test_bad_network_options_are_one_line_and_exit_2(
    tmp_path: Path, options: list[str], message: str
) -> None:
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate\n")
    filled = [o.format(not_pem=not_pem, missing=tmp_path / "missing.pem") for o in options]
    code, out, err = _send("http://127.0.0.1:9/webhook", "--verify-token", "t", *filled)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


def test_proxy_carries_a_plain_http_delivery() -> None:
    with forward_proxy() as proxy, receivers.ok(200) as receiver:
        code, out, err = _send(receiver.url, "--verify-token", "t", "--proxy", _proxy_url(proxy))
    assert code == 0, out + err
    assert proxy.seen == [f"POST {receiver.url}"]
    assert len(receiver.requests) == 1


def test_proxy_tunnels_https_and_the_certificate_is_still_checked() -> None:
    with forward_proxy() as proxy, receivers.tls_untrusted() as receiver:
        assert receiver.certificate is not None
        refused, _, _ = _send(receiver.url, "--verify-token", "t", "--proxy", _proxy_url(proxy))
        ca = str(receiver.certificate.cert_file)
        code, out, err = _send(
            receiver.url, "--verify-token", "t", "--proxy", _proxy_url(proxy), "--ca-bundle", ca
        )
    assert refused == 1
    assert code == 0, out + err
    assert proxy.seen == [f"CONNECT 127.0.0.1:{receiver.port}"] * 2
    assert len(receiver.requests) == 1


def test_the_proxy_variables_are_ignored_unless_trust_env_asks_for_them() -> None:
    with forward_proxy() as proxy, receivers.ok(200) as receiver:
        env = {"HTTP_PROXY": _proxy_url(proxy)}
        direct, _, _ = _send(receiver.url, "--verify-token", "t", env=env)
        assert proxy.seen == []
        proxied, out, err = _send(receiver.url, "--verify-token", "t", "--trust-env", env=env)
        bypassed, _, _ = _send(
            receiver.url, "--verify-token", "t", "--trust-env", env={**env, "NO_PROXY": "127.0.0.1"}
        )
    assert (direct, proxied, bypassed) == (0, 0, 0), out + err
    assert proxy.seen == [f"POST {receiver.url}"]
    assert len(receiver.requests) == 3


def test_conformance_reaches_a_staging_receiver_through_its_ca_bundle(tmp_path: Path) -> None:
    with receivers.tls_untrusted() as receiver:
        assert receiver.certificate is not None
        base = ["conformance", "--url", receiver.url, "--verify-token", "t", "--reproducers", str(tmp_path)]
        refused = CliRunner().invoke(main, base, env=NO_ENV)
        ca = ["--ca-bundle", str(receiver.certificate.cert_file)]
        reached = CliRunner().invoke(main, [*base, *ca], env=NO_ENV)
    assert refused.exit_code == 2, refused.output  # unreachable: the certificate is not trusted
    assert reached.exit_code != 2, reached.output
    assert receiver.requests, "the suite's deliveries reached the receiver"


def _load(url: str, *options: str) -> subprocess.CompletedProcess[str]:
    command = "from flipdish_sim.simulator.cli import main; main()"
    arguments = [
        "load",
        "--url",
        url,
        "--rate",
        "20",
        "--users",
        "1",
        "--duration",
        "2s",
        "--verify-token",
        "t",
    ]
    return subprocess.run(
        [sys.executable, "-c", command, *arguments, *options],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES and not k.startswith("SSL_CERT")
        },
    )


@pytest.mark.slow
def test_load_mode_checks_certificates_like_flipdish_and_trusts_a_ca_bundle() -> None:
    with receivers.tls_untrusted() as receiver:
        assert receiver.certificate is not None
        refused = _load(receiver.url)
        assert receiver.requests == [], "Locust's own default accepts any certificate; load mode must not"
        trusted = _load(receiver.url, "--ca-bundle", str(receiver.certificate.cert_file))
    assert refused.returncode == 1, refused.stdout + refused.stderr[-2000:]
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr[-2000:]
    assert receiver.requests
