"""The authentication checks: ``auth.verify-token`` (legacy), ``auth.signature`` and ``auth.replay`` (v3),
``auth.raw-body`` (both: correctly authenticated bodies whose bytes vary)."""

from __future__ import annotations

import json
from dataclasses import replace

from flipdish_sim.conformance.bodies import VARIANTS, mark_free_text, variants
from flipdish_sim.conformance.context import CheckContext, with_headers
from flipdish_sim.conformance.model import CheckResult, Exchange
from flipdish_sim.conformance.verdict import accepting, blamed_elsewhere, failed, rejecting, skipped
from flipdish_sim.contracts.catalogue import Family
from flipdish_sim.simulator.environment import SECRET_ENV, VERIFY_TOKEN_ENV

__all__ = [
    "WRONG_SECRET",
    "WRONG_TOKEN",
    "check_raw_body",
    "check_replay",
    "check_signature",
    "check_verify_token",
]

WRONG_TOKEN = "flipdish-sim-wrong-token"
WRONG_SECRET = "flipdish-sim-wrong-secret"


def _needs_token(ctx: CheckContext, check: str, event: str) -> CheckResult | None:
    if ctx.family is not Family.LEGACY:
        return skipped(check, "legacy webhooks only: v3 deliveries are signed, see auth.signature", event)
    if not ctx.config.verify_token:
        return skipped(
            check,
            f"no verify token configured ({ctx.config.route.token}, or env {VERIFY_TOKEN_ENV}): Flipdish "
            "sends X-Verify-Token only when the subscription has one",
            event,
        )
    return None


def _needs_secret(ctx: CheckContext, check: str, event: str) -> CheckResult | None:
    if ctx.family is not Family.V3:
        return skipped(
            check, "v3 webhooks only: legacy deliveries carry a verify token, see auth.verify-token", event
        )
    if not ctx.config.secrets:
        return skipped(
            check, f"no signing secret configured ({ctx.config.route.secret}, or env {SECRET_ENV})", event
        )
    return None


async def check_verify_token(ctx: CheckContext, event: str) -> CheckResult:
    if (skip := _needs_token(ctx, "auth.verify-token", event)) is not None:
        return skip
    payload = ctx.payload(event)
    good = ctx.request(event, payload)
    missing = with_headers(good, {"X-Verify-Token": None})
    wrong = with_headers(good, {"X-Verify-Token": WRONG_TOKEN})
    exchanges = [
        await ctx.send(missing, event=event, label=f"{event} without X-Verify-Token", credential="none"),
        await ctx.send(wrong, event=event, label=f"{event} with a wrong X-Verify-Token", credential="fake"),
    ]
    return rejecting("auth.verify-token", exchanges, "missing and wrong verify tokens", event)


def _tampered(body: bytes) -> bytes:
    """``body`` with its first digit after the first colon changed: still JSON, no longer the signed bytes."""
    start = body.index(b":")
    for index in range(start, len(body)):
        digit = body[index : index + 1]
        if digit.isdigit():
            return body[:index] + str((int(digit) + 1) % 10).encode() + body[index + 1 :]
    return body[:-1] + b" }"


async def check_signature(ctx: CheckContext, event: str) -> CheckResult:
    if (skip := _needs_secret(ctx, "auth.signature", event)) is not None:
        return skip
    good = ctx.request(event, ctx.payload(event))
    timestamp = good.header("X-Flipdish-Timestamp") or ""
    cases = [
        (with_headers(good, {"X-Flipdish-Signature": None}), "without X-Flipdish-Signature", "none"),
        (with_headers(good, {"X-Flipdish-Signature": f"t={timestamp},sha256=not-hex"}),
         "with a malformed signature", "none"),
        (with_headers(good, {"X-Flipdish-Signature": "garbage"}),
         "with a signature that is not t=...,sha256=...", "none"),
        (ctx.resigned(good, secrets=[WRONG_SECRET]), "signed with the wrong secret", "fake"),
        (replace(good, body=_tampered(good.body)), "whose body was changed after signing", "real"),
    ]  # fmt: skip
    exchanges: list[Exchange] = []
    for request, what, credential in cases:
        exchanges.append(await ctx.send(request, event=event, label=f"{event} {what}", credential=credential))  # type: ignore[arg-type]
    return rejecting(
        "auth.signature", exchanges, "missing, malformed, wrongly keyed and tampered signatures", event
    )


async def check_replay(ctx: CheckContext, event: str) -> CheckResult:
    if (skip := _needs_secret(ctx, "auth.replay", event)) is not None:
        return skip
    offset = ctx.config.replay_offset
    exchanges = []
    for sign, what in ((-1, "old"), (1, "ahead")):
        at = ctx.clock.now() + sign * offset
        request = ctx.request(event, ctx.payload(event), at=at)
        label = f"{event} correctly signed but stamped {offset} {what}"
        exchanges.append(await ctx.send(request, event=event, label=label, fixed_time=True))
    return rejecting("auth.replay", exchanges, f"deliveries stamped {offset} old and ahead", event)


def reserialised(body: bytes) -> bytes:
    """``body`` parsed and written back compactly, as a receiver that re-serialises JSON would see it."""
    return json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()


def _reserialising_hint(ctx: CheckContext, rejected: list[Exchange], accepted: list[Exchange]) -> str:
    """Why the rejected variants were rejected, when the bytes tell: re-serialised JSON was verified."""
    if not rejected or any(reserialised(x.request.body) == x.request.body for x in rejected):
        return ""
    if any(reserialised(x.request.body) != x.request.body for x in accepted):
        return ""
    what = "the signature" if ctx.family is Family.V3 else "the delivery"
    return (
        f"; exactly the bodies whose bytes differ from a compact re-serialisation of the same JSON were "
        f"rejected: the receiver seems to verify re-serialised JSON instead of the raw bytes it received "
        f"(check {what} over the request body as received, before parsing it)"
    )


async def check_raw_body(ctx: CheckContext, event: str) -> CheckResult:
    exchanges = []
    for name in VARIANTS:
        document = mark_free_text(ctx.payload(event))  # a fresh event per variant: no duplicate suppression
        request = ctx.with_body(ctx.request(event, document), variants(document)[name])
        exchanges.append(await ctx.send(request, event=event, label=f"{event} with {name}"))
    verdict = accepting("auth.raw-body", exchanges, "bodies whose bytes vary", event)
    if not verdict.failed:
        return verdict
    judged = [x for x in exchanges if blamed_elsewhere(x) is None]
    rejected = [x for x in judged if not x.attempt.ok]
    accepted = [x for x in judged if x.attempt.ok]
    names = ", ".join(f"{x.label.removeprefix(event + ' with ')} ({x.attempt.status_code})" for x in rejected)
    detail = (
        f"{len(rejected)} of {len(judged)} correctly authenticated {event} bodies were rejected: {names}"
        + _reserialising_hint(ctx, rejected, accepted)
    )
    return failed("auth.raw-body", detail, rejected[0], event)
