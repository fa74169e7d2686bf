"""One writer per log: an advisory lock on a sidecar file ``<log>.lock`` that names the owner's pid.

Two processes sending from one log would both deliver its pending attempts (and each would mark the
other's in-flight attempts ``interrupted``). So the process that writes a log holds an exclusive
``flock`` on ``<log>.lock`` for as long as it has the log open; a second writer is refused at once with
one line naming the holder's pid. The kernel drops the lock when its process dies, ``kill -9`` included:
a stale lock file is simply taken over by the next run (which then resumes the log). Readers (``logs
export``, ``subscriptions list``) take no lock: SQLite's write-ahead log lets them read meanwhile.

The lock file is created 0600 next to the log and removed by its owner on release (a new owner checks
that the file it locked is still the one at that path). Without ``fcntl`` (Windows) there is no lock.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from flipdish_sim.errors import UsageError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["LogInUseError", "LogLock", "create_private", "lock_path"]


class LogInUseError(UsageError):
    """Another live process writes this log."""


def lock_path(log: str | Path) -> Path:
    """The sidecar lock file of ``log``."""
    path = Path(log)
    return path.with_name(f"{path.name}.lock")


class LogLock:
    """The exclusive lock of one log for this process: :meth:`acquire`, later :meth:`release`."""

    def __init__(self, log: str | Path) -> None:
        self.log = Path(log)
        self.path = lock_path(log)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`LogInUseError` naming the pid that holds it."""
        if fcntl is None or self._fd is not None:  # pragma: no cover - Windows
            return
        for _ in range(100):  # a releasing owner may remove the file between our open and our flock
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _read_pid(fd)
                os.close(fd)
                who = f"process {holder}" if holder else "another process"
                raise LogInUseError(
                    f"the log {self.log} is in use by {who} (one writer at a time); wait for it to finish,"
                    " or use another --db"
                ) from None
            if _same_file(fd, self.path):
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
                self._fd = fd
                return
            os.close(fd)
        raise LogInUseError(f"the log {self.log} could not be locked: its lock file keeps changing")

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as err:
            raise UsageError(f"cannot lock the log {self.log}: {err.strerror or err}") from err

    def release(self) -> None:
        """Let the next process have the log: the lock file is removed, then the lock dropped."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    """The locked descriptor is still the file at ``path`` (not one a previous owner removed)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def create_private(path: str) -> None:
    """Create an absent log file 0600 (SQLite gives its -wal and -shm files the same mode)."""
    if path == ":memory:" or path.startswith("file:") or os.path.exists(path):
        return
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
