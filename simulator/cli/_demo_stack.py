"""``flipdish-sim demo``: the whole story in one command, with nothing else installed.

It starts the simulator server (temporary log, virtual clock) and a bundled example receiver on another
loopback port, then drives them through Flipdish's own API and the simulator's API, as a user would:

1. a webhook subscription is created (``POST .../subscriptions``) for the receiver;
2. orders flow while the receiver misbehaves (500, a 302 redirect, a hang past the deadline, 503):
   every failure is retried on the schedule, and the failure share passes 50 %, so the subscription is
   auto-disabled (an event published meanwhile is dropped);
3. the receiver recovers and the webhook is re-enabled (``PUT .../subscriptions/{id}`` with
   ``Enabled: true``): the suspended retries go out and are acknowledged;
4. more orders flow; some are delivered twice (the duplicate policy) and the receiver ignores the copies.

Virtual time moves in steps spread over ``duration`` real seconds, so a person can watch the dashboard.
The demo sender waits 0.5 s for an answer instead of Flipdish's 10 s, so the hang costs little real time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import webbrowser
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import click
import httpx

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.engine import AttemptReport, SenderPolicy
from flipdish_sim.simulator.log._summary import summarize
from flipdish_sim.simulator.policy._faults import DuplicatePolicy
from flipdish_sim.simulator.server.app import create_app
from flipdish_sim.simulator.server.auth import new_token
from flipdish_sim.simulator.server.backend import Backend
from flipdish_sim.simulator.server.example_receiver import ExampleReceiver
from flipdish_sim.simulator.server.launch import open_backend
from flipdish_sim.simulator.server.runner import RunningServer, start_server

__all__ = ["DEMO_POLICY", "DemoResult", "print_summary", "run_demo"]

DEMO_POLICY = SenderPolicy(
    deadline=0.5,
    duplicates=DuplicatePolicy(count=1, probability=0.5, mode="delayed", delay=timedelta(seconds=30), seed=7),
)
SUBS = "/api/v1.0/demo-app/webhooks/demo-oauth-app/subscriptions"
EVENTS = ["order.created", "order.accepted", "order.dispatched"]


@dataclass
class DemoResult:
    """What happened, for the closing summary and the exit status."""

    disabled: bool = False
    re_enabled: bool = False
    acknowledged: int = 0
    duplicates_ignored: int = 0
    lines: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.disabled and self.re_enabled and self.acknowledged > 0


class _Story:
    """The demo's steps, each a virtual time offset and an action over HTTP."""

    def __init__(
        self, api: httpx.AsyncClient, backend: Backend, receiver: ExampleReceiver, hook: str
    ) -> None:
        self.api, self.backend, self.receiver, self.hook = api, backend, receiver, hook
        self.start: datetime = backend.now()
        self.sub_id = 0
        self.result = DemoResult()
        self.attempts: list[AttemptReport] = []
        self.history: list[str] = []
        backend.sender.on_attempt.append(self.attempts.append)

    def clock(self, at: datetime | None = None) -> str:
        offset = int(((at or self.backend.now()) - self.start).total_seconds())
        return f"+{offset // 3600:02d}:{offset // 60 % 60:02d}:{offset % 60:02d}"

    def say(self, text: str) -> None:
        click.echo(f"[{self.clock()}] {text}")

    async def call(self, method: str, path: str, body: object = None) -> httpx.Response:
        response = await self.api.request(method, path, json=body)
        response.raise_for_status()
        return response

    async def advance_to(self, offset: timedelta) -> None:
        target = self.start + offset
        if target > self.backend.now():
            await self.call("POST", "/_sim/clock/advance", {"to": target.isoformat()})

    async def watch(self) -> None:
        if not self.sub_id:
            return
        rule = (await self.call("GET", f"/_sim/subscriptions/{self.sub_id}/disable-rule")).json()
        if not rule["enabled"] and not self.result.disabled:
            self.result.disabled = True
            self.say(f"webhook {self.sub_id} {rule['disabledReason']}")
            numbers = rule["disabledOn"] or {}
            at = self.clock(datetime.fromisoformat(rule["disabledAt"]))
            self.history.append(
                f"webhook {self.sub_id} auto-disabled at {at} ({numbers.get('failures')} of"
                f" {numbers.get('total')} attempts failed in the 72 h window)"
            )

    async def create(self) -> None:
        body = {"CallbackUrl": self.hook, "EventNames": EVENTS, "VerifyToken": self.receiver.verify_token}
        self.sub_id = int((await self.call("POST", SUBS, body)).json()["Data"])
        self.say(f"POST {SUBS} -> webhook {self.sub_id} for {self.hook}")

    async def publish(self, event: str, seed: int, count: int = 1) -> None:
        await self.call("POST", "/_sim/events", {"event": event, "seed": seed, "count": count})
        self.say(f"{count} x {event} published")

    async def recover(self) -> None:
        self.receiver.broken = False
        self.say("the receiver is fixed: it now checks X-Verify-Token, answers 200 and ignores duplicates")

    async def re_enable(self) -> None:
        await self.call("PUT", f"{SUBS}/{self.sub_id}", {"Enabled": True})
        self.result.re_enabled = True
        self.say(f"PUT {SUBS}/{self.sub_id} {{Enabled: true}} -> re-enabled; suspended retries resume")
        self.history.append(f"webhook {self.sub_id} re-enabled at {self.clock()} with PUT {{Enabled: true}}")
        await self.watch()

    def steps(self) -> list[tuple[timedelta, Callable[[], Awaitable[None]]]]:
        m = timedelta(minutes=1)
        return [
            (0 * m, self.create),
            (0 * m, lambda: self.publish("order.created", seed=1, count=3)),
            (1 * m, lambda: self.publish("order.accepted", seed=1, count=2)),
            (6 * m, lambda: self.publish("order.created", seed=4, count=2)),
            (15 * m, lambda: self.publish("order.accepted", seed=4)),
            (40 * m, lambda: self.publish("order.dispatched", seed=1)),
            (50 * m, self.recover),
            (55 * m, self.re_enable),
            (60 * m, lambda: self.publish("order.created", seed=10, count=4)),
            (65 * m, lambda: self.publish("order.accepted", seed=10, count=4)),
            (90 * m, lambda: self.publish("order.dispatched", seed=10, count=4)),
            (180 * m, self._nothing),
            (26 * 60 * m, self._nothing),
        ]

    async def _nothing(self) -> None:
        return None


