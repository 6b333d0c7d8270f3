"""Data access for the dashboard: reads only the current publication, read-only, within a scope.

Every query reads the build that `published/current.json` names, through a read-only connection
to that (immutable) file, so the dashboard never holds a lock the pipeline needs — the pipeline
writes another file — and always shows one complete build. Callbacks and page layouts call the
functions here; none of them runs SQL of its own.

Every function takes the signed-in person's scope (`scope=`, by default the one dashboards.auth
set for this request; outside a signed-in request there is none, and nothing is read) and
refuses with HTTP 403 (`scope.Forbidden`) a municipality, team or list outside it, whatever the
browser sent. The all-municipality figure (`ALLE`) is only for people scoped to every
municipality in the publication; the experiment marts are computed across all municipalities,
so they are too. The citizen-level lists are for teamledere (their own teams) and administrators,
and every fetch of one is written to the audit log (dashboards.audit) by the function that runs
its query. The dashboard reads only the `marts` and `reference` schemas.
"""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from dashboards import audit
from dashboards import scope as access
from dashboards.scope import ALLE, Scope
from transforms import publication
from transforms.publication import KEEP_BUILDS, Build, DataPaths, current_build


class NoPublicationError(RuntimeError):
    pass


def paths() -> DataPaths:
    return DataPaths.from_env()


def build() -> Build | None:
    found = current_build(paths().published)
    return found[0] if found else None


_databases: dict[Path, duckdb.DuckDBPyConnection] = {}
_lock = threading.Lock()


def _database(path: Path) -> duckdb.DuckDBPyConnection:
    """One read-only connection per published build, kept open: a build never changes."""
    with _lock:
        con = _databases.get(path)
        if con is None:
            con = _databases[path] = publication.open_build(path)
            # the pipeline keeps KEEP_BUILDS builds; so do we (older ones it may already have deleted)
            for old in list(_databases)[:-KEEP_BUILDS]:
                _databases.pop(old).close()
        return con


def _current():
    """The current build for this request: looked up once per request (one request, one build)."""
    from flask import g, has_request_context

    if not has_request_context():
        return current_build(paths().published)
    found = g.get("_kpi_build")
    if found is None:
        found = g._kpi_build = current_build(paths().published)
    return found


@contextmanager
def connect():
    found = _current()
    if found is None:
        raise NoPublicationError("Der er endnu ikke publiceret data. Kør `make refresh`.")
    cursor = _database(found[1]).cursor()  # a cursor per request: connections are not shared by threads
    try:
        yield cursor
    finally:
        cursor.close()


def query(sql: str, params: list | None = None) -> pl.DataFrame:
    with connect() as con:
        return pl.from_arrow(con.sql(sql, params=params).to_arrow_table())


_present: dict[Path, tuple[frozenset[str], dict[str, frozenset[str]]]] = {}


def present() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """The municipalities of the current publication, and each one's teams (cached per build)."""
    found = _current()
    if found is None:
        raise NoPublicationError("Der er endnu ikke publiceret data. Kør `make refresh`.")
    cached = _present.get(found[1])
    if cached is None:
        con = _database(found[1]).cursor()
        try:
            munis = con.sql("select distinct municipality_code from marts.kpi_overview "
                            "where municipality_code <> 'ALLE'").fetchall()
            teams = con.sql("select distinct municipality_code, team_name from marts.kpi_caseload").fetchall()
        finally:
            con.close()
        by_muni: dict[str, set] = {}
        for m, t in teams:
            by_muni.setdefault(m, set()).add(t)
        cached = _present[found[1]] = (frozenset(m for (m,) in munis),
                                       {m: frozenset(t) for m, t in by_muni.items()})
        for old in list(_present)[:-KEEP_BUILDS]:  # like the connections: the newest builds
            _present.pop(old, None)
    return cached


# rows by their breakdown value, target groups by number (2.1, 2.2, …, 2.10, 2.11), not as text
BY_VALUE = """ order by try_cast(split_part(dimension_value, '.', 1) as integer) nulls last,
                        try_cast(split_part(dimension_value, '.', 2) as integer) nulls last, dimension_value"""


