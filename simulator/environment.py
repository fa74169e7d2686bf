"""The product's own environment variables: ``FLIPDISH_SIM_*`` (house style), nothing else.

- ``FLIPDISH_SIM_VERIFY_TOKEN``: the legacy ``X-Verify-Token`` a subscription sends.
- ``FLIPDISH_SIM_SECRET``: the v3 signing secret; while one rotates, several separated by commas
  (``new,old``): every delivery then carries one signature per secret, in that order.
  Whitespace around each secret is ignored; a secret that itself contains a comma must be given
  with a repeated ``--secret`` option instead.

Scenarios name their variables (``verify_token_env``, ``secrets_env``); the built-in scenarios name these.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["SECRET_ENV", "VERIFY_TOKEN_ENV", "split_secrets"]

VERIFY_TOKEN_ENV = "FLIPDISH_SIM_VERIFY_TOKEN"
SECRET_ENV = "FLIPDISH_SIM_SECRET"


def split_secrets(values: Iterable[str]) -> tuple[str, ...]:
    """``("a,b", " c ")`` -> ``("a", "b", "c")``: each value may hold several comma-separated secrets."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())
