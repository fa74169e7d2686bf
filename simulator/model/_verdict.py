"""What ``listen`` concluded about one captured delivery: its authentication and its contracts. Pure records.

The verdicts are computed from the capture as received (:mod:`flipdish_sim.simulator.listen`) and stored
beside it in the log; the drift summary is read from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["AuthVerdict", "CaptureVerdict", "ContractVerdict"]


class AuthVerdict(StrEnum):
    """Whether a delivery proved it came from the subscription's holder."""

    VALID = "valid"
    """Legacy: the X-Verify-Token equals ``--verify-token``; v3: a signature matches a ``--secret``, and its
    timestamp is within the tolerance of the time the request was received."""
    MISSING = "missing"
    """No X-Verify-Token (legacy) or no X-Flipdish-Signature (v3)."""
    WRONG = "wrong"
    """A token that differs, or no signature entry matching any secret."""
    MALFORMED = "malformed"
    """v3: a signature header that is not ``t=<timestamp>,sha256=<hex>``."""
    TOO_OLD = "too-old"
    """v3: authentic, but signed longer ago than the tolerance (a replay, or a clock far behind)."""
    TOO_NEW = "too-new"
    """v3: authentic, but signed further ahead than the tolerance (a clock far ahead)."""
    UNCHECKED = "unchecked"
    """No ``--verify-token``/``--secret`` was given for this family, or the family is unknown."""


@dataclass(frozen=True, slots=True)
class ContractVerdict:
    """One contract profile's verdict on a delivery's body.

    ``checked`` False: the body could not be held to a contract (not JSON, no known event); ``note`` says
    why. ``issues`` are the first violations as ``(JSON pointer, message)``; ``count`` is how many there were.
    """

    profile: str
    checked: bool
    count: int = 0
    issues: tuple[tuple[str, str], ...] = ()
    note: str = ""

    @property
    def valid(self) -> bool:
        return self.checked and self.count == 0


@dataclass(frozen=True, slots=True)
class CaptureVerdict:
    """Family, event, authentication and contract verdicts of one capture.

    ``unknown_fields``: JSON pointers of members the body carries that the event's contract does not declare
    (array indices written ``*``): the drift the documented contract does not know yet.
    """

    family: str | None
    event_type: str | None
    event_id: str | None
    auth: AuthVerdict
    auth_detail: str
    contracts: tuple[ContractVerdict, ...]
    unknown_fields: tuple[str, ...] = ()

    def contract(self, profile: str) -> ContractVerdict | None:
        """The verdict under ``profile`` (``documented`` or ``observed``), or None when not judged."""
        return next((c for c in self.contracts if c.profile == profile), None)
