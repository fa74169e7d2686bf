"""The Webhook details dashboard as server-rendered HTML: plain data in, a page out.

Every value is escaped with :func:`html.escape` before it reaches a page, whatever its origin; a receiver
that answers ``<script>`` gets text, not a script (and the server's Content-Security-Policy forbids inline
scripts besides). Request headers are masked again here, whatever the store holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from html import escape
from importlib.resources import files
from string import Template

from flipdish_sim.simulator.log._store import AttemptRow
from flipdish_sim.simulator.model._subscription import Subscription, mask_secret
from flipdish_sim.simulator.server.chart import Bucket, share_gauge_svg, timeline_svg
from flipdish_sim.simulator.server.state import DisableState, EventSummary

__all__ = [
    "Card",
    "TriggerForm",
    "excerpt",
    "h",
    "human_time",
    "kind",
    "render_overview",
    "render_page",
    "render_subscription",
    "resend_form",
]


@dataclass(frozen=True, slots=True)
class Card:
    """What a subscription's summary card shows."""

    subscription: Subscription
    rule: DisableState
    buckets: tuple[Bucket, ...]
    latest: AttemptRow | None
    attempts: int


@dataclass(frozen=True, slots=True)
class TriggerForm:
    """The trigger form's values (checked: an event name of the catalogue, plain integers)."""

    event: str = "order.created"
    seed: int | None = None
    count: int = 1


def h(value: object) -> str:
    """``value`` as escaped HTML text (quotes included)."""
    return escape(str(value), quote=True)


@cache
def _template(name: str) -> Template:
    return Template(files(__package__).joinpath("templates").joinpath(name).read_text(encoding="utf-8"))


def human_time(at: datetime | None, *, ms: bool = False) -> str:
    """``at`` for people (UTC, to the second or the millisecond), machine-readable in ``datetime``."""
    if at is None:
        return "—"
    text = at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] if ms else at.strftime("%Y-%m-%d %H:%M:%S")
    return f'<time datetime="{h(at.isoformat())}">{h(text)}</time>'


def render_page(
    title: str, content: str, *, clock: str, flash: str = "", error: bool = False, refresh: int = 0
) -> str:
    """The page frame; ``content`` must already be HTML (built by this module), the rest is escaped."""
    note = f'<p class="flash{" error" if error else ""}" role="status">{h(flash)}</p>' if flash else ""
    return _template("base.html").substitute(
        title=h(title), clock=h(clock), flash=note, content=content, refresh=str(int(refresh))
    )


def _result(outcome: str | None, status: int | None) -> str:
    if outcome is None:
        return "—"
    return f"{status}" if status is not None and outcome in ("acknowledged", "http-error") else outcome


def _status_block(sub: Subscription, rule: DisableState) -> str:
    """Enabled, or Disabled once with when and why (the numbers for an auto-disable, else the reason)."""
    if sub.enabled:
        return '<span class="status enabled">Enabled</span>'
    record = sub.disabled
    text = '<span class="status disabled">Disabled</span>'
    if record is not None:
        why = h(record.reason)
        if record.sample:
            why = (
                f"{record.failures} of {record.sample} {h(record.unit)} failed ({record.share:.0%})"
                f" in {record.window_seconds / 3600:g} h"
            )
        text += f' <span class="disabled-detail">since {human_time(record.at)}: {why}</span>'
    return text


def _enable_form(sub: Subscription, csrf: str) -> str:
    if sub.enabled:
        return ""
    return (
        f'<form method="post" action="/dashboard/subscriptions/{sub.id}/enable" class="inline">'
        f'<input type="hidden" name="csrf" value="{h(csrf)}">'
        f'<button type="submit" class="re-enable" data-subscription="{sub.id}">Re-enable</button></form>'
    )


