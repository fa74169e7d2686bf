"""A conformance run's report: a rich table for people, JSON and JUnit XML for machines.

JSON: ``{"target", "family", "checks": [{"id", "outcome", "detail", "reproducer"}], "summary": {"passed",
"failed", "skipped"}}`` (plus ``"event"`` per check where one event is at fault, and ``"duration"``).
Tokens and secrets never appear: the target URL is shown without credentials and reproducers read them from
environment variables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from xml.etree import ElementTree

from rich.console import Console
from rich.table import Table

from flipdish_sim.plugin.conformance.model import CheckOutcome, CheckResult

__all__ = ["SuiteReport", "render_table", "safe_url"]

_STYLE = {CheckOutcome.PASSED: "green", CheckOutcome.FAILED: "bold red", CheckOutcome.SKIPPED: "yellow"}


def safe_url(url: str) -> str:
    """``url`` without user:password and without a query string (where tokens hide)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True, slots=True)
class SuiteReport:
    target: str
    family: str
    results: tuple[CheckResult, ...]
    duration: float = 0.0

    @property
    def summary(self) -> dict[str, int]:
        counts = {outcome.value: 0 for outcome in CheckOutcome}
        for result in self.results:
            counts[result.outcome.value] += 1
        return counts

    @property
    def exit_code(self) -> int:
        """0 when every check passed or was skipped, 1 when any failed."""
        return 1 if any(result.failed for result in self.results) else 0

    def outcomes(self) -> dict[str, str]:
        """``{check id: outcome}``: the whole verdict at a glance."""
        return {result.id: result.outcome.value for result in self.results}

    def to_json(self) -> dict[str, object]:
        checks = [
            {
                "id": r.id,
                "outcome": r.outcome.value,
                "detail": r.detail,
                "event": r.event,
                "reproducer": r.reproducer,
            }
            for r in self.results
        ]
        return {
            "target": self.target,
            "family": self.family,
            "checks": checks,
            "summary": self.summary,
            "duration": round(self.duration, 3),
        }

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    def junit_xml(self) -> str:
        summary = self.summary
        suite = ElementTree.Element(
            "testsuite",
            name="flipdish-conformance",
            tests=str(len(self.results)),
            failures=str(summary["failed"]),
            skipped=str(summary["skipped"]),
            errors="0",
            time=f"{self.duration:.3f}",
        )
        ElementTree.SubElement(
            ElementTree.SubElement(suite, "properties"), "property", name="target", value=self.target
        )
        for result in self.results:
            case = ElementTree.SubElement(
                suite, "testcase", classname=f"flipdish-conformance.{self.family}", name=result.id
            )
            if result.outcome is CheckOutcome.FAILED:
                failure = ElementTree.SubElement(case, "failure", message=result.detail)
                failure.text = result.reproducer or result.detail
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


def render_table(report: SuiteReport, console: Console) -> None:
    """One row per check: its outcome and, for a failure, the first evidence."""
    table = Table(title=f"Flipdish conformance ({report.family}): {report.target}", title_justify="left")
    table.add_column("check", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    table.add_column("detail", overflow="fold")
    for result in report.results:
        outcome = f"[{_STYLE[result.outcome]}]{result.outcome.value}[/]"
        table.add_row(result.id, outcome, result.detail)
    console.print(table)
    counts = report.summary
    console.print(
        f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped "
        f"in {report.duration:.2f} s"
    )
    scripts = [result for result in report.results if result.reproducer]
    if scripts:
        first = scripts[0]
        console.print(f"\n[bold]reproduce {first.id}[/] (every failure has a curl script and body file):")
        console.print(first.reproducer, markup=False, highlight=False, soft_wrap=True)
