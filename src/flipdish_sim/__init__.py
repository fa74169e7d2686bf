"""flipdish-sim: Flipdish's webhook sender, emulated offline.

The namespace holds three parts: :mod:`flipdish_sim.contracts` (event catalogue, JSON-schema
contracts, examples, Hypothesis strategies), :mod:`flipdish_sim.simulator` (the sender engine,
command line and server) and :mod:`flipdish_sim.plugin` (the pytest plugin, never imported from here).
"""

from __future__ import annotations

from flipdish_sim.errors import FlipdishSimError

__all__ = ["FlipdishSimError", "__version__"]

__version__ = "0.1.0"
