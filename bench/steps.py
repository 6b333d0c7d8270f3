"""The steps `bench.run` measures, each run as `python -m bench.steps STEP DATA_DIR ...` in its own
process so that its wall time and peak memory are its own. Prints one JSON line of figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from transforms.publication import DataPaths


def _env(data_dir: Path) -> dict:
    warehouse = DataPaths(data_dir, data_dir / "landing").warehouse
    return {**os.environ, "KPI_DATA_DIR": str(data_dir), "KPI_WAREHOUSE_PATH": str(warehouse)}


def load(data_dir: Path) -> dict:
    from transforms.ingestion.load import Loader
    from transforms.ingestion.pseudonymise import load_key

    p = DataPaths(data_dir, data_dir / "landing")
    results = Loader(p.warehouse, p.landing, p.quarantine, p.archive, load_key(p.key_file)).load()
    return {"rows": sum(r.rows_read for r in results), "files": sum(r.status == "loaded" for r in results)}


def build(data_dir: Path) -> dict:
    """dbt build as the refresh job runs it (with the job's choice of threads)."""
    from orchestration.assets.dbt import DBT_DIR, build_threads, dbt_executable

    threads = build_threads(DataPaths(data_dir, data_dir / "landing").warehouse)
    run = subprocess.run([dbt_executable(), "build", "--profiles-dir", str(DBT_DIR), "--quiet", *threads], cwd=DBT_DIR,
                         env=_env(data_dir), capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(run.stdout[-3000:] + run.stderr[-3000:])
    return {}


def build_empty(data_dir: Path) -> dict:
    """dbt's fixed cost: every model and test built on zero rows (`dbt build --empty`)."""
    from orchestration.assets.dbt import DBT_DIR, dbt_executable

    run = subprocess.run([dbt_executable(), "build", "--empty", "--profiles-dir", str(DBT_DIR), "--quiet"],
                         cwd=DBT_DIR, env=_env(data_dir), capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(run.stdout[-3000:] + run.stderr[-3000:])
    return {}


def job_steps(data_dir: Path) -> dict:
    """Where the latest `refresh` run of a data folder spent its time, from Dagster's run storage."""
    os.environ["DAGSTER_HOME"] = str(DataPaths(data_dir, data_dir / "landing").dagster_home)
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(dg.RunsFilter(job_name="refresh"), limit=1)[0]
        stats = instance.get_run_stats(run.run_id)
        steps = instance.get_run_step_stats(run.run_id)
    part = {"load": 0.0, "dbt": 0.0, "publish": 0.0}
    for st in steps:
        name = "dbt" if st.step_key == "dbt_models" else "publish" if st.step_key == "published_warehouse" else "load"
        part[name] += (st.end_time or st.start_time) - st.start_time
    run_s = stats.end_time - stats.launch_time if stats.launch_time else stats.end_time - stats.start_time
    return {"run_id": run.run_id, "status": run.status.value, "run_s": round(run_s, 2),
            **{f"{k}_s": round(v, 2) for k, v in part.items()},
            "between_steps_s": round(run_s - sum(part.values()), 2), **dbt_nodes(data_dir)}


def dbt_nodes(data_dir: Path, top: int = 5) -> dict:
    """Where dbt's time went in the data folder's latest build (its run_results.json): the node
    seconds of models and of tests (two threads: they add up to more than the build's wall time),
    and the slowest models."""
    results = DataPaths(data_dir, data_dir / "landing").dbt_target / "run_results.json"
    if not results.exists():
        return {}
    nodes = json.loads(results.read_text())["results"]
    models = sorted(((r["execution_time"], r["unique_id"].split(".")[-1]) for r in nodes
                     if r["unique_id"].startswith("model.")), reverse=True)
    return {"dbt_model_node_s": round(sum(t for t, _ in models), 1),
            "dbt_test_node_s": round(sum(r["execution_time"] for r in nodes if r["unique_id"].startswith("test.")), 1),
            "dbt_slowest_models": [[name, round(t, 1)] for t, name in models[:top]]}


def publish_(data_dir: Path) -> dict:
    from transforms.publication import publish

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


STEPS = {"load": load, "build": build, "build_empty": build_empty, "publish": publish_, "bare_read": bare_read,
         "bare_scan": bare_scan, "job_steps": job_steps}

if __name__ == "__main__":
    step, data_dir, *rest = sys.argv[1:]
    t = time.perf_counter()
    figures = STEPS[step](Path(data_dir), *rest)
    print(json.dumps({"seconds": time.perf_counter() - t, **figures}))
