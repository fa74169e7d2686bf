"""Optional dependencies: what is missing without an extra is named in one line, with the pip command."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_the_flipdish_api_fixture_without_respx_names_the_extra() -> None:
    # sys.modules["respx"] = None makes ``import respx`` fail, as in an install without the extra
    code = "import sys; sys.modules['respx'] = None; import flipdish_sim.plugin.flipdish_api"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "flipdish_sim.errors.UsageError: the flipdish_api fixture needs respx: "
        "pip install 'flipdish-sim[flipdish-api]'"
    )


def test_the_pytest_plugin_loads_without_respx() -> None:
    code = "import sys; sys.modules['respx'] = None; import flipdish_sim.plugin, flipdish_sim.plugin.fixtures"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


pytest_plugins = ["pytester"]

_RECORD_HYPOTHESIS = """
import sys

import pytest

def pytest_unconfigure(config):
    with open("imported.txt", "w") as out:
        out.write(str("hypothesis" in sys.modules))
"""


@pytest.mark.parametrize(
    ("options", "imported"), [((), "False"), (("-p", "no:flipdish_sim_quiet_hypothesis"), "True")]
)
def test_a_session_that_never_uses_hypothesis_never_imports_it(
    pytester: pytest.Pytester, options: tuple[str, ...], imported: str
) -> None:
    pytester.makeconftest(_RECORD_HYPOTHESIS)
    pytester.makepyfile("def test_one():\n    pass\n")
    pytester.runpytest_subprocess("-p", "no:cacheprovider", *options).assert_outcomes(passed=1)
    assert (pytester.path / "imported.txt").read_text() == imported  # "True": Hypothesis's own summary hook


def test_a_session_that_uses_hypothesis_keeps_its_summary(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "from hypothesis import given, strategies as st\n@given(st.integers())\ndef test_any(n):\n    pass\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--hypothesis-show-statistics")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*Hypothesis Statistics*"])