def _who(scope: Scope | None) -> Scope:
    return scope if scope is not None else access.current()


def _within(scope: Scope | None, municipality: str, team: str | None = None) -> Scope:
    """The person's scope, after checking that it covers the municipality (and the team)."""
    s = _who(scope)
    munis, teams = present()
    s.require_municipality(municipality, munis)
    if team is not None:
        if s.role == "teamleder" and team not in s.teams:
            raise access.Forbidden("Teamet ligger uden for din adgang.")
        shown = s.allowed(munis) if municipality == ALLE else [municipality]
        if not any(team in teams.get(m, ()) for m in shown):
            raise access.Forbidden("Teamet ligger uden for din adgang.")
    return s


def check_filters(municipality: str, team: str | None, *, scope: Scope | None = None) -> Scope:
    """Refuse filter values outside the scope up front, for every callback, also on pages that do
    not use them (each query checks what it uses again)."""
    return _within(scope, municipality, team)


def _across_all(scope: Scope | None) -> Scope:
    """Figures computed across every municipality (the experiment marts)."""
    s = _who(scope)
    if not s.covers_all(present()[0]):
        raise access.Forbidden("Forsøgenes resultater er opgjort på tværs af alle kommuner og vises kun for "
                               "brugere med adgang til alle kommuner.")
    return s


def last_run() -> dict | None:
    return publication.last_run(paths().published)


def freshness(*, scope: Scope | None = None) -> dict:
    """When the build was made, the newest extract in it, and how the latest refresh ended."""
    _who(scope)
    b = build()
    # only files that loaded count: a file quarantined whole names a date it did not deliver
    newest = _per_build("dq_files_summary", lambda: query(
        "select max(extract_date) filter (where status = 'loaded') as d, "
        "count(*) filter (where status = 'loaded') as files, "
        "coalesce(sum(rows_quarantined), 0) as bad from marts.dq_files"))
    return {
        "built_at": datetime.fromisoformat(b.built_at) if b else None,
        "build_id": b.build_id if b else None,
        "newest_extract": newest["d"][0], "files": newest["files"][0],
        "rows_quarantined": int(newest["bad"][0]),
        "last_run": last_run(),
    }


def max_extract_age_days() -> int:
    """How old the newest complete extract may be before every page says the figures are stale
    (`KPI_MAX_EXTRACT_AGE_DAYS`, default 2 days: a nightly delivery may be a day late)."""
    import os

    return int(os.environ.get("KPI_MAX_EXTRACT_AGE_DAYS", "2"))


def staleness() -> dict | None:
    """Why the figures may be out of date, or None when they are fresh: the latest refresh failed
    (`failed`), or the newest complete extract — the reference date, every source delivered in full —
    is older than max_extract_age_days() (`old`). Read without a scope: /helse answers from it, and
    it says nothing of the data beyond dates. None also when nothing is published (that is its own state)."""
    from datetime import date
    from zoneinfo import ZoneInfo

    found = current_build(paths().published)
    if found is None:
        return None
    con = _database(found[1]).cursor()
    try:
        newest = con.sql("select max(extract_date) from marts.dq_extracts where all_sources_complete").fetchall()[0][0]
    finally:
        con.close()
    run = last_run() or {}
    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    age = (today - newest).days if isinstance(newest, date) else None
    failed = bool(run) and not run.get("success", True)
    old = age is None or age > max_extract_age_days()
    if not (failed or old):
        return None
    return {"failed": failed, "old": old, "newest_complete": newest, "age_days": age,
            "max_age_days": max_extract_age_days(), "built_at": found[0].built_at,
            "run_finished_at": run.get("finished_at")}


_registry: dict[Path, dict] = {}


