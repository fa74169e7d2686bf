"""Compatibility: the suite lives in :mod:`flipdish_sim.conformance`, which imports no pytest.

This package keeps the old import path working and holds the pytest items (:mod:`.pytest_items`).
"""

from __future__ import annotations

from flipdish_sim.conformance import *  # noqa: F403
from flipdish_sim.conformance import __all__ as __all__
