"""The v1.0 API's query dates (``getWebhookLogs`` ``start``, ``end``), read as Flipdish's clients write them.

Flipdish's Swagger declares both as ``date-time`` and leaves the text to each generated client, so code
written for Flipdish sends any of these (read in the published clients' source):

=========================================  ==========================================================
client                                     text for 2026-12-01 21:40 UTC
=========================================  ==========================================================
``@flipdish/api-client-typescript``        ``Tue Dec 01 2026 21:40:00 GMT+0000 (Coordinated Universal
(``ObjectSerializer.serialize(d, "Date")``  Time)``: JavaScript's ``Date.prototype.toString()``, in the
is ``d.toString()``)                       caller's time zone and locale (``GMT+0530 (India Standard
                                           Time)``, ``GMT+0100 (Mitteleuropäische Normalzeit)``)
``api-client-javascript`` (``toISOString``) ``2026-12-01T21:40:00.000Z``
``api-client-csharp`` (``ToString("o")``)   ``2026-12-01T21:40:00.0000000Z``, ``...+01:00`` or no zone
``api-client-java`` (ISO_OFFSET_DATE_TIME)  ``2026-12-01T21:40:00Z``, ``2026-12-01T22:40:00.123456+01:00``
``api-client-php`` (``DateTime::ATOM``)     ``2026-12-01T21:40:00+00:00``
swagger-codegen Python (``isoformat()``)   ``2026-12-01T21:40:00+00:00``, or no zone for a naive datetime
RFC 1123 (``toUTCString``, .NET ``"R"``)    ``Tue, 01 Dec 2026 21:40:00 GMT``
=========================================  ==========================================================

A value without a zone is taken as UTC (an assumption: Flipdish stores UTC and publishes nothing). A
``+`` the client forgot to percent-encode arrives as a space; ``21:40:00 01:00`` is read as ``+01:00``.
Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

__all__ = ["parse_query_date"]

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTH = rf"(?P<month>{'|'.join(_MONTH_NAMES)})"
_TIME = r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})"

#: ``Date.prototype.toString()`` (ECMA-262 ``DateString`` + ``TimeString`` + ``TimeZoneString``); the
#: parenthesised zone name is implementation- and locale-defined, so any text is accepted there.
_JS_TO_STRING = re.compile(
    rf"{_DAY} {_MONTH} (?P<day>\d{{2}}) (?P<year>-?\d{{4,6}}) {_TIME} "
    r"GMT(?P<sign>[+\- ])(?P<oh>\d{2})(?P<om>\d{2})(?: \(.*\))?"
)
#: RFC 1123 / RFC 7231 IMF-fixdate, as ``Date.prototype.toUTCString()`` and .NET's ``"R"`` write it.
_RFC_1123 = re.compile(
    rf"(?:{_DAY}, )?(?P<day>\d{{1,2}}) {_MONTH} (?P<year>\d{{4}}) {_TIME} (?:GMT|UTC|Z|[+-]0000)"
)
_UNENCODED_PLUS = re.compile(r"(?P<stamp>.*\d) (?P<offset>\d{2}:?\d{2})")


def _from_match(match: re.Match[str], offset: timedelta) -> datetime:
    fields = match.groupdict()
    return datetime(
        int(fields["year"]),
        _MONTHS[fields["month"]],
        int(fields["day"]),
        int(fields["hour"]),
        int(fields["minute"]),
        int(fields["second"]),
        tzinfo=timezone(offset),
    )


def _javascript(text: str) -> datetime | None:
    match = _JS_TO_STRING.fullmatch(text)
    if match is None:
        return None
    if int(match["oh"]) > 23 or int(match["om"]) > 59:
        raise ValueError(f"zone offset GMT{match['sign']}{match['oh']}{match['om']} is out of range")
    sign = -1 if match["sign"] == "-" else 1  # a space is an unencoded "+"
    return _from_match(match, sign * timedelta(hours=int(match["oh"]), minutes=int(match["om"])))


def _rfc_1123(text: str) -> datetime | None:
    match = _RFC_1123.fullmatch(text)
    return None if match is None else _from_match(match, timedelta(0))


def _iso_8601(text: str) -> datetime | None:
    candidates = [text[:-1] + "Z" if text.endswith("z") else text]
    unencoded = _UNENCODED_PLUS.fullmatch(text)
    if unencoded is not None:
        candidates.append(f"{unencoded['stamp']}+{unencoded['offset']}")
    for candidate in candidates:
        try:
            return datetime.fromisoformat(candidate)
        except ValueError:
            continue
    return None


def _shown(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def parse_query_date(text: str) -> datetime:
    """``text`` as an aware UTC datetime; ``ValueError`` with a one-line reason when it is no date-time.

    Accepted: ISO-8601 (with or without offset, any fraction), RFC 1123, and JavaScript's
    ``Date.prototype.toString()``. A value without a zone is UTC.
    """
    value = text.strip()
    if not value:
        raise ValueError("an empty date-time")
    for parse in (_iso_8601, _javascript, _rfc_1123):
        try:
            parsed = parse(value)
        except ValueError as err:  # matched the shape, but not a real date (31 Feb, hour 25)
            raise ValueError(f"{_shown(text)} is not a valid date-time ({err})") from None
        if parsed is not None:
            aware = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
            return aware.astimezone(UTC)
    raise ValueError(
        f"{_shown(text)} is not a date-time: expected ISO-8601, RFC 1123 or JavaScript's Date.toString()"
    )