def _card(card: Card, csrf: str, *, link: bool) -> str:
    sub, rule = card.subscription, card.rule
    title = (
        f'<a href="/dashboard/subscriptions/{sub.id}">{h(sub.callback_url)}</a>'
        if link
        else h(sub.callback_url)
    )
    names = ", ".join(f"<code>{h(n)}</code>" for n in sub.event_names) or "<em>none</em>"
    latest = "—"
    if card.latest is not None:
        start = excerpt(card.latest.response_body, 120)
        status = h(_result(card.latest.outcome, card.latest.status_code))
        latest = f"{status} at {human_time(card.latest.at)}" + (
            f' <code class="excerpt">{h(start)}</code>' if start else ""
        )
    token = mask_secret(sub.verify_token) or "none"
    since = ""
    if rule.window_since is not None:
        since = f" (counted since the re-enable at {human_time(rule.window_since)})"
    share = (
        f"{share_gauge_svg(rule.share, threshold=rule.threshold)} "
        f'<span class="share">{rule.failures} of {rule.total} {h(rule.unit)} failed ({rule.share:.0%}); '
        f"disabled above {rule.threshold:.0%} with at least {rule.min_sample}"
        f" in {rule.window_hours:g} h{since}</span>"
    )
    return (
        f'<section class="card subscription" id="subscription-{sub.id}"'
        f' data-enabled="{str(sub.enabled).lower()}" data-attempts="{card.attempts}">'
        f"<h2>#{sub.id} {title}</h2>"
        f'<dl class="facts"><dt>Status</dt><dd class="status-line">{_status_block(sub, rule)}'
        f" {_enable_form(sub, csrf)}</dd>"
        f"<dt>Event names</dt><dd>{names}</dd>"
        f"<dt>Family · version</dt><dd>{h(sub.family)} · {h(sub.version)}</dd>"
        f"<dt>Verify token</dt><dd><code>{h(token)}</code></dd>"
        f"<dt>Failure share, {rule.window_hours:g} h</dt><dd>{share}</dd>"
        f'<dt>Attempts</dt><dd class="attempt-count">{card.attempts}</dd>'
        f'<dt>Latest response</dt><dd class="latest">{latest}</dd></dl>'
        '<div class="legend"><span><i class="sw attempts"></i>attempts</span>'
        '<span><i class="sw failures"></i>failures</span></div>'
        f"{timeline_svg(card.buckets, title=f'Attempts and failures, subscription {sub.id}')}"
        "</section>"
    )


def _options(names: Sequence[str], selected: str) -> str:
    return "".join(
        f'<option value="{h(n)}"{" selected" if n == selected else ""}>{h(n)}</option>' for n in names
    )


def render_overview(
    cards: Sequence[Card],
    *,
    event_names: Sequence[str],
    csrf: str,
    clock: str,
    flash: str = "",
    error: bool = False,
    v3: str = "",
    sent: TriggerForm | None = None,
) -> str:
    """The dashboard's front page: the trigger form, one card per subscription and ``v3`` (the v3 API's
    subscriptions, HTML from :mod:`.v3_page`).

    ``sent``: the values last sent from the trigger form, shown again in it (default: one order.created)."""
    form = sent or TriggerForm()
    body = "".join(_card(c, csrf, link=True) for c in cards) or (
        '<p class="empty">No subscriptions yet: create one with '
        "<code>POST /api/v1.0/{appId}/webhooks/{oauthAppId}/subscriptions</code>.</p>"
    )
    content = _template("overview.html").substitute(
        csrf=h(csrf),
        event_options=_options(event_names, form.event),
        seed="" if form.seed is None else str(form.seed),
        count=str(form.count),
        subscriptions=v3 + body,
    )
    return render_page("Webhooks", content, clock=clock, flash=flash, error=error, refresh=5)


def resend_form(sub_id: int, delivery_id: int, csrf: str, *, enabled: bool = True) -> str:
    """The Resend button of a delivery (a POST form with the CSRF token); disabled webhooks get none."""
    if not enabled:
        return ""
    return (
        f'<form method="post" action="/dashboard/subscriptions/{sub_id}/deliveries/{delivery_id}/resend"'
        f' class="resend"><input type="hidden" name="csrf" value="{h(csrf)}">'
        f'<button type="submit" class="secondary small resend" data-delivery="{delivery_id}"'
        ' title="Send this event again to this webhook: a new delivery, logged as a manual resend">'
        "Resend</button></form>"
    )


def kind(duplicate: bool, resend_of: int | None) -> str:
    """What made a delivery: the sender (original), the duplicate policy, or a person (manual resend)."""
    if resend_of is not None:
        return "manual resend"
    return "duplicate" if duplicate else "original"


def _state(e: EventSummary) -> str:
    """The delivery's state; a pending one says which attempt comes next and when."""
    if e.state == "pending" and e.next_attempt_at is not None:
        step = "first attempt" if e.attempts == 0 else f"attempt {e.attempts + 1}, next retry"
        return f'pending <span class="next-retry">({step} at {human_time(e.next_attempt_at)})</span>'
    if e.state == "suspended":
        return 'suspended <span class="muted">(until re-enabled)</span>'
    return h(e.state)


