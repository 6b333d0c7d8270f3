"""The publication protocol (transforms.publication) and the layout that keeps its sides apart.

The pipeline publishes through transforms.publication and the dashboard reads through it; the
dashboard's processes must not load Dagster or the pipeline's code, and the generator and
ingestion share only the landing contract.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import REPO
from transforms.publication import (
    KEEP_BUILDS,
    POINTER,
    DataPaths,
    current_build,
    last_run,
    open_build,
    publish,
    record_run,
)


def _working(path, value: int) -> None:
    """A small working warehouse: a mart and a seed with comments, and what must stay behind."""
    with duckdb.connect(str(path)) as con:
        for schema in ("marts", "reference", "raw", "ops", "intermediate"):
            con.execute(f"create schema {schema}")
        con.execute("create table marts.kpi_x as select ? as value", [value])
        con.execute("comment on table marts.kpi_x is 'a mart'")
        con.execute("comment on column marts.kpi_x.value is 'its value'")
        con.execute("create view marts.kpi_x_view as select value * 2 as doubled from marts.kpi_x")
        con.execute("create table reference.ref_kpi as select 'X' as kpi_code")
        con.execute("create table raw.forloeb as select 'pseudonym' as cpr_pseudonym")
        con.execute("create table ops.ledger as select 1 as file_id")
        con.execute("create table intermediate.int_person as select 1 as person")


def test_a_build_is_published_whole_swapped_in_and_read_only(tmp_path):
    paths = DataPaths(tmp_path, tmp_path / "landing")
    paths.warehouse.parent.mkdir(parents=True)
    assert current_build(paths.published) is None  # nothing published yet

    _working(paths.warehouse, 1)
    first = publish(paths.warehouse, paths.published, run_id="aaaaaaaa-1")
    build, path = current_build(paths.published)
    assert build == first and path == paths.published / first.path
    assert json.loads((paths.published / POINTER).read_text())["build_id"] == first.build_id
    reader = open_build(path)
    schemas = {s for (s,) in reader.execute("select distinct schema_name from duckdb_tables()").fetchall()}
    assert schemas == {"marts", "reference"}  # raw, ops and person-level models stay behind
    assert reader.execute("select value from marts.kpi_x").fetchall() == [(1,)]
    assert reader.execute("select doubled from marts.kpi_x_view").fetchall() == [(2,)]
    assert reader.execute("select comment from duckdb_tables() where table_name = 'kpi_x'").fetchone() == ("a mart",)
    assert reader.execute("select comment from duckdb_columns() where table_name = 'kpi_x'").fetchone() == (
        "its value",)
    with pytest.raises(duckdb.Error, match="read-only"):
        reader.execute("create table marts.y as select 1")
    assert oct(os.stat(path).st_mode & 0o777) == "0o400"

    # the next builds replace the pointer; a reader of an earlier build keeps reading it
    os.remove(paths.warehouse)
    _working(paths.warehouse, 2)
    second = publish(paths.warehouse, paths.published, run_id="bbbbbbbb-2")
    assert current_build(paths.published)[0] == second
    assert reader.execute("select value from marts.kpi_x").fetchall() == [(1,)]
    reader.close()
    third = publish(paths.warehouse, paths.published, run_id="cccccccc-3")
    kept = sorted(p.name for p in (paths.published / "builds").iterdir())
    assert len(kept) == KEEP_BUILDS and kept[-1] == f"{third.build_id}.duckdb"
    assert f"{first.build_id}.duckdb" not in kept
    with open_build(current_build(paths.published)[1]) as con:
        assert con.execute("select value from marts.kpi_x").fetchall() == [(2,)]


def test_a_failed_run_is_recorded_and_the_last_good_build_stays_current(tmp_path):
    paths = DataPaths(tmp_path, tmp_path / "landing")
    paths.warehouse.parent.mkdir(parents=True)
    assert last_run(paths.published) is None
    _working(paths.warehouse, 1)
    good = publish(paths.warehouse, paths.published, run_id="aaaaaaaa")
    record_run(paths.published, "aaaaaaaa", True)
    record_run(paths.published, "bbbbbbbb", False, "check failed: x", [{"file": "a.csv"}])
    run = last_run(paths.published)
    assert (run["run_id"], run["success"], run["message"], run["blocked"]) == (
        "bbbbbbbb", False, "check failed: x", [{"file": "a.csv"}])
    assert current_build(paths.published)[0] == good


def _modules_after(imports: str, tmp_path) -> set[str]:
    code = f"import sys\n{imports}\nprint('\\n'.join(sys.modules))"
    env = {**os.environ, "KPI_DATA_DIR": str(tmp_path / "data")}
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return set(run.stdout.split())


def test_the_dashboard_and_the_report_load_neither_dagster_nor_the_pipeline(tmp_path):
    loaded = _modules_after("import dashboards.app, dashboards.report.__main__, dashboards.users", tmp_path)
    assert "transforms.publication" in loaded  # the protocol, and nothing else of the pipeline
    assert not {m for m in loaded if m.split(".")[0] in ("dagster", "dagster_dbt", "dbt", "orchestration")}
    assert not {m for m in loaded if m.startswith(("transforms.ingestion", "transforms.generator"))}


def test_the_generator_and_ingestion_share_only_the_contract(tmp_path):
    generator = _modules_after("import transforms.generator.generate", tmp_path)
    assert "transforms.contract" in generator
    assert not {m for m in generator if m.startswith(("transforms.ingestion", "transforms.publication"))}
    ingestion = _modules_after("import transforms.ingestion.load", tmp_path)
    assert "transforms.contract" in ingestion
    assert not {m for m in ingestion if m.startswith(("transforms.generator", "transforms.publication"))}
