"""The dbt project as Dagster assets: every seed and model an asset, every dbt test a check.

The manifest is made when the project is installed (`make install` runs `dbt parse`), not at
import. dbt runs as a subprocess with the venv's own `dbt` executable, building in the pipeline's
working warehouse, whose path it is given as the var `warehouse_path` that profiles.yml reads
(never through this process's environment).
"""

import contextlib
import io
import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration import progress
from orchestration.resources import WarehouseResource
from transforms.publication import REPO

DBT_DIR = REPO / "dbt_project"
dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)

if not dbt_project.manifest_path.exists():
    raise RuntimeError(f"{dbt_project.manifest_path} is missing: run `make install`, which runs `dbt parse`")


def dbt_executable() -> str:
    """The dbt next to this Python (the venv's), whatever PATH says."""
    here = Path(sys.executable).parent / "dbt"
    return str(here) if here.exists() else "dbt"


class Translator(DagsterDbtTranslator):
    """Groups follow the dbt folders: staging, intermediate, marts; seeds are 'reference'."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


# dagster-dbt asks dbt for JSON events on stdout, and dbt then writes its file log as JSON debug events
# too, timings to ten decimals included ("elapsed": 0.0107645895 reads like a CPR number). The file
# log is for a person reading it: the lines dbt prints, as text.
FILE_LOG = ["--log-format-file", "text", "--log-level-file", "info", "--no-use-colors-file"]


# From this many current raw rows on (about 250,000 citizens) dbt builds one model at a time. The
# build is bound by memory there, not by dbt's own overhead: two big models side by side share
# DuckDB's memory budget (profiles.yml) and both spill. At 1,000,000 citizens (20M rows) the build
# took 112 s and 183 s with two threads, 98 s and 108 s with one, at the same peak memory (4.1-4.6
# GiB); at 100,000 citizens (2M rows) one thread costs 6 s (36 s against 30 s), at 5,000 2 s.
ONE_MODEL_AT_A_TIME_ROWS = 5_000_000
THREADS_ENV = "KPI_DBT_THREADS"


def build_threads(warehouse: Path, large: int = ONE_MODEL_AT_A_TIME_ROWS) -> list[str]:
    """dbt's --threads for a build of this warehouse: 1 when its raw layer holds `large` current rows
    or more, else the profile's own (2); KPI_DBT_THREADS, when set, decides instead."""
    chosen = os.environ.get(THREADS_ENV, "").strip()
    if chosen:
        if not chosen.isdigit() or int(chosen) < 1:
            raise ValueError(f"{THREADS_ENV} must be a whole number of at least 1, not {chosen!r}")
        return ["--threads", chosen]
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:  # no warehouse yet (dbt makes it), or a writer holds it: the profile decides
        return []
    with con:
        rows = con.execute("select coalesce(sum(estimated_size), 0) from duckdb_tables() where schema_name = 'raw' "
                           "and not ends_with(table_name, '__history')").fetchone()[0]
    return ["--threads", "1"] if rows >= large else []


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_DIR), dbt_executable=dbt_executable())


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=Translator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    t0 = time.perf_counter()
    models = len(context.selected_asset_keys)
    tests = len(context.selected_asset_check_keys)
    bar = progress.Bar("dbt build", models + tests, " nodes")
    failed = warned = 0
    # dagster-dbt echoes every dbt line on stdout; `make refresh` shows the bar and one line instead
    # (the events are in Dagster's run storage, dbt's own log in the data folder's warehouse/dbt/dbt.log).
    # One target folder per data folder, not dagster-dbt's new one per run: those piled up in
    # dbt_project/target (13 MB a run on the demo), and each run parsed the project from scratch.
    hush = contextlib.redirect_stdout(io.StringIO()) if progress.enabled() else contextlib.nullcontext()
    with hush as sink:
        invocation = dbt.cli(["build", *FILE_LOG, *warehouse_vars(warehouse),
                              *build_threads(warehouse.paths.warehouse)], context=context,
                             target_path=warehouse.paths.dbt_target)
        for event in invocation.stream():
            bar.advance()
            if isinstance(event, dg.AssetCheckResult | dg.AssetCheckEvaluation) and not event.passed:
                if event.severity == dg.AssetCheckSeverity.WARN:
                    warned += 1
                else:
                    failed += 1
            if sink is not None:
                sink.seek(0), sink.truncate()
            yield event
    progress.line("dbt build", seconds=time.perf_counter() - t0,
                  note=f"{models} models and seeds, {tests} tests" + (f", {failed} failed" if failed else "")
                  + (f", {warned} warned" if warned else ""))


def warehouse_vars(warehouse: WarehouseResource) -> list[str]:
    """The run's working warehouse for the dbt profile (profiles.yml: var warehouse_path)."""
    return ["--vars", json.dumps({"warehouse_path": str(warehouse.paths.warehouse)})]
