"""One writer at a time: the refresh lock, and the data folder kept owner-only.

DuckDB lets one process write the working warehouse. A second refresh (a `make refresh` while the
02:00 schedule runs, the landing sensor firing during `make accept`) would fail on DuckDB's own
lock halfway through, or make the first one fail. Every writer therefore takes
`<data>/warehouse/refresh.lock` (an flock, released by the kernel when the process ends, so a
killed run leaves nothing to clean up) for its whole duration:
- `python -m orchestration.refresh` and `make accept` ask once and, if a refresh runs, exit at
  once with a clear message (exit code 75, "try again later"), touching nothing;
- a run started by the Dagster daemon (schedule, sensor) takes the lock in the warehouse
  resource and waits for it (up to `KPI_REFRESH_WAIT_SECONDS`, default one hour).
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from transforms.publication import DataPaths

BUSY_EXIT = 75  # EX_TEMPFAIL


class RefreshBusyError(RuntimeError):
    pass


def secure(paths: DataPaths) -> None:
    """The data folder and everything the pipeline writes in it, readable by the owner only."""
    os.umask(0o077)
    for d in (paths.root, paths.warehouse.parent, paths.published, paths.dagster_home, paths.quarantine,
              paths.archive, paths.key_file.parent):
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(d, 0o700)


def lock_path(paths: DataPaths) -> Path:
    return paths.warehouse.parent / "refresh.lock"


def holder(paths: DataPaths) -> str:
    try:
        return lock_path(paths).read_text().strip() or "unknown"
    except OSError:
        return "unknown"


@contextmanager
def refresh_lock(paths: DataPaths, what: str, wait_seconds: float = 0.0):
    """Hold the refresh lock for `what`; raise RefreshBusyError if another writer holds it past the wait."""
    secure(paths)
    path = lock_path(paths)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait_seconds
    held = False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RefreshBusyError(f"another refresh is running ({holder(paths)}); {what} did nothing. "
                                      "Try again when it has finished.") from None
                time.sleep(min(2.0, max(0.05, deadline - time.monotonic())))
        held = True
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{what}, pid {os.getpid()}, since {datetime.now():%d-%m-%Y %H:%M:%S}\n".encode(), 0)
        yield
    finally:
        if held:
            os.ftruncate(fd, 0)  # an empty lock file: nobody holds it
        os.close(fd)  # releases the lock


def wait_seconds() -> float:
    return float(os.environ.get("KPI_REFRESH_WAIT_SECONDS", 3600))
