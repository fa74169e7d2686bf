"""An executable shell script that replays a failing exchange with curl: exact headers, the body inline.

Each script is self-contained: the body is written inline (a quoted heredoc, exact bytes, trailing newlines
restored), so it runs from any folder. Secrets never appear: a real ``X-Verify-Token`` becomes
``"$FLIPDISH_SIM_VERIFY_TOKEN"``, and a v3 request signed with the real secret is re-signed in the shell from
``"$FLIPDISH_SIM_SECRET"`` with openssl (with a fresh timestamp, unless the timestamp is the point of the
failure, as in ``auth.replay``). Made-up tokens and signatures (``auth.verify-token``, ``auth.signature``) are
shown as sent.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from flipdish_sim.conformance.answer import Answer
from flipdish_sim.conformance.model import Exchange
from flipdish_sim.simulator.wire._signing import SIGNED_TIMESTAMP_DOT_BODY

__all__ = ["SECRET_ENV", "TOKEN_ENV", "reproducer", "write_reproducer"]

TOKEN_ENV = "FLIPDISH_SIM_VERIFY_TOKEN"
SECRET_ENV = "FLIPDISH_SIM_SECRET"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "exchange"


def _delimiter(body: str) -> str:
    lines = set(body.splitlines())
    marker = "FLIPDISH_SIM_BODY"
    while marker in lines:
        marker += "_"
    return marker


def _body_lines(body: bytes) -> list[str]:
    """Shell lines that write ``body`` byte for byte to ``$BODY`` (a heredoc; ``$(...)`` drops trailing
    newlines, so they are printed back explicitly)."""
    text = body.decode("utf-8", "surrogateescape")
    core = text.rstrip("\n")
    newlines = "\\n" * (len(text) - len(core))
    marker = _delimiter(core)
    return [
        "BODY=$(mktemp) && trap 'rm -f \"$BODY\"' EXIT",
        f"printf '%s{newlines}' \"$(cat <<'{marker}'",
        core,
        marker,
        ')" > "$BODY"',
    ]


def reproducer(
    exchange: Exchange,
    *,
    signed: str = SIGNED_TIMESTAMP_DOT_BODY,
    in_process: bool = False,
    answer: Answer | None = None,
) -> str:
    """A ``/bin/sh`` script that replays ``exchange`` with curl (the body inline)."""
    request = exchange.request
    lines = ["#!/bin/sh", f"# {exchange.check or 'conformance'}: {exchange.label}"]
    if answer is not None:
        lines.append(f"# the receiver answered: {answer.describe()}")
    if in_process:
        lines.append(
            "# in-process app: serve it (e.g. uvicorn/flask run) and put its address in the URL below"
        )
    lines.append("set -eu")
    resign = exchange.credential == "real" and request.header("X-Flipdish-Signature") is not None
    if exchange.credential == "real" and request.header("X-Verify-Token") is not None:
        lines.append(f': "${{{TOKEN_ENV}:?set {TOKEN_ENV} to your verify token}}"')
    if resign:
        lines.append(f': "${{{SECRET_ENV}:?set {SECRET_ENV} to your signing secret}}"')
    lines += _body_lines(request.body)
    if resign:
        lines += _signing_lines(exchange, signed)
    lines.append(" \\\n  ".join(_curl(exchange, resign)))
    return "\n".join(lines) + "\n"


def _curl(exchange: Exchange, resign: bool) -> list[str]:
    request = exchange.request
    args = [f"curl -sS -i -X POST {shlex.quote(request.url)}"]
    for name, value in request.headers:
        lowered = name.lower()
        if lowered == "x-verify-token" and exchange.credential == "real":
            args.append(f'-H "{name}: ${TOKEN_ENV}"')
        elif lowered == "x-flipdish-timestamp" and resign:
            args.append(f'-H "{name}: $TS"')
        elif lowered == "x-flipdish-signature" and resign:
            args.append(f'-H "{name}: t=$TS,sha256=$SIG"')
        else:
            args.append(f"-H {shlex.quote(f'{name}: {value}')}")
    args.append('--data-binary @"$BODY"')
    return args


def _signing_lines(exchange: Exchange, signed: str) -> list[str]:
    timestamp = exchange.request.header("X-Flipdish-Timestamp") or ""
    stamp = f"TS={shlex.quote(timestamp)}" if exchange.fixed_time else "TS=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"
    source = '{ printf \'%s.\' "$TS"; cat "$BODY"; }'
    if signed != SIGNED_TIMESTAMP_DOT_BODY:
        source = 'cat "$BODY"'
    return [stamp, f"SIG=$({source} | openssl dgst -sha256 -hmac \"${SECRET_ENV}\" | sed 's/^.*= //')"]


def write_reproducer(
    exchange: Exchange,
    directory: Path,
    name: str,
    *,
    signed: str = SIGNED_TIMESTAMP_DOT_BODY,
    in_process: bool = False,
    answer: Answer | None = None,
) -> tuple[str, Path]:
    """Write ``<directory>/<name>.sh`` (executable); return (script, its absolute path)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = (directory / f"{_slug(name)}.sh").resolve()
    script = reproducer(exchange, signed=signed, in_process=in_process, answer=answer)
    path.write_bytes(script.encode("utf-8", "surrogateescape"))
    path.chmod(0o755)
    return script, path
