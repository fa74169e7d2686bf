"""The authentication checks: ``auth.verify-token`` (legacy), ``auth.signature`` and ``auth.replay`` (v3),
``auth.raw-body`` (both: correctly authenticated bodies whose bytes vary)."""

from __future__ import annotations

from dataclasses import replace

from flipdish_sim.contracts.catalogue import Family
from flipdish_sim.plugin.conformance.bodies import VARIANTS, mark_free_text, variants
from flipdish_sim.plugin.conformance.context import CheckContext, with_headers
from flipdish_sim.plugin.conformance.model import CheckResult, Exchange
from flipdish_sim.plugin.conformance.verdict import accepting, rejecting, skipped

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
            "no verify token configured (--verify-token): Flipdish sends X-Verify-Token only when the "
            "subscription has one",
            event,
        )
    return None


def _needs_secret(ctx: CheckContext, check: str, event: str) -> CheckResult | None:
    if ctx.family is not Family.V3:
        return skipped(
            check, "v3 webhooks only: legacy deliveries carry a verify token, see auth.verify-token", event
        )
    if not ctx.config.secrets:
        return skipped(check, "no signing secret configured (--secret)", event)
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


async def check_raw_body(ctx: CheckContext, event: str) -> CheckResult:
    exchanges = []
    for name in VARIANTS:
        document = mark_free_text(ctx.payload(event))  # a fresh event per variant: no duplicate suppression
        request = ctx.with_body(ctx.request(event, document), variants(document)[name])
        exchanges.append(await ctx.send(request, event=event, label=f"{event} with {name}"))
    return accepting("auth.raw-body", exchanges, "bodies whose bytes vary", event)
