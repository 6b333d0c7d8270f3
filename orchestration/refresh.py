"""Run the refresh job once, as the nightly schedule does: `python -m orchestration.refresh [--verbose]`.

Runs are recorded in DAGSTER_HOME (default data/dagster_home), so they show in the Dagster UI's
run history with their full log. Exits 0 when the run succeeded and published, 1 otherwise, and
75 without doing anything when another refresh (or `make accept`) holds the warehouse (see
orchestration.lock).

It prints one line per step (files, rows, quarantined, time; orchestration.progress), a progress
bar on a terminal while a long step runs, failed and warning checks, and the outcome. `--verbose`
(`make refresh VERBOSE=1`) prints Dagster's whole log on the console as well.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description="Run the refresh job once.")
    args.add_argument("--verbose", action="store_true", help="print Dagster's whole log (DEBUG) on the console")
    verbose = args.parse_args(argv).verbose
    t0 = time.perf_counter()
    from orchestration.lock import BUSY_EXIT, RefreshBusyError, refresh_lock, secure
    from transforms.publication import DataPaths, record_run

    paths = DataPaths.from_env()
    secure(paths)
    try:  # ask once; the run itself takes the lock in the warehouse resource
        with refresh_lock(paths, "make refresh"):
            pass
    except RefreshBusyError as exc:
        print(exc, file=sys.stderr)
        return BUSY_EXIT
    home = paths.dagster_home
    os.environ.setdefault("DAGSTER_HOME", str(home))
    os.makedirs(os.environ["DAGSTER_HOME"], mode=0o700, exist_ok=True)
    config = os.path.join(os.environ["DAGSTER_HOME"], "dagster.yaml")
    if not os.path.exists(config):  # defaults (run storage in DAGSTER_HOME), said once, not on every run
        with open(config, "w") as f:
            f.write("# Dagster's instance settings: run history in this folder (the defaults).\n"
                    "# No usage statistics leave a municipality's server.\ntelemetry:\n  enabled: false\n")

    import dagster as dg

    from orchestration import progress
    from orchestration.definitions import defs

    run_config = {}
    if not verbose:  # the full log is still in the run storage; the console gets the short version
        progress.enable()
        run_config = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
        logging.getLogger("transforms").setLevel(logging.ERROR)  # each step's line counts the rejects
    print(f"refresh: {paths.landing} -> {paths.warehouse.parent}", flush=True)
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("refresh").execute_in_process(instance=instance, raise_on_error=False,
                                                                    run_config=run_config)
    problems = []
    for e in result.all_events:
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.asset_check_evaluation_data.passed:
            data = e.asset_check_evaluation_data
            level = "warning" if data.severity.value == "WARN" else "check failed"
            line = f"{level}: {data.asset_key.to_user_string()} {data.check_name}" + (
                f": {data.description}" if data.description else "")
            print(line, file=sys.stderr)
            if level != "warning":
                problems.append(line)
        elif e.is_step_failure:
            problems.append(f"step failed: {e.step_key}: {e.event_specific_data.error.message.strip()[:300]}")
    from transforms.ingestion.load import blocked_report

    blocked = [] if result.success else blocked_report(paths.warehouse)
    record_run(paths.published, result.run_id, result.success, "\n".join(problems), blocked)
    if not result.success:
        print(f"refresh failed (run {result.run_id}); the previous publication stays current",
              file=sys.stderr)
        return 1
    print(f"refresh succeeded in {time.perf_counter() - t0:.1f} s (run {result.run_id}; its full log: "
          "the Dagster UI, or make refresh VERBOSE=1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
