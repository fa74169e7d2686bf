"""What the receiver answered, in words and as data: one sentence per attempt, and the answer itself.

    consequence("order.created", attempt)
    # 'attempt 1 of order.created answered 302: Flipdish treats redirects as failures and retries for 24 h'
    Answer.of(attempt, secrets=("tok",)).describe()
    # '401 with body \'{"error":"bad token ***"}\''

The answer's body is cut to its first :data:`EXCERPT_BYTES` bytes, escaped (control characters and invalid
UTF-8 become ``\\n``, ``\\x00``...), and every configured token or secret in it is masked: a receiver that
echoes what it was sent must not leak it into a CI log. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flipdish_sim.simulator.model._attempt import Attempt, Outcome

__all__ = [
    "EXCERPT_BYTES",
    "MASK",
    "RETRY_WINDOW",
    "Answer",
    "consequence",
    "describe_answer",
    "excerpt",
    "mask",
]

RETRY_WINDOW = "24 h"
"""How long Flipdish keeps retrying a failed webhook (FACTS 5)."""
EXCERPT_BYTES = 500
"""How much of the receiver's answer body a verdict shows."""
MASK = "***"


def describe_answer(result: Attempt) -> str:
    """``answered 302``, ``got no complete answer in time (...)``, ``could not be delivered (...)``."""
    if result.outcome is Outcome.TIMEOUT:
        return f"got no complete answer in time ({result.error or 'timeout'})"
    if result.status_code is not None:
        return f"answered {result.status_code}"
    return f"could not be delivered ({result.outcome.value}: {result.error or 'no detail'})"


def consequence(event: str, result: Attempt, *, number: int = 1) -> str:
    """One sentence: what attempt ``number`` of ``event`` got, and what Flipdish does about it."""
    head = f"attempt {number} of {event} {describe_answer(result)}"
    if result.ok:
        return f"{head}: Flipdish counts this as delivered"
    status = result.status_code
    if result.outcome is Outcome.HTTP_ERROR and status is not None and 300 <= status < 400:
        return f"{head}: Flipdish treats redirects as failures and retries for {RETRY_WINDOW}"
    if result.outcome is Outcome.TIMEOUT:
        return f"{head}: Flipdish waits at most 10 s, counts a failure and retries for {RETRY_WINDOW}"
    if result.outcome is Outcome.HTTP_ERROR:
        return f"{head}: Flipdish counts any non-2xx answer as a failure and retries for {RETRY_WINDOW}"
    return f"{head}: Flipdish counts a failure and retries for {RETRY_WINDOW}"


def mask(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every non-empty secret replaced by ``***`` (longest first, so none is half-masked)."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def excerpt(body: bytes, secrets: Iterable[str | None] = (), *, limit: int = EXCERPT_BYTES) -> str:
    """The first ``limit`` bytes of ``body`` as printable text, secrets masked, ``…`` when cut."""
    text = mask(body.decode("utf-8", "replace"), secrets)  # mask before cutting: no half-secret survives
    head = text.encode("utf-8")[:limit].decode("utf-8", "ignore")
    escaped = "".join(char if char.isprintable() else repr(char)[1:-1] for char in head)
    return escaped + ("…" if len(head) < len(text) else "")


@dataclass(frozen=True, slots=True)
class Answer:
    """The receiver's answer to one attempt: its status and body excerpt, or how long was waited for none."""

    status: int | None
    body: str
    waited: float | None = None
    error: str | None = None

    @classmethod
    def of(cls, result: Attempt, *, secrets: Iterable[str | None] = ()) -> Answer:
        waited = result.duration if result.outcome is Outcome.TIMEOUT else None
        error = None if result.status_code is not None else result.error
        body = excerpt(result.response_body, secrets)
        if result.response_truncated and not body.endswith("…"):
            body += "…"
        return cls(result.status_code, body, waited, error)

    def describe(self) -> str:
        """``401 with body '...'``, ``204 with an empty body``, ``no answer after waiting 10.0 s``."""
        if self.waited is not None:
            got = f" (status {self.status} received, body incomplete)" if self.status is not None else ""
            return f"no answer after waiting {self.waited:.1f} s{got}"
        if self.status is None:
            return f"no HTTP answer ({self.error or 'no detail'})"
        return f"{self.status} with body {self.body!r}" if self.body else f"{self.status} with an empty body"

    def to_json(self) -> dict[str, object]:
        return {"status": self.status, "body": self.body, "waited": self.waited, "error": self.error}
