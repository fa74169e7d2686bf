"""The documented path of :class:`Store` (``from flipdish_sim.simulator.store import Store``); it lives in
:mod:`flipdish_sim.simulator.log`."""

from __future__ import annotations

from flipdish_sim.simulator.log._store import Store

__all__ = ["Store"]