def _events_table(events: Sequence[EventSummary], sub: Subscription, csrf: str, filtered: bool) -> str:
    if not events:
        if filtered:
            return '<p class="empty">No events match these filters.</p>'
        return '<p class="empty">No events delivered to this webhook yet.</p>'
    rows = "".join(
        f'<tr class="event" data-state="{h(e.state)}" data-delivery="{e.delivery_id}"'
        f' data-kind="{h(kind(e.duplicate, e.resend_of))}">'
        f"<td><code>{h(e.event_name)}</code></td><td class='mono id'>{h(e.event_id)}</td>"
        f"<td>{h(kind(e.duplicate, e.resend_of))}</td><td class='count'>{e.attempts}</td>"
        f"<td class='state'>{_state(e)}</td><td>{h(_result(e.latest_outcome, e.latest_status))}</td>"
        f"<td>{human_time(e.latest_at)}</td>"
        f"<td>{resend_form(sub.id, e.delivery_id, csrf, enabled=sub.enabled)}</td></tr>"
        for e in events
    )
    return (
        '<table class="events"><thead><tr><th>Event</th><th>FlipdishEventId</th><th>Delivery</th>'
        "<th>Attempts</th><th>State</th><th>Latest response</th><th>At</th><th>Actions</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def excerpt(body: bytes, size: int = 80) -> str:
    """The start of a body on one line (for tables); the attempt page shows the rest."""
    text = " ".join(body[: size * 4].decode("utf-8", errors="replace").split())
    return text[:size] + ("…" if len(text) > size or len(body) > size * 4 else "")


def _attempt_row(a: AttemptRow, csrf: str, enabled: bool) -> str:
    ok = a.outcome == "acknowledged"
    link = f"/dashboard/subscriptions/{a.subscription_id}/attempts/{a.id}"
    made = kind(a.duplicate_of is not None, a.resend_of)
    return (
        f'<tr class="attempt" data-outcome="{h(a.outcome)}" data-kind="{h(made)}"><td>{human_time(a.at)}</td>'
        f"<td><code>{h(a.event_name)}</code><br><span class='mono muted id'>{h(a.event_id)}</span></td>"
        f"<td>{a.attempt_no}{'' if made == 'original' else f' ({h(made)})'}</td>"
        f"<td class='{'ok' if ok else 'bad'}'>{h(_result(a.outcome, a.status_code))}</td>"
        f"<td>{a.duration * 1000:.0f} ms</td>"
        f"<td><code class='excerpt'>{h(excerpt(a.response_body) or (a.error or ''))}</code>"
        f' <a class="open-attempt" href="{link}">request &amp; response</a></td>'
        f'<td class="actions"><button type="button" class="secondary small copy" data-copy-url="{link}/curl"'
        ' title="This request as a curl command, secrets as environment variables">copy as curl</button>'
        f" {resend_form(a.subscription_id, a.delivery_id, csrf, enabled=enabled)}</td></tr>"
    )


def _attempts_table(
    attempts: Sequence[AttemptRow], total: int, csrf: str, enabled: bool, filtered: bool
) -> str:
    if not attempts:
        return (
            f'<p class="empty">{"No attempts match these filters." if filtered else "No attempts yet."}</p>'
        )
    matching = " matching" if filtered else ""
    more = (
        f'<p class="hint">Showing the newest {len(attempts)} of {total}{matching}.</p>'
        if total > len(attempts)
        else ""
    )
    rows = "".join(_attempt_row(a, csrf, enabled) for a in attempts)
    return (
        f'{more}<table class="attempts"><thead><tr><th>Time</th><th>Event</th><th>Attempt</th>'
        "<th>HTTP status / failure</th><th>Duration</th><th>Response</th><th>Actions</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def render_subscription(
    card: Card,
    *,
    events: Sequence[EventSummary],
    attempts: Sequence[AttemptRow],
    csrf: str,
    clock: str,
    flash: str = "",
    error: bool = False,
    filters: str = "",
    matching: int | None = None,
) -> str:
    """The Webhook details page of one subscription (attempts newest first).

    ``filters``: the filter form (HTML, built by :mod:`.filters`); ``matching``: how many attempts match
    the filters in force (None: no filter, the lists show everything)."""
    filtered = matching is not None
    total = card.attempts if matching is None else matching
    sub = card.subscription
    content = _template("subscription.html").substitute(
        id=str(sub.id),
        card=_card(card, csrf, link=False),
        filters=filters,
        events=_events_table(events, sub, csrf, filtered),
        attempts=_attempts_table(attempts, total, csrf, sub.enabled, filtered),
    )
    return render_page(
        f"Webhook #{card.subscription.id}", content, clock=clock, flash=flash, error=error, refresh=5
    )
