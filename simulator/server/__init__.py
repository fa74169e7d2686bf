"""``flipdish-sim serve``: Flipdish's v1.0 webhook API, the simulator's API and the Webhook details dashboard.

Build the ASGI app with :func:`flipdish_sim.simulator.server.app.create_app` over a
:class:`flipdish_sim.simulator.server.backend.Backend`; see docs/server.md.
"""

from __future__ import annotations

__all__: list[str] = []
