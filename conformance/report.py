"""A conformance run's report: a rich table for people, JSON and JUnit XML for machines, and
:meth:`SuiteReport.assert_passed` for tests.

JSON: ``{"target", "family", "checks": [{"id", "outcome", "detail", "event", "blocked_by", "answer",
"reproducer", "reproducer_path"}], "summary": {"passed", "failed", "skipped", "blocked"}, "attempts",
"valid_deliveries", "duration"}``; ``answer`` is ``{"status", "body", "waited", "error"}`` (the receiver's
answer to the failing request, its body cut to 500 bytes). Tokens and secrets never appear: the target URL is
shown without credentials, answers are masked, and reproducers read them from environment variables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from xml.etree import ElementTree

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flipdish_sim.conformance.model import CheckOutcome, CheckResult
from flipdish_sim.errors import DeliveryAssertionError

__all__ = ["ConformanceFailedError", "SuiteReport", "render_table", "safe_url"]

_STYLE = {
    CheckOutcome.PASSED: "green",
    CheckOutcome.FAILED: "bold red",
    CheckOutcome.SKIPPED: "yellow",
    CheckOutcome.BLOCKED: "magenta",
}


class ConformanceFailedError(DeliveryAssertionError):
    """A conformance run did not pass: the message lists every failed and blocked check; ``.report``."""

    def __init__(self, message: str, report: SuiteReport) -> None:
        super().__init__(message)
        self.report = report


def safe_url(url: str) -> str:
    """``url`` without user:password and without a query string (where tokens hide)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True, slots=True)
class SuiteReport:
    """The verdict of a run: one result per check, in registry order.

    ``ok`` is True only when no check failed or was blocked (skipped checks do not count against it).
    """

    target: str
    family: str
    results: tuple[CheckResult, ...]
    duration: float = 0.0
    attempts: int = 0
    """Every request the run sent (each judged by the ``ack`` checks)."""
    valid_deliveries: int = 0
    """The plain valid deliveries sent first to sample the receiver's acknowledgements and timing."""

    @property
    def summary(self) -> dict[str, int]:
        counts = {outcome.value: 0 for outcome in CheckOutcome}
        for result in self.results:
            counts[result.outcome.value] += 1
        return counts

    @property
    def ok(self) -> bool:
        return not any(result.failed or result.blocked for result in self.results)

    @property
    def exit_code(self) -> int:
        """0 when every check passed or was skipped, 1 when any failed or was blocked."""
        return 0 if self.ok else 1

    def outcomes(self) -> dict[str, str]:
        """``{check id: outcome}``: the whole verdict at a glance."""
        return {result.id: result.outcome.value for result in self.results}

    def failures(self) -> list[str]:
        """One paragraph per failed or blocked check: id, detail, the receiver's answer, the reproducer."""
        return [_explain(result) for result in self.results if result.failed or result.blocked]

    def assert_passed(self) -> None:
        """Raise :class:`ConformanceFailedError` listing every failure (detail, answer, reproducer path)."""
        if self.ok:
            return
        counts = self.summary
        head = (
            f"Flipdish conformance of {self.target}: {counts['failed']} failed, {counts['blocked']} blocked, "
            f"{counts['passed']} passed, {counts['skipped']} skipped"
        )
        raise ConformanceFailedError("\n\n".join([head, *self.failures()]), self)

    def to_json(self) -> dict[str, object]:
        checks = [
            {
                "id": r.id,
                "outcome": r.outcome.value,
                "detail": r.detail,
                "event": r.event,
                "blocked_by": r.blocked_by,
                "answer": r.answer.to_json() if r.answer else None,
                "reproducer": r.reproducer,
                "reproducer_path": r.reproducer_path,
            }
            for r in self.results
        ]
        return {
            "target": self.target,
            "family": self.family,
            "checks": checks,
            "summary": self.summary,
            "attempts": self.attempts,
            "valid_deliveries": self.valid_deliveries,
            "duration": round(self.duration, 3),
        }

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    def junit_xml(self) -> str:
        """One test case per check; a blocked check is an ``<error type="blocked">`` (it did not pass)."""
        summary = self.summary
        suite = ElementTree.Element(
            "testsuite",
            name="flipdish-conformance",
            tests=str(len(self.results)),
            failures=str(summary["failed"]),
            skipped=str(summary["skipped"]),
            errors=str(summary["blocked"]),
            time=f"{self.duration:.3f}",
        )
        properties = ElementTree.SubElement(suite, "properties")
        ElementTree.SubElement(properties, "property", name="target", value=self.target)
        ElementTree.SubElement(properties, "property", name="attempts", value=str(self.attempts))
        for result in self.results:
            case = ElementTree.SubElement(
                suite, "testcase", classname=f"flipdish-conformance.{self.family}", name=result.id
            )
            if result.outcome is CheckOutcome.FAILED:
                failure = ElementTree.SubElement(case, "failure", message=result.detail)
                failure.text = _explain(result)
            elif result.outcome is CheckOutcome.BLOCKED:
                error = ElementTree.SubElement(case, "error", type="blocked", message=result.detail)
                error.text = result.detail
            elif result.outcome is CheckOutcome.SKIPPED:
                ElementTree.SubElement(case, "skipped", message=result.detail)
        root = ElementTree.Element("testsuites")
        root.append(suite)
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"
        )

    def write_junit(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.junit_xml(), encoding="utf-8")


def _explain(result: CheckResult) -> str:
    lines = [f"{result.id} {result.outcome.value}: {result.detail}"]
    if result.answer is not None:
        lines.append(f"  the receiver answered: {result.answer.describe()}")
    if result.reproducer_path:
        lines.append(f"  reproduce: {result.reproducer_path}")
    return "\n".join(lines)


def render_table(report: SuiteReport, console: Console) -> None:
    """One row per check (the receiver's answer under a failure), the counts, and every reproducer."""
    table = Table(title=f"Flipdish conformance ({report.family}): {report.target}", title_justify="left")
    table.add_column("check", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    table.add_column("detail", overflow="fold")
    for result in report.results:
        outcome = f"[{_STYLE[result.outcome]}]{result.outcome.value}[/]"
        detail = escape(result.detail)
        if result.answer is not None and result.failed:
            detail += f"\n[dim]the receiver answered: {escape(result.answer.describe())}[/]"
        table.add_row(result.id, outcome, detail)
    console.print(table)
    counts = report.summary
    console.print(
        f"{counts['passed']} passed, {counts['failed']} failed, {counts['blocked']} blocked, "
        f"{counts['skipped']} skipped in {report.duration:.2f} s ({report.attempts} requests sent, "
        f"{report.valid_deliveries} of them valid deliveries sampling acknowledgement and timing)",
        soft_wrap=True,
    )
    scripts = [result for result in report.results if result.reproducer_path]
    if scripts:
        console.print("\n[bold]reproducers[/] (executable; tokens and secrets read from the environment):")
        for result in scripts:
            line = f"  {result.id}: {result.reproducer_path}"
            console.print(line, markup=False, highlight=False, soft_wrap=True)
