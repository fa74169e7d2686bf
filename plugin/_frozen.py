"""What an in-process receiver's clocks read: the simulated time while the simulator delivers, and only then.

The model (docs/plugin.md, "Simulated time"):

* While a run delivers (``send``, ``run_until_idle``, ``run_scenario``), a freezegun freezer holds every
  clock a receiver can read - ``datetime.now/utcnow/today``, ``date.today``, ``time.time``,
  ``time.monotonic``, ``time.perf_counter`` (and their ``_ns`` forms), ``gmtime``/``localtime``/``strftime``
  - at the sender's simulated "now": moved there before each attempt, still during it.
* ASGI apps, WSGI apps and bare callables see exactly that. freezegun hands real time to any call made
  within a few frames of a module on its ignore list; this freezer's list names only the sender's stopwatch
  (and pytest's own modules), never a module on a receiver's call path.
* Event-loop time stays real: ``asyncio.sleep`` and timeouts in a receiver take real time.
* Outside runs (the test body, fixture setup, the app's lifespan) this freezer is not running: the test
  sees real time unless it asks for the simulated one (``flipdish_clock.now()``).
* A user's own freezer (``@freeze_time``) composes: this one nests inside it during a run (freezegun keeps a
  stack), so the receiver sees the simulated time, and the user's frozen time is back after the run.

Cost. freezegun's outermost ``start()`` looks at every loaded module (``dir()`` of each) for names bound to
``time.time``, ``datetime.datetime`` and the like (``from time import monotonic``): 11-38 ms with ~1,100
modules, on every run. Here each module is read once per process instead (:class:`_References`), and a
run costs about 1 ms (``python -m benchmarks.bench_freezer``):

1. a *base* freezer installs freezegun's fakes (``datetime.datetime``, ``time.time``, ...) with an ignore
   list that matches every module name, so its scan skips them all;
2. the module-level names bound to the real clocks are patched from a cache, each module read once and
   again only when its namespace changes size (freezegun's own cache reads ``dir()`` of each, every time);
3. the *run's* freezer nests on top with the real ignore list (freezegun reads the top one) and the time.

After the run, in reverse: the names are put back (and those of modules imported during the run, which
bound the fakes), the base freezer stops and freezegun restores the rest. Under a user's freezer, (1) and
(2) are no-ops: the fakes are already installed and the user's freezer owns them.
"""

from __future__ import annotations

import datetime as _datetime_module
import sys
import time as _time_module
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx

__all__ = ["IGNORE", "FrozenTimeTransport", "ReceiverTime"]

IGNORE = ["flipdish_sim.simulator.http._stopwatch", "_pytest", "pluggy"]
"""Modules that read real time while a receiver's time is frozen: the sender's stopwatch, pytest's own."""

_CLOCK_MODULES = (_datetime_module, _time_module)
_Patch = tuple[object, str, object, object]  # module, name, real, fake


class ReceiverTime:
    """Freezes a receiver's clocks at ``now()`` for the duration of :meth:`frozen` (when ``enabled``)."""

    def __init__(self, now: Callable[[], datetime], *, enabled: bool) -> None:
        self.now = now
        self.enabled = enabled
        self._factory: Any = None

    @contextmanager
    def frozen(self) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        from freezegun import freeze_time

        at = self.now()
        with _fakes_installed(at):
            freezer = freeze_time(at, ignore=IGNORE, real_asyncio=True)
            self._factory = freezer.start()
            try:
                yield
            finally:
                self._factory = None
                freezer.stop()

    def move(self) -> None:
        """Move the frozen time to the sender's now (before an attempt)."""
        if self._factory is not None:
            self._factory.move_to(self.now())


@contextmanager
def _fakes_installed(at: datetime) -> Iterator[None]:
    """freezegun's fakes in place for the block, without freezegun's scan of every module (see above)."""
    from freezegun import freeze_time

    before = [dict(vars(module)) for module in _CLOCK_MODULES]
    base = freeze_time(at, ignore=[""], real_asyncio=True)  # "" prefixes every module name: no scan
    base.start()
    try:
        fakes = _swapped(before)  # empty when a freezer was already running (a user's): nothing to do
        loaded = set(sys.modules)
        patched: list[_Patch] = []  # filled as it goes: what a failure midway changed is put back too
        try:
            if fakes:
                _REFERENCES.patch(fakes, patched)
            yield
        finally:
            _unpatch(patched)
            if fakes:
                _restore_new_modules(set(sys.modules) - loaded, fakes)
    finally:
        base.stop()


