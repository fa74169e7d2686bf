"""The one exception tree of flipdish-sim.

    FlipdishSimError
    ├── UsageError(ValueError)      bad input from a user: unknown event, unreadable file, bad option
    │   ├── UnknownEventError       an event name that is not in the catalogue
    │   ├── PayloadError            a payload that is not JSON, or not a JSON object
    │   └── ScenarioError           a scenario file that does not match its schema
    ├── ContractViolationError      a payload does not match its event's JSON Schema
    ├── SignatureError              a v3 signature or its timestamp failed verification
    └── StoreError                  the SQLite log cannot be opened, or belongs to another schema

    DeliveryAssertionError(AssertionError)   raised by assert_* helpers inside tests

Messages are one sentence: what was expected, what was found, with identifiers and never secrets.
The command line turns ``UsageError`` into exit status 2 and any other ``FlipdishSimError`` into 1.
"""

from __future__ import annotations

__all__ = [
    "ContractViolationError",
    "DeliveryAssertionError",
    "FlipdishSimError",
    "PayloadError",
    "ScenarioError",
    "SignatureError",
    "StoreError",
    "UnknownEventError",
    "UsageError",
]


class FlipdishSimError(Exception):
    """Base class for every error raised by flipdish_sim."""


class UsageError(FlipdishSimError, ValueError):
    """Bad input from a user; the command line exits 2.

    A ``ValueError`` too: the policies raise it for values out of range, where Python code expects one."""


class UnknownEventError(UsageError):
    """An event name that is not in the catalogue."""

    def __init__(self, name: str, suggestion: str | None = None) -> None:
        hint = f"; did you mean {suggestion!r}?" if suggestion else "; see 'flipdish-sim events list'"
        super().__init__(f"unknown event {name!r}{hint}")
        self.name = name


class PayloadError(UsageError):
    """A payload that is not JSON, or not the JSON document expected."""


class ScenarioError(UsageError):
    """A scenario file that cannot be read or does not match the scenario schema."""


class ContractViolationError(FlipdishSimError):
    """A payload does not match its event's JSON Schema; ``.errors`` holds every violation."""

    def __init__(self, message: str, errors: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.errors = errors


class SignatureError(FlipdishSimError):
    """A signature or its timestamp failed verification."""


class StoreError(FlipdishSimError):
    """The SQLite log cannot be opened or was written by an incompatible schema."""


class DeliveryAssertionError(AssertionError):
    """Raised by the assert_* helpers used inside tests; says what Flipdish would have done."""
