"""The Dagster code location: every asset, check, job, schedule and sensor of the product."""


import hashlib
import json

import dagster as dg

from orchestration.assets.dbt import dbt_models, dbt_resource
from orchestration.assets.landing import entity_assets, unrecognised_files
from orchestration.assets.ledger import ingestion_records
from orchestration.assets.publish import published_warehouse
from orchestration.assets.reports import committee_reports, quarter_due
from orchestration.resources import WarehouseResource
from transforms.publication import DataPaths, record_run

# DuckDB takes one writer: every step of a run executes in one process, one after another.
refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(committee_reports),
    executor_def=dg.in_process_executor,
    description="Load new landing files, build, check and publish. What the nightly schedule, "
                "the landing sensor and `make refresh` run.",
    op_retry_policy=dg.RetryPolicy(max_retries=2, delay=30),
)

reports_job = dg.define_asset_job(
    "quarterly_reports",
    selection=dg.AssetSelection.assets(committee_reports),
    executor_def=dg.in_process_executor,
    description="The last complete quarter's committee report for every municipality of the "
                "publication that has none yet. Requested after a refresh by reports_after_a_new_quarter.",
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_refresh", job=refresh_job, cron_schedule="0 2 * * *",
    execution_timezone="Europe/Copenhagen", default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The full refresh every night at 02:00 Copenhagen time.",
)


def _landing_state(landing) -> dict[str, list[float]]:
    """Size and time per file, keyed by a hash of its path: the cursor is stored in Dagster's
    database, and a file name may hold a CPR number."""
    state = {}
    if landing.exists():
        for p in sorted(landing.rglob("*")):
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(landing).parts):
                st = p.stat()
                key = hashlib.sha256(str(p.relative_to(landing)).encode()).hexdigest()[:20]
                state[key] = [st.st_size, st.st_mtime]
    return state


@dg.sensor(job=refresh_job, minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Requests a refresh when files arrive or change in the landing zone. It "
                       "reads only the folder, never the warehouse, so it cannot collide with a run.")
def landing_sensor(context: dg.SensorEvaluationContext):
    state = _landing_state(DataPaths.from_env().landing)
    before = json.loads(context.cursor) if context.cursor else {}
    new = sorted(k for k, v in state.items() if before.get(k) != v)
    context.update_cursor(json.dumps(state))
    if not new:
        return dg.SkipReason("no new or changed files")
    run_key = hashlib.sha256(json.dumps({k: state[k] for k in new}).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=run_key, tags={"trigger": "landing_sensor", "files": str(len(new))})


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[refresh_job],
                      default_status=dg.DefaultSensorStatus.RUNNING)
def record_refresh_success(context: dg.RunStatusSensorContext):
    """Scheduled and sensor-started runs report their outcome to the dashboard, as `make refresh` does."""
    record_run(DataPaths.from_env().published, context.dagster_run.run_id, True)


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[refresh_job],
                      request_job=reports_job, default_status=dg.DefaultSensorStatus.RUNNING)
def reports_after_a_new_quarter(context: dg.RunStatusSensorContext):
    """After a successful refresh whose publication opens a new quarter: that quarter's reports,
    once (the run key is the quarter)."""
    quarter = quarter_due(DataPaths.from_env())
    if quarter is None:
        return dg.SkipReason("every municipality has its report for the last complete quarter")
    return dg.RunRequest(run_key=f"committee_reports-{quarter}", tags={"quarter": quarter})


@dg.run_failure_sensor(monitored_jobs=[refresh_job], default_status=dg.DefaultSensorStatus.RUNNING)
def record_refresh_failure(context: dg.RunFailureSensorContext):
    from transforms.ingestion.load import blocked_report

    paths = DataPaths.from_env()
    record_run(paths.published, context.dagster_run.run_id, False,
               context.failure_event.message or "the refresh failed", blocked_report(paths.warehouse))


defs = dg.Definitions(
    assets=[*entity_assets, unrecognised_files, ingestion_records, dbt_models, published_warehouse,
            committee_reports],
    jobs=[refresh_job, reports_job],
    schedules=[nightly_schedule],
    sensors=[landing_sensor, record_refresh_success, reports_after_a_new_quarter, record_refresh_failure],
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
)
