"""Publish a finished warehouse for the dashboard, atomically; find the current publication.

The pipeline writes `working.duckdb`. Publishing copies it (after a checkpoint, with no writer
open) to `published/builds/<build_id>.duckdb`, then replaces `published/current.json` in one
`os.replace`. A reader opens the build the pointer names, read-only, so it never holds a lock
the pipeline needs and never sees a half-built warehouse. A failed run publishes nothing: the
previous build stays current. The two newest builds are kept.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import duckdb

POINTER = "current.json"
KEEP_BUILDS = 2


@dataclass(frozen=True)
class Build:
    build_id: str
    built_at: str  # ISO timestamp, local time
    path: str  # relative to the published folder
    run_id: str = ""


def publish(working: Path, published: Path, run_id: str = "") -> Build:
    with duckdb.connect(str(working)) as con:
        con.execute("checkpoint")
    now = datetime.now().astimezone()
    build_id = now.strftime("%Y%m%dT%H%M%S") + (f"-{run_id[:8]}" if run_id else "")
    builds = published / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    target = builds / f"{build_id}.duckdb"
    tmp = target.with_suffix(".tmp")
    shutil.copyfile(working, tmp)
    os.chmod(tmp, 0o440)
    os.replace(tmp, target)
    build = Build(build_id, now.isoformat(timespec="seconds"), str(target.relative_to(published)), run_id)
    pointer_tmp = published / (POINTER + ".tmp")
    pointer_tmp.write_text(json.dumps(asdict(build), indent=2) + "\n")
    os.replace(pointer_tmp, published / POINTER)
    for old in sorted(builds.glob("*.duckdb"))[:-KEEP_BUILDS]:
        if old != target:
            old.unlink(missing_ok=True)
    return build


def current_build(published: Path) -> tuple[Build, Path] | None:
    """The current publication and its file, or None if nothing was published yet."""
    try:
        build = Build(**json.loads((published / POINTER).read_text()))
    except FileNotFoundError:
        return None
    return build, published / build.path


LAST_RUN = "last_run.json"


def record_run(published: Path, run_id: str, success: bool, message: str = "") -> None:
    """Record how the latest refresh ended, for the dashboard's data-quality page."""
    published.mkdir(parents=True, exist_ok=True)
    record = {"run_id": run_id, "success": success, "message": message,
              "finished_at": datetime.now().astimezone().isoformat(timespec="seconds")}
    tmp = published / (LAST_RUN + ".tmp")
    tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, published / LAST_RUN)


def last_run(published: Path) -> dict | None:
    try:
        return json.loads((published / LAST_RUN).read_text())
    except FileNotFoundError:
        return None
