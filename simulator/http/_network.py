"""How deliveries reach a receiver: which certificates are trusted, and through which proxy.

Flipdish's sender knows nothing of your network, so the default, :data:`FLIPDISH`, is what it does: the
machine's trust store, no proxy, and the CA and proxy variables of the environment ignored. A staging
endpoint behind an internal CA or a CI runner's proxy asks for more, explicitly:

    Network(ca_bundle=Path("staging-ca.pem"))   # trust this CA as well as the system's
    Network(trust_env=True)                     # SSL_CERT_FILE/DIR, HTTPS_PROXY, HTTP_PROXY, NO_PROXY
    Network(proxy="http://proxy.internal:3128") # every delivery through this proxy
    Network(insecure=True)                      # no certificate check at all (Flipdish would refuse)

:func:`flipdish_sim.simulator.http._delivery.make_client` builds its transport from :func:`current`, which
the command line sets for one command with :func:`use` (``simulator/cli/network.py``).
"""

from __future__ import annotations

import os
import ssl
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flipdish_sim.errors import UsageError

__all__ = ["FLIPDISH", "Network", "current", "use"]


@dataclass(frozen=True, slots=True)
class Network:
    """Trust and proxy settings for deliveries to real URLs; the defaults are Flipdish's behaviour."""

    ca_bundle: Path | None = None
    trust_env: bool = False
    insecure: bool = False
    proxy: str | None = None

    def __post_init__(self) -> None:
        if self.insecure and self.ca_bundle is not None:
            raise UsageError("--insecure and --ca-bundle contradict each other: give one")
        if self.proxy is not None:
            parts = urlsplit(self.proxy)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise UsageError(f"proxy must be an http:// or https:// URL with a host, got {self.proxy!r}")

    def ssl_context(self) -> ssl.SSLContext | bool:
        """False when insecure; otherwise a verifying context over the trust this network was given."""
        if self.insecure:
            return False
        context = ssl.create_default_context() if self.trust_env else system_trust()
        if self.ca_bundle is not None:
            try:
                context.load_verify_locations(cafile=self.ca_bundle)
            except (OSError, ssl.SSLError) as err:
                raise UsageError(f"cannot read CA bundle {self.ca_bundle}: {err}") from err
        return context

    def proxy_for(self, url: str) -> str | None:
        """The proxy a delivery to ``url`` goes through, or None for a direct connection."""
        if self.proxy is not None:
            return self.proxy
        if not self.trust_env:
            return None
        parts = urlsplit(url)
        if urllib.request.proxy_bypass_environment(parts.netloc):  # type: ignore[attr-defined]  # NO_PROXY
            return None
        return urllib.request.getproxies_environment().get(parts.scheme)


FLIPDISH = Network()
"""Flipdish's own behaviour: the system trust store, no proxy, no environment variables."""

_CURRENT: ContextVar[Network] = ContextVar("flipdish_sim_network", default=FLIPDISH)


def system_trust() -> ssl.SSLContext:
    """A verifying context over the trust store OpenSSL was built with; SSL_CERT_FILE/SSL_CERT_DIR ignored.

    ``ssl.create_default_context()`` reads those two variables; Flipdish's sender would not see them.
    """
    paths = ssl.get_default_verify_paths()
    if not (os.environ.get(paths.openssl_cafile_env) or os.environ.get(paths.openssl_capath_env)):
        return ssl.create_default_context()
    cafile = paths.openssl_cafile if os.path.isfile(paths.openssl_cafile) else None
    capath = paths.openssl_capath if os.path.isdir(paths.openssl_capath) else None
    if cafile is None and capath is None:  # no system store at all: trust nothing rather than the variables
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return ssl.create_default_context(cafile=cafile, capath=capath)


def current() -> Network:
    """The network settings of the running command (:data:`FLIPDISH` unless :func:`use` says otherwise)."""
    return _CURRENT.get()


@contextmanager
def use(network: Network) -> Iterator[Network]:
    """Make ``network`` the :func:`current` one inside the block (and in event loops started there)."""
    token = _CURRENT.set(network)
    try:
        yield network
    finally:
        _CURRENT.reset(token)
