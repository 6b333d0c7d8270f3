"""The committee report in the benchmark: render time and file size on a size's publication.

`bench.run` calls `bench_report(work)` after the pages (one line there); it runs this module in a
child process, which renders the report of the largest municipality and the all-municipality
report for the last complete quarter, as `make report` does, and prints the figures as JSON.

    KPI_DATA_DIR=bench/cache/run_1000000 .venv/bin/python -m bench.report
"""

from __future__ import annotations

import json
import sys
import time


def bench_report(work, run_child) -> dict:
    """Run in a child (its own wall time and peak memory, from bench.run's `run_child`)."""
    import os

    return run_child([sys.executable, "-m", "bench.report"], env={**os.environ, "KPI_DATA_DIR": str(work)})


def markdown(results: dict) -> list[str]:
    lines = ["", "Committee report (`make report`, last complete quarter): render time and PDF size:", "",
             "| citizens | municipality | render s | KiB | pages |", "|---:|---|---:|---:|---:|"]
    for r in results["sizes"]:
        for x in r.get("report", {}).get("reports", []):
            lines.append(f"| {r['citizens']:,} | {x['municipality']} | {x['render_s']} | {x['kib']} | {x['pages']} |")
    return lines


def main() -> int:
    from dashboards.report import Publication, render
    from dashboards.report.__main__ import OPERATOR
    from orchestration.assets.reports import last_complete_quarter
    from transforms.publication import DataPaths

    out = []
    with Publication(DataPaths.from_env().published) as pub:
        quarter = last_complete_quarter(pub.reference_date())
        largest = pub.one("""
            select municipality_code from marts.kpi_overview_history
            where kpi_code = 'SAGSSTAMME' and is_current and municipality_code <> 'ALLE'
            order by base desc nulls last limit 1""")["municipality_code"]
        for code in (largest, "ALLE"):
            t = time.perf_counter()
            report = render(pub, code, scope=OPERATOR, quarter=quarter)
            out.append({"municipality": code, "quarter": quarter, "render_s": round(time.perf_counter() - t, 2),
                        "kib": round(len(report.pdf) / 1024), "pages": report.pages})
    print(json.dumps({"reports": out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