def kpis(*, scope: Scope | None = None) -> dict[str, dict]:
    """The KPI registry (reference.ref_kpi): Danish name, unit, target and page of every KPI code.
    The one place the dashboard takes targets from (cached per build)."""
    _who(scope)
    found = _current()
    if found is None:
        raise NoPublicationError("Der er endnu ikke publiceret data. Kør `make refresh`.")
    cached = _registry.get(found[1])
    if cached is None:
        cached = _registry[found[1]] = {r["kpi_code"]: r for r in query(
            "select * from reference.ref_kpi order by kpi_code").iter_rows(named=True)}
        for old in list(_registry)[:-KEEP_BUILDS]:
            _registry.pop(old, None)
    return cached


def kpi(code: str, *, scope: Scope | None = None) -> dict:
    return kpis(scope=scope)[code]


def code_names(table: str, code: str, name: str = "name_da", *, scope: Scope | None = None) -> dict[str, str]:
    """A code list's Danish names (a reference seed), e.g. code_names('ref_stoettemetoder', 'method')."""
    _who(scope)
    if not (table.startswith("ref_") and table.replace("_", "").isalnum() and code.replace("_", "").isalnum()
            and name.replace("_", "").isalnum()):
        raise ValueError(table)
    return _per_build(("codes", table, code, name), lambda: {
        str(k): v for k, v in query(f"select {code}, {name} from reference.{table}").iter_rows()})


ARMS = {"INDSATS": "indsatsgruppe", "KONTROL": "kontrolgruppe"}


def arm_names(*, scope: Scope | None = None) -> dict[str, str]:
    """'FLERE_SKAL_MED_2:INDSATS' as a manager reads it: 'Flere skal med 2, indsatsgruppe'."""
    _who(scope)
    titles = _per_build("experiment_titles", lambda: dict(query(
        "select distinct experiment_id, experiment_title from marts.kpi_experiment_evaluation").iter_rows()))
    return {f"{e}:{a}": f"{t}, {n}" for e, t in titles.items() for a, n in ARMS.items()} | {
        "ingen": "Uden for forsøg", "ukendt": "Ukendt", "I alt": "I alt"}


def municipality_name(code: str, *, scope: Scope | None = None) -> str:
    """'Varde (573)', or 'Alle kommuner'."""
    if code == ALLE:
        return "Alle kommuner"
    names = code_names("ref_kommuner", "municipality_code", "name", scope=scope)
    return f"{names.get(code, code)} ({code})"


def overview(municipality: str = "ALLE", as_of=None, *, scope: Scope | None = None) -> pl.DataFrame:
    """One row per KPI: value, target and whether it is met (marts.kpi_overview), on the reference
    date — or on an earlier date of the history (`as_of`), with that date's value from marts.kpi_trend
    (its population count is then not known: base is null)."""
    _within(scope, municipality)
    if as_of is None or as_of == current_date(scope=scope):
        return query("select * from marts.kpi_overview where municipality_code = ? order by kpi_code", [municipality])
    return query("""
        select o.* replace (t.reference_date as reference_date, t.value as value, null::bigint as base,
                            coalesce(t.is_suppressed, false) as is_suppressed,
                            case when t.value is null or o.target_value is null then null
                                 when o.target_operator = '<=' then t.value <= o.target_value
                                 else t.value >= o.target_value end as on_target)
        from marts.kpi_overview as o
        left join marts.kpi_trend as t
          on t.kpi_code = o.kpi_code and t.municipality_code = o.municipality_code and t.reference_date = ?
        where o.municipality_code = ? order by o.kpi_code""", [as_of, municipality])


# --- the pages' data: each function returns the rows one chart or table shows ----------------------

