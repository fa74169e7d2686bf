"""The side-effect probe over HTTP: a GET that answers ``{"applied": N}``."""

from __future__ import annotations

import httpx

from flipdish_sim.conformance.context import Probe
from flipdish_sim.conformance.target import Target
from flipdish_sim.errors import FlipdishSimError
from flipdish_sim.simulator.http._delivery import make_client

__all__ = ["ProbeError", "http_probe"]


class ProbeError(FlipdishSimError):
    """The probe did not answer ``{"applied": <integer>}``."""


def http_probe(target: Target, url: str, *, timeout: float = 10.0) -> Probe:
    """A probe reading ``url`` (a path is resolved against the target, in-process for an app)."""
    address = target.resolve(url)

    async def read() -> int:
        async with make_client(transport=target.transport()) as client:
            try:
                response = await client.get(address, timeout=timeout)
            except httpx.HTTPError as exc:
                raise ProbeError(f"GET {address} failed: {exc}") from exc
        try:
            applied = response.json()["applied"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ProbeError(
                f'GET {address} answered {response.status_code} without {{"applied": N}}'
            ) from exc
        if response.status_code != 200 or not isinstance(applied, int) or isinstance(applied, bool):
            raise ProbeError(f"GET {address} answered {response.status_code} {response.text[:80]!r}")
        return applied

    return read
