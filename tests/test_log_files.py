"""Log files: created 0600 (they hold tokens and secrets); unwritable or garbage logs are one line, exit 2.

The commands run as real subprocesses. As root, permission bits do not stop writes, so a read-only file
or folder is a read-only bind mount inside a private mount namespace (``unshare -m``); as another user
it is ``chmod``.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import receivers
from receivers import CLI

from flipdish_sim.simulator.log._store import Store

ROOT = os.geteuid() == 0


def _cli(*args: str, read_only: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [*CLI, *args]
    if read_only is not None:
        if ROOT:
            if shutil.which("unshare") is None:
                pytest.skip("root without unshare: no way to make a file read-only")
            script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
            command = ["unshare", "-m", "sh", "-c", script, "sh", str(read_only), *command]
        else:
            read_only.chmod(0o555 if read_only.is_dir() else 0o444)
    env = {**os.environ, "FLIPDISH_SIM_VERIFY_TOKEN": "tok-0123456789abcdef"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=False)
    if done.returncode != 2 and "unshare" in done.stderr:  # pragma: no cover - no mount namespaces here
        pytest.skip(f"cannot make a read-only mount: {done.stderr.strip()}")
    return done


def _log_with_a_subscription(path: Path) -> None:
    with Store(path) as store:
        store.add_subscription(
            callback_url="http://127.0.0.1:9/hook",
            family="legacy",
            event_names=["order.created"],
            created_at=datetime.now(UTC),
            enabled=False,
        )


def _one_error_line(done: subprocess.CompletedProcess[str], expected: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: ")
    assert expected in lines[0]


@pytest.mark.parametrize(
    "command",
    [
        ["run", "order-lifecycle", "--url", "http://127.0.0.1:9/x", "--db", "{db}"],
        ["send", "order.created", "--url", "http://127.0.0.1:9/x", "--db", "{db}"],
        ["subscriptions", "enable", "1", "--db", "{db}"],
        ["subscriptions", "disable", "1", "--db", "{db}"],
    ],
)
def test_a_read_only_log_is_one_error_line(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "log.db"
    _log_with_a_subscription(db)
    before = db.read_bytes()
    done = _cli(*(part.format(db=db) for part in command), read_only=db)
    _one_error_line(done, "is read-only")
    assert db.read_bytes() == before


@pytest.mark.parametrize("command", [["run", "order-lifecycle"], ["send", "order.created"]])
def test_a_new_log_in_a_read_only_folder_is_one_error_line(tmp_path: Path, command: list[str]) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    with receivers.ok(200) as receiver:
        done = _cli(*command, "--url", receiver.url, "--db", str(folder / "new.db"), read_only=folder)
    _one_error_line(done, "is read-only")
    assert receiver.requests == [], "nothing is sent when the log cannot be written"
    folder.chmod(0o755)


def test_serve_on_a_garbage_file_exits_2(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is no database\n" * 100)
    done = _cli("serve", "--db", str(garbage), "--port", "0")
    _one_error_line(done, "not a flipdish-sim log")


def test_a_run_log_and_its_companions_are_private(tmp_path: Path) -> None:
    db = tmp_path / "run.db"
    with receivers.ok(200) as receiver:
        done = _cli("run", "order-lifecycle", "--url", receiver.url, "--db", str(db), "--no-progress")
    assert done.returncode == 0, done.stderr
    files = [p for p in tmp_path.iterdir() if p.name.startswith("run.db")]
    assert db in files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
