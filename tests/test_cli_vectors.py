"""``flipdish-sim vectors``: prints the committed vectors file, a family of it, or a table; checks drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from flipdish_sim.contracts import vectors
from flipdish_sim.simulator.cli import main


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["vectors", *args])
    return result.exit_code, result.output


def test_prints_the_committed_file_byte_for_byte() -> None:
    result = CliRunner().invoke(main, ["vectors"])
    assert result.exit_code == 0
    assert result.stdout_bytes == vectors.VECTORS_FILE.read_bytes()


@pytest.mark.parametrize(("family", "other"), [("v3", "legacy"), ("legacy", "v3")])
def test_family_keeps_the_caveat_and_only_that_family(family: str, other: str) -> None:
    code, output = _invoke("--family", family)
    document = json.loads(output)
    assert code == 0
    assert family in document
    assert other not in document
    assert document["fidelity"] == vectors.load()["fidelity"]
    assert document["version"] == 1


def test_text_format_lists_every_case_with_its_verdict() -> None:
    code, output = _invoke("--format", "text", "--family", "v3")
    assert code == 0
    assert "caveat:" in output
    for case in vectors.load()["v3"]["cases"]:  # type: ignore[index]
        line = next(line for line in output.splitlines() if line.strip().startswith(case["id"] + " "))
        assert case["expected"]["verdict"] in line
    assert "legacy:" not in output


def test_check_passes_on_the_committed_file() -> None:
    code, output = _invoke("--check")
    assert code == 0
    assert "up to date" in output


def test_check_fails_on_drift_and_write_repairs_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "webhook-vectors.v1.json"
    stale.write_text(vectors.VECTORS_FILE.read_text("utf-8").replace('"accept"', '"reject"', 1), "utf-8")
    monkeypatch.setattr(vectors, "VECTORS_FILE", stale)
    code, output = _invoke("--check")
    assert code == 1
    assert "drift: webhook-vectors.v1.json" in output
    assert _invoke("--write")[0] == 0
    assert stale.read_text("utf-8") == vectors.VECTORS_FILE.read_text("utf-8")
    assert stale.read_bytes() == vectors.render(vectors.build_document()).encode("utf-8")
    assert _invoke("--check")[0] == 0


@pytest.mark.parametrize(
    "args",
    [
        ["--check", "--write"],
        ["--check", "--family", "v3"],
        ["--write", "--format", "text"],
        ["--family", "v4"],
    ],
)
def test_bad_combinations_are_usage_errors(args: list[str]) -> None:
    result = CliRunner().invoke(main, ["vectors", *args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.count("\n") <= 2
