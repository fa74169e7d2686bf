"""Compatibility: :class:`Target` lives in :mod:`flipdish_sim.conformance.target` (it imports no pytest)."""

from __future__ import annotations

from flipdish_sim.conformance.target import (
    DEFAULT_APP_URL,
    LIFESPAN_TIMEOUT,
    Served,
    Target,
    TargetKind,
    app_kind,
    load_app,
)

__all__ = ["DEFAULT_APP_URL", "LIFESPAN_TIMEOUT", "Served", "Target", "TargetKind", "app_kind", "load_app"]
