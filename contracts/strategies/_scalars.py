"""Strategies for JSON scalars under their keywords, edge values included.

Integers and numbers keep to ``minimum``/``maximum`` (exclusive too) and int32 for ``format: int32``, and
favour the extremes; strings keep to ``minLength``/``maxLength``/``pattern``/``format`` and include long
unicode text; ``date-time`` comes with ``Z`` or an offset and 0, 3 or 7 fractional digits (.NET style).
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import cast

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

__all__ = ["CHECKED_ELSEWHERE", "any_json", "floats", "integers", "strings"]

Schema = Mapping[str, object]
_LONG = ("Ṡiobhán Ó Briain — “Spice Bag” ", "Zoë 🍕🍟 ", "Łódź ąęłńóśźż ", "日本語のテキスト ", "🇮🇪" * 3, "x")
_INT_EDGES = (0, 1, -1, 2**31 - 1, -(2**31), 2**53, -(2**53))
_FLOAT_EDGES = (0.0, -0.0, 0.1, 1e-300, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308)
CHECKED_ELSEWHERE = frozenset(
    {
        "hostname",
        "idn-hostname",
        "ipv4",
        "ipv6",
        "time",
        "duration",
        "iri",
        "iri-reference",
        "uri-reference",
        "uri-template",
        "json-pointer",
        "relative-json-pointer",
        "regex",
        "idn-email",
    }
)  # formats jsonschema checks that this compiler does not generate: refused, not guessed


def integers(s: Schema) -> SearchStrategy[object]:
    low, high = _bound(s, "minimum", "exclusiveMinimum", 1), _bound(s, "maximum", "exclusiveMaximum", -1)
    if s.get("format") == "int32":
        low, high = (
            max(low if low is not None else -(2**31), -(2**31)),
            min(high if high is not None else 2**31 - 1, 2**31 - 1),
        )
    lo, hi = (None if low is None else math.ceil(low)), (None if high is None else math.floor(high))
    if lo is not None and hi is not None and lo > hi:
        return st.nothing()
    edges = [
        e
        for e in (*_INT_EDGES, lo, hi)
        if e is not None and (lo is None or e >= lo) and (hi is None or e <= hi)
    ]
    return st.one_of(st.integers(lo, hi), st.sampled_from(edges) if edges else st.nothing())


def floats(s: Schema) -> SearchStrategy[object]:
    low, high = _number(s.get("minimum")), _number(s.get("maximum"))
    ex_low, ex_high = _number(s.get("exclusiveMinimum")), _number(s.get("exclusiveMaximum"))
    if ex_low is not None and (low is None or ex_low >= low):
        low, low_open = ex_low, True
    else:
        low_open = False
    if ex_high is not None and (high is None or ex_high <= high):
        high, high_open = ex_high, True
    else:
        high_open = False
    floats = st.floats(
        low, high, allow_nan=False, allow_infinity=False, exclude_min=low_open, exclude_max=high_open
    )

    def inside(x: float) -> bool:
        above = low is None or x > low or (x == low and not low_open)
        return above and (high is None or x < high or (x == high and not high_open))

    edges = [e for e in _FLOAT_EDGES if inside(e)]
    return st.one_of(floats, st.sampled_from(edges) if edges else st.nothing())


def strings(s: Schema) -> SearchStrategy[object]:
    low, high = _int(s.get("minLength"), 0), s.get("maxLength")

    def fits(v: str) -> bool:
        return len(v) >= low and (not isinstance(high, int) or len(v) <= high)

    fmt, pattern = s.get("format"), s.get("pattern")
    if isinstance(pattern, str):
        return st.from_regex(pattern).filter(fits).map(lambda v: cast(object, v))
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt]().filter(fits).map(lambda v: cast(object, v))
    cap = high if isinstance(high, int) else low + 30
    text = st.text(st.characters(codec="utf-8"), min_size=low, max_size=max(low, min(cap, low + 30)))
    long = st.tuples(st.sampled_from(_LONG), st.integers(1, 80)).map(
        lambda p: (p[0] * (p[1] + low))[: cap if isinstance(high, int) else None]
    )
    return st.one_of(text, long.filter(fits)).map(lambda v: cast(object, v))


def _datetimes() -> SearchStrategy[str]:
    moments = st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30), timezones=st.just(UTC))
    offsets = st.sampled_from((UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))))
    digits = st.sampled_from((0, 3, 7))

    def render(moment: datetime, zone: timezone, n: int) -> str:
        local = moment.astimezone(zone)
        fraction = f".{local.microsecond:06d}0"[: n + 1] if n else ""
        suffix = "Z" if zone is UTC else local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
        stamp = f"{local.year:04d}-{local.month:02d}-{local.day:02d}T{local:%H:%M:%S}"
        return stamp + fraction + suffix

    return st.builds(render, moments, offsets, digits)


def _uris() -> SearchStrategy[str]:
    host = st.from_regex(r"[a-z][a-z0-9-]{0,20}\.(ie|com|co\.uk|example)", fullmatch=True)
    path = st.lists(
        st.text(string.ascii_letters + string.digits + "-._~", min_size=1, max_size=12), max_size=4
    )
    query = st.sampled_from(("", "?a=1", "?q=caf%C3%A9&x=%20"))
    return st.builds(
        lambda s, h, p, q: f"{s}://{h}/{'/'.join(p)}{q}",
        st.sampled_from(("https", "http")),
        host,
        path,
        query,
    )


_FORMATS: dict[str, Callable[[], SearchStrategy[str]]] = {
    "date-time": _datetimes,
    "date": lambda: st.dates().map(lambda d: d.isoformat()),
    "uuid": lambda: st.uuids().map(str),
    "email": st.emails,
    "uri": _uris,
}


def any_json() -> SearchStrategy[object]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text()
    )
    return st.recursive(
        scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(), c, max_size=3), max_leaves=6
    )


def _bound(s: Schema, inclusive: str, exclusive: str, step: int) -> float | None:
    values = [v for v in (_number(s.get(inclusive)),) if v is not None]
    ex = _number(s.get(exclusive))
    if ex is not None:
        values.append(math.floor(ex) + 1 if step > 0 else math.ceil(ex) - 1)
    if not values:
        return None
    return max(values) if step > 0 else min(values)


def _number(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _int(v: object, default: int) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else default
