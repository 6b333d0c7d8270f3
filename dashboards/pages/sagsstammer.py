"""Sagsstammer (§5): cases per caseworker against the cap."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/sagsstammer", name="Sagsstammer", title="Sagsstammer", order=6)


def layout(**_):
    return html.Div(id="sagsstammer-content")


@c.downloadable("caseloads")
def _caseloads(f: c.Filters):
    return data.caseloads(f.municipality, f.date or data.current_date(), f.team)


@c.downloadable("caseload_trend")
def _trend(f: c.Filters):
    return data.trend("SAGSSTAMME", f.municipality)


@c.page_content("sagsstammer-content")
def render(f: c.Filters):
    df = _caseloads(f)
    summary = data.caseload_summary(f.municipality, f.date or data.current_date())
    cap = df["caseload_cap"][0] if df.height else 30
    trend = _trend(f)
    return html.Div([
        c.section("Sagsstammer", data.definition("kpi_caseload_summary")),
        c.graph(c.bars(df["initials"].to_list(), {"Sager": df["cases"].to_list()},
                       f"Sager pr. sagsbehandler (loft {cap})", target=cap,
                       suppressed=df["is_suppressed"].to_list()), "caseload-chart", "caseloads"),
        c.table(summary, "caseload-summary", {"dimension_value": "Team", "caseworkers": "Sagsbehandlere",
                                              "cases": "Sager", "avg_cases_per_caseworker": "Sager pr. sagsbehandler",
                                              "avg_cases_per_fte": "Sager pr. årsværk",
                                              "share_at_or_under_cap": "Andel under loftet"}),
        c.graph(c.line(trend["reference_date"].to_list(), {"Sager pr. sagsbehandler": trend["value"].to_list()},
                       "Udvikling", target=cap), "caseload-trend", "caseload_trend"),
    ])
