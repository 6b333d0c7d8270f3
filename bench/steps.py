"""The steps `bench.run` measures, each run as `python -m bench.steps STEP DATA_DIR ...` in its own
process so that its wall time and peak memory are its own. Prints one JSON line of figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from orchestration.paths import DataPaths


def _env(data_dir: Path) -> dict:
    warehouse = DataPaths(data_dir, data_dir / "landing").warehouse
    return {**os.environ, "KPI_DATA_DIR": str(data_dir), "KPI_WAREHOUSE_PATH": str(warehouse)}


def load(data_dir: Path) -> dict:
    from transforms.load import Loader
    from transforms.pseudonymise import load_key

    p = DataPaths(data_dir, data_dir / "landing")
    results = Loader(p.warehouse, p.landing, p.quarantine, p.archive, load_key(p.key_file)).load()
    return {"rows": sum(r.rows_read for r in results), "files": sum(r.status == "loaded" for r in results)}


def build(data_dir: Path) -> dict:
    from orchestration.assets.dbt import DBT_DIR, dbt_executable

    run = subprocess.run([dbt_executable(), "build", "--profiles-dir", str(DBT_DIR), "--quiet"], cwd=DBT_DIR,
                         env=_env(data_dir), capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(run.stdout[-3000:] + run.stderr[-3000:])
    return {}


def publish_(data_dir: Path) -> dict:
    from orchestration.publish import publish

    p = DataPaths(data_dir, data_dir / "landing")
    build = publish(p.warehouse, p.published, run_id="bench")
    return {"bytes": (p.published / build.path).stat().st_size}


def bare_read(data_dir: Path, *files: str) -> dict:
    """The least any load can cost: DuckDB reading the same CSV files once, as text."""
    import duckdb

    rows = 0
    con = duckdb.connect()
    for f in files:
        rows += con.execute("select count(*) from read_csv(?, all_varchar = true, header = true, "
                            "auto_detect = true, ignore_errors = true)", [f]).fetchone()[0]
    return {"rows": rows}


def bare_scan(data_dir: Path) -> dict:
    """The least a build can cost: one pass over every raw table."""
    import duckdb

    p = DataPaths(data_dir, data_dir / "landing")
    con = duckdb.connect(str(p.warehouse), read_only=True)
    rows = 0
    for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'raw' "
                            "and not table_name like '%__history'").fetchall():
        rows += con.execute(f"select count(*), sum(hash(columns(*))) from raw.{t}").fetchone()[0]
    return {"rows": rows}


STEPS = {"load": load, "build": build, "publish": publish_, "bare_read": bare_read, "bare_scan": bare_scan}

if __name__ == "__main__":
    step, data_dir, *rest = sys.argv[1:]
    t = time.perf_counter()
    figures = STEPS[step](Path(data_dir), *rest)
    print(json.dumps({"seconds": time.perf_counter() - t, **figures}))