def filter_options(*, scope: Scope | None = None) -> dict:
    """The values the global filters offer, from the current publication: only what is in scope."""
    s = _who(scope)
    in_scope, teams_of = present()
    allowed = set(s.allowed(in_scope))
    dates = query("select distinct reference_date from marts.kpi_trend order by 1 desc")["reference_date"].to_list()
    munis = query("select distinct o.municipality_code, k.name from marts.kpi_overview o "
                  "left join reference.ref_kommuner k using (municipality_code) "
                  "where o.municipality_code <> 'ALLE' order by 1")
    # codes are text ('2.1' and '2.10' differ), ordered as the law numbers them
    groups = query("select target_group, name_da from reference.ref_maalgrupper "
                   "order by cast(split_part(target_group, '.', 1) as int), "
                   "cast(split_part(target_group, '.', 2) as int)")
    teams = query("select distinct team_name from marts.kpi_caseload order by 1")["team_name"].to_list()
    experiments = query("select distinct experiment_id, experiment_title from marts.kpi_experiment_evaluation "
                        "order by 1")
    everywhere = s.covers_all(in_scope)
    teams = [t for t in teams if any(t in teams_of.get(m, ()) for m in allowed)
             and (s.role != "teamleder" or t in s.teams)]
    return {"dates": dates, "municipalities": [r for r in munis.rows() if r[0] in allowed],
            "target_groups": groups.rows(), "teams": teams, "all": everywhere,
            "experiments": experiments.rows() if everywhere else []}


def definition(mart: str, *, scope: Scope | None = None) -> str:
    """The documented definition of a mart (dbt docs, persisted as the table comment)."""
    _who(scope)

    def read() -> str:
        df = query("select comment from duckdb_tables() where schema_name = 'marts' and table_name = ?", [mart])
        return (df["comment"][0] or "") if df.height else ""
    return _per_build(("definition", mart), read)


def current_date(*, scope: Scope | None = None):
    """The reference date of the publication (the latest date on which every source delivered a complete extract)."""
    _who(scope)
    return _per_build("current_date", lambda: query("select max(reference_date) as d from marts.kpi_trend")["d"][0])


_cache: dict[Path, dict] = {}


def _per_build(key, make):
    """A value read once per published build (a build never changes): reference data, dates, names
    and the tables no filter changes. Callers check the scope before they ask."""
    found = _current()
    if found is None:
        raise NoPublicationError("Der er endnu ikke publiceret data. Kør `make refresh`.")
    with _lock:
        values = _cache.setdefault(found[1], {})
        for old in list(_cache)[:-KEEP_BUILDS]:  # like the connections: the newest builds
            _cache.pop(old, None)
    if key not in values:
        values[key] = make()
    return values[key]


def trend(kpi_code: str, municipality: str, *, scope: Scope | None = None) -> pl.DataFrame:
    _within(scope, municipality)
    return query("select reference_date, value from marts.kpi_trend where kpi_code = ? and municipality_code = ? "
                 "order by reference_date", [kpi_code, municipality])


def trends(municipality: str, *, scope: Scope | None = None) -> dict[str, pl.DataFrame]:
    """Every KPI's trend for one municipality, in one query."""
    _within(scope, municipality)
    df = query("select kpi_code, reference_date, value from marts.kpi_trend where municipality_code = ? "
               "order by kpi_code, reference_date", [municipality])
    return {code: part.drop("kpi_code") for (code,), part in df.group_by("kpi_code", maintain_order=True)}


def passive_breakdown(municipality: str, date, variant: str, dimension: str, *,
                      scope: Scope | None = None) -> pl.DataFrame:
    _within(scope, municipality)
    return query("""
        select dimension_value, population, passive, passive_share, passive_share_low, passive_share_high,
               is_suppressed
        from marts.kpi_passive_citizens
        where variant = ? and municipality_code = ? and reference_date = ? and dimension = ?
        order by passive_share desc nulls last, dimension_value""", [variant, municipality, date, dimension])


def passive_trend(municipality: str, variant: str, team: str | None = None, *,
                  scope: Scope | None = None) -> pl.DataFrame:
    """The passive share on every date, for the municipality or one of its teams."""
    _within(scope, municipality, team)
    return query("""
        select reference_date, population, passive, passive_share, passive_share_low, passive_share_high, is_suppressed
        from marts.kpi_passive_citizens
        where variant = ? and municipality_code = ?
          and ((? is null and dimension = 'i_alt') or (dimension = 'team_name' and dimension_value = ?))
        order by reference_date""", [variant, municipality, team, team])


