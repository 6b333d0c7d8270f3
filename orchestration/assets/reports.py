"""The committee reports: after publication, once per municipality and quarter.

The asset has its own job (`quarterly_reports`), not a step of the refresh: rendering a report per
municipality takes seconds each, and the nightly refresh should neither wait for it nor hold the
warehouse lock meanwhile. The sensor `reports_after_a_new_quarter` requests it after a
successful refresh whose publication has a quarter without reports (`quarter_due`).

When a publication's reference date lies in a new quarter (the first complete extract of that
quarter has arrived), the quarter before it is complete, and every municipality of the
publication gets its committee report for it (dashboards.report, the same as `make report
KOMMUNE=… KVARTAL=…`), written to data/reports/<kommune>_<kvartal>.pdf. A report already there is
not made again, so later refreshes in the same quarter do nothing. A municipality without figures
for the quarter is skipped with a warning; any other failure fails the step (after the
publication, which stays current).
"""

import dagster as dg

from orchestration.assets.publish import published_warehouse
from orchestration.resources import WarehouseResource


def last_complete_quarter(reference_date) -> str:
    """The latest quarter that ended on or before the reference date, as 2026K3."""
    year, q = reference_date.year, (reference_date.month - 1) // 3 + 1
    from dashboards.report.figures import quarter_end

    if reference_date != quarter_end(year, q):
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return f"{year}K{q}"


def quarter_due(paths) -> str | None:
    """The last complete quarter of the current publication if some municipality of it has no
    report for that quarter yet; None when every report is there or nothing is published."""
    from dashboards.report import Publication
    from dashboards.report.figures import NoPublicationError

    try:
        with Publication(paths.published) as pub:
            quarter = last_complete_quarter(pub.reference_date())
            missing = [c for c in pub.municipalities() if not (paths.reports / f"{c}_{quarter}.pdf").exists()]
    except NoPublicationError:
        return None
    return quarter if missing else None


@dg.asset(
    key="committee_reports", group_name="publish", deps=[published_warehouse.key],
    description="The committee report (PDF) of the last complete quarter for every municipality in the "
                "publication, made once, when the first complete extract of a new quarter is published: "
                "data/reports/<kommune>_<kvartal>.pdf.",
)
def committee_reports(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    from dashboards.report import Publication, ReportError, render
    from dashboards.report.__main__ import OPERATOR, write

    p = warehouse.paths
    written, present = [], []
    with Publication(p.published) as pub:
        quarter = last_complete_quarter(pub.reference_date())
        for code in pub.municipalities():
            if (p.reports / f"{code}_{quarter}.pdf").exists():
                present.append(code)
                continue
            try:
                report = render(pub, code, scope=OPERATOR, quarter=quarter)
            except ReportError as e:  # no figures for that quarter (a municipality that came later)
                context.log.warning(f"no report for {code} {quarter}: {e}")
                continue
            target = write(report, p.reports)
            context.log.info(f"wrote {target.name}")
            written.append(target.name)
    return dg.MaterializeResult(metadata={"quarter": quarter, "written": written, "already_there": present})
