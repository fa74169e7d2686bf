"""``pip install flipdish-sim`` alone gives a working gate: nothing a command imports needs pytest.

Two proofs: the conformance command in a subprocess where pytest cannot be imported, and (slow) the built
wheel in a fresh virtual environment with no test dependencies, grading a live loopback receiver.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from flawed_receivers import TOKEN, receiver, served

from flipdish_sim.simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent

NO_PYTEST = (
    "import sys; sys.modules['pytest'] = None; sys.modules['_pytest'] = None; "
    "from flipdish_sim.simulator.cli import main; sys.argv[0] = 'flipdish-sim'; main()"
)
"""Runs the CLI with ``import pytest`` failing, as on a machine where pytest is not installed."""


@pytest.fixture(scope="module")
def live_receiver() -> Iterator[str]:
    """A correct legacy receiver on a real loopback port."""
    with served(receiver("legacy")) as base:
        yield base


def _no_pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLIPDISH_SIM_")}
    command = [sys.executable, "-c", NO_PYTEST, *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def _grade_args(base: str, tmp_path: Path) -> list[str]:
    return [
        "conformance", "--url", f"{base}/webhook", "--verify-token", TOKEN, "--probe-url", f"{base}/applied",
        "--events", "order.created,order.accepted", "--fuzz-examples", "2", "--valid-deliveries", "10",
        "--report-json", str(tmp_path / "report.json"), "--reproducers", str(tmp_path / "repro"),
    ]  # fmt: skip


def test_the_gate_runs_where_pytest_cannot_be_imported(live_receiver: str, tmp_path: Path) -> None:
    listed = _no_pytest("conformance", "--list-checks", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "ack.deadline" in listed.stdout
    graded = _no_pytest(*_grade_args(live_receiver, tmp_path), cwd=tmp_path)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["summary"] == {"passed": 10, "failed": 0, "skipped": 2, "blocked": 0}
    assert "No module named 'pytest'" not in graded.stderr
    assert not (tmp_path / ".hypothesis").exists()  # the fuzz check leaves nothing in the user's folder


def test_progress_is_plain_lines_when_not_on_a_terminal(live_receiver: str, tmp_path: Path) -> None:
    graded = _no_pytest(*_grade_args(live_receiver, tmp_path), cwd=tmp_path)
    lines = graded.stdout.splitlines()
    assert any(line.endswith("auth.raw-body started") for line in lines)
    assert any(line.endswith("auth.raw-body passed") for line in lines)
    assert "\x1b[" not in graded.stdout  # no terminal escapes in a CI log


def test_no_conformance_module_imports_pytest_or_the_plugin() -> None:
    import ast

    for path in sorted((ROOT / "conformance").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("pytest", "_pytest", "flipdish_sim.plugin")), (path.name, name)


def test_the_public_names_exist_and_the_old_import_path_still_works() -> None:
    import flipdish_sim.conformance as public
    import flipdish_sim.plugin.conformance as compat

    assert all(hasattr(public, name) for name in public.__all__)
    assert all(getattr(compat, name) is getattr(public, name) for name in public.__all__)


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


@pytest.mark.slow
def test_the_built_wheel_in_a_fresh_venv_grades_a_live_receiver(live_receiver: str, tmp_path: Path) -> None:
    dist, env_dir = tmp_path / "dist", tmp_path / "venv"
    pip_env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)]
    subprocess.run(build, check=True, capture_output=True, env=pip_env, timeout=600)
    (wheel,) = dist.glob("flipdish_sim-*.whl")
    venv.create(env_dir, with_pip=True)
    python, script = env_dir / "bin" / "python", env_dir / "bin" / "flipdish-sim"
    install = [str(python), "-m", "pip", "install", "-q", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, env=pip_env, timeout=600)
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("FLIPDISH_SIM_", "PYTHON", "VIRTUAL_ENV"))
    }

    def run(*args: str, program: Path = script, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(program), *args], capture_output=True, text=True, cwd=cwd, env=clean, timeout=300
        )

    assert run("-c", "import pytest", program=python).returncode != 0  # a plain install: no pytest
    graded = run(*_grade_args(live_receiver, tmp_path))
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["summary"]["failed"] == 0
    assert "ack.no-redirect" in run("conformance", "--list-checks").stdout
    for command in [(), *_commands(main)]:
        shown = run(*command, "--help")
        assert shown.returncode == 0, (command, shown.stderr)
        assert "Usage:" in shown.stdout
    benchmarks = run("-m", "benchmarks", "--help", program=python, cwd=ROOT)
    assert benchmarks.returncode == 0, benchmarks.stderr
    assert "--only" in benchmarks.stdout
    assert not (tmp_path / ".hypothesis").exists()


def test_the_github_actions_example_installs_flipdish_sim_alone_and_passes_real_options() -> None:
    import shlex

    import yaml

    from flipdish_sim.simulator.cli.conformance import conformance

    workflow = yaml.safe_load((ROOT / "examples" / "github-actions" / "conformance.yml").read_text("utf-8"))
    runs = [step["run"] for step in workflow["jobs"]["conformance"]["steps"] if "run" in step]
    assert "python -m pip install flipdish-sim" in runs  # the package alone: no test dependencies
    assert not any("pytest" in run for run in runs)
    (gate,) = [run for run in runs if run.startswith("flipdish-sim conformance")]
    known = {opt for param in conformance.params for opt in getattr(param, "opts", ())}
    used = {word for word in shlex.split(gate) if word.startswith("--")}
    assert used <= known, used - known
    assert "--max-time" in used
