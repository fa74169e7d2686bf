"""The details page's filters: read from the query string (checked), and shown as a GET form.

    /dashboard/subscriptions/7?type=order.created&outcome=failed&since=2026-01-01T10:00&until=...

``type``: an event name; ``outcome``: an attempt outcome or ``failed`` (any but acknowledged); ``since``
and ``until``: date-times as the v1.0 API reads them (ISO-8601 as a browser's ``datetime-local`` input
sends it, RFC 1123...; no zone: UTC), ``until`` exclusive. An empty field is no filter. Anything else is
refused with one line (the page answers 400 and says which filter, showing the lists unfiltered).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from flipdish_sim.errors import UsageError
from flipdish_sim.simulator.model._attempt import Outcome
from flipdish_sim.simulator.server.dashboard import h
from flipdish_sim.simulator.server.querydates import parse_query_date
from flipdish_sim.simulator.server.state import Filters

__all__ = ["OUTCOME_CHOICES", "filter_form", "parse_filters"]

#: The outcome filter's choices, in the order the form lists them.
OUTCOME_CHOICES = ("acknowledged", "failed", *(o.value for o in Outcome if o is not Outcome.ACKNOWLEDGED))
_EVENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


def _when(query: Mapping[str, str], name: str) -> datetime | None:
    text = query.get(name, "").strip()
    if not text:
        return None
    try:
        return parse_query_date(text)
    except ValueError as err:
        raise UsageError(f"filter {name}: {err}") from None


def parse_filters(query: Mapping[str, str]) -> Filters:
    """The filters named in ``query``; UsageError (one line) for a value that cannot be one."""
    name = query.get("type", "").strip() or None
    if name is not None and not _EVENT_NAME.fullmatch(name):
        raise UsageError(f"filter type: {name[:80]!r} is not an event name")
    outcome = query.get("outcome", "").strip() or None
    if outcome is not None and outcome not in OUTCOME_CHOICES:
        raise UsageError(f"filter outcome: {outcome[:80]!r} is not one of {', '.join(OUTCOME_CHOICES)}")
    since, until = _when(query, "since"), _when(query, "until")
    if since is not None and until is not None and until <= since:
        raise UsageError("filter until: must be after since")
    return Filters(event_name=name, outcome=outcome, since=since, until=until)


def _select(name: str, label: str, choices: Sequence[str], chosen: str | None, anything: str) -> str:
    options = f'<option value="">{h(anything)}</option>' + "".join(
        f'<option value="{h(c)}"{" selected" if c == chosen else ""}>{h(c)}</option>' for c in choices
    )
    return f'<label>{h(label)} <select name="{name}" id="filter-{name}">{options}</select></label>'


def _local(at: datetime | None) -> str:
    """A ``datetime-local`` input's value (UTC, to the second)."""
    return "" if at is None else at.strftime("%Y-%m-%dT%H:%M:%S")


def filter_form(action: str, filters: Filters, event_names: Sequence[str]) -> str:
    """The filter form (GET, so a filtered view is a link), with a Clear link when a filter applies."""
    names = sorted({*event_names, *([filters.event_name] if filters.event_name else [])})
    clear = f' <a href="{h(action)}" class="clear-filters">Clear</a>' if filters.active else ""
    return (
        f'<form method="get" action="{h(action)}" class="inline filters" id="filters">'
        f"{_select('type', 'Event type', names, filters.event_name, 'any')}"
        f"{_select('outcome', 'Outcome', OUTCOME_CHOICES, filters.outcome, 'any')}"
        '<label>From (UTC) <input type="datetime-local" step="1" name="since" id="filter-since"'
        f' value="{h(_local(filters.since))}"></label>'
        '<label>Until (UTC) <input type="datetime-local" step="1" name="until" id="filter-until"'
        f' value="{h(_local(filters.until))}"></label>'
        f'<button type="submit" id="filter-apply">Filter</button>{clear}</form>'
    )