def caseworker_names(municipality: str, date, *, scope: Scope | None = None) -> pl.DataFrame:
    """Each caseworker as people know them: initials and team ("LCH, Team Job"), one label per
    caseworker id — two with the same initials in one team get a number each, never one bar."""
    _within(scope, municipality)

    def read() -> pl.DataFrame:
        df = query("""
            select distinct caseworker_id, initials, team_name
            from marts.kpi_caseload
            where (? = 'ALLE' or municipality_code = ?) and reference_date = ?
            order by team_name, initials, caseworker_id""", [municipality, municipality, date])
        base = [f"{i or '?'}, {t}" for i, t in zip(df["initials"].to_list(), df["team_name"].to_list(), strict=True)]
        seen: dict[str, int] = {}
        total = Counter(base)
        labels = []
        for b in base:
            seen[b] = seen.get(b, 0) + 1
            labels.append(f"{b} ({seen[b]})" if total[b] > 1 else b)
        return df.with_columns(pl.Series("caseworker", labels, dtype=pl.String))
    return _per_build(("caseworker_names", municipality, str(date)), read)  # checked above, read once a build


def passive_by_caseworker(municipality: str, date, variant: str, team: str | None = None, *,
                          scope: Scope | None = None) -> pl.DataFrame:
    """The passive share per caseworker, named by initials and team (the id kept for the tooltip)."""
    _within(scope, municipality, team)
    df = passive_breakdown(municipality, date, variant, "caseworker_id", scope=scope)
    names = caseworker_names(municipality, date, scope=scope)
    df = df.join(names.rename({"caseworker_id": "dimension_value"}), on="dimension_value", how="left")
    if team:
        df = df.filter(pl.col("team_name") == team)
    return df.select(pl.col("caseworker"), "team_name", pl.col("dimension_value").alias("caseworker_id"),
                     "population", "passive", "passive_share", "passive_share_low", "passive_share_high",
                     "is_suppressed")


def time_to_intervention(municipality: str, dimension: str = "i_alt", value: str = "I alt", *,
                         scope: Scope | None = None) -> pl.DataFrame:
    _within(scope, municipality)
    return query("""
        select kpi_code, event, cohort, cohort_size, events, median_days, p90_days, on_time_share,
               on_time_share_low, on_time_share_high, waited_past_deadline, still_waiting_past_deadline,
               deadline_days, is_suppressed
        from marts.kpi_time_to_intervention
        where is_current and municipality_code = ? and dimension = ? and dimension_value = ?
        order by event, cohort""", [municipality, dimension, value])


def _action_list(name: str, columns: str, source: str, order: str, municipality: str, team: str | None,
                 target_group: str | None, limit: int | None, scope: Scope | None) -> pl.DataFrame:
    """A citizen-level list (`name`, one of scope.LISTS): `columns` of the spells in `source` of the
    municipality (ALLE: every one), team and target group, only of the teams the reader may list,
    in `order` (the first `limit`, or all); audited, the caseworkers named."""
    s = _within(scope, municipality, team)
    teams = s.list_teams(team)
    df = query(f"""
        select {columns}
        from {source}
        where (? = 'ALLE' or municipality_code = ?) and (? is null or team_name = ?)
          and (? is null or target_group = ?)
          and (?::varchar[] is null or list_contains(?::varchar[], team_name))
        order by {order} {f"limit {int(limit)}" if limit else ""}""",
                 [municipality, municipality, team, team, target_group, target_group, teams, teams])
    _audit(s, name, municipality, team, target_group, limit, df.height)
    return _named_caseworkers(df, municipality, scope)


def waiting_list(municipality: str, team: str | None, target_group: str | None,
                 limit: int | None = None, *, scope: Scope | None = None) -> pl.DataFrame:
    """Spells waiting past a deadline, longest first (the first `limit`, or all). Audited."""
    return _action_list(
        "waiting_list",
        """event_da as "Venter på", spell_id as "Forløb", team_name as "Team", caseworker_id as "Sagsbehandler",
           target_group as "Målgruppe", start_date as "Start", days_waiting as "Dage", deadline_days as "Frist" """,
        "marts.kpi_waiting_list", "days_over_deadline desc, spell_id, event_da", municipality, team, target_group,
        limit, scope)


