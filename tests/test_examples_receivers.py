"""The example receivers are correct: the whole conformance suite passes, and their own plugin tests pass."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from flipdish_sim.conformance import SuiteConfig, Target, run_suite_sync
from flipdish_sim.conformance.probe import http_probe
from flipdish_sim.contracts.catalogue import Family

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TOKEN, SECRET = "t0ken", "s3cret"

LEGACY = SuiteConfig(family=Family.LEGACY, verify_token=TOKEN, fuzz_examples=3)
V3 = SuiteConfig(family=Family.V3, secrets=(SECRET,), fuzz_examples=3)

pytest_plugins = ["pytester"]


@pytest.mark.parametrize(
    ("name", "arguments", "config"),
    [
        ("legacy_flask", [TOKEN], LEGACY),
        ("legacy_fastapi", [TOKEN], LEGACY),
        ("v3_flask", [[SECRET]], V3),
        ("v3_fastapi", [["old", SECRET]], V3),
    ],
)
def test_every_example_passes_every_applicable_check(
    name: str, arguments: list[object], config: SuiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES.parent))  # the examples are not installed
    app = importlib.import_module(f"examples.{name}.app").create_app(*arguments)
    target = Target.from_app(app, url="/webhooks/flipdish")
    report = run_suite_sync(target, config, probe=http_probe(target, "/webhooks/flipdish/applied"))
    other_family = (
        {"auth.signature", "auth.replay"} if config.family is Family.LEGACY else {"auth.verify-token"}
    )
    assert {
        check: outcome for check, outcome in report.outcomes().items() if outcome != "passed"
    } == dict.fromkeys(other_family, "skipped"), name


@pytest.mark.parametrize("name", ["legacy_flask", "legacy_fastapi", "v3_flask", "v3_fastapi"])
def test_each_examples_own_plugin_tests_pass(name: str, pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        str(EXAMPLES / name), "-p", "no:randomly", "-q", "--rootdir", str(EXAMPLES.parent)
    )
    result.assert_outcomes(passed=6 if name.startswith("legacy") else 5)


def test_the_ci_workflow_gates_on_the_conformance_command() -> None:
    workflow = (EXAMPLES / "github-actions" / "conformance.yml").read_text(encoding="utf-8")
    assert "flipdish-sim conformance --url" in workflow
    assert "secrets.FLIPDISH_SIM_SECRET" in workflow
