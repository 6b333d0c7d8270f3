"""Run the refresh job once, as the nightly schedule does: `python -m orchestration.refresh`.

Runs are recorded in DAGSTER_HOME (default data/dagster_home), so they show in the Dagster UI's
run history. Exits 0 when the run succeeded and published, 1 otherwise.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    from orchestration.paths import DataPaths

    home = DataPaths.from_env().dagster_home
    os.environ.setdefault("DAGSTER_HOME", str(home))
    os.makedirs(os.environ["DAGSTER_HOME"], exist_ok=True)

    import dagster as dg

    from orchestration.definitions import defs

    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("refresh").execute_in_process(instance=instance, raise_on_error=False)
    for e in result.all_events:
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.asset_check_evaluation_data.passed:
            data = e.asset_check_evaluation_data
            level = "warning" if data.severity.value == "WARN" else "check failed"
            print(f"{level}: {data.asset_key.to_user_string()} {data.check_name}: "
                  f"{data.description or ''}", file=sys.stderr)
    if not result.success:
        print(f"refresh failed (run {result.run_id}); the previous publication stays current",
              file=sys.stderr)
        return 1
    print(f"refresh succeeded (run {result.run_id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
