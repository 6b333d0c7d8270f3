"""Sagsstammer (§5): cases per caseworker against the cap."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/sagsstammer", name="Sagsstammer", title="Sagsstammer", order=6,
                   filters=("kommune", "dato", "team"),
                   filter_reasons={"maalgruppe": "Sagsstammen tæller alle sager pr. sagsbehandler, uanset målgruppe.",
                                   "forsoeg": "Sagsstammen tæller alle sager pr. sagsbehandler, uanset forsøg."})

LABELS = {"caseworker": "Sagsbehandler", "initials": "Initialer", "caseworker_id": "Sagsbehandler-id",
          "team_name": "Team", "fte": "Årsværk", "cases": "Sager", "cases_per_fte": "Sager pr. årsværk",
          "caseload_cap": "Loft", "dimension_value": "Team", "caseworkers": "Sagsbehandlere",
          "avg_cases_per_caseworker": "Sager pr. sagsbehandler", "avg_cases_per_fte": "Sager pr. årsværk",
          "share_at_or_under_cap": "Andel på eller under loftet", "reference_date": "Opgørelsesdato",
          "value": "Sager pr. sagsbehandler"}


def layout(**_):
    return html.Div(id="sagsstammer-content")


@c.downloadable("caseloads", "Sager pr. sagsbehandler", LABELS)
def _caseloads(f: c.Filters):
    return data.caseloads(f.municipality, f.as_of, f.team)


@c.downloadable("caseload_summary", "Sagsstammer pr. team", LABELS)
def _summary(f: c.Filters):
    df = data.caseload_summary(f.municipality, f.as_of)
    return df.filter(df["dimension_value"] == f.team) if f.team else df


@c.downloadable("caseload_trend", "Sager pr. sagsbehandler, udvikling", LABELS)
def _trend(f: c.Filters):
    df = data.caseload_trend(f.municipality, f.team)
    return df.filter(df["reference_date"] <= f.as_of)


@c.page_content("sagsstammer-content")
def render(f: c.Filters):
    kpi = data.kpi("SAGSSTAMME")
    df = _caseloads(f)
    summary = _summary(f)
    trend = _trend(f)
    head_rows = summary if f.team else data.caseload_summary(f.municipality, f.as_of).head(1)
    head = head_rows.row(0, named=True) if head_rows.height else {}
    return html.Div([
        c.section("Sagsstammer", data.definition("kpi_caseload_summary"),
                  c.headline(kpi, head.get("avg_cases_per_caseworker"), base=head.get("caseworkers"),
                             base_words=("sagsbehandler", "sagsbehandlere"),
                             population=f"i {f.team}" if f.team else "alle teams", as_of=f.as_of)),
        c.graph(c.bars(df["caseworker"].to_list(), {"Sager": df["cases"].to_list()},
                       f"Sager pr. sagsbehandler (loft {c.target_text(kpi)})", target=kpi,
                       suppressed=df["is_suppressed"].to_list(),
                       hover=[f"Sagsbehandler-id {i}" for i in df["caseworker_id"].to_list()]),
                "caseload-chart", "caseloads"),
        c.table(summary, "caseload-summary", LABELS),
        c.download_buttons("caseload_summary"),
        c.graph(c.line(trend["reference_date"].to_list(), {"Sager pr. sagsbehandler": trend["value"].to_list()},
                       "Udvikling", target=kpi, x_title="Opgørelsesdato"), "caseload-trend", "caseload_trend"),
    ])
