"""Every command and Python snippet in README.md and docs/*.md runs: the documentation cannot drift from the
code.

Each fenced block is run by its language, one markdown file at a time, in a temporary folder of its own that
the file's blocks share in order (a Python snippet that writes ``run.db`` feeds the commands after it):

- ``python``: executed in a subprocess; names a snippet uses without defining come from the prelude
  (:data:`PRELUDE`), and a ``test_*`` function with no parameters is then called. A snippet written for
  pytest (``flipdish_*`` fixtures, or ``# conftest.py`` / ``# test_webhooks.py`` parts) is run by pytest in
  that folder, with the flipdish-sim plugin, against :mod:`snippet_receiver`.
- ``sh``: run by bash (``-e``): every command must exit 0.
- ``console``: each ``$ command`` is run and the output shown under it must appear, in order, in what it
  prints (lines starting with ``...`` or ``(`` are elisions); ``(exit status N`` gives the expected status.
- ``yaml``: a scenario file, run with ``flipdish-sim run FILE --url <receiver>``.

Placeholders (staging URLs, ``$TOKEN``...) are replaced through :data:`SUBSTITUTIONS` and :data:`ENV`; the
receiver behind every URL is :mod:`snippet_receiver` on a loopback port, a correct receiver for both
families. A block that cannot run here is marked in the markdown by a comment on the line before it,
``<!-- snippet: not run: <why> -->``; the Quickstart's blocks (``<!-- quickstart:... -->``: .ci/run runs
the test command, tests/test_demo.py the demo) count as marked. An unmarked block in any other language
fails the test, and the number of blocks not run is printed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flawed_receivers import served
from snippet_receiver import SECRET, TOKEN, create_app

from flipdish_sim.contracts import example

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

SUBSTITUTIONS: list[tuple[str, str]] = [
    # (what the documentation writes, what the test runs); {base} is the loopback receiver's address
    ("https://staging.example.com/webhooks/flipdish", "{base}/webhooks/flipdish"),
    ("https://staging.example.com/hook", "{base}/hook"),
    ("http://127.0.0.1:8000/webhooks", "{base}/webhooks"),
    ("--url ...", "--url {base}/webhooks"),
    ("FLIPDISH_SIM_VERIFY_TOKEN=...", 'FLIPDISH_SIM_VERIFY_TOKEN="$TOKEN"'),
    ("tests/data/", f"{ROOT}/tests/data/"),
]
ENV = {
    # the shell variables the snippets read, and the environment variables their scenarios name
    "TOKEN": TOKEN,
    "SECRET": SECRET,
    "OLD": SECRET,
    "NEW": "whsec_the_next_secret",
    "FLIPDISH_SIM_VERIFY_TOKEN": TOKEN,
    "FLIPDISH_VERIFY_TOKEN": TOKEN,
    "FLIPDISH_WEBHOOK_SECRETS": SECRET,
    "HYPOTHESIS_PROFILE": "docs",
}
PRELUDE = """\
# names the snippets use without defining them
from hypothesis import settings
from flipdish_sim.contracts import Profile, example, validate
from myservice.web import app  # a correct receiver (tests/snippet_receiver.py)

settings.register_profile("docs", max_examples=10, deadline=None)
settings.load_profile("docs")
payload = example("order.created", seed=1)


class _Answer:
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


def my_handler(payload):  # a receiver's handler: 200 for a payload its contract allows, else 400
    return _Answer(400 if validate(payload, "order.created", profile=Profile.OBSERVED) else 200)


# a request as a web framework hands it over (docs/verify.md): a v3 delivery signed now, as the sender
# signs it, with the previous of two secrets (a rotation), and the legacy token
import datetime as _dt
import json as _json
from types import SimpleNamespace as _Request
from flipdish_sim.simulator.wire import signature_header as _signature_header

VERIFY_TOKEN, CURRENT_SECRET, PREVIOUS_SECRET = "tok-1234", "whsec_current", "whsec_previous"
raw_body = _json.dumps(example("sale.created.v1", seed=1)).encode()
_signed = _signature_header([PREVIOUS_SECRET], _dt.datetime.now(_dt.UTC), raw_body)
request = _Request(headers={"X-Verify-Token": VERIFY_TOKEN, "X-Flipdish-Signature": _signed})
"""
RUN_PYTHON = """\
import inspect, sys
namespace = {"__name__": "__snippet__"}
exec(open("_prelude.py").read(), namespace)
path = sys.argv[1]
exec(compile(open(path, encoding="utf-8").read(), path, "exec"), namespace)
for name, value in list(namespace.items()):
    if name.startswith("test_") and callable(value) and not inspect.signature(value).parameters:
        value()
"""
DEFAULT_CONFTEST = """\
import pytest
from flipdish_sim.plugin.target import Target
from myservice.web import create_app


@pytest.fixture
def flipdish_receiver():
    return Target.from_app(create_app(), url="/webhooks/flipdish")