def _answer(report: AttemptReport) -> str:
    attempt = report.attempt
    text = str(attempt.status_code) if attempt.status_code is not None else attempt.outcome.value
    return text + (" (retry)" if report.attempt_no > 1 else "") + (" (duplicate)" if report.duplicate else "")


async def _play(story: _Story, duration: float) -> None:
    steps = story.steps()
    loop = asyncio.get_running_loop()
    began = loop.time()
    for index, (offset, action) in enumerate(steps):
        await story.advance_to(offset)
        if story.attempts:
            answers = Counter(_answer(r) for r in story.attempts)
            story.say("attempts: " + ", ".join(f"{n} x {answer}" for answer, n in sorted(answers.items())))
            story.attempts.clear()
        await story.watch()
        await action()
        remaining = duration - (loop.time() - began)
        await asyncio.sleep(max(0.0, remaining / (len(steps) - index)))


def _open_browser(url: str) -> None:
    """Open ``url`` in a graphical browser; never a text browser in this terminal, never an error."""
    graphical = sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    opened = False
    if graphical:
        with contextlib.suppress(Exception):
            opened = webbrowser.open(url)
    click.echo(
        "  opened the dashboard in your browser" if opened else "  (no browser opened: open the link above)"
    )


async def _bind_server(backend: Backend, token: str, port: int | None) -> RunningServer:
    app = create_app(backend, api_token=token)
    if port is not None:
        try:
            return await start_server(app, port=port)
        except OSError as err:
            raise UsageError(f"cannot listen on 127.0.0.1:{port}: {err.strerror or err}") from err
    try:
        return await start_server(app, port=8080)
    except OSError:
        return await start_server(app, port=0)


async def run_demo(*, duration: float, port: int | None, browser: bool, keep_serving: bool) -> DemoResult:
    """Run the demo (see the module docstring); returns what happened."""
    token = new_token()
    receiver = ExampleReceiver(verify_token=new_token(), hang_seconds=0.8)
    with tempfile.TemporaryDirectory(prefix="flipdish-sim-demo-") as tmp:
        async with open_backend(Path(tmp) / "demo.db", clock="virtual", policy=DEMO_POLICY) as backend:
            # the simulator's port first: a taken --port stops the demo before any server (and its
            # lifespan, which uvicorn would report with a traceback when cancelled) has started
            server = await _bind_server(backend, token, port)
            try:
                hook_server = await start_server(receiver.app(), port=0)
            except BaseException:
                await server.stop()
                raise
            try:
                click.echo(f"flipdish-sim demo: simulator {server.url}, example receiver {hook_server.url}")
                click.echo(f"  dashboard: {server.url}/dashboard?token={token}")
                if browser:
                    _open_browser(f"{server.url}/dashboard?token={token}")
                headers = {"Authorization": f"Bearer {token}"}
                async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as api:
                    story = _Story(api, backend, receiver, f"{hook_server.url}/webhooks")
                    await _play(story, duration)
                result = story.result
                summary = summarize(backend.store)
                result.acknowledged = summary.acknowledged
                result.duplicates_ignored = receiver.duplicates_ignored
                enable = f'PUT {SUBS}/{{id}} {{"Enabled": true}}, or Re-enable on the dashboard'
                result.lines = [
                    *summary.lines(how_to_enable=enable),
                    *story.history,
                    _receiver_line(receiver),
                ]
                if keep_serving:
                    print_summary(result)
                    click.echo(f"still serving {server.url}/dashboard?token={token} - press Ctrl+C to stop")
                    await server.finished
            finally:
                await server.stop()
                await hook_server.stop()
    return result


def _receiver_line(receiver: ExampleReceiver) -> str:
    return (
        f"receiver: {receiver.requests} requests, {receiver.failures_sent} answered with a failure,"
        f" {len(receiver.handled)} events handled, {receiver.duplicates_ignored} duplicates ignored"
    )


def print_summary(result: DemoResult) -> None:
    click.echo("Summary:")
    for line in result.lines:
        click.echo(f"  {line}")
