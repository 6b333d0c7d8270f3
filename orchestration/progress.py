"""What `make refresh` prints for a person: one line per step, and a bar while a long step runs.

The refresh job's Dagster log (DEBUG and all) stays in Dagster's run storage, and on the console
with `make refresh VERBOSE=1`; this module is the short version. It prints only once
`enable()` has been called (orchestration.refresh does, in the process that runs the job), so
runs started by the daemon or by tests print nothing here. The bar is drawn only on a terminal
and only for a step that takes longer than a moment (national scale); otherwise just the line.
"""

from __future__ import annotations

import sys
import time

_enabled = False
_out = sys.stdout  # where the lines go: the console as it was when enabled, even while a step hushes stdout
_BAR_AFTER_S = 2.0  # a step shorter than this shows no bar
_WIDTH = 28


def enable(on: bool = True) -> None:
    global _enabled, _out
    _enabled, _out = on, sys.stdout


def enabled() -> bool:
    return _enabled


def _fmt(n: int) -> str:
    return f"{n:,}"


def line(step: str, *, files: int | None = None, rows: int | None = None, quarantined: int | None = None,
         seconds: float, note: str = "") -> None:
    """One line for a finished step: what it took in, what it rejected, how long it took."""
    if not _enabled:
        return
    parts = []
    if files is not None:
        parts.append(f"{files} file{'' if files == 1 else 's'}")
    if rows is not None:
        parts.append(f"{_fmt(rows)} rows")
    if quarantined is not None:
        parts.append(f"{_fmt(quarantined)} quarantined")
    if note:
        parts.append(note)
    Bar.clear()
    print(f"  {step:<28} {', '.join(parts):<58} {seconds:6.1f} s", file=_out, flush=True)


class Bar:
    """A progress bar on stderr, redrawn in place; nothing when stderr is not a terminal."""

    _drawn = False

    def __init__(self, label: str, total: float, unit: str = ""):
        self.label, self.total, self.unit = label, max(total, 1), unit
        self.done = 0.0
        self.t0 = time.perf_counter()
        self.tty = _enabled and sys.stderr.isatty()

    def advance(self, amount: float = 1, done: float | None = None) -> None:
        self.done = done if done is not None else self.done + amount
        if not self.tty or time.perf_counter() - self.t0 < _BAR_AFTER_S:
            return
        share = min(self.done / self.total, 1.0)
        filled = int(share * _WIDTH)
        count = f"{_fmt(int(self.done))}/{_fmt(int(self.total))}{self.unit}"
        sys.stderr.write(f"\r  {self.label:<28} [{'#' * filled}{'.' * (_WIDTH - filled)}] {share:4.0%} {count}"
                         f"  {time.perf_counter() - self.t0:5.0f} s\x1b[K")
        sys.stderr.flush()
        Bar._drawn = True

    @classmethod
    def clear(cls) -> None:
        if cls._drawn:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            cls._drawn = False
