"""The log as Flipdish shows it: one ``WebhookLog`` record per attempt (FACTS.md 4.1).

Each record has exactly Flipdish's 15 ``WebhookLog`` fields, and flipdish-sim's own fields under the one
separate key ``"FlipdishSim"`` (CSV: columns ``FlipdishSim.<field>``). Verify tokens and secrets are masked
wherever they could show: request headers are stored masked, and any occurrence of a subscription's
token or secret in a body or header (a receiver echoing it) is replaced by ``***`` on the way out.

Formats Flipdish does not publish (assumptions, listed in the README's fidelity table):
* timestamps ``EventCreated`` / ``WebhookTriggered``: ISO 8601 UTC with milliseconds and ``Z``;
* ``Duration``: .NET ``TimeSpan`` text ``hh:mm:ss.fffffff`` (Flipdish runs .NET);
* ``HttpResponseStatus``: the .NET ``HttpStatusCode`` name (``OK``, ``Found``, ``InternalServerError``);
  without a response the outcome's name (``Timeout``, ``ConnectionRefused``) and status code ``"0"``;
* ``RequestHeaders`` / ``ResponseHeaders``: ``Name: value`` lines joined by CRLF;
* ``RetryCount``: attempts before this one (0 for the first); pages are 1-based.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from http import HTTPStatus
from typing import TextIO

from flipdish_sim.simulator.log._store import AttemptRow, Store
from flipdish_sim.simulator.model._subscription import Subscription
from flipdish_sim.simulator.wire._envelope import MASK, mask_headers
from flipdish_sim.simulator.wire._headers import headers_text
from flipdish_sim.simulator.wire._signing import format_timestamp

__all__ = [
    "SIM_FIELDS",
    "WEBHOOK_LOG_FIELDS",
    "Masker",
    "export_logs",
    "format_duration",
    "status_text",
    "webhook_log",
    "webhook_log_page",
    "webhook_logs",
]

WEBHOOK_LOG_FIELDS = (
    "WebhookSubscriptionOwnerUserId",
    "EventCreated",
    "WebhookTriggered",
    "WebhookEventName",
    "WebhookSubscriptionCallbackUrl",
    "HttpResponseStatusCode",
    "HttpResponseStatus",
    "RequestHeaders",
    "RequestBody",
    "ResponseHeaders",
    "ResponseBody",
    "Duration",
    "RetryCount",
    "FlipdishWebhookId",
    "Version",
)
SIM_FIELDS = (
    "outcome",
    "event_id",
    "offset_seconds",
    "duplicate",
    "attempt_no",
    "error",
    "subscription_id",
    "delivery_id",
    "resend_of",
)

_OUTCOME_STATUS = {
    "timeout": "Timeout",
    "connection-refused": "ConnectionRefused",
    "connection-reset": "ConnectionReset",
    "tls-error": "TlsError",
    "malformed-response": "MalformedResponse",
    "connection-error": "ConnectionError",
    "invalid-request": "InvalidRequest",
    "interrupted": "Interrupted",
}


def status_text(status_code: int | None, outcome: str) -> str:
    """``OK``, ``Found``, ``InternalServerError`` (.NET HttpStatusCode names), or the transport outcome."""
    if status_code is None:
        return _OUTCOME_STATUS.get(outcome, outcome)
    if status_code == 200:
        return "OK"
    try:
        name = HTTPStatus(status_code).name
    except ValueError:
        return str(status_code)
    return "".join(part.capitalize() for part in name.split("_"))


def format_duration(seconds: float) -> str:
    """.NET TimeSpan text: ``00:00:01.2345678``."""
    ticks = round(seconds * 10_000_000)
    whole, fraction = divmod(ticks, 10_000_000)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{fraction:07d}"


class Masker:
    """Replaces each subscription's verify token and secrets in text by ``***`` (the export, the logs API
    and the dashboard all mask through this one class)."""

    def __init__(self, subscriptions: Iterable[Subscription]) -> None:
        self._secrets: dict[int, tuple[str, ...]] = {}
        for sub in subscriptions:
            values = [v for v in (sub.verify_token, *sub.secrets) if v and len(v) >= 4]
            self._secrets[sub.id] = tuple(sorted(values, key=len, reverse=True))

    def __call__(self, subscription_id: int, text: str) -> str:
        for secret in self._secrets.get(subscription_id, ()):
            text = text.replace(secret, MASK)
        return text

    def _bytes(self, subscription_id: int, body: bytes) -> bytes:
        text = body.decode("utf-8", "replace")
        masked = self(subscription_id, text)
        return body if masked == text else masked.encode("utf-8")

    def row(self, row: AttemptRow) -> AttemptRow:
        """``row`` with every echo of its subscription's token or secrets masked: request and response
        headers (stored request headers are masked already) and bodies, and the error text."""
        sub = row.subscription_id

        def headers(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
            return tuple((name, self(sub, value)) for name, value in mask_headers(pairs))

        return replace(
            row,
            request_headers=headers(row.request_headers),
            request_body=self._bytes(sub, row.request_body),
            response_headers=headers(row.response_headers),
            response_body=self._bytes(sub, row.response_body),
            error=self(sub, row.error) if row.error else row.error,
        )


def webhook_log(row: AttemptRow, mask: Masker | None = None) -> dict[str, object]:
    """One attempt as a ``WebhookLog`` dict plus the ``FlipdishSim`` key."""

    def clean(text: str) -> str:
        return mask(row.subscription_id, text) if mask else text

    offset = (row.at - row.first_attempt_at).total_seconds() if row.first_attempt_at else 0.0
    return {
        "WebhookSubscriptionOwnerUserId": row.owner_user_id,
        "EventCreated": format_timestamp(row.event_created),
        "WebhookTriggered": format_timestamp(row.at),
        "WebhookEventName": row.event_name,
        "WebhookSubscriptionCallbackUrl": row.callback_url,
        "HttpResponseStatusCode": str(row.status_code if row.status_code is not None else 0),
        "HttpResponseStatus": status_text(row.status_code, row.outcome),
        "RequestHeaders": clean(headers_text(mask_headers(row.request_headers))),
        "RequestBody": clean(row.request_body.decode("utf-8", "replace")),
        "ResponseHeaders": clean(headers_text(mask_headers(row.response_headers))),
        "ResponseBody": clean(row.response_body.decode("utf-8", "replace")),
        "Duration": format_duration(row.duration),
        "RetryCount": row.attempt_no - 1,
        "FlipdishWebhookId": row.webhook_id,
        "Version": row.version,
        "FlipdishSim": {
            "outcome": row.outcome,
            "event_id": row.event_id,
            "offset_seconds": round(offset, 6),
            "duplicate": row.duplicate_of is not None,
            "attempt_no": row.attempt_no,
            "error": clean(row.error) if row.error else None,
            "subscription_id": row.subscription_id,
            "delivery_id": row.delivery_id,
            "resend_of": row.resend_of,
        },
    }


def webhook_logs(
    store: Store,
    *,
    subscription_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Iterator[dict[str, object]]:
    """``WebhookLog`` dicts of the stored attempts in time order (``end`` exclusive), streamed."""
    mask = Masker(store.subscriptions())
    for row in store.attempts(
        subscription_id=subscription_id, start=start, end=end, offset=offset, limit=limit
    ):
        yield webhook_log(row, mask)


def webhook_log_page(
    store: Store,
    subscription_id: int,
    *,
    start: datetime,
    end: datetime,
    page: int = 1,
    limit: int = 50,
) -> dict[str, object]:
    """Flipdish's ``GetWebhookLogs`` answer: ``RestApiPaginationResult<WebhookLog>`` (1-based ``page``).

    The records keep the ``FlipdishSim`` key; drop it for a byte-faithful answer.
    """
    if page < 1 or limit < 1:
        raise ValueError(f"page and limit start at 1, got page={page} limit={limit}")
    total = store.count_attempts(subscription_id=subscription_id, start=start, end=end)
    data = list(
        webhook_logs(
            store,
            subscription_id=subscription_id,
            start=start,
            end=end,
            offset=(page - 1) * limit,
            limit=limit,
        )
    )
    return {"Page": page, "Limit": limit, "TotalRecordCount": total, "Data": data}


def _csv_row(record: Mapping[str, object]) -> list[object]:
    sim = record["FlipdishSim"]
    assert isinstance(sim, dict)
    return [record[f] for f in WEBHOOK_LOG_FIELDS] + [sim[f] for f in SIM_FIELDS]


def export_logs(store: Store, out: TextIO, *, fmt: str = "jsonl", subscription_id: int | None = None) -> int:
    """Write every attempt (of one subscription, or all) as JSON lines or CSV; returns the record count."""
    records = webhook_logs(store, subscription_id=subscription_id)
    count = 0
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "csv":
        writer = csv.writer(out)
        header: Sequence[str] = [*WEBHOOK_LOG_FIELDS, *(f"FlipdishSim.{f}" for f in SIM_FIELDS)]
        writer.writerow(header)
        for record in records:
            writer.writerow(_csv_row(record))
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r}: jsonl or csv")
    return count
