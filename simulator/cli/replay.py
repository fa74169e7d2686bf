"""``flipdish-sim replay``: captured deliveries sent again through the sender, with its retries and faults."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import click

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.cli.network import network_options
from flipdish_sim.simulator.environment import SECRET_ENV, VERIFY_TOKEN_ENV, split_secrets

if TYPE_CHECKING:
    from flipdish_sim.simulator.engine import AttemptReport, Sender
    from flipdish_sim.simulator.log._store import Store
    from flipdish_sim.simulator.model import Capture
    from flipdish_sim.simulator.wire._captured import CaptureIdentity

__all__ = ["replay"]

_UNREACHABLE = {"connection-refused", "connection-error"}


class _Time(click.ParamType[datetime]):
    name = "TIME"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        from flipdish_sim.simulator.server.querydates import parse_query_date

        try:
            return parse_query_date(str(value))
        except ValueError as err:
            self.fail(str(err), param, ctx)


@click.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False), help="Replay a run/serve/send log.")
@click.option(
    "--captures", "captures_path", type=click.Path(dir_okay=False), help="Replay a JSON Lines file."
)
@click.option("--to", "url", required=True, help="The URL to send the captured deliveries to.")
@click.option("--event-id", "event_ids", multiple=True, help="Only this event id (repeatable).")
@click.option("--type", "types", multiple=True, help="Only this event type (repeatable).")
@click.option("--since", type=_Time(), help="Only captures received at or after this time (ISO-8601...).")
@click.option("--until", type=_Time(), help="Only captures received before this time.")
@click.option("--duplicates", type=click.IntRange(0, 100), default=0, help="Extra copies of each delivery.")
@click.option("--out-of-order", is_flag=True, help="Hold deliveries back by seeded delays (up to 30 s).")
@click.option("--re-sign", "resign", is_flag=True, help="v3: a fresh timestamp and signature (--secret).")
@click.option(
    "--verify-token", envvar=VERIFY_TOKEN_ENV, help=f"Legacy X-Verify-Token [env {VERIFY_TOKEN_ENV}]."
)
@click.option(
    "--secret", "secrets", multiple=True, envvar=SECRET_ENV, help=f"v3 signing secret [env {SECRET_ENV}]."
)
@click.option("--log", "log_path", type=click.Path(dir_okay=False), help="This replay's log (default: new).")
@network_options
def replay(
    db_path: str | None,
    captures_path: str | None,
    url: str,
    event_ids: tuple[str, ...],
    types: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    duplicates: int,
    out_of_order: bool,
    resign: bool,
    verify_token: str | None,
    secrets: tuple[str, ...],
    log_path: str | None,
) -> None:
    """Send captured deliveries (--captures FILE.jsonl, or the attempts of a --db log) to --to URL.

    \b
    The body bytes go exactly as captured, under the sender's 10 s deadline, its 24 h retry schedule (on
    the virtual clock: no waiting) and auto-disable, each attempt in this replay's own log. Legacy
    deliveries carry --verify-token (captures hold it masked). v3 deliveries keep their captured signature,
    or get a fresh one from --secret with --re-sign (needed when the capture is older than the receiver's
    5-minute window, or comes from a log, where signatures are masked).
    --duplicates N and --out-of-order apply the sender's fault policies: prove a receiver idempotent.
    Exit: 0 every delivery acknowledged; 1 some were not; 2 usage error (bad or empty capture file, a --db
    that is not a log, nothing matches the filters, a missing credential, a stale v3 capture without
    --re-sign, an unreachable URL).
    """
    from flipdish_sim.simulator.engine import check_url

    check_url(url)
    secrets = split_secrets(secrets)
    if resign and not secrets:
        raise UsageError(
            f"--re-sign signs with the subscription's secret: pass --secret S (or set {SECRET_ENV})"
        )
    captures = _read(db_path, captures_path)
    chosen = _select(captures, set(event_ids), set(types), since, until)
    _check_credentials(chosen, resign=resign, verify_token=verify_token)
    if log_path is None:
        from flipdish_sim.simulator.cli.run import new_run_path

        log_path = str(new_run_path("replay"))
        click.echo(f"log: {log_path}")
    from flipdish_sim.simulator.log._file import open_log
    from flipdish_sim.simulator.log._summary import summarize

    with open_log(log_path) as store:
        if store.count_events():
            raise UsageError(f"--log {log_path} already holds a run; pass a new file")
        outcomes = asyncio.run(
            _replay(store, chosen, url, duplicates, out_of_order, resign, verify_token, secrets)
        )
        result = summarize(store)
    for line in result.lines():
        click.echo(line)
    if outcomes and all(outcome in _UNREACHABLE for outcome in outcomes):
        raise UsageError(f"could not reach {url}: nothing answered (see the attempts above)")
    raise SystemExit(0 if result.acknowledged == result.deliveries else 1)


def _read(db_path: str | None, captures_path: str | None) -> list[Capture]:
    """The captures of the one source given (one reader per source, each returning captures)."""
    from flipdish_sim.simulator.log._replay_sources import captures_from_jsonl, captures_from_log

    sources: list[tuple[str | None, Callable[[str], list[Capture]]]] = [
        (db_path, captures_from_log),
        (captures_path, captures_from_jsonl),
    ]
    given = [(path, read) for path, read in sources if path is not None]
    if len(given) != 1:
        raise UsageError("pass exactly one source: --db FILE (a log) or --captures FILE.jsonl")
    path, read = given[0]
    return read(path)


def _select(
    captures: Sequence[Capture],
    event_ids: set[str],
    types: set[str],
    since: datetime | None,
    until: datetime | None,
) -> list[tuple[Capture, CaptureIdentity]]:
    """The captures the filters keep, in the order received, each with what it is."""
    from flipdish_sim.simulator.wire._captured import identify

    kept = []
    for capture in sorted(captures, key=lambda c: c.received_at):
        identity = identify(capture)
        if event_ids and identity.event_id not in event_ids:
            continue
        if types and identity.event_name not in types:
            continue
        if (since and capture.received_at < since) or (until and capture.received_at >= until):
            continue
        kept.append((capture, identity))
    if not kept:
        filters = [f"--event-id {i}" for i in sorted(event_ids)] + [f"--type {t}" for t in sorted(types)]
        filters += [f"--since {since.isoformat()}"] if since else []
        filters += [f"--until {until.isoformat()}"] if until else []
        raise UsageError(f"no capture matches {' '.join(filters)} (of {len(captures)} read)")
    return kept


def _check_credentials(
    chosen: Sequence[tuple[Capture, CaptureIdentity]], *, resign: bool, verify_token: str | None
) -> None:
    """Refuse before anything is sent: a legacy capture without a token, a v3 one that cannot verify."""
    from flipdish_sim.simulator.clock import utc_now
    from flipdish_sim.simulator.wire._captured import replay_problem

    if not verify_token and any(identity.family == "legacy" for _, identity in chosen):
        raise UsageError(
            f"legacy captures hold the verify token masked: pass --verify-token T (or set {VERIFY_TOKEN_ENV})"
        )
    now = utc_now()
    problems = [
        (capture, identity, problem)
        for capture, identity in chosen
        if (problem := replay_problem(identity, resign=resign, now=now)) is not None
    ]
    if problems:
        capture, identity, problem = problems[0]
        more = f" ({len(problems) - 1} more like it)" if len(problems) > 1 else ""
        raise UsageError(f"capture {capture.id} ({identity.event_name}) cannot be replayed: {problem}{more}")


async def _replay(
    store: Store,
    chosen: Sequence[tuple[Capture, CaptureIdentity]],
    url: str,
    duplicates: int,
    out_of_order: bool,
    resign: bool,
    verify_token: str | None,
    secrets: tuple[str, ...],
) -> list[str]:
    """Publish every chosen capture to its family's subscription and deliver to the end; the outcomes."""
    from flipdish_sim.simulator.clock import VirtualClock, utc_now
    from flipdish_sim.simulator.engine import Sender
    from flipdish_sim.simulator.http._delivery import make_client
    from flipdish_sim.simulator.policy import SenderPolicy
    from flipdish_sim.simulator.policy._faults import DuplicatePolicy, ReorderPolicy

    policy = SenderPolicy(
        duplicates=DuplicatePolicy(count=duplicates) if duplicates else None,
        reorder=ReorderPolicy() if out_of_order else None,
    )
    outcomes: list[str] = []

    def show(report: AttemptReport) -> None:
        from flipdish_sim.simulator.cli.send import attempt_line

        outcomes.append(report.attempt.outcome.value)
        click.echo(f"{report.event_name}  {report.event_id}  {attempt_line(report)}")

    async with make_client() as client:
        sender = Sender(store, clock=VirtualClock(utc_now()), client=client, policy=policy)
        sender.on_attempt.append(show)
        subscriptions = _subscriptions(sender, url, {i.family for _, i in chosen}, verify_token, secrets)
        start = sender.clock.now()
        for n, (capture, identity) in enumerate(chosen):  # 1 µs apart: sent one after another, in order
            to = subscriptions[identity.family]
            sender.publish_captured(
                capture, to_subscription=to, resign=resign, at=start + timedelta(microseconds=n)
            )
        click.echo(f"replaying {len(chosen)} captured deliveries -> {url}")
        await sender.run_until_idle()
    return outcomes


def _subscriptions(
    sender: Sender, url: str, families: set[str], verify_token: str | None, secrets: tuple[str, ...]
) -> dict[str, int]:
    """One subscription per family replayed, to ``url``, with the credentials given."""
    import secrets as random_secrets

    from flipdish_sim.contracts.catalogue import Family, catalogue

    ids = {}
    for family in sorted(families):
        names = [spec.name for spec in catalogue(Family(family))]
        if family == "legacy":
            sub = sender.add_subscription(url, event_names=names, verify_token=verify_token)
        else:  # without --secret the captured signatures go as they are: the subscription's key is unused
            keys = secrets or (f"unused-{random_secrets.token_hex(16)}",)
            sub = sender.add_subscription(url, event_names=names, family="v3", secrets=keys)
        ids[family] = sub.id
    return ids
