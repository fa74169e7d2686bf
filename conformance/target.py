"""The receiver under test: an in-process ASGI or WSGI app (no socket), or a URL.

    Target.from_url("https://staging.example.com/webhooks/flipdish")
    Target.from_app(app)                                  # Flask/Django (WSGI) or FastAPI/Starlette (ASGI)
    Target.from_app(app, url="http://receiver.test/webhooks/flipdish")   # the path the app serves
    Target.from_spec("myservice.web:app", url=...)        # ``module:attribute``, as ``--flipdish-app`` takes
    Target.from_app(app, lifespan=False)                  # do not run an ASGI app's lifespan

In-process apps are driven through httpx transports (:func:`flipdish_sim.simulator.http.asgi_transport`,
:func:`~flipdish_sim.simulator.http.wsgi_transport`): every request reaches the app exactly as bytes on
the wire would, without a server or a port. The host of an in-process URL is never resolved.

An ASGI app's lifespan (startup and shutdown, where apps open their database pools) runs around the
deliveries, as a server would run it (:meth:`Target.served`, through asgi-lifespan's ``LifespanManager``;
httpx's ASGI transport sends no lifespan events). ``lifespan=False`` turns it off; an app that does not
speak the lifespan protocol is served without it, as uvicorn's ``--lifespan auto`` does.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import httpx

from flipdish_sim.errors import UsageError

__all__ = ["DEFAULT_APP_URL", "LIFESPAN_TIMEOUT", "Served", "Target", "TargetKind", "app_kind", "load_app"]

DEFAULT_APP_URL = "http://receiver.test/"
"""Where an in-process app is addressed when no URL (path) is given."""

TargetKind = Literal["url", "asgi", "wsgi"]

LIFESPAN_TIMEOUT = 10.0
"""Seconds an ASGI app's lifespan startup (and shutdown) may take before it counts as failed."""


def load_app(spec: str) -> object:
    """Import ``module:attribute`` (dotted attributes allowed); a bad spec is a ``UsageError``."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise UsageError(f"app must look like 'module:attribute', got {spec!r}")
    if "" not in sys.path and "." not in sys.path:
        sys.path.insert(0, "")  # like ``uvicorn module:app``: the current directory is importable
    try:
        value: object = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"cannot import module {module_name!r} for app {spec!r}: {exc}") from exc
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise UsageError(f"module {module_name!r} has no attribute {attribute!r}") from None
    if not callable(value):
        raise UsageError(f"{spec!r} is not an ASGI or WSGI application (not callable)")
    return value


def app_kind(app: object) -> Literal["asgi", "wsgi"]:
    """``asgi`` for an async application callable, ``wsgi`` otherwise."""
    if inspect.iscoroutinefunction(app):
        return "asgi"
    call = getattr(app, "__call__", None)  # noqa: B004 - the bound __call__ of an app object
    if call is not None and inspect.iscoroutinefunction(call):
        return "asgi"
    return "wsgi"


@dataclass(frozen=True, slots=True)
class Target:
    """A receiver: ``url`` always names the endpoint; ``app`` is set for in-process targets.

    ``lifespan``: run an ASGI app's lifespan around the deliveries (None: the default, on).
    """

    url: str
    kind: TargetKind = "url"
    app: object | None = None
    label: str | None = None
    lifespan: bool | None = None

    @classmethod
    def from_url(cls, url: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"receiver URL must be an absolute http(s) URL, got {url!r}")
        return cls(url=url)

    @classmethod
    def from_app(
        cls,
        app: object,
        *,
        url: str | None = None,
        kind: Literal["asgi", "wsgi"] | None = None,
        label: str | None = None,
        lifespan: bool | None = None,
    ) -> Target:
        address = _app_url(url)
        return cls(url=address, kind=kind or app_kind(app), app=app, label=label, lifespan=lifespan)

    @classmethod
    def from_spec(cls, spec: str, *, url: str | None = None, lifespan: bool | None = None) -> Target:
        return cls.from_app(load_app(spec), url=url, label=spec, lifespan=lifespan)

    @property
    def in_process(self) -> bool:
        return self.app is not None

    def transport(self) -> httpx.AsyncBaseTransport | None:
        """The in-process transport of an app target, or None for a URL (real network)."""
        from flipdish_sim.simulator.http._delivery import asgi_transport, wsgi_transport

        if self.app is None:
            return None
        return asgi_transport(self.app) if self.kind == "asgi" else wsgi_transport(self.app)

    @asynccontextmanager
    async def served(self) -> AsyncIterator[Served]:
        """The target's transport for the block, an ASGI app's lifespan running around it (unless off).

        A lifespan that fails to start raises :class:`UsageError` naming the app and the error; one that
        fails to shut down raises it at the end of the block.
        """
        if self.kind != "asgi" or self.lifespan is False:
            yield Served(self.transport(), lifespan=False)
            return
        from asgi_lifespan import LifespanManager, LifespanNotSupported

        manager = LifespanManager(self.app, LIFESPAN_TIMEOUT, LIFESPAN_TIMEOUT)  # type: ignore[arg-type]
        supported = True
        try:
            await manager.__aenter__()
        except LifespanNotSupported:
            supported = False  # the app refused the lifespan scope: served without, as uvicorn's auto
        except Exception as exc:
            raise UsageError(f"{self.describe()}: {_lifespan_failure('startup', exc)}") from exc
        if not supported:
            yield Served(self.transport(), lifespan=False)
            return
        try:
            from flipdish_sim.simulator.http._delivery import asgi_transport

            yield Served(asgi_transport(manager.app), lifespan=True)
        except BaseException as exc:
            await manager.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        try:
            await manager.__aexit__(None, None, None)
        except Exception as exc:
            raise UsageError(f"{self.describe()}: {_lifespan_failure('shutdown', exc)}") from exc

    def resolve(self, url_or_path: str) -> str:
        """An absolute URL for ``url_or_path`` (a path is taken relative to the target's origin)."""
        if urlsplit(url_or_path).scheme:
            return url_or_path
        parts = urlsplit(self.url)
        path = url_or_path if url_or_path.startswith("/") else "/" + url_or_path
        return f"{parts.scheme}://{parts.netloc}{path}"

    def describe(self) -> str:
        """For reports: the URL, or ``asgi app module:attr at <url>`` for an in-process app."""
        if self.app is None:
            return self.url
        name = self.label or _qualified_name(self.app)
        return f"{self.kind} app {name} at {self.url}"


@dataclass(frozen=True, slots=True)
class Served:
    """What :meth:`Target.served` yields: the transport (None: the network) and whether a lifespan runs."""

    transport: httpx.AsyncBaseTransport | None
    lifespan: bool


def _lifespan_failure(phase: str, exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"its ASGI lifespan {phase} did not complete within {LIFESPAN_TIMEOUT:g} s"
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return (
        f"its ASGI lifespan {phase} failed ({detail}); the simulator runs the lifespan as a server would "
        "(Target.from_app(app, lifespan=False), @pytest.mark.flipdish(lifespan=False) or ini "
        "flipdish_lifespan = false turn it off)"
    )


def _app_url(url: str | None) -> str:
    if url is None:
        return DEFAULT_APP_URL
    if url.startswith("/"):
        return DEFAULT_APP_URL.rstrip("/") + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"an in-process app's URL must be a path or an absolute http(s) URL, got {url!r}")
    return url


def _qualified_name(app: object) -> str:
    kind = type(app)
    if inspect.isfunction(app):
        return f"{app.__module__}:{app.__qualname__}"
    return f"{kind.__module__}.{kind.__qualname__}"
