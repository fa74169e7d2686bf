"""A WHERE clause built from the conditions a query was given (the log's readers filter by any of them)."""

from __future__ import annotations

from datetime import datetime

from flipdish_sim.simulator.model._subscription import to_us

__all__ = ["FAILED", "Where"]

FAILED = "failed"
"""An outcome filter: any outcome but ``acknowledged``."""


class Where:
    """Conditions joined by ``AND``, with their parameters in order; a condition given ``None`` is left out.

    >>> where = Where().equal("e.name", "order.created").between("a.at_us", None, None)
    >>> where.sql, where.params
    (' WHERE e.name = ?', ['order.created'])
    """

    __slots__ = ("clauses", "params")

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[object] = []

    def add(self, clause: str, *params: object) -> Where:
        self.clauses.append(clause)
        self.params.extend(params)
        return self

    def equal(self, column: str, value: object | None) -> Where:
        """``column = value``, unless ``value`` is None."""
        return self if value is None else self.add(f"{column} = ?", value)

    def between(self, column: str, start: datetime | None, end: datetime | None) -> Where:
        """``start <= column < end`` (microseconds), each bound only when given."""
        if start is not None:
            self.add(f"{column} >= ?", to_us(start))
        if end is not None:
            self.add(f"{column} < ?", to_us(end))
        return self

    def outcome(self, column: str, outcome: str | None) -> Where:
        """``column`` is ``outcome``; :data:`FAILED`: anything but acknowledged."""
        if outcome == FAILED:
            return self.add(f"{column} != 'acknowledged'")
        return self.equal(column, outcome)

    @property
    def sql(self) -> str:
        """`` WHERE a AND b`` (empty without conditions)."""
        return " WHERE " + " AND ".join(self.clauses) if self.clauses else ""

    @property
    def and_sql(self) -> str:
        """`` AND a AND b``, to extend a WHERE the query already has (empty without conditions)."""
        return "".join(f" AND {clause}" for clause in self.clauses)
