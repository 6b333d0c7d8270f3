"""The Dagster code location: assets, checks, sensor, schedule and the publication step."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.assets.landing import entity_assets, unrecognised_files
from orchestration.assets.publish import published_warehouse
from orchestration.definitions import defs, landing_sensor, nightly_schedule
from orchestration.resources import WarehouseResource
from tests.conftest import make_landing

ASSETS = [*entity_assets, unrecognised_files, published_warehouse]


def test_the_code_location_loads_with_every_entity_as_an_asset_grouped_by_source():
    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert {f"raw/{e}" for e in ("forloeb", "samtaler", "boligforloeb", "deltagere")} <= keys
    assert "published_warehouse" in keys
    groups = {a.key.to_user_string(): a.group_names_by_key[a.key] for a in entity_assets}
    assert groups["raw/forloeb"] == "jobcenter" and groups["raw/bostoette"] == "bolig"
    assert groups["raw/forsoeg_maal"] == "forsoeg"


def test_nightly_schedule_runs_the_refresh_at_two_copenhagen_time():
    assert nightly_schedule.cron_schedule == "0 2 * * *"
    assert nightly_schedule.execution_timezone == "Europe/Copenhagen"
    assert nightly_schedule.job_name == "refresh"
    # the reports are their own job, requested after a refresh: the refresh renders none
    refresh = defs.resolve_job_def("refresh")
    assert "committee_reports" not in {k.to_user_string() for k in refresh.asset_layer.selected_asset_keys}


def test_landing_sensor_requests_a_refresh_when_files_arrive_or_change(tmp_path, monkeypatch):
    monkeypatch.setenv("KPI_LANDING_DIR", str(tmp_path))
    (tmp_path / "jobcenter").mkdir()
    (tmp_path / "jobcenter" / "forloeb_20250101.csv").write_text("forloeb_id\n")
    ctx = dg.build_sensor_context(cursor=None)
    first = landing_sensor(ctx)
    assert isinstance(first, dg.RunRequest)
    second = landing_sensor(dg.build_sensor_context(cursor=ctx.cursor))
    assert isinstance(second, dg.SkipReason)
    (tmp_path / "jobcenter" / "samtaler_20250102.csv").write_text("samtale_id\n")
    third = landing_sensor(dg.build_sensor_context(cursor=ctx.cursor))
    assert isinstance(third, dg.RunRequest) and third.run_key != first.run_key


def _checks(result) -> dict[str, bool]:
    return {f"{e.asset_check_evaluation_data.asset_key.to_user_string()}:{e.asset_check_evaluation_data.check_name}":
            e.asset_check_evaluation_data.passed
            for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}


def test_the_landing_zone_is_scanned_once_per_run_for_all_thirteen_loads(tmp_path):
    # each load asset used to rescan the whole landing tree: 13 scans a run
    data = tmp_path / "data"
    make_landing(data / "landing", 300)
    loads = [*entity_assets, unrecognised_files]
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(loads, resources={"warehouse": WarehouseResource(data_dir=str(data))}, instance=instance)
    assert result.success
    scans = [e.user_message for e in instance.all_logs(result.run_id)
             if e.user_message.startswith("landing zone scanned")]
    assert len(scans) == 1, scans
    loaded = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert loaded == {a.key.to_user_string() for a in loads}


def test_a_failing_blocking_check_keeps_the_previous_publication(tmp_path):
    data = tmp_path / "data"
    make_landing(data / "landing", 1500, bad_rate=0.002, bad_files=True)
    resources = {"warehouse": WarehouseResource(data_dir=str(data))}
    ok = dg.materialize(ASSETS, resources=resources)
    assert ok.success
    checks = _checks(ok)
    assert checks["raw/forloeb:quarantine_rate"] and checks["raw/samtaler:keys_unique"]
    assert checks["raw/forloeb:rows_match_ledger"]
    assert checks["raw/planer:files_readable"] is False  # a warning: a binary 'planer' file
    pointer = data / "warehouse" / "published" / "current.json"
    published = json.loads(pointer.read_text())

    # a file with a third of its rows broken arrives: the load check must stop publication
    header = ("forloeb_id;cpr;kommunekode;maalgruppe;startdato;slutdato;afslutningsaarsag;ny_maalgruppe;"
              "sagsbehandler_id;opdateret\n")
    rows = [f"X{i};010190-1234;573;{'2.11' if i % 3 else '9.99'};01-01-2025;;;;SB1;02-11-2026" for i in range(30)]
    (data / "landing" / "jobcenter" / "forloeb_20261102.csv").write_text(header + "\n".join(rows) + "\n")
    bad = dg.materialize(ASSETS, resources=resources, raise_on_error=False)
    assert not bad.success
    assert _checks(bad)["raw/forloeb:quarantine_rate"] is False
    materialized = {e.asset_key.to_user_string() for e in bad.get_asset_materialization_events()}
    assert "published_warehouse" not in materialized
    assert json.loads(pointer.read_text()) == published
    assert os.path.exists(data / "warehouse" / "published" / published["path"])


def _graph_snapshot() -> dict:
    repo = defs.get_repository_def()
    graph = repo.asset_graph
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        if not node.is_materializable:
            continue
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
        }
    checks = sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys)
    return {
        "assets": assets,
        "checks": checks,
        "jobs": sorted(j.name for j in repo.get_all_jobs() if not j.name.startswith("__")),
        "schedules": {s.name: [s.cron_schedule, s.execution_timezone, s.job_name] for s in repo.schedule_defs},
        "sensors": sorted(s.name for s in repo.sensor_defs),
    }


def test_the_asset_graph_matches_its_reviewed_snapshot():
    """Assets, dependencies, groups, checks, jobs, schedules and sensors as reviewed. After an
    intended change: UPDATE_SNAPSHOTS=1 pytest tests/test_orchestration.py, and review the diff."""
    path = Path(__file__).parent / "snapshots" / "asset_graph.json"
    current = _graph_snapshot()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    assert current == json.loads(path.read_text())


def test_a_national_scale_warehouse_is_built_one_model_at_a_time(tmp_path, monkeypatch):
    from orchestration.assets.dbt import THREADS_ENV, build_threads

    monkeypatch.delenv(THREADS_ENV, raising=False)
    warehouse = tmp_path / "working.duckdb"
    assert build_threads(warehouse) == []  # no warehouse yet: the profile's threads
    assert not warehouse.exists()
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw; create table raw.samtaler as select range as id from range(600); "
                    "create table raw.samtaler__history as select range as id from range(5000)")
    assert build_threads(warehouse, large=1000) == []  # 600 current rows; the history does not count
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table raw.indsatser as select range as id from range(400)")
    assert build_threads(warehouse, large=1000) == ["--threads", "1"]
    with duckdb.connect(str(warehouse)) as con:  # a writer holds it: no error, the profile decides
        assert build_threads(warehouse, large=1000) == []
    monkeypatch.setenv(THREADS_ENV, "3")
    assert build_threads(warehouse, large=1000) == ["--threads", "3"]
    monkeypatch.setenv(THREADS_ENV, "0")
    with pytest.raises(ValueError, match=THREADS_ENV):
        build_threads(warehouse)
