"""Optional dependencies: what is missing without an extra is named in one line, with the pip command."""

from __future__ import annotations

import subprocess
import sys


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