def _swapped(before: list[dict[str, object]]) -> dict[int, tuple[object, object]]:
    """``{id(real): (real, fake)}`` for what the base freezer replaced in ``datetime`` and ``time``."""
    swapped: dict[int, tuple[object, object]] = {}
    for module, was in zip(_CLOCK_MODULES, before, strict=True):
        for name, real in was.items():
            fake = vars(module).get(name, real)
            if fake is not real and callable(real):
                swapped[id(real)] = (real, fake)
    return swapped


class _References:
    """Where loaded modules bind the real clocks (``from time import monotonic``), cached per module.

    A module is read again when it is new or its namespace changed size; when no module did (the usual
    case between two sends), the previous answer is reused after one pass over ``sys.modules``.
    """

    def __init__(self) -> None:
        self._reals: frozenset[int] = frozenset()
        self._skip: tuple[str, ...] = ()
        # module name: (module, size of its namespace, the names bound to a real clock); size -1: skipped
        self._found: dict[str, tuple[object, int, tuple[str, ...]]] = {}
        self._seen: tuple[list[int], list[int], list[object]] = ([], [], [])
        self._targets: list[tuple[object, str]] = []

    def patch(self, fakes: dict[int, tuple[object, object]], patched: list[_Patch]) -> None:
        """Bind every reference to a real clock to its fake, listing each change in ``patched``."""
        from freezegun import freeze_time

        skip = freeze_time(ignore=IGNORE).ignore  # freezegun's own rule: IGNORE plus its (configurable) list
        if self._reals != fakes.keys() or self._skip != skip:
            self._reals, self._skip, self._found, self._seen = frozenset(fakes), skip, {}, ([], [], [])
        modules: list[tuple[str, object]] = list(sys.modules.items())
        loaded: list[object] = [module for _, module in modules]
        # the same module objects (their ids: _seen keeps them alive), namespaces of the same sizes
        seen = (list(map(id, loaded)), _sizes(loaded), loaded)
        if seen[:2] != self._seen[:2]:
            self._targets = self._find(modules, skip)
            self._seen = seen
        for module, name in self._targets:
            real, fake = fakes.get(id(vars(module).get(name)), (None, None))
            if real is not None:
                patched.append((module, name, real, fake))
                setattr(module, name, fake)

    def _find(self, modules: list[tuple[str, object]], skip: tuple[str, ...]) -> list[tuple[object, str]]:
        targets: list[tuple[object, str]] = []
        for module_name, module in modules:
            namespace = getattr(module, "__dict__", None)
            if not isinstance(namespace, dict):
                continue
            cached = self._found.get(module_name)
            if cached is None or cached[0] is not module or cached[1] not in (-1, len(namespace)):
                cached = self._found[module_name] = self._read(module_name, module, skip)
            targets += ((module, name) for name in cached[2])
        return targets

    def _read(
        self, module_name: str, module: object, skip: tuple[str, ...]
    ) -> tuple[object, int, tuple[str, ...]]:
        namespace = _namespace(module_name, module, skip)
        if namespace is None:
            return module, -1, ()
        names = tuple(name for name, value in list(namespace.items()) if id(value) in self._reals)
        return module, len(namespace), names


_REFERENCES = _References()


def _sizes(modules: list[object]) -> list[int]:
    try:
        return list(map(len, map(vars, modules)))
    except TypeError:  # an object without a namespace in sys.modules
        return [len(getattr(module, "__dict__", ())) for module in modules]


def _namespace(module_name: str, module: object, skip: tuple[str, ...]) -> dict[str, Any] | None:
    """A loaded module's namespace, unless freezegun would leave that module alone."""
    if module is None or module_name.startswith(skip) or module_name.endswith(".six.moves"):
        return None
    if getattr(module, "__name__", None) in (None, "datetime", "time", "freezegun.api"):
        return None
    namespace = getattr(module, "__dict__", None)
    return namespace if isinstance(namespace, dict) else None


def _unpatch(patched: list[_Patch]) -> None:
    for module, name, real, fake in reversed(patched):
        if vars(module).get(name) is fake:  # unless something rebound it meanwhile
            setattr(module, name, real)


def _restore_new_modules(names: set[str], fakes: dict[int, tuple[object, object]]) -> None:
    """Modules imported during the run bound the fakes (``from time import time``): give them the reals."""
    reals = {id(fake): real for real, fake in fakes.values()}
    for module_name in names:
        module = sys.modules.get(module_name)
        namespace = _namespace(module_name, module, ())
        for name, value in list((namespace or {}).items()):
            if id(value) in reals:
                setattr(module, name, reals[id(value)])


class FrozenTimeTransport(httpx.AsyncBaseTransport):
    """Moves the receiver's frozen time to the sender's now before each in-process request."""

    def __init__(self, inner: httpx.AsyncBaseTransport, time: ReceiverTime) -> None:
        self.inner, self.time = inner, time

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.time.move()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
