"""Real HTTP receivers on 127.0.0.1 for transport tests: well-behaved, slow, rude and broken ones.

Each factory returns a :class:`Receiver`, a context manager that listens on an ephemeral port in a background
thread and always shuts down (open connections are closed, handler threads joined) on exit::

    with receivers.ok(204) as receiver:
        attempt = asyncio.run(delivery.attempt(client, request_to(receiver.url), at=NOW))
    assert receiver.requests[0].header("X-Verify-Token") == "tok"

Every receiver records each request it read (method, path, headers, raw body) in ``receiver.requests``
before it answers (or misbehaves). Write your own behaviour with :class:`Receiver` and a function
``(conn, request) -> bool`` (return True to keep the connection open for the next request).

Behaviours that wait (``silent``, ``trickle``, ``stall_after_headers``) wait on the receiver's stop event, so
exiting the context ends them at once. Keep client deadlines short in tests (e.g. 0.5 s).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import os
import shutil
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = [
    "CLI",
    "Connection",
    "HookReceiver",
    "QuietHandler",
    "Receiver",
    "RecordedRequest",
    "SelfSigned",
    "asgi_body",
    "broken",
    "large",
    "not_modified",
    "ok",
    "redirect",
    "redirect_loop",
    "refused_url",
    "requests_of",
    "reset",
    "response_head",
    "running",
    "self_signed_certificate",
    "sequence",
    "serving",
    "silent",
    "stall_after_headers",
    "tls_untrusted",
    "trickle",
]

MAX_REQUEST_BYTES = 16 * 2**20

#: ``flipdish-sim`` as a subprocess: this interpreter, whatever its PATH holds.
CLI = [sys.executable, "-c", "from flipdish_sim.simulator.cli import main; main()"]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the receiver read it off the socket."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass(slots=True)
class Connection:
    """The accepted socket of one client, with the receiver's stop event."""

    sock: socket.socket
    stopping: threading.Event
    buffer: bytes = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True if the receiver is stopping (then stop misbehaving)."""
        return self.stopping.wait(seconds)

    def hold(self) -> None:
        """Keep the connection open, answering nothing, until the client leaves or the receiver stops."""
        while not self.stopping.is_set():
            try:
                if not self.sock.recv(65536):
                    return
            except OSError:
                return

    def read_request(self) -> RecordedRequest | None:
        """Read one HTTP/1.1 request (Content-Length bodies); None when the client closed the connection."""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self._recv()
            if not chunk:
                return None
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _version = lines[0].split(" ", 2)
        headers = tuple((k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:]))
        length = int(next((v for k, v in headers if k.lower() == "content-length"), "0"))
        if length > MAX_REQUEST_BYTES:
            return None
        while len(self.buffer) < length:
            chunk = self._recv()
            if not chunk:
                return None
            self.buffer += chunk
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return RecordedRequest(method=method, path=path, headers=headers, body=body)

    def _recv(self) -> bytes:
        try:
            return self.sock.recv(65536)
        except OSError:
            return b""


Behaviour = Callable[[Connection, RecordedRequest], bool]


def response_head(status: int, headers: Sequence[tuple[str, str]] = (), *, length: int | None = 0) -> bytes:
    """Status line and headers of an HTTP/1.1 response (``length=None`` omits Content-Length)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    lines = [f"HTTP/1.1 {status} {phrase}"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 with a pluggable behaviour; use as a context manager."""

    behaviour: Behaviour
    tls: ssl.SSLContext | None = None
    path: str = "/webhook"
    certificate: SelfSigned | None = None
    """For TLS receivers: the self-signed certificate (PEM files), e.g. to trust it explicitly."""
    requests: list[RecordedRequest] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _server: _Server | None = None
    _thread: threading.Thread | None = None
    _sockets: set[socket.socket] = field(default_factory=set)
    _handlers: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def port(self) -> int:
        assert self._server is not None, "the receiver is not running"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{self.path}"

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                receiver._serve(self.request)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stopping.set()
        if self._server is None:
            return
        self._server.shutdown()
        with self._lock:
            for sock in list(self._sockets):
                _force_close(sock)
            handlers = list(self._handlers)
        for thread in handlers:
            thread.join(timeout=5)
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.certificate is not None:
            shutil.rmtree(self.certificate.cert_file.parent, ignore_errors=True)

    def _serve(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)
            self._handlers.append(threading.current_thread())
        if self._stopping.is_set():
            _force_close(sock)
            return
        try:
            if self.tls is not None:
                try:
                    sock = self.tls.wrap_socket(sock, server_side=True)
                except (ssl.SSLError, OSError):
                    return  # the client refused our certificate: exactly what TLS tests expect
                with self._lock:
                    self._sockets.add(sock)
            conn = Connection(sock, self._stopping)
            while not self._stopping.is_set():
                request = conn.read_request()
                if request is None:
                    return
                self.requests.append(request)
                if not self.behaviour(conn, request):
                    return
        except OSError:
            return  # the client went away mid-answer
        finally:
            _force_close(sock)

    def __repr__(self) -> str:
        return f"Receiver({getattr(self.behaviour, '__name__', 'behaviour')}, requests={len(self.requests)})"


def _force_close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


# -- well-behaved


def ok(status: int = 200, body: bytes = b"", headers: Sequence[tuple[str, str]] = ()) -> Receiver:
    """Answer every request with ``status`` (any code: 200, 204, 500, 302 ...), keep-alive."""

    def answer(conn: Connection, _request: RecordedRequest) -> bool:
        conn.send(response_head(status, headers, length=len(body)) + body)
        return True

    return Receiver(answer)


def sequence(statuses: Sequence[int], then: int = 200) -> Receiver:
    """Answer the n-th request with ``statuses[n]``, and every later one with ``then`` (e.g. an outage)."""
    counter = itertools.count()
    lock = threading.Lock()

    def answer(conn: Connection, _request: RecordedRequest) -> bool:
        with lock:
            n = next(counter)
        status = statuses[n] if n < len(statuses) else then
        conn.send(response_head(status))
        return True

    return Receiver(answer)


def redirect(location: str = "https://elsewhere.example/webhook", status: int = 302) -> Receiver:
    """Answer with a redirect; a sender that followed it would fail the test."""
    return ok(status, headers=[("Location", location)])


def redirect_loop(status: int = 302) -> Receiver:
    """Redirect every request to itself."""

    def answer(conn: Connection, request: RecordedRequest) -> bool:
        conn.send(response_head(status, [("Location", request.path)]))
        return True

    return Receiver(answer)


def not_modified() -> Receiver:
    """Answer 304 Not Modified (a failure for Flipdish)."""

    def answer(conn: Connection, _request: RecordedRequest) -> bool:
        conn.send(b"HTTP/1.1 304 Not Modified\r\n\r\n")
        return True

    return Receiver(answer)


# -- slow


def silent() -> Receiver:
    """Read the request, then never answer: hold the connection until the client gives up."""

    def answer(conn: Connection, _request: RecordedRequest) -> bool:
        conn.hold()
        return False

    return Receiver(answer)


def trickle(interval: float = 0.2, body: bytes = b"ok, eventually") -> Receiver:
    """Answer 200, but send the whole response one byte every ``interval`` seconds."""

    def answer(conn: Connection, _request: RecordedRequest) -> bool:
        for byte in response_head(200, length=len(body)) + body:
            conn.send(bytes([byte]))
            if conn.wait(interval):
                return False
        return True

    return Receiver(answer)


def stall_after_headers(status: int = 200, promised: int = 1000) -> Receiver:
    """Send status line and headers promising ``promised`` body bytes, then nothing."""

    def answer(conn: Connection, _request: RecordedRequest) -> bool:
        conn.send(response_head(status, length=promised))
        conn.hold()
        return False

    return Receiver(answer)


# -- rude and broken


def reset() -> Receiver:
    """Read the request, then reset the connection (RST via SO_LINGER 0) without answering."""

    def answer(conn: Connection, _request: RecordedRequest) -> bool:
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.sock.close()
        return False

    return Receiver(answer)


def large(size: int = 100 * 2**20, status: int = 200, chunk: int = 65536) -> Receiver:
    """Answer ``status`` with a ``size``-byte body, generated lazily (never held in memory)."""
    block = b"x" * chunk

    def answer(conn: Connection, _request: RecordedRequest) -> bool:
        conn.send(response_head(status, length=size))
        remaining = size
        while remaining > 0 and not conn.stopping.is_set():
            piece = block[: min(chunk, remaining)]
            conn.send(piece)
            remaining -= len(piece)
        return True

    return Receiver(answer)


def broken(raw: bytes = b"this is not HTTP at all\r\n\r\n") -> Receiver:
    """Answer bytes that are not an HTTP response, then close."""

    def answer(conn: Connection, _request: RecordedRequest) -> bool:
        conn.send(raw)
        return False

    return Receiver(answer)


def free_port() -> int:
    """A loopback port nothing listens on (just released: free unless another process takes it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler], path: str, *, quiet_errors: bool = False) -> Iterator[str]:
    """``handler`` (an :mod:`http.server` handler, e.g. a :class:`QuietHandler`) served by a threaded server
    on 127.0.0.1, any free port; yields ``http://127.0.0.1:<port><path>`` and shuts it down on exit.

    For receivers whose answer depends on what they read (a signature check, a count); the factories above
    cover fixed behaviours. ``quiet_errors``: a client that dies mid-request (a killed sender) leaves
    broken pipes behind; do not print their tracebacks.
    """

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            if not quiet_errors:
                super().handle_error(request, client_address)  # type: ignore[arg-type]

    server = Server(("127.0.0.1", 0), handler)
    with running(server):
        yield f"http://127.0.0.1:{server.server_address[1]}{path}"