def _named_caseworkers(df: pl.DataFrame, municipality: str, scope: Scope | None) -> pl.DataFrame:
    """An action list's caseworker as initials and team (the id in a column of its own)."""
    names = caseworker_names(municipality, current_date(scope=scope), scope=scope)
    label = dict(zip(names["caseworker_id"].to_list(), names["caseworker"].to_list(), strict=True))
    ids = df["Sagsbehandler"]
    return df.with_columns(pl.Series("Sagsbehandler", [label.get(i, i) for i in ids.to_list()], dtype=pl.String),
                           ids.alias("Sagsbehandler-id"))


def _audit(s: Scope, name: str, municipality, team, target_group, limit, rows: int) -> None:
    audit.record(s, name, {"kommune": municipality, "team": team, "målgruppe": target_group,
                           "højst": limit}, rows)


def waiting_counts(municipality: str, team: str | None, target_group: str | None, *,
                   scope: Scope | None = None) -> dict[str, int]:
    """How many spells the waiting list holds, by what they wait for (counts only: every role)."""
    _within(scope, municipality, team)
    return dict(query("""
        select event_da, count(*) as n from marts.kpi_waiting_list
        where (? = 'ALLE' or municipality_code = ?) and (? is null or team_name = ?) and (? is null or target_group = ?)
        group by all""", [municipality, municipality, team, team, target_group, target_group]).iter_rows())


def overdue_count(municipality: str, team: str | None, target_group: str | None, *,
                  scope: Scope | None = None) -> int:
    """How many spells the overdue list holds (a count only: every role)."""
    _within(scope, municipality, team)
    return query("""
        select count(*) as n from marts.kpi_overdue_list
        where (? = 'ALLE' or municipality_code = ?) and (? is null or team_name = ?) and (? is null or target_group = ?)
        """, [municipality, municipality, team, team, target_group, target_group])["n"][0]


def timeliness(municipality: str, date, dimensions: tuple[str, ...], *, scope: Scope | None = None) -> pl.DataFrame:
    """The timeliness rows of the breakdowns `dimensions` (e.g. target groups and the total, in one
    query), each row with its `dimension`."""
    _within(scope, municipality)
    return query("""
        select dimension, dimension_value, spells, deadline_due, deadline_met, deadline_met_share, overdue,
               overdue_share, longest_current_gap_days, is_suppressed
        from marts.kpi_timeliness
        where municipality_code = ? and reference_date = ? and list_contains(?::varchar[], dimension) """ + BY_VALUE,
                 [municipality, date, list(dimensions)])


def overdue_list(municipality: str, team: str | None, target_group: str | None,
                 limit: int | None = None, *, scope: Scope | None = None) -> pl.DataFrame:
    """Spells overdue on a statutory deadline, longest gap first (the first `limit`, or all). Audited."""
    return _action_list(
        "overdue_list",
        """spell_id as "Forløb", team_name as "Team", caseworker_id as "Sagsbehandler", target_group as "Målgruppe",
           coalesce(r.rule_da, o.rule) as "Regel", start_date as "Start", o.first_deadline_days as "Første frist",
           current_gap_days as "Dage siden sidste" """,
        """marts.kpi_overdue_list as o
        left join reference.ref_rettidighed_regler as r using (target_group, rule)""",
        "current_gap_days desc, spell_id", municipality, team, target_group, limit, scope)


def housing_retention(municipality: str, dimension: str, *, scope: Scope | None = None) -> pl.DataFrame:
    _within(scope, municipality)
    return query("""
        select dimension_value, citizens, lost_home, retention_6m, retention_12m, retention_12m_low,
               retention_12m_high, retention_24m, retention_24m_low, retention_24m_high, is_suppressed
        from marts.kpi_housing_retention where is_current and municipality_code = ? and dimension = ? """ + BY_VALUE,
                 [municipality, dimension])


def housing_curves(municipality: str, dimension: str, max_days: int | None = None, *,
                   scope: Scope | None = None) -> pl.DataFrame:
    """Kaplan–Meier curves, up to max_days after move-in (all of them when None)."""
    _within(scope, municipality)
    return query("""
        select dimension_value, days, at_risk, retention, retention_low, retention_high
        from marts.kpi_housing_retention_curve
        where municipality_code = ? and dimension = ? and (? is null or days <= ?)
        order by dimension_value, days""", [municipality, dimension, max_days, max_days])


