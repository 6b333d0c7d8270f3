"""Boligfastholdelse (§3): Kaplan–Meier curves with bands, by support method, subsidy, cohort, arm."""

from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import dcc, html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/boligfastholdelse", name="Boligfastholdelse", title="Boligfastholdelse",
                   order=4)

CHART_DAYS = 1096  # the chart shows three years after move-in

DIMENSIONS = {"support_method": "Bostøttemetode", "rent_subsidy": "Huslejetilskud", "cohort_year": "Indflytningsår",
              "experiment_arm": "Forsøgsgruppe", "i_alt": "I alt"}


def layout(**_):
    return html.Div([
        dcc.RadioItems(id="bolig-dimension", options=[{"label": v, "value": k} for k, v in DIMENSIONS.items()],
                       value="support_method", inline=True, persistence=True, persistence_type="session"),
        html.Div(id="bolig-content"),
    ])


@c.downloadable("housing_retention")
def _table(f: c.Filters, dimension: str = "support_method"):
    return data.housing_retention(f.municipality, dimension)


@c.downloadable("housing_curves")
def _curves(f: c.Filters, dimension: str = "support_method"):
    return data.housing_curves(f.municipality, dimension)


@c.page_content("bolig-content", (("bolig-dimension", "support_method"),))
def render(f: c.Filters, dimension: str):
    curves = data.housing_curves(f.municipality, dimension, max_days=CHART_DAYS)
    groups = curves["dimension_value"].unique(maintain_order=True).to_list()

    fig = go.Figure()
    for i, g in enumerate(groups):
        part = curves.filter(curves["dimension_value"] == g)
        months = [d / 30.44 for d in part["days"].to_list()]
        colour = c.PALETTE[i % len(c.PALETTE)]
        fig.add_trace(go.Scatter(x=months + months[::-1], y=part["retention_high"].to_list()
                                 + part["retention_low"].to_list()[::-1], fill="toself", fillcolor=colour,
                                 opacity=0.15, line={"width": 0}, hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=months, y=part["retention"].to_list(), name=str(g), line_shape="hv",
                                 line={"color": colour, "width": 3}))
    fig.update_xaxes(title="Måneder efter indflytning", range=[0, CHART_DAYS / 30.44], dtick=6)
    c._layout(fig, "Andel der stadig bor i egen bolig (Kaplan–Meier, 95 %-bånd)", percent=True)
    fig.update_yaxes(range=[0, 1.02])
    table = _table(f, dimension)
    return html.Div([
        c.section("Boligfastholdelse", data.definition("kpi_housing_retention")),
        c.graph(fig, "bolig-km", "housing_curves", dimension),
        c.table(table, "bolig-table", {"dimension_value": DIMENSIONS.get(dimension, "Gruppe"), "citizens": "Borgere",
                                       "lost_home": "Mistede bolig", "retention_6m": "6 mdr.",
                                       "retention_12m": "12 mdr.", "retention_12m_low": "12 mdr. nedre",
                                       "retention_12m_high": "12 mdr. øvre", "retention_24m": "24 mdr.",
                                       "retention_24m_low": "24 mdr. nedre", "retention_24m_high": "24 mdr. øvre"}),
        c.download_buttons("housing_retention", dimension),
    ])
