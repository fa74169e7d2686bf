"""Inline SVG pictures for the dashboard: attempts and failures over time, and the failure-share gauge.

Pure functions: data in, an SVG string out (no external assets, no script). Labels are escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

__all__ = ["Bucket", "bucketize", "share_gauge_svg", "timeline_svg"]

_W, _H, _PAD_L, _PAD_B, _PAD_T = 640, 160, 36, 22, 10


@dataclass(frozen=True, slots=True)
class Bucket:
    """Attempts and failures counted in one time slice ``[start, start + width)``."""

    start: datetime
    attempts: int
    failures: int


def bucketize(
    points: Sequence[tuple[datetime, bool]], *, start: datetime, end: datetime, count: int = 24
) -> tuple[Bucket, ...]:
    """Count ``(time, ok)`` points into ``count`` equal slices of ``[start, end]``; others are dropped."""
    if count < 1 or end <= start:
        raise ValueError("need count >= 1 and end after start")
    width = (end - start) / count
    attempts = [0] * count
    failures = [0] * count
    for at, ok in points:
        if at < start or at > end:
            continue
        index = min(int((at - start) / width), count - 1)
        attempts[index] += 1
        failures[index] += 0 if ok else 1
    return tuple(Bucket(start + width * i, attempts[i], failures[i]) for i in range(count))


def _label(at: datetime, span: timedelta) -> str:
    return at.strftime("%H:%M:%S" if span <= timedelta(hours=1) else "%d %b %H:%M")


def timeline_svg(buckets: Sequence[Bucket], *, title: str = "Attempts and failures over time") -> str:
    """A bar chart: attempts per slice (grey) with failures (red) in front, a y-axis and two time labels."""
    if not buckets:
        return f'<svg class="chart" role="img" viewBox="0 0 {_W} {_H}"><title>{escape(title)}</title></svg>'
    peak = max(max(b.attempts for b in buckets), 1)
    plot_w, plot_h = _W - _PAD_L - 4, _H - _PAD_B - _PAD_T
    slot = plot_w / len(buckets)
    bars: list[str] = []
    for i, b in enumerate(buckets):
        x = _PAD_L + i * slot + 1
        for value, css in ((b.attempts, "attempts"), (b.failures, "failures")):
            h = plot_h * value / peak
            y = _PAD_T + plot_h - h
            tip = f"{b.start.isoformat()}: {b.attempts} attempts, {b.failures} failed"
            bars.append(
                f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{max(slot - 2, 1):.1f}"'
                f' height="{h:.1f}">'
                f"<title>{escape(tip)}</title></rect>"
            )
    span = buckets[-1].start - buckets[0].start
    first, last = _label(buckets[0].start, span), _label(buckets[-1].start, span)
    total_a, total_f = sum(b.attempts for b in buckets), sum(b.failures for b in buckets)
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {_W} {_H}" xmlns="http://www.w3.org/2000/svg"'
        f' data-attempts="{total_a}" data-failures="{total_f}">'
        f"<title>{escape(title)}</title>"
        f'<line class="axis" x1="{_PAD_L}" y1="{_PAD_T}" x2="{_PAD_L}" y2="{_PAD_T + plot_h}"/>'
        f'<line class="axis" x1="{_PAD_L}" y1="{_PAD_T + plot_h}" x2="{_W - 4}" y2="{_PAD_T + plot_h}"/>'
        f'<text x="{_PAD_L - 4}" y="{_PAD_T + 8}" text-anchor="end">{peak}</text>'
        f'<text x="{_PAD_L - 4}" y="{_PAD_T + plot_h}" text-anchor="end">0</text>'
        f"{''.join(bars)}"
        f'<text x="{_PAD_L}" y="{_H - 6}">{escape(first)}</text>'
        f'<text x="{_W - 4}" y="{_H - 6}" text-anchor="end">{escape(last)}</text>'
        "</svg>"
    )


def share_gauge_svg(share: float, *, threshold: float = 0.5, width: int = 200) -> str:
    """A bar filled to ``share`` (0..1) with a vertical line at ``threshold`` (the disable line)."""
    share = min(max(share, 0.0), 1.0)
    fill = width * share
    line = width * threshold
    css = "over" if share > threshold else "under"
    label = f"{share:.0%} failed (disable line {threshold:.0%})"
    return (
        f'<svg class="gauge" role="img" viewBox="0 0 {width} 14" width="{width}" height="14"'
        f' xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>'
        f'<rect class="track" x="0" y="2" width="{width}" height="10"/>'
        f'<rect class="{css}" x="0" y="2" width="{fill:.1f}" height="10"/>'
        f'<line class="threshold" x1="{line:.1f}" y1="0" x2="{line:.1f}" y2="14"/></svg>'
    )
