"""The committee report (udvalgsrapport): a few pages of PDF from the published marts.

`make report KOMMUNE=573 KVARTAL=2026K3` (or `DATO=2017-11-30`, any month end of the history)
writes `data/reports/<kommune>_<kvartal or date>.pdf`; the dashboard's "Hent udvalgsrapport"
button gives the same report for the signed-in person's own municipality
(dashboards.report_download), and the Dagster asset `committee_reports` makes it for every
municipality once the first complete extract of a new quarter is published.

How: the figures (dashboards.report.figures, read from one publication within a scope, computed
by nobody but the marts) fill an HTML template with its stylesheet (rapport.html.j2, rapport.css),
and WeasyPrint lays it out as PDF with Debian's Pango and fonts; the trend charts are SVG from
matplotlib. Nothing runs a browser and nothing is downloaded.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dashboards.report import fmt
from dashboards.report.figures import NoPublicationError, Period, Publication, ReportError, parse_quarter
from dashboards.scope import ALLE, Scope
from dashboards.targets import interval_holds

__all__ = ["NoPublicationError", "Period", "Publication", "Report", "ReportError", "parse_quarter", "render"]

HERE = Path(__file__).resolve().parent
VARIANTS = {"anciennitet_1_aar": "Mindst 1 års anciennitet (projektets baseline)",
            "alle_varigheder": "Alle forløbsvarigheder (projektets mål)"}
PERIODS = {"kvartal": "Kvartalet", "aar_til_dato": "År til dato"}
# the marts whose definitions the appendix prints, in the report's order
MARTS = ["kpi_overview_history", "kpi_passive_citizens", "kpi_time_to_intervention", "kpi_housing_retention",
         "kpi_time_to_housing", "kpi_caseload_summary", "kpi_exit_reasons", "kpi_paid_hours",
         "kpi_experiment_evaluation", "kpi_timeliness", "kpi_caseworker_changes", "kpi_employer_based_offers",
         "kpi_active_plans", "kpi_self_sufficiency"]


@dataclass(frozen=True)
class Report:
    municipality: str
    period: Period
    pdf: bytes
    pages: int

    @property
    def filename(self) -> str:
        """<kommune>_<kvartal>.pdf for a whole quarter, <kommune>_<dato>.pdf as of another date."""
        stem = self.period.name if self.period.complete else f"{self.period.as_of:%Y-%m-%d}"
        return f"{self.municipality}_{stem}.pdf"


def _svg_uri(svg: str | None) -> str | None:
    return None if svg is None else "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# codes and table names the definitions mention for analysts, which a committee does not read
_CODES = re.compile(r"\s*\((?:[A-Z0-9_]{4,}(?:, )?)+\)")
_TECHNICAL = re.compile(r"[^.]*\b[a-z]+_[a-z_]+\b[^.]*\.\s*")


def plain_definition(text: str) -> str:
    text = text.split("\n\n")[0]  # the definition; the suppression paragraph is said once, in the appendix
    return _TECHNICAL.sub("", _CODES.sub("", text)).strip()


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(number=fmt.number, pct=fmt.pct, count=fmt.count, value=fmt.value, day=fmt.day,
                       target=fmt.target, on_target=fmt.on_target, difference=fmt.difference)
    env.globals["interval_holds"] = interval_holds
    return env


def context(pub: Publication, municipality: str, period: Period) -> dict:
    """Everything the template prints, read from the marts."""
    from dashboards.report import charts

    day = period.as_of
    names = pub.municipalities()
    headlines = pub.headlines(municipality, day)
    trends = pub.trends(municipality, day)
    cards = []
    for h in headlines:
        svg = charts.trend_svg(trends.get(h["kpi_code"], []), h["unit"], h["target_value"], period.start)
        cards.append({**h, "chart": _svg_uri(svg)})
    current = pub.reference_date()
    missing_in_past = [] if day == current else [
        r["name_da"] for r in pub.headlines(municipality, current)
        if r["kpi_code"] not in {h["kpi_code"] for h in headlines}]
    exits = {p: pub.exit_reasons(municipality, day, p) for p in PERIODS}
    teams = pub.caseload_teams(municipality, day)
    experiments: dict[str, list[dict]] = {}
    for r in pub.experiments(municipality, day):
        experiments.setdefault(r["experiment_title"], []).append(r)
    dq = pub.data_quality()
    definitions = pub.definitions(MARTS)
    return {
        "municipality": municipality,
        "municipality_name": "Alle kommuner" if municipality == ALLE else names.get(municipality, municipality),
        "period": period,
        "period_da": fmt.quarter(period.year, period.quarter),
        "complete": period.complete,
        "as_of": day,
        "current": current,
        "build": pub.build,
        "built_at": fmt.timestamp(pub.build.built_at),
        "headlines": cards,
        "missing_in_past": missing_in_past,
        "passive": [{**r, "variant_da": VARIANTS.get(r["variant"], r["variant"])}
                    for r in pub.passive(municipality, day)],
        "teams": [t for t in teams if t["dimension"] != "i_alt"],
        "teams_total": next((t for t in teams if t["dimension"] == "i_alt"), None),
        # every caseworker of one municipality; the all-municipality report stops at the teams
        "caseloads": [] if municipality == ALLE else pub.caseloads(municipality, day),
        "cap": teams[0]["caseload_cap"] if teams else None,
        "exits": [{"period": p, "title": PERIODS[p], "rows": _exit_table(rows)} for p, rows in exits.items()],
        "exit_target_group": pub.target_group_name("2.11"),
        "exit_min_days": next((r["min_duration_days"] for rows in exits.values() for r in rows), None),
        "experiments": experiments,
        "payout": pub.payout(municipality, day),
        "dq": dq,
        "definitions": [(r, plain_definition(definitions[m])) for m in MARTS if (r := _mart_title(m)) and
                        definitions.get(m)],
        "all_municipalities": municipality == ALLE,
    }


_MART_TITLES = {
    "kpi_overview_history": "Nøgletal mod mål", "kpi_passive_citizens": "Passive borgere i ressourceforløb",
    "kpi_time_to_intervention": "Tid til indsats", "kpi_housing_retention": "Boligfastholdelse",
    "kpi_time_to_housing": "Tid til bolig", "kpi_caseload_summary": "Sagsstammer",
    "kpi_exit_reasons": "Afslutningsårsager", "kpi_paid_hours": "Løntimer eller uddannelse",
    "kpi_experiment_evaluation": "Forsøg", "kpi_timeliness": "Rettidighed",
    "kpi_caseworker_changes": "Sagsbehandlerskift", "kpi_employer_based_offers": "Virksomhedsrettede tilbud",
    "kpi_active_plans": "Borgere med plan", "kpi_self_sufficiency": "Selvforsørgelse",
}


def _mart_title(mart: str) -> str:
    return _MART_TITLES.get(mart, "")


def _exit_table(rows: list[dict]) -> dict:
    """Varde's shape: one line per reason with count and share, and under a change of target group
    the new target groups with their counts (the mart's cells, as they are)."""
    reasons: dict[str, dict] = {}
    for r in rows:
        reason = reasons.setdefault(r["exit_reason"], {**r, "cells": []})
        if r["new_target_group"]:
            reason["cells"].append(r)
    total = next((r["ended_spells"] for r in rows), None)
    total_suppressed = bool(rows) and all(r["ended_spells"] is None for r in rows)
    return {"reasons": list(reasons.values()), "total": total, "total_suppressed": total_suppressed,
            "start": rows[0]["period_start"] if rows else None, "end": rows[0]["period_end"] if rows else None}


def render(pub: Publication, municipality: str, *, scope: Scope, quarter: str | None = None,
           as_of=None) -> Report:
    """The report for one municipality (or ALLE) and period, as the reader's scope allows: raises
    dashboards.scope.Forbidden outside it, ReportError for a period the publication has no figures for."""
    import weasyprint

    pub.check(scope, municipality)
    period = pub.period(municipality, quarter, as_of)
    html = _environment().get_template("rapport.html.j2").render(**context(pub, municipality, period))
    css = weasyprint.CSS(filename=str(HERE / "rapport.css"))
    document = weasyprint.HTML(string=html, base_url=str(HERE)).render(stylesheets=[css])
    return Report(municipality, period, document.write_pdf(), len(document.pages))