def time_to_housing(municipality: str, dimension: str, *, scope: Scope | None = None) -> pl.DataFrame:
    _within(scope, municipality)
    return query("""
        select dimension_value, citizens, housed, median_days, housed_within_share, housed_within_share_low,
               housed_within_share_high, within_days, is_suppressed
        from marts.kpi_time_to_housing where is_current and municipality_code = ? and dimension = ? """ + BY_VALUE,
                 [municipality, dimension])


def caseloads(municipality: str, date, team: str | None, *, scope: Scope | None = None) -> pl.DataFrame:
    """Cases per caseworker, each named by initials and team (caseworker_names), the id beside."""
    _within(scope, municipality, team)
    df = query("""
        select caseworker_id, team_name, fte, cases, cases_per_fte, caseload_cap, is_suppressed
        from marts.kpi_caseload
        where (? = 'ALLE' or municipality_code = ?) and reference_date = ? and (? is null or team_name = ?)
        order by cases desc nulls last, caseworker_id""", [municipality, municipality, date, team, team])
    names = caseworker_names(municipality, date, scope=scope).select("caseworker_id", "caseworker")
    return df.join(names, on="caseworker_id", how="left", maintain_order="left").select(
        "caseworker", "caseworker_id", *[c for c in df.columns if c != "caseworker_id"])


def caseload_trend(municipality: str, team: str | None = None, *, scope: Scope | None = None) -> pl.DataFrame:
    """Cases per caseworker on every date, for the municipality or one of its teams."""
    _within(scope, municipality, team)
    return query("""
        select reference_date, avg_cases_per_caseworker as value
        from marts.kpi_caseload_summary
        where municipality_code = ?
          and ((? is null and dimension = 'i_alt') or (dimension = 'team_name' and dimension_value = ?))
        order by reference_date""", [municipality, team, team])


def caseload_summary(municipality: str, date, *, scope: Scope | None = None) -> pl.DataFrame:
    _within(scope, municipality)
    return query("""
        select dimension_value, caseworkers, cases, avg_cases_per_caseworker, avg_cases_per_fte, share_at_or_under_cap
        from marts.kpi_caseload_summary where municipality_code = ? and reference_date = ?
        order by dimension <> 'i_alt', dimension_value""", [municipality, date])


def caseworker_changes(municipality: str, date, dimension: str, *, scope: Scope | None = None) -> pl.DataFrame:
    _within(scope, municipality)
    return query("""
        select dimension_value, spells, changes, changes_per_spell_year, share_with_2_or_more, is_suppressed
        from marts.kpi_caseworker_changes where municipality_code = ? and reference_date = ? and dimension = ?
        """ + BY_VALUE, [municipality, date, dimension])


def exit_reasons(municipality: str, period: str, target_group: str, period_end=None, *,
                 scope: Scope | None = None) -> pl.DataFrame:
    """The exit-reason table of a period as of a month end (period_end), or of the reference date."""
    _within(scope, municipality)
    return query("""
        select coalesce(r.name_da, e.exit_reason) as exit_reason, new_target_group, spells, reason_spells,
               ended_spells, reason_share, is_suppressed
        from marts.kpi_exit_reasons as e
        left join reference.ref_afslutningsaarsager as r using (exit_reason)
        where municipality_code = ? and period = ? and target_group = ?
          and (period_end = ? or (? is null and is_current))
        order by reason_spells desc nulls last, e.exit_reason, new_target_group""",
                 [municipality, period, target_group, period_end, period_end])


def employer_based(municipality: str, dimension: str, *, scope: Scope | None = None) -> pl.DataFrame:
    _within(scope, municipality)
    return query("""
        select reference_date, dimension_value, active_offers, employer_based_offers, employer_based_share,
               employer_based_share_low, employer_based_share_high, is_suppressed
        from marts.kpi_employer_based_offers where municipality_code = ? and dimension = ?
        order by reference_date, try_cast(split_part(dimension_value, '.', 2) as integer),
                 dimension_value""", [municipality, dimension])