@contextlib.contextmanager
def running(server: socketserver.BaseServer) -> Iterator[None]:
    """``server`` serving in a background thread until the block ends; then shut down and closed."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class QuietHandler(BaseHTTPRequestHandler):
    """An :mod:`http.server` handler that speaks HTTP/1.1 (keep-alive, as a production server) and logs
    nothing: the test reads what its ``do_POST`` records."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass


async def asgi_body(receive: Callable[[], Awaitable[dict[str, Any]]]) -> bytes:
    """The whole body of an ASGI request, read from ``receive`` message by message (in-process receivers)."""
    body = b""
    while True:
        message = await receive()
        chunk: bytes = message.get("body", b"")
        body += chunk
        if not message.get("more_body"):
            return body


@dataclass
class HookReceiver:
    """An in-process receiver (a Starlette app) at ``POST /hook``: answers ``status`` with ``body`` as HTML
    and records each request's headers and JSON body in ``seen``. Change ``status`` to change its mind."""

    status: int = 200
    body: bytes = b"ok"
    seen: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            self.seen.append({"headers": dict(request.headers), "body": json.loads(await request.body())})
            return Response(self.body, status_code=self.status, media_type="text/html")

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


def refused_url() -> str:
    """A loopback URL where nothing listens (the port was just released)."""
    return f"http://127.0.0.1:{free_port()}/webhook"


