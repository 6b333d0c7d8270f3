"""Run the refresh job once, as the nightly schedule does: `python -m orchestration.refresh`.

Runs are recorded in DAGSTER_HOME (default data/dagster_home), so they show in the Dagster UI's
run history. Exits 0 when the run succeeded and published, 1 otherwise, and 75 without doing
anything when another refresh (or `make accept`) holds the warehouse (see orchestration.lock).
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    from orchestration.lock import BUSY_EXIT, RefreshBusyError, refresh_lock, secure
    from orchestration.paths import DataPaths
    from orchestration.publish import record_run

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

    import dagster as dg

    from orchestration.definitions import defs

    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("refresh").execute_in_process(instance=instance, raise_on_error=False)
    problems = []
    for e in result.all_events:
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.asset_check_evaluation_data.passed:
            data = e.asset_check_evaluation_data
            level = "warning" if data.severity.value == "WARN" else "check failed"
            line = f"{level}: {data.asset_key.to_user_string()} {data.check_name}: {data.description or ''}"
            print(line, file=sys.stderr)
            if level != "warning":
                problems.append(line)
        elif e.is_step_failure:
            problems.append(f"step failed: {e.step_key}: {e.event_specific_data.error.message.strip()[:300]}")
    from transforms.load import blocked_report

    blocked = [] if result.success else blocked_report(paths.warehouse)
    record_run(paths.published, result.run_id, result.success, "\n".join(problems), blocked)
    if not result.success:
        print(f"refresh failed (run {result.run_id}); the previous publication stays current",
              file=sys.stderr)
        return 1
    print(f"refresh succeeded (run {result.run_id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
