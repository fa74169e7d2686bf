"""``flipdish-sim listen`` as a real subprocess on an ephemeral loopback port (CLI and loopback tests)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Listen", "cli", "start_listen"]

CODE = "from flipdish_sim.simulator.cli import main; main()"


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``flipdish-sim ARGS`` in a subprocess, its output as text."""
    return subprocess.run(
        [sys.executable, "-c", CODE, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )


@dataclass
class Listen:
    """A running ``listen``: its URL, and :meth:`stop` (a signal) that returns its exit status and output."""

    process: subprocess.Popen[bytes]
    url: str
    head: str

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> tuple[int, str, str]:
        self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, self.head + out.decode(), err.decode()


def start_listen(db: Path, forward_to: str, *extra: str, timeout: float = 30) -> Listen:
    """Start ``listen --port 0`` and wait (bounded) for the line that names its URL."""
    command = [
        sys.executable,
        "-c",
        CODE,
        "listen",
        "--forward-to",
        forward_to,
        "--port",
        "0",
        "--db",
        str(db),
    ]
    process = subprocess.Popen([*command, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    head = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in head and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.1)
        if ready:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                break
            head += chunk
    first = head.decode().split("\n", 1)[0]
    if not first.startswith("flipdish-sim listen: "):
        process.kill()
        out, err = process.communicate(timeout=10)
        raise RuntimeError(f"listen did not start: {(head + out).decode()!r} {err.decode()!r}")
    url = first.removeprefix("flipdish-sim listen: ").split(" ", 1)[0]
    return Listen(process, url, head.decode())