"""
RECEIVER_MODULE = "from snippet_receiver import create_app\n\napp = create_app()\n"
MARK = re.compile(r"<!-- snippet: not run: (.+?) -->")
RUN_ELSEWHERE = {"<!-- quickstart:main -->", "<!-- quickstart:test -->"}
RUNNABLE = {"python", "sh", "console", "yaml"}


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    language: str
    code: str
    skipped: str | None  # why it is not run, from its marker

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line} ({self.language or 'no language'})"


def blocks(path: Path) -> Iterator[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = re.match(r"^```(\S*)\s*$", lines[i])
        if not opening:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        before = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marked = MARK.fullmatch(before)
        skipped = marked.group(1) if marked else ("run elsewhere" if before in RUN_ELSEWHERE else None)
        yield Block(path, i + 1, opening.group(1), "\n".join(lines[i + 1 : end]) + "\n", skipped)
        i = end + 1


def test_every_block_runs_or_says_why_not(capsys: pytest.CaptureFixture[str]) -> None:
    every = [block for path in DOCUMENTS for block in blocks(path)]
    unmarked = [str(b) for b in every if b.skipped is None and b.language not in RUNNABLE]
    assert unmarked == [], "blocks that do not run need <!-- snippet: not run: <why> --> before them"
    skipped = [b for b in every if b.skipped is not None]
    with capsys.disabled():
        print(f"\ndocs snippets: {len(every) - len(skipped)} run, {len(skipped)} not run (marked):")
        for block in skipped:
            print(f"  {block}: {block.skipped}")


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with served(create_app()) as url:
        yield url


def _substitute(code: str, base: str) -> str:
    for placeholder, replacement in SUBSTITUTIONS:
        code = code.replace(placeholder, replacement.format(base=base))
    return code


def _folder(tmp_path: Path) -> dict[str, str]:
    """The temporary folder's fixtures: the receiver as ``myservice.web``, payload files; the environment."""
    (tmp_path / "myservice").mkdir()
    (tmp_path / "myservice" / "__init__.py").write_text("")
    (tmp_path / "myservice" / "web.py").write_text(RECEIVER_MODULE)
    (tmp_path / "_prelude.py").write_text(PRELUDE)
    (tmp_path / "_run_python.py").write_text(RUN_PYTHON)
    order = json.dumps(example("order.created", seed=1))
    (tmp_path / "order.json").write_text(order)
    (tmp_path / "payloads").mkdir()
    (tmp_path / "payloads" / "order.json").write_text(order)
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        **ENV,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(TESTS)]),
        "NO_COLOR": "1",
    }


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def _is_pytest(code: str) -> bool:
    return "# conftest.py" in code or bool(re.search(r"def test_\w+\([^)]*flipdish_", code))


def _run_pytest(block: Block, code: str, cwd: Path, env: dict[str, str]) -> str | None:
    folder = cwd / f"pytest_{block.line}"
    folder.mkdir()
    conftest, _, tests = code.rpartition("# test_webhooks.py\n")
    (folder / "conftest.py").write_text(conftest if conftest.strip() else DEFAULT_CONFTEST)
    if re.search(r"\bapp\b", tests) and not re.search(r"^app = ", tests, re.MULTILINE):
        tests = "from myservice.web import app\n" + tests
    (folder / "test_snippet.py").write_text(tests)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    options = ["-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function"]
    result = _run([*command, *options, "."], folder, env)
    if result.returncode != 0 or " passed" not in result.stdout:
        return result.stdout[-3000:] + result.stderr[-2000:]
    return None


def _run_console(code: str, cwd: Path, env: dict[str, str]) -> str | None:
    sessions = re.split(r"^\$ ", code, flags=re.MULTILINE)[1:]
    for session in sessions:
        command, *shown = session.splitlines()
        status = next((int(m.group(1)) for line in shown if (m := re.match(r"\(exit status (\d+)", line))), 0)
        result = _run(["bash", "-c", command], cwd, env)
        if result.returncode != status:
            return f"$ {command}\nexit status {result.returncode}, not {status}\n{result.stderr[-2000:]}"
        printed = iter(result.stdout.splitlines())
        for line in shown:
            if line.startswith(("...", "(")):
                continue
            if not any(out == line for out in printed):  # in order: consumes the iterator up to the match
                return f"$ {command}\nthe line {line!r} is not in its output:\n{result.stdout[-3000:]}"
    return None


def _run_block(block: Block, cwd: Path, env: dict[str, str], base: str) -> str | None:
    """Run one block; None when it did what the documentation says, else what went wrong."""
    code = _substitute(block.code, base)
    if block.language == "python":
        if _is_pytest(code):
            return _run_pytest(block, code, cwd, env)
        (cwd / "_snippet.py").write_text(code)
        result = _run([sys.executable, "_run_python.py", "_snippet.py"], cwd, env)
    elif block.language == "sh":
        result = _run(["bash", "-e", "-o", "pipefail", "-c", code], cwd, env)
    elif block.language == "console":
        return _run_console(code, cwd, env)
    else:  # yaml: a scenario file
        scenario = cwd / f"scenario_{block.line}.yaml"
        scenario.write_text(code)
        result = _run(["flipdish-sim", "run", str(scenario), "--url", f"{base}/webhooks"], cwd, env)
    if result.returncode != 0:
        return f"exit status {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return None


def _runnable(path: Path) -> list[Block]:
    return [block for block in blocks(path) if block.skipped is None and block.language in RUNNABLE]


@pytest.mark.slow  # about a minute: some thirty subprocesses, three conformance runs, five pytest runs
@pytest.mark.parametrize(
    "path", [path for path in DOCUMENTS if _runnable(path)], ids=lambda path: str(path.relative_to(ROOT))
)
def test_the_documented_snippets_run(path: Path, base: str, tmp_path: Path) -> None:
    runnable = _runnable(path)
    env = _folder(tmp_path)
    failures = []
    for block in runnable:
        problem = _run_block(block, tmp_path, env, base)
        if problem is not None:
            failures.append(f"{block}:\n{textwrap.indent(problem.strip(), '    ')}")
    assert failures == [], "\n\n".join(failures)
