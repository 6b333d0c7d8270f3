"""Data access for the dashboard: reads only the current publication, read-only.

Every query opens the build that `published/current.json` names, in read-only mode, and closes
it again, so the dashboard never holds a lock the pipeline needs and always shows one complete
build. Callbacks and page layouts call the functions here; none of them runs SQL of its own.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

import duckdb
import polars as pl

from orchestration.paths import DataPaths
from orchestration.publish import Build, current_build


class NoPublicationError(RuntimeError):
    pass


def paths() -> DataPaths:
    return DataPaths.from_env()


def build() -> Build | None:
    found = current_build(paths().published)
    return found[0] if found else None


@contextmanager
def connect():
    found = current_build(paths().published)
    if found is None:
        raise NoPublicationError("Der er endnu ikke publiceret data. Kør `make refresh`.")
    con = duckdb.connect(str(found[1]), read_only=True)
    try:
        yield con
    finally:
        con.close()


def query(sql: str, params: list | None = None) -> pl.DataFrame:
    with connect() as con:
        return pl.from_arrow(con.sql(sql, params=params).to_arrow_table())


def freshness() -> dict:
    """When the build was made and the newest extract in it."""
    b = build()
    newest = query("select max(extract_date) as d, count(*) as files, "
                   "sum(rows_quarantined) as bad from ops.ledger")
    return {
        "built_at": datetime.fromisoformat(b.built_at) if b else None,
        "build_id": b.build_id if b else None,
        "newest_extract": newest["d"][0], "files": newest["files"][0],
        "rows_quarantined": newest["bad"][0],
    }


def ressourceforloeb_overview() -> dict:
    """Ongoing ressourceforløb on the newest extract date, and how many are passive.

    Passive: no employment-oriented offer and no mentor overlapping the last 365 days
    (kpis.md §1). Computed from the raw layer until the KPI marts exist.
    """
    df = query("""
        with d as (select max(extract_date) as d from ops.ledger where entity = 'forloeb'),
        rf as (
            select f.forloeb_id, f.startdato, d.d
            from raw.forloeb f, d
            where not coalesce(f.slettet, false) and f.maalgruppe = '2.11'
              and f.startdato <= d.d and (f.slutdato is null or f.slutdato > d.d)
        ),
        active as (
            select distinct i.forloeb_id
            from raw.indsatser i join rf using (forloeb_id)
            where not coalesce(i.slettet, false)
              and (i.beskaeftigelsesrettet or i.indsatstype = 'MENTOR')
              and i.startdato <= rf.d
              and coalesce(i.slutdato, rf.d) >= greatest(rf.startdato, rf.d - interval 365 day)
        )
        select count(*) as ongoing,
               count(*) filter (where rf.d - rf.startdato >= 365) as senior,
               count(*) filter (where rf.d - rf.startdato >= 365 and a.forloeb_id is null) as passive_senior,
               any_value(rf.d) as ref_date
        from rf left join active a using (forloeb_id)
    """)
    row = df.row(0, named=True)
    row["share"] = row["passive_senior"] / row["senior"] if row["senior"] else None
    return row
