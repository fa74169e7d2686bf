"""Headers as the log stores them: ``Name: value`` lines joined by CRLF, and back."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["headers_from", "headers_text"]


def headers_text(headers: Iterable[tuple[str, str]]) -> str:
    """The stored form of a header list: ``Name: value`` lines joined by CRLF (values never hold CRLF)."""
    return "\r\n".join([f"{name}: {value}" for name, value in headers])


def headers_from(text: str) -> tuple[tuple[str, str], ...]:
    if not text:
        return ()
    return tuple((name, value) for name, _, value in (line.partition(": ") for line in text.split("\r\n")))
