"""One delivery attempt over HTTP: the client, the aiohttp transport, in-process transports, networks.

The names below load on first use (the modules behind them are private).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flipdish_sim._lazy import exports

if TYPE_CHECKING:
    from flipdish_sim.simulator.http._delivery import (
        asgi_transport,
        attempt,
        make_client,
        wsgi_transport,
    )
    from flipdish_sim.simulator.http._network import Network
    from flipdish_sim.simulator.http._transport import AiohttpDeliveryTransport

__all__ = [
    "AiohttpDeliveryTransport",
    "Network",
    "asgi_transport",
    "attempt",
    "make_client",
    "wsgi_transport",
]

__getattr__ = exports(
    __name__,
    {
        "AiohttpDeliveryTransport": "_transport",
        "Network": "_network",
        "asgi_transport": "_delivery",
        "attempt": "_delivery",
        "make_client": "_delivery",
        "wsgi_transport": "_delivery",
    },
)
