"""What a package index gets: an sdist whose tests run unpacked, licences in both artefacts, a quiet build.

The artefacts are built once per session with ``python -m build`` (PyPA's front end, in an isolated
environment, as a release would be: the sdist first, then the wheel from the unpacked sdist). The sdist's
own tests then run against that wheel, installed into a folder that comes first on ``sys.path``: a file
missing from the sdist (conftest.py, the receivers modules, tests/data, docs/, examples/) fails them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

# one test of each kind of file the sdist must carry: docs/ (test_verify), tests/data (test_validate),
# the receivers modules and conftest.py (test_cli_send), examples/ (test_examples_receivers)
SAMPLE = [
    "tests/test_verify.py",
    "tests/test_validate.py",
    "tests/test_cli_send.py",
    "tests/test_examples_receivers.py::test_each_examples_own_plugin_tests_pass",
]


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path
    output: str


def _build(source: Path, outdir: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # its own warning
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(outdir), str(source)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    pytest.importorskip("build", reason="PyPA's build (the test dependency group) builds the artefacts")
    out = tmp_path_factory.mktemp("dist")
    output = _build(ROOT, out)  # the sdist, then a wheel built from it
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Built(sdist, wheel, output)


def test_the_build_prints_no_warnings(built: Built) -> None:
    warnings = [line for line in built.output.splitlines() if "warn" in line.lower()]
    assert warnings == []


def test_the_licences_ship_in_the_wheel_and_the_sdist(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
        (metadata,) = (n for n in names if n.endswith(".dist-info/METADATA"))
        fields = wheel.read(metadata).decode()
        notice = wheel.read(metadata.replace("METADATA", "licenses/NOTICE")).decode()
    assert {"License-File: LICENSE", "License-File: NOTICE", "License-Expression: MIT"} <= set(
        fields.splitlines()
    )
    assert "@flipdish/events" in notice
    assert "Permission is hereby granted" in notice
    assert "flipdish_sim/contracts/upstream/ORIGIN.md" in names
    with tarfile.open(built.sdist) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        members = set(sdist.getnames())
    assert {f"{top}/LICENSE", f"{top}/NOTICE", f"{top}/contracts/upstream/ORIGIN.md"} <= members


def test_the_sdist_tests_run_once_unpacked(built: Built, tmp_path: Path) -> None:
    with tarfile.open(built.sdist) as sdist:
        sdist.extractall(tmp_path, filter="data")
    (unpacked,) = tmp_path.iterdir()
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(built.wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run(
        [sys.executable, "-c", "import flipdish_sim; print(flipdish_sim.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=unpacked,
        check=True,
    )
    assert where.stdout.startswith(str(site)), "the tests must import the package built from the sdist"
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *SAMPLE],
        capture_output=True,
        text=True,
        env=env,
        cwd=unpacked,
        timeout=900,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
    assert " passed" in ran.stdout


def test_the_verify_distribution_is_the_verify_module_alone(tmp_path: Path) -> None:
    """flipdish-sim-verify (verify-dist/): the same file, no dependencies, importable with the stdlib only."""
    copy = ROOT / "verify-dist" / "flipdish_sim_verify.py"
    assert copy.read_bytes() == (ROOT / "src" / "flipdish_sim" / "verify.py").read_bytes(), (
        "verify-dist/flipdish_sim_verify.py must be a copy of src/flipdish_sim/verify.py"
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT / "verify-dist"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("flipdish_sim_verify-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        fields = archive.read(metadata).decode().splitlines()
    assert not [field for field in fields if field.startswith("Requires-Dist:")]
    assert "License-File: LICENSE" in fields
    # -S: no site-packages at all, so the import proves the module needs the standard library only
    code = (
        f"import sys; sys.path.insert(0, {str(wheel)!r}); import flipdish_sim_verify as v; print(v.__all__)"
    )
    done = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "verify_signature" in done.stdout
