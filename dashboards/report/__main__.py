"""`make report KOMMUNE=573 KVARTAL=2026K3` (or `DATO=2017-11-30`): the committee report as PDF.

    python -m dashboards.report --kommune 573 --kvartal 2026K3
    python -m dashboards.report --kommune 573 --dato 2017-11-30 [--ud data/reports]

Reads the current publication (data/warehouse/published, KPI_DATA_DIR to move it) and writes
<ud>/<kommune>_<kvartal>.pdf (or <kommune>_<dato>.pdf as of a date inside a quarter). The report
is for the municipality's committee: it has that municipality's figures, and the experiments
only that municipality takes part in (--kommune ALLE: every municipality and every experiment).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from dashboards.report import NoPublicationError, Publication, ReportError, render
from dashboards.scope import Forbidden, Scope
from transforms.publication import DataPaths

# the operator who runs `make report` reads everything the publication holds
OPERATOR = Scope("make report", "admin", frozenset({"*"}))


def write(report, out: Path) -> Path:
    out.mkdir(mode=0o700, parents=True, exist_ok=True)  # data/ is owner-only, whatever the umask
    target = out / report.filename
    tmp = target.with_suffix(".pdf.tmp")
    tmp.write_bytes(report.pdf)
    os.chmod(tmp, 0o600)  # like the rest of data/: owner-only
    tmp.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboards.report", description=__doc__.splitlines()[0])
    ap.add_argument("--kommune", required=True, help="kommunekode, fx 573, eller ALLE")
    when = ap.add_mutually_exclusive_group()
    when.add_argument("--kvartal", help="fx 2026K3 (uden: opgørelsesdatoen)")
    when.add_argument("--dato", type=date.fromisoformat, help="en månedsafslutning, ÅÅÅÅ-MM-DD")
    ap.add_argument("--ud", type=Path, default=None, help="mappen rapporten skrives i (data/reports)")
    args = ap.parse_args(argv)
    paths = DataPaths.from_env()
    try:
        with Publication(paths.published) as pub:
            report = render(pub, args.kommune.strip().upper(), scope=OPERATOR, quarter=args.kvartal,
                            as_of=args.dato)
    except (ReportError, NoPublicationError, Forbidden) as e:
        print(getattr(e, "description", None) if isinstance(e, Forbidden) else e, file=sys.stderr)
        return 2
    target = write(report, args.ud or paths.reports)
    print(f"{target} ({len(report.pdf) / 1024:.0f} KiB, {report.period.name} opgjort {report.period.as_of:%d-%m-%Y})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
