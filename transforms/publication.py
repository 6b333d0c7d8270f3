"""The publication protocol: how the pipeline hands a finished warehouse to the dashboard, and
how the dashboard finds it. The one module both sides import for it; no Dagster import, so the
dashboard and the committee report load it without the pipeline.

Where the data lives (`DataPaths`, from the environment):
KPI_DATA_DIR    the data folder (default: <repo>/data)
KPI_LANDING_DIR where exports arrive (default: $KPI_DATA_DIR/landing); point it at the folder
                the municipality's source systems drop their files into.

The pipeline writes `working.duckdb` and nothing else reads it. Publishing (`publish`, the
published_warehouse asset) copies what the dashboard reads, and nothing else, into a new DuckDB
file `published/builds/<build_id>.duckdb`: the schemas in PUBLISHED_SCHEMAS (the marts, the
data-quality marts among them, and the reference seeds), table by table with their documentation.
The raw layer (pseudonyms, free text), the person-level intermediate and staging tables and the
ops tables stay in the working warehouse. A new file, rather than a copy with schemas dropped,
because a dropped table's pages may stay in the file. Then `published/current.json` is replaced in
one `os.replace`. A reader finds the build the pointer names (`current_build`) and opens it
read-only (`open_build`), so it never holds a lock the pipeline needs and never sees a half-built
warehouse. A failed run publishes nothing: the previous build stays current, the last good build.
The KEEP_BUILDS newest builds are kept (a reader that opened the one before keeps reading it), and
`published/last_run.json` says how the latest refresh ended (`record_run`, `last_run`).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DataPaths:
    """The data folder's layout, which the pipeline and the dashboard agree on."""

    root: Path
    landing: Path

    @classmethod
    def from_env(cls) -> DataPaths:
        root = Path(os.environ.get("KPI_DATA_DIR", REPO / "data")).resolve()
        landing = Path(os.environ.get("KPI_LANDING_DIR", root / "landing")).resolve()
        return cls(root, landing)

    @property
    def warehouse(self) -> Path:
        """The working warehouse the pipeline writes; never read by the dashboard."""
        return self.root / "warehouse" / "working.duckdb"

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder for this data folder's builds: compiled SQL, run results, dbt.log and
        the partial-parse cache that spares each refresh a full parse. One folder, reused by every
        run (the refresh lock lets one run at a time), instead of a new one per run."""
        return self.root / "warehouse" / "dbt"

    @property
    def published(self) -> Path:
        """Finished, read-only builds for the dashboard, and the pointer to the current one."""
        return self.root / "warehouse" / "published"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def key_file(self) -> Path:
        return self.root / "secrets" / "pseudonym.key"

    @property
    def reports(self) -> Path:
        """The committee reports (dashboards.report), one PDF per municipality and quarter."""
        return self.root / "reports"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"


POINTER = "current.json"
KEEP_BUILDS = 2
PUBLISHED_SCHEMAS = ("marts", "reference")


@dataclass(frozen=True)
class Build:
    build_id: str
    built_at: str  # ISO timestamp, local time
    path: str  # relative to the published folder
    run_id: str = ""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def copy_published_schemas(working: Path, target: Path) -> None:
    """Write the dashboard's schemas of the working warehouse into a new DuckDB file."""
    target.unlink(missing_ok=True)
    with duckdb.connect(str(working)) as con:  # no writer is open: the refresh lock is ours
        con.execute(f"attach {_literal(str(target))} as build")
        db = con.execute("select current_database()").fetchone()[0]
        schemas = ", ".join(_literal(s) for s in PUBLISHED_SCHEMAS)
        relations = con.execute(f"""
            select schema_name, table_name, comment from duckdb_tables()
            where database_name = ? and schema_name in ({schemas})
            union all
            select schema_name, view_name, comment from duckdb_views()
            where database_name = ? and schema_name in ({schemas}) and not internal
            order by 1, 2""", [db, db]).fetchall()
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema build.{_quote(schema)}")
        for schema, name, comment in relations:
            rel = f"{_quote(schema)}.{_quote(name)}"
            con.execute(f"create table build.{rel} as select * from {_quote(db)}.{rel}")
            if comment:
                con.execute(f"comment on table build.{rel} is {_literal(comment)}")
            for column, col_comment in con.execute(
                    "select column_name, comment from duckdb_columns() where database_name = ? and schema_name = ? "
                    "and table_name = ? and comment is not null", [db, schema, name]).fetchall():
                con.execute(f"comment on column build.{rel}.{_quote(column)} is {_literal(col_comment)}")
        con.execute("detach build")


def publish(working: Path, published: Path, run_id: str = "") -> Build:
    now = datetime.now().astimezone()
    build_id = now.strftime("%Y%m%dT%H%M%S") + (f"-{run_id[:8]}" if run_id else "")
    builds = published / "builds"
    builds.mkdir(parents=True, exist_ok=True, mode=0o700)
    for d in (published, builds):
        os.chmod(d, 0o700)
    target = builds / f"{build_id}.duckdb"
    tmp = target.with_suffix(".tmp")
    copy_published_schemas(working, tmp)
    os.chmod(tmp, 0o400)
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


def open_build(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a published build: a reader's only way in (a build never changes)."""
    return duckdb.connect(str(path), read_only=True)


LAST_RUN = "last_run.json"


def record_run(published: Path, run_id: str, success: bool, message: str = "",
               blocked: list[dict] | None = None) -> None:
    """Record how the latest refresh ended, for the dashboard's data-quality page.

    `blocked`: the files that stop publication, with their rejected lines
    (transforms.ingestion.load.blocked_report); the failed refresh published nothing that could show them.
    """
    published.mkdir(parents=True, exist_ok=True, mode=0o700)
    record = {"run_id": run_id, "success": success, "message": message,
              "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"),
              "blocked": blocked or []}
    tmp = published / (LAST_RUN + ".tmp")
    tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, published / LAST_RUN)


def last_run(published: Path) -> dict | None:
    try:
        return json.loads((published / LAST_RUN).read_text())
    except FileNotFoundError:
        return None