# -- TLS


@dataclass(frozen=True, slots=True)
class SelfSigned:
    cert_file: Path
    key_file: Path


def self_signed_certificate(directory: Path, host: str = "127.0.0.1") -> SelfSigned:
    """Write a fresh self-signed certificate for ``host`` (valid one day) and its key into ``directory``."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return SelfSigned(cert_file, key_file)


def tls_untrusted(status: int = 200) -> Receiver:
    """HTTPS with a self-signed certificate nobody trusts; answers ``status`` to clients that skip checks.

    The certificate's PEM file is at ``receiver.certificate.cert_file`` (deleted when the receiver closes).
    """
    directory = Path(tempfile.mkdtemp(prefix="flipdish-sim-tls-"))
    certificate = self_signed_certificate(directory)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate.cert_file, certificate.key_file)
    return Receiver(ok(status).behaviour, tls=context, certificate=certificate)


def requests_of(receivers: Sequence[Receiver]) -> Iterator[RecordedRequest]:
    """Every request recorded by ``receivers``, in receiver order."""
    for receiver in receivers:
        yield from receiver.requests


def start_run(scenario: Path, url: str, db: Path, token: str, *extra: str) -> subprocess.Popen[bytes]:
    """``flipdish-sim run SCENARIO --url URL --db DB [EXTRA]`` in a subprocess; token in the environment."""
    command = [*CLI, "run", str(scenario), "--url", url, "--db", str(db), "--no-progress", *extra]
    env = {**os.environ, "FLIPDISH_SIM_VERIFY_TOKEN": token}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
