"""The verdicts on one captured delivery: family, event, authentication, contracts, unknown fields. Pure.

Family (``--family auto``): v3 when the request carries ``X-Flipdish-Signature`` or ``X-Flipdish-Event-Type``,
else legacy when the body is a JSON object naming its event in ``Type``, else unknown. Event: legacy the
envelope's ``Type``; v3 ``X-Flipdish-Event-Type`` (or an event-shaped body's ``detail-type``). Event id:
legacy ``Body.FlipdishEventId``; v3 the idempotency header, else an event-shaped body's ``id``.

Authentication reuses :mod:`flipdish_sim.verify` with the time the request was received as ``now``.
Contracts reuse :func:`flipdish_sim.contracts.validate.validate` under both profiles (v3 events have one
contract, which both profiles name). Unknown fields are those neither profile's schema declares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from flipdish_sim.contracts.catalogue import Family, Profile, V3Shape, cached_schema, get_event
from flipdish_sim.contracts.document import parse_json
from flipdish_sim.contracts.validate import validate
from flipdish_sim.errors import FlipdishSimError
from flipdish_sim.simulator.listen._unknown import unknown_fields
from flipdish_sim.simulator.model._capture import Capture
from flipdish_sim.simulator.model._verdict import AuthVerdict, CaptureVerdict, ContractVerdict
from flipdish_sim.verify import InvalidSignature, verify_signature, verify_token

__all__ = ["FIRST_ISSUES", "Credentials", "judge"]

FIRST_ISSUES = 5
"""How many violations per profile a verdict keeps (the count keeps them all)."""
IDEMPOTENCY_HEADER = "X-Flipdish-Idempotency-Key"

_REASONS = {
    "missing": AuthVerdict.MISSING,
    "malformed": AuthVerdict.MALFORMED,
    "mismatch": AuthVerdict.WRONG,
    "too-old": AuthVerdict.TOO_OLD,
    "too-new": AuthVerdict.TOO_NEW,
}


@dataclass(frozen=True, slots=True)
class Credentials:
    """What ``listen`` checks deliveries against: the legacy token, the v3 secrets, the v3 tolerance."""

    verify_token: str | None = None
    secrets: Sequence[str] = ()
    tolerance: timedelta = timedelta(minutes=5)


def judge(capture: Capture, credentials: Credentials, *, family: str = "auto") -> CaptureVerdict:
    """Every verdict on ``capture``; ``family`` is ``legacy``, ``v3`` or ``auto`` (see the module doc)."""
    payload = _json(capture.body)
    chosen = _family(capture, payload) if family == "auto" else family
    event_type = _event_type(capture, payload, chosen)
    auth, detail = _auth(capture, credentials, chosen)
    contracts, unknown = _contracts(payload, event_type, chosen)
    return CaptureVerdict(
        family=chosen,
        event_type=event_type,
        event_id=_event_id(capture, payload, chosen),
        auth=auth,
        auth_detail=detail,
        contracts=contracts,
        unknown_fields=unknown,
    )


NOT_JSON = object()
"""The payload of a body that is not JSON (``None`` is JSON's null)."""


def _json(body: bytes) -> object:
    """The body's JSON read as every user input is (``contracts.document``: strict, at most 64 levels)."""
    try:
        return parse_json(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # JSONDecodeError, JsonDocumentError
        return NOT_JSON


def _family(capture: Capture, payload: object) -> str | None:
    if capture.header("X-Flipdish-Signature") is not None or capture.header("X-Flipdish-Event-Type"):
        return Family.V3.value
    if isinstance(payload, dict) and isinstance(payload.get("Type"), str):
        return Family.LEGACY.value
    return None


def _event_type(capture: Capture, payload: object, family: str | None) -> str | None:
    if family == Family.V3.value:
        named = capture.header("X-Flipdish-Event-Type")
        if not named and isinstance(payload, dict):
            named = payload.get("detail-type")
    else:
        named = payload.get("Type") if isinstance(payload, dict) else None
    return named if isinstance(named, str) and named else None


def _event_id(capture: Capture, payload: object, family: str | None) -> str | None:
    candidates: list[object] = []
    if family == Family.V3.value:
        candidates.append(capture.header(IDEMPOTENCY_HEADER))
        if isinstance(payload, dict) and "detail-type" in payload:
            candidates.append(payload.get("id"))
    elif isinstance(payload, dict) and isinstance(payload.get("Body"), dict):
        candidates.append(payload["Body"].get("FlipdishEventId"))
    return next((str(c) for c in candidates if isinstance(c, str | int) and str(c)), None)


def _auth(capture: Capture, credentials: Credentials, family: str | None) -> tuple[AuthVerdict, str]:
    if family == Family.LEGACY.value:
        token = capture.header("X-Verify-Token")
        if not credentials.verify_token:
            return AuthVerdict.UNCHECKED, "no --verify-token given" + (" (token present)" if token else "")
        if token is None:
            return AuthVerdict.MISSING, "no X-Verify-Token header"
        if verify_token(token, credentials.verify_token):
            return AuthVerdict.VALID, "X-Verify-Token matches"
        return AuthVerdict.WRONG, "X-Verify-Token differs from --verify-token"
    if family == Family.V3.value:
        if not credentials.secrets:
            return AuthVerdict.UNCHECKED, "no --secret given"
        try:
            verify_signature(
                capture.header("X-Flipdish-Signature"),
                capture.body,
                list(credentials.secrets),
                now=capture.received_at,
                tolerance=credentials.tolerance,
            )
        except InvalidSignature as err:
            return _REASONS.get(err.reason, AuthVerdict.WRONG), str(err)
        return AuthVerdict.VALID, "signature valid, timestamp within tolerance"
    return AuthVerdict.UNCHECKED, "family unknown: neither a v3 header nor a legacy envelope"


def _contracts(
    payload: object, event_type: str | None, family: str | None
) -> tuple[tuple[ContractVerdict, ...], tuple[str, ...]]:
    profiles = (Profile.DOCUMENTED, Profile.OBSERVED)
    note = _unjudgeable(payload, event_type, family)
    if note:
        return tuple(ContractVerdict(p.value, False, note=note) for p in profiles), ()
    assert event_type is not None
    shape = V3Shape.EVENT if isinstance(payload, dict) and "detail-type" in payload else V3Shape.PROPERTIES
    verdicts = []
    for profile in profiles:
        issues = validate(payload, event_type, profile=profile, shape=shape)
        first = tuple((i.pointer or "/", i.message) for i in issues[:FIRST_ISSUES])
        verdicts.append(ContractVerdict(profile.value, True, len(issues), first))
    unknown = set.intersection(
        *(set(unknown_fields(payload, cached_schema(event_type, p, shape))) for p in profiles)
    )
    return tuple(verdicts), tuple(sorted(unknown))


def _unjudgeable(payload: object, event_type: str | None, family: str | None) -> str:
    if payload is NOT_JSON:
        return "body is not JSON (or not UTF-8)"
    if event_type is None:
        return "no event type (legacy: Type; v3: X-Flipdish-Event-Type)"
    try:
        spec = get_event(event_type)
    except FlipdishSimError:
        return f"event {event_type!r} is not in the catalogue"
    if family is not None and spec.family.value != family:
        return f"{event_type} is a {spec.family.value} event, delivered as {family}"
    return ""
