"""The documented path of the HTTP seam's helpers (``from flipdish_sim.simulator.delivery import
asgi_transport, make_client``); they live in :mod:`flipdish_sim.simulator.http`."""

from __future__ import annotations

from flipdish_sim.simulator.http._delivery import asgi_transport, make_client, wsgi_transport

__all__ = ["asgi_transport", "make_client", "wsgi_transport"]
