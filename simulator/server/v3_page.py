"""The dashboard's v3 section: the v3 API's subscriptions (org, ``sub_`` id, scope, status) beside the
legacy ones. Each row links to the subscription's card (``/dashboard/subscriptions/{n}``), where its
deliveries and attempts are shown as for any subscription. Every value is HTML-escaped; no secret is shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from flipdish_sim.simulator.log._v3 import V3Meta
from flipdish_sim.simulator.model._subscription import Subscription
from flipdish_sim.simulator.server.dashboard import h
from flipdish_sim.simulator.wire._v3_api import SUBSCRIPTIONS_PATH

__all__ = ["render_v3_section"]


def _row(sub: Subscription, meta: V3Meta) -> str:
    types = ", ".join(f"<code>{h(t)}</code>" for t in sub.event_names)
    scope = "all properties" if meta.property_ids is None else ", ".join(map(h, meta.property_ids))
    status = "enabled" if sub.enabled else "disabled"
    return (
        f'<tr class="v3-subscription" data-enabled="{str(sub.enabled).lower()}">'
        f'<td class="mono"><a href="/dashboard/subscriptions/{sub.id}">{h(meta.public_id)}</a></td>'
        f"<td>{h(meta.org_id)}</td><td>{h(sub.callback_url)}</td><td>{types}</td>"
        f"<td>{scope}</td><td>{status}</td></tr>"
    )


def render_v3_section(rows: Sequence[tuple[Subscription, V3Meta]]) -> str:
    """The overview's "v3 subscriptions" section (HTML)."""
    if not rows:
        table = (
            '<p class="empty">No v3 subscriptions yet: create one with '
            f"<code>POST {h(SUBSCRIPTIONS_PATH)}</code>.</p>"
        )
    else:
        table = (
            "<table><thead><tr><th>Subscription</th><th>Org</th><th>Callback URL</th>"
            "<th>Event types</th><th>Property scope</th><th>Status</th></tr></thead>"
            f"<tbody>{''.join(_row(s, m) for s, m in rows)}</tbody></table>"
        )
    return f'<section class="card v3-subscriptions"><h2>v3 subscriptions (org-owned)</h2>{table}</section>'
