"""Plumbing shared by the benchmarks: a loopback receiver under uvicorn, a sample body, rate loops.

Every loop here is bounded: it stops at a wall-clock budget or a request cap, whichever comes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: headers of a legacy delivery, minus the verify token value (the bare loops send the same ones).
HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Type", "application/json"),
    ("X-Verify-Token", "bench-token"),
)


def sample_body(size: int = 2048) -> bytes:
    """A ~2 KB legacy envelope ``{Type, CreateTime, Body}``, padded deterministically to ``size`` bytes."""
    items = [{"MenuItemId": 1000 + i, "Name": f"Item {i}", "Price": 9.5, "Quantity": 1} for i in range(12)]
    envelope = {
        "Type": "order.created",
        "CreateTime": "2026-01-01T12:00:00.000Z",
        "Body": {"Order": {"OrderId": 123456, "OrderItems": items, "Notes": ""}},
    }
    raw = json.dumps(envelope, separators=(",", ":"))
    pad = max(0, size - len(raw))
    envelope["Body"]["Order"]["Notes"] = "x" * pad  # type: ignore[index]
    return json.dumps(envelope, separators=(",", ":")).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"receiver on 127.0.0.1:{port} did not start within {timeout} s")


_RECEIVERS: dict[str, int] = {}  # URL -> pid of the uvicorn_receiver serving it


def receiver_cpu_seconds(url: str) -> float | None:
    """CPU seconds (user + system) the :func:`uvicorn_receiver` at ``url`` has used so far; None where
    ``/proc`` cannot tell (not Linux)."""
    pid = _RECEIVERS.get(url)
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


@contextlib.contextmanager
def uvicorn_receiver(app: str = "benchmarks.receivers:bare_asgi") -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 in a child process; yield its URL."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "error", "--no-access-log", "--app-dir", str(REPO)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    _RECEIVERS[url] = process.pid
    try:
        wait_for_port(port)
        yield url
    finally:
        _RECEIVERS.pop(url, None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True, slots=True)
class Rate:
    """``count`` operations in ``seconds``; ``errors`` of them did not succeed."""

    count: int
    seconds: float
    errors: int = 0
    cpu_seconds: float = 0.0
    """This process's CPU time over the same span (0: not measured); steadier than wall time on a shared
    machine."""

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0

    @property
    def per_cpu_second(self) -> float:
        return self.count / self.cpu_seconds if self.cpu_seconds > 0 else 0.0


async def run_concurrently(
    operation: Callable[[], Awaitable[bool]], *, concurrency: int, seconds: float, cap: int = 2_000_000
) -> Rate:
    """Run ``operation`` from ``concurrency`` tasks until ``seconds`` pass or ``cap`` operations complete.

    ``operation`` returns True on success. Operations started before the budget ends are counted.
    """
    count = 0
    errors = 0
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal count, errors
        while count < cap and time.perf_counter() < stop_at:
            ok = await operation()
            count += 1
            if not ok:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Rate(count, time.perf_counter() - started, errors)


def warm_then_measure(
    operation: Callable[[], Awaitable[bool]], *, concurrency: int, seconds: float
) -> Callable[[], Awaitable[Rate]]:
    """A coroutine factory: a short warm-up (connections opened, caches filled), then the measurement."""

    async def measure() -> Rate:
        await run_concurrently(operation, concurrency=concurrency, seconds=min(0.5, seconds / 4))
        return await run_concurrently(operation, concurrency=concurrency, seconds=seconds)

    return measure


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux ``ru_maxrss`` is in KB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
