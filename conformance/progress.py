"""A line per check as it starts and ends: styled on a terminal, plain lines elsewhere (CI logs)."""

from __future__ import annotations

from rich.console import Console

from flipdish_sim.conformance.ack import ACK_CHECKS
from flipdish_sim.conformance.model import CheckOutcome
from flipdish_sim.conformance.runner import Progress, ProgressEvent

__all__ = ["progress_line", "progress_printer"]

_MARK = {
    CheckOutcome.PASSED: ("✓", "green"),
    CheckOutcome.FAILED: ("✗", "bold red"),
    CheckOutcome.SKIPPED: ("-", "yellow"),
    CheckOutcome.BLOCKED: ("■", "magenta"),
}


def progress_line(event: ProgressEvent) -> str:
    """``[  1.2 s] auth.signature started`` or ``[  3.4 s] auth.signature failed``: plain text."""
    stamp = f"[{event.elapsed:6.1f} s]"
    if event.result is None:
        judged = " (judges every attempt of the run)" if event.check in ACK_CHECKS else ""
        return f"{stamp} {event.check} started{judged}"
    result = event.result
    by = f" by {result.blocked_by}" if result.blocked_by else ""
    return f"{stamp} {event.check} {result.outcome.value}{by}"


def progress_printer(console: Console) -> Progress:
    """Print each progress event to ``console``: rich marks on a terminal, plain lines when not a tty."""

    def show(event: ProgressEvent) -> None:
        line = progress_line(event)
        if not console.is_terminal:
            console.print(line, markup=False, highlight=False, soft_wrap=True)
            return
        if event.result is None:
            console.print(f"[dim]{line}[/]", highlight=False, soft_wrap=True)
            return
        mark, style = _MARK[event.result.outcome]
        console.print(f"[{style}]{mark}[/] {line}", markup=True, highlight=False, soft_wrap=True)

    return show
