"""``flipdish-sim demo`` runs unattended, as the README's first command, and tells the whole story."""

from __future__ import annotations

import re
import socket
import subprocess

from receivers import CLI


def test_demo_runs_unattended_and_shows_retries_duplicates_disable_and_re_enable() -> None:
    command = CLI
    args = ["demo", "--no-browser", "--duration", "10", "--port", "0"]
    done = subprocess.run([*command, *args], capture_output=True, text=True, timeout=120, check=False)
    out = done.stdout
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert re.search(r"dashboard: http://127\.0\.0\.1:\d+/dashboard\?token=\S+", out)
    assert "x 302" in out  # a redirect is a failure, never followed
    assert "x timeout" in out
    assert "(retry)" in out
    assert re.search(r"webhook 1 auto-disabled: \d+ of \d+ attempts failed", out)
    assert "{Enabled: true} -> re-enabled" in out
    assert re.search(r"receiver: .* [1-9]\d* duplicates ignored", out)
    assert re.search(r"acknowledged [1-9]\d*, failed attempts [1-9]\d*", out)
    not_sent = r"not sent: \d+ deliver(y|ies) \(\d+ dropped\) of subscription 1 while it was disabled"
    assert re.search(not_sent, out), out


def test_a_taken_port_is_one_error_line_and_exit_2() -> None:
    command = CLI
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["demo", "--no-browser", "--duration", "1", "--port", str(port)]
        done = subprocess.run([*command, *args], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"]
    assert done.stdout == ""
