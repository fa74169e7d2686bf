"""The legacy (API v1.0) verify-token vectors: ``X-Verify-Token`` carries the token itself (FACTS 3.1)."""

from __future__ import annotations

import hashlib

__all__ = ["TOKEN", "cases"]

TOKEN = "fd-verify-7c1e4b9a2d"
"""The verify token the receiver configured (legacy tokens are chosen by the subscriber)."""

JSON = dict[str, object]

_ROWS: list[tuple[str, str, str | None, str, str, str | None]] = [
    # id, why, header value (None = absent), expected token, verdict, reason
    ("exact-token", "The header equals the configured token.", TOKEN, TOKEN, "accept", None),
    ("missing-header", "No X-Verify-Token header: Flipdish sends it only when a token is set.", None, TOKEN,
     "reject", "missing"),
    ("empty-header", "An empty header is not the token.", "", TOKEN, "reject", "mismatch"),
    ("different-token", "Another subscription's token.", "fd-verify-0000000000", TOKEN, "reject", "mismatch"),
    ("token-prefix", "The token minus its last character: compare whole values, not prefixes.", TOKEN[:-1],
     TOKEN, "reject", "mismatch"),
    ("token-extended", "The token plus one character.", TOKEN + "0", TOKEN, "reject", "mismatch"),
    ("case-differs", "The token in upper case: tokens are case-sensitive.", TOKEN.upper(), TOKEN, "reject",
     "mismatch"),
    ("surrounding-spaces", "The token with spaces around it: compare the value your framework gives you, "
     "without trimming or folding it yourself.", f" {TOKEN} ", TOKEN, "reject", "mismatch"),
    ("hashed-token", "A SHA-256 of the token: legacy webhooks send the token itself, not a hash.",
     hashlib.sha256(TOKEN.encode()).hexdigest(), TOKEN, "reject", "mismatch"),
    ("bearer-prefix", "'Bearer <token>' is not the token.", f"Bearer {TOKEN}", TOKEN, "reject", "mismatch"),
    ("no-expected-token", "The receiver's own token is empty (an unset variable): refuse to run, never "
     "accept every request.", TOKEN, "", "error", "misconfigured"),
]  # fmt: skip


def cases() -> list[JSON]:
    """Every legacy case, in the file's order."""
    return [
        {
            "id": case_id,
            "why": why,
            "expected": {"verdict": verdict, "reason": reason},
            "token": expected,
            "headers": {"Content-Type": "application/json"}
            | ({} if header is None else {"X-Verify-Token": header}),
        }
        for case_id, why, header, expected, verdict, reason in _ROWS
    ]
