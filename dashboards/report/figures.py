"""The committee report's figures: read from one published build, within a reader's scope.

Like the dashboard (dashboards.data), the report reads only a publication (the `marts` and
`reference` schemas of `published/current.json`'s build, read-only) and never the working
warehouse, and it computes no figure of its own: every number it prints is a mart's value on
the report's date (marts keep every month end of the history, int_reference_dates). A figure the
report needs belongs in a mart (kpi_overview_history was added for the headlines over time).
Suppressed values are null in the marts and stay null here; the template prints them as "skjult".

Who may read what follows dashboards.scope: the municipality must be in the reader's scope, and
the all-municipality report (`ALLE`) is for readers of every municipality in the publication. A
report is written for one municipality's committee, so the experiments in it are those whose
every participating municipality is the report's own (the experiment marts are computed across
all of an experiment's municipalities); the all-municipality report shows every experiment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from dashboards.scope import ALLE, Scope
from transforms.publication import Build, current_build, open_build

QUARTER = re.compile(r"^(\d{4})K([1-4])$")


class ReportError(ValueError):
    """A request the report cannot answer (an unknown quarter or date): a message for the person."""


class NoPublicationError(RuntimeError):
    pass


def quarter_end(year: int, q: int) -> date:
    return date(year, 12, 31) if q == 4 else date(year, 3 * q + 1, 1) - timedelta(days=1)


def quarter_of(d: date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def parse_quarter(text: str) -> tuple[int, int]:
    m = QUARTER.match(text.strip().upper())
    if not m:
        raise ReportError(f"Kvartalet skal skrives som ÅÅÅÅKn, fx 2026K3 (ikke {text!r}).")
    return int(m.group(1)), int(m.group(2))


@dataclass(frozen=True)
class Period:
    """What a report is about: the quarter (year, q) and the date its figures are measured on."""

    year: int
    quarter: int
    as_of: date  # a month end of the history, or the reference date

    @property
    def name(self) -> str:
        return f"{self.year}K{self.quarter}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        return quarter_end(self.year, self.quarter)

    @property
    def complete(self) -> bool:
        return self.as_of == self.end


class Publication:
    """One read-only connection to the build `published/current.json` names."""

    def __init__(self, published: Path):
        found = current_build(Path(published))
        if found is None:
            raise NoPublicationError("Der er endnu ikke publiceret data. Kør `make refresh`.")
        self.build: Build = found[0]
        self.path: Path = found[1]
        self.con = open_build(self.path)

    def close(self) -> None:
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cur = self.con.cursor()
        try:
            res = cur.execute(sql, params or [])
            names = [d[0] for d in res.description]
            return [dict(zip(names, r, strict=True)) for r in res.fetchall()]
        finally:
            cur.close()

    def one(self, sql: str, params: list | None = None) -> dict:
        found = self.rows(sql, params)
        return found[0] if found else {}

    # --- what is there, and who may read it ----------------------------------------------------------

    def municipalities(self) -> dict[str, str]:
        """Code -> name of every municipality in the publication."""
        return {r["municipality_code"]: r["name"] or r["municipality_code"] for r in self.rows("""
            select distinct o.municipality_code, k.name from marts.kpi_overview as o
            left join reference.ref_kommuner as k using (municipality_code)
            where o.municipality_code <> 'ALLE' order by 1""")}

    def check(self, scope: Scope, municipality: str) -> None:
        present = self.municipalities()
        scope.require_municipality(municipality, frozenset(present))  # first: nothing said outside the scope
        if municipality != ALLE and municipality not in present:
            raise ReportError(f"Der er ingen tal for kommune {municipality} i publiceringen.")

    def dates(self, municipality: str) -> list[date]:
        """The dates a report can be made for, newest first: the reference date and every month end."""
        return [r["reference_date"] for r in self.rows(
            "select distinct reference_date from marts.kpi_overview_history where municipality_code = ? "
            "order by 1 desc", [municipality])]

    def reference_date(self) -> date:
        return self.one("select max(reference_date) as d from marts.kpi_overview")["d"]

    def period(self, municipality: str, quarter: str | None = None, as_of: date | None = None) -> Period:
        """The report's period: a quarter (as of its end, or of the reference date while it runs), a
        month end of the history (the quarter up to it), or, with neither, the reference date."""
        dates = self.dates(municipality)
        if not dates:
            raise ReportError("Publiceringen har ingen tal for kommunen.")
        current = self.reference_date()
        if quarter and as_of:
            raise ReportError("Angiv enten et kvartal eller en dato, ikke begge.")
        if quarter:
            year, q = parse_quarter(quarter)
            end = quarter_end(year, q)
            day = end if end in dates else (current if date(year, 3 * q - 2, 1) <= current <= end else None)
            if day is None:
                raise ReportError(f"Der er ingen tal for {q}. kvartal {year}: publiceringen dækker "
                                  f"{dates[-1]:%d-%m-%Y} til {dates[0]:%d-%m-%Y}.")
            return Period(year, q, day)
        day = as_of or current
        if day not in dates:
            raise ReportError(f"Der er ingen tal for {day:%d-%m-%Y}. Vælg en månedsafslutning mellem "
                              f"{dates[-1]:%d-%m-%Y} og {dates[0]:%d-%m-%Y} eller opgørelsesdatoen "
                              f"{current:%d-%m-%Y}.")
        year, q = quarter_of(day)
        return Period(year, q, day)

    # --- the figures ------------------------------------------------------------------------------

    def headlines(self, municipality: str, day: date) -> list[dict]:
        return self.rows("""
            select kpi_code, name_da, unit, better, mart, value, base, population_da, period_da,
                   target_operator, target_value, on_target, is_suppressed
            from marts.kpi_overview_history
            where municipality_code = ? and reference_date = ? order by kpi_code""", [municipality, day])

    def trends(self, municipality: str, day: date, months: int = 12) -> dict[str, list[dict]]:
        """Each KPI's values at the month ends of the year up to the report's date."""
        out: dict[str, list[dict]] = {}
        for r in self.rows("""
                select kpi_code, reference_date, value, is_suppressed from marts.kpi_overview_history
                where municipality_code = ? and reference_date <= ?
                  and reference_date > ?::date - to_months(?) order by kpi_code, reference_date""",
                           [municipality, day, day, months]):
            out.setdefault(r["kpi_code"], []).append(r)
        return out

    def passive(self, municipality: str, day: date) -> list[dict]:
        return self.rows("""
            select variant, population, passive, passive_share, passive_share_low, passive_share_high, is_suppressed
            from marts.kpi_passive_citizens
            where municipality_code = ? and reference_date = ? and dimension = 'i_alt' order by variant desc""",
                         [municipality, day])

    def caseload_teams(self, municipality: str, day: date) -> list[dict]:
        return self.rows("""
            select dimension, dimension_value, caseworkers, cases, fte, avg_cases_per_caseworker, avg_cases_per_fte,
                   share_at_or_under_cap, caseload_cap, is_suppressed
            from marts.kpi_caseload_summary where municipality_code = ? and reference_date = ?
            order by dimension <> 'i_alt', dimension_value""", [municipality, day])

    def caseloads(self, municipality: str, day: date) -> list[dict]:
        return self.rows("""
            select c.municipality_code, k.name as municipality_name, team_name, initials, fte, cases, cases_per_fte,
                   at_or_under_cap, caseload_cap, is_suppressed
            from marts.kpi_caseload as c left join reference.ref_kommuner as k using (municipality_code)
            where (? = 'ALLE' or municipality_code = ?) and reference_date = ?
            order by municipality_code, team_name, initials, caseworker_id""", [municipality, municipality, day])

    def exit_reasons(self, municipality: str, day: date, period: str, target_group: str = "2.11") -> list[dict]:
        return self.rows("""
            select e.period_start, e.period_end, e.exit_reason, coalesce(r.name_da, e.exit_reason) as reason_da,
                   e.new_target_group, m.name_da as new_target_group_da, e.spells, e.reason_spells, e.ended_spells,
                   e.reason_share, e.min_duration_days, e.is_suppressed
            from marts.kpi_exit_reasons as e
            left join reference.ref_afslutningsaarsager as r using (exit_reason)
            left join reference.ref_maalgrupper as m on m.target_group = e.new_target_group
            where e.municipality_code = ? and e.period = ? and e.target_group = ? and e.period_end = ?
            order by e.reason_spells desc nulls last, e.exit_reason, e.new_target_group""",
                         [municipality, period, target_group, day])

    def target_group_name(self, code: str) -> str:
        return self.one("select name_da from reference.ref_maalgrupper where target_group = ?", [code]).get(
            "name_da", code)

    def _readable_experiments(self, municipality: str) -> str:
        # the experiments whose municipalities are all the report's own (every one for ALLE)
        return ("true" if municipality == ALLE else
                "list_has_all([?], string_split(experiment_municipalities, ','))")

    def experiments(self, municipality: str, day: date) -> list[dict]:
        """Each experiment's arms side by side, as of the last quarter end on or before the report's
        date (the reference date for the measures that have no quarter figure)."""
        params = [] if municipality == ALLE else [municipality]
        return self.rows(f"""
            with shown as (
                select * from marts.kpi_experiment_evaluation where {self._readable_experiments(municipality)}
            ),
            latest as (
                select experiment_id, kpi_code, max(period_end) as period_end from shown
                where period_end <= ? group by all
            )
            select s.experiment_id, s.experiment_title, s.kpi_code, k.name_da, k.unit, s.kind, s.period_end,
                   s.indsats_n, s.indsats_value, s.indsats_low, s.indsats_high, s.kontrol_n, s.kontrol_value,
                   s.difference, s.difference_low,
                   s.difference_high, s.target_operator, s.target_value, s.target_met, s.is_suppressed
            from shown as s inner join latest using (experiment_id, kpi_code, period_end)
            left join reference.ref_kpi as k using (kpi_code)
            order by s.experiment_title, s.kpi_code""", [*params, day])

    def payout(self, municipality: str, day: date) -> list[dict]:
        """Each experiment's paid-hours share of the intervention arm and its grant payout tier."""
        params = [] if municipality == ALLE else [municipality]
        return self.rows(f"""
            with shown as (
                select distinct experiment_id, experiment_title from marts.kpi_experiment_evaluation
                where {self._readable_experiments(municipality)}
            )
            select s.experiment_title, p.participants, p.with_hours_or_education, p.share, p.share_low, p.share_high,
                   p.payout_tier, p.is_suppressed
            from marts.kpi_paid_hours as p inner join shown as s using (experiment_id)
            where p.arm = 'INDSATS' and p.reference_date = ? order by s.experiment_title""", [*params, day])

    def data_quality(self) -> dict:
        files = self.one("""
            select count(*) filter (where status = 'loaded') as loaded,
                   count(*) filter (where status <> 'loaded') as not_loaded,
                   coalesce(sum(rows_loaded), 0) as rows_loaded,
                   coalesce(sum(rows_quarantined), 0) as rows_quarantined,
                   max(extract_date) filter (where status = 'loaded') as newest_extract
            from marts.dq_files""")
        by_status = self.rows("""
            select status_da, count(*) as files from marts.dq_files group by all order by files desc, status_da""")
        reasons = self.rows("""
            select reason_da, sum(rejected) as rejected from marts.dq_quarantine_reasons
            group by all order by rejected desc, reason_da""")
        incomplete = self.rows("""
            select source, extract_date, entities_missing from marts.dq_extracts
            where not is_complete order by extract_date desc, source""")
        return {"files": files, "by_status": by_status, "reasons": reasons, "incomplete": incomplete}

    def definitions(self, marts: list[str]) -> dict[str, str]:
        """The marts' documentation (dbt docs, persisted as table comments), as the dashboard shows it."""
        if not marts:
            return {}
        return {r["table_name"]: r["comment"] or "" for r in self.rows(
            "select table_name, comment from duckdb_tables() where schema_name = 'marts' "
            "and list_contains(?, table_name)", [marts])}