def active_plans(municipality: str, date, dimension: str, *, scope: Scope | None = None) -> pl.DataFrame:
    _within(scope, municipality)
    return query("""
        select dimension_value, spells, spells_with_plan, plan_share, plan_share_low, plan_share_high, is_suppressed
        from marts.kpi_active_plans where municipality_code = ? and reference_date = ? and dimension = ?
        """ + BY_VALUE, [municipality, date, dimension])


def paid_hours(*, scope: Scope | None = None) -> pl.DataFrame:
    _across_all(scope)
    return query("""
        select experiment_id, arm, participants, with_hours_or_education, share, share_low, share_high,
               payout_tier, is_suppressed
        from marts.kpi_paid_hours where is_current order by experiment_id, arm""")


def self_sufficiency(municipality: str, dimension: str = "i_alt", *, scope: Scope | None = None) -> pl.DataFrame:
    _within(scope, municipality)
    return query("""
        select cohort, dimension_value, ended_spells, self_sufficient_share_3m, self_sufficient_share_6m,
               self_sufficient_share_12m, lasting_share, measurable_6m, not_measurable_reason, is_suppressed
        from marts.kpi_self_sufficiency where municipality_code = ? and dimension = ?
        order by cohort, dimension_value""", [municipality, dimension])


def experiments(experiment: str | None = None, *, scope: Scope | None = None) -> pl.DataFrame:
    _across_all(scope)
    return query("""
        select experiment_id, experiment_title, kpi_code, k.name_da, kind, period_end, indsats_n, indsats_value,
               indsats_low, indsats_high, kontrol_n, kontrol_value,
               difference, difference_low, difference_high, target_operator, target_value, target_met, is_suppressed
        from marts.kpi_experiment_evaluation left join reference.ref_kpi as k using (kpi_code)
        where is_headline and (? is null or experiment_id = ?)
        order by experiment_id, kpi_code""", [experiment, experiment])


def files(*, scope: Scope | None = None) -> pl.DataFrame:
    """Every landed file with its counts and reasons: data-quality detail, for administrators."""
    _who(scope).require_admin()
    return _per_build("dq_files", lambda: query("""
        select path as "Fil", entity as "Entitet", extract_date as "Udtræk", status_da as "Status",
               rows_read as "Læst", rows_loaded as "Indlæst", rows_quarantined as "Karantæne",
               reason_da as "Årsag", detail as "Detalje", loaded_at as "Indlæst kl."
        from marts.dq_files order by loaded_at desc, path"""))


def incomplete_extracts(*, scope: Scope | None = None) -> pl.DataFrame:
    """Extracts that lack entities, newest first: what is missing holds the reference date back."""
    _who(scope)
    return _per_build("dq_incomplete_extracts", lambda: query("""
        select source as "Kilde", extract_date as "Udtræk", entities_delivered as "Modtaget",
               entities_missing as "Mangler"
        from marts.dq_extracts where not is_complete order by extract_date desc, source"""))


def quarantine_reasons(*, scope: Scope | None = None) -> pl.DataFrame:
    _who(scope).require_admin()
    return _per_build("dq_quarantine_reasons", lambda: query("""
        select entity as "Entitet", path as "Fil", column_name as "Kolonne", reason_da as "Årsag", rejected as "Rækker"
        from marts.dq_quarantine_reasons order by rejected desc, entity, path, column_name, reason_da"""))


def dq_labels(*, scope: Scope | None = None) -> dict[str, str]:
    """Danish names of the ingestion's statuses and reasons (reference.ref_dq_koder): data-quality
    detail, for administrators (the blocked files' lines are listed with them)."""
    _who(scope).require_admin()

    def read() -> dict[str, str]:
        try:
            return dict(query("select code, name_da from reference.ref_dq_koder").iter_rows())
        except duckdb.Error:  # a build from before the table existed
            return {}
    return _per_build("dq_labels", read)
