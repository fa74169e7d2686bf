"""A curl command that replays a failing exchange: exact headers, the body saved to a file.

Secrets never appear: a real ``X-Verify-Token`` becomes ``"$FLIPDISH_SIM_VERIFY_TOKEN"``, and a v3 request
signed with the real secret is re-signed in the shell from ``"$FLIPDISH_SIM_SECRET"`` with openssl (with a
fresh timestamp, unless the timestamp is the point of the failure, as in ``auth.replay``). Made-up tokens
and signatures (``auth.verify-token``, ``auth.signature``) are shown as sent.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from flipdish_sim.plugin.conformance.model import Exchange
from flipdish_sim.simulator.signing import SIGNED_TIMESTAMP_DOT_BODY

__all__ = ["SECRET_ENV", "TOKEN_ENV", "reproducer", "write_reproducer"]

TOKEN_ENV = "FLIPDISH_SIM_VERIFY_TOKEN"
SECRET_ENV = "FLIPDISH_SIM_SECRET"
_SIGNED_HEADERS = ("x-flipdish-signature", "x-flipdish-timestamp")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "exchange"


def reproducer(
    exchange: Exchange, body_file: Path, *, signed: str = SIGNED_TIMESTAMP_DOT_BODY, in_process: bool = False
) -> str:
    """The shell lines that replay ``exchange`` with curl, reading the body from ``body_file``."""
    request = exchange.request
    lines = [f"# {exchange.label}"]
    if in_process:
        lines.append(
            "# in-process app: serve it (e.g. uvicorn/flask run) and put its address in the URL below"
        )
    args = ["curl", "-sS", "-i", "-X", "POST", shlex.quote(request.url)]
    resign = exchange.credential == "real" and request.header("X-Flipdish-Signature") is not None
    if exchange.credential == "real" and request.header("X-Verify-Token") is not None:
        lines.append(f': "${{{TOKEN_ENV}:?set {TOKEN_ENV} to your verify token}}"')
    if resign:
        lines += _signing_lines(exchange, body_file, signed)
    for name, value in request.headers:
        lowered = name.lower()
        if lowered == "x-verify-token" and exchange.credential == "real":
            args += ["-H", f'"{name}: ${TOKEN_ENV}"']
        elif lowered == "x-flipdish-timestamp" and resign:
            args += ["-H", f'"{name}: $TS"']
        elif lowered == "x-flipdish-signature" and resign:
            args += ["-H", f'"{name}: t=$TS,sha256=$SIG"']
        else:
            args += ["-H", shlex.quote(f"{name}: {value}")]
    args += ["--data-binary", shlex.quote(f"@{body_file}")]
    lines.append(" ".join(args))
    return "\n".join(lines)


def _signing_lines(exchange: Exchange, body_file: Path, signed: str) -> list[str]:
    timestamp = exchange.request.header("X-Flipdish-Timestamp") or ""
    stamp = f"TS={shlex.quote(timestamp)}" if exchange.fixed_time else "TS=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"
    source = f"{{ printf '%s.' \"$TS\"; cat {shlex.quote(str(body_file))}; }}"
    if signed != SIGNED_TIMESTAMP_DOT_BODY:
        source = f"cat {shlex.quote(str(body_file))}"
    return [
        f': "${{{SECRET_ENV}:?set {SECRET_ENV} to your signing secret}}"',
        stamp,
        f"SIG=$({source} | openssl dgst -sha256 -hmac \"${SECRET_ENV}\" | sed 's/^.*= //')",
    ]


def write_reproducer(
    exchange: Exchange,
    directory: Path,
    name: str,
    *,
    signed: str = SIGNED_TIMESTAMP_DOT_BODY,
    in_process: bool = False,
) -> tuple[str, Path]:
    """Save the body as ``<dir>/<name>.json``, the script as ``<name>.sh``; return (script, body path)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = _slug(name)
    body_file = directory / f"{stem}.json"
    body_file.write_bytes(exchange.request.body)
    script = reproducer(exchange, body_file, signed=signed, in_process=in_process)
    (directory / f"{stem}.sh").write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    return script, body_file
