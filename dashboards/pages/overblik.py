"""Overblik: a card per KPI with its latest value, its target, on or off target, a small trend."""

from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import dcc, html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/", name="Overblik", title="Overblik", order=0)

PAGES = {"kpi_passive_citizens": "/passive", "kpi_time_to_intervention": "/tid-til-indsats",
         "kpi_housing_retention": "/boligfastholdelse", "kpi_time_to_housing": "/tid-til-bolig",
         "kpi_caseload_summary": "/sagsstammer", "kpi_exit_reasons": "/afslutningsaarsager",
         "kpi_paid_hours": "/loentimer", "kpi_timeliness": "/rettidighed",
         "kpi_caseworker_changes": "/sagsbehandlerskift", "kpi_employer_based_offers": "/tilbud-og-planer",
         "kpi_active_plans": "/tilbud-og-planer", "kpi_self_sufficiency": "/loentimer"}


def layout(**_):
    return html.Div([html.Div(id="overblik-content")])


def _spark(trend) -> dcc.Graph | None:
    if trend.height < 2:
        return None
    fig = go.Figure(go.Scatter(x=trend["reference_date"].to_list(), y=trend["value"].to_list(), mode="lines",
                               line={"color": c.PALETTE[0], "width": 2}, hoverinfo="x+y"))
    fig.update_layout(height=60, margin={"l": 0, "r": 0, "t": 0, "b": 0}, template="simple_white",
                      xaxis={"visible": False}, yaxis={"visible": False}, showlegend=False)
    return dcc.Graph(figure=fig, config={"displayModeBar": False, "staticPlot": True}, className="spark")


def card(row: dict, trend) -> html.Div:
    code, unit = row["kpi_code"], row["unit"]
    shown = c.SUPPRESSED if row["value"] is None and row["base"] is None else c.value(row["value"], unit)
    if row["on_target"] is None:
        state, badge = "no-target", "Intet mål" if row["target_value"] is None else "Ikke opgjort"
    else:
        state = "on-target" if row["on_target"] else "off-target"
        badge = "Mål nået" if row["on_target"] else "Mål ikke nået"
    target = (f"Mål: {row['target_operator'].replace('<=', '≤').replace('>=', '≥')} "
              f"{c.value(row['target_value'], unit)}" if row["target_value"] is not None else "")
    # the label names the population (and the period or cohort) the value is about
    about = ", ".join(x for x in (row.get("population_da"), row.get("period_da")) if x)
    return html.Div([
        html.H3(dcc.Link(row["name_da"], href=PAGES.get(row["mart"], "/"))),
        html.Div(about, className="kpi-population", id=f"population-{code}") if about else None,
        html.Div(shown, className="kpi-value", id=f"kpi-{code}"),
        html.Div([html.Span(badge, className=f"badge {state}", id=f"badge-{code}"), " ", target],
                 className="kpi-target"),
        _spark(trend) if trend is not None else None,
    ], className=f"kpi-card {state}", id=f"card-{code}")


def freshness_line(fresh: dict) -> html.Div:
    run = fresh["last_run"] or {}
    reference = data.current_date()
    parts = [html.Span(f"Data bygget {fresh['built_at']:%d-%m-%Y %H:%M} · opgjort pr. "
                       f"{reference:%d-%m-%Y} · nyeste udtræk {fresh['newest_extract']:%d-%m-%Y} · "
                       f"{fresh['files']} filer indlæst · {fresh['rows_quarantined']} rækker i karantæne",
                       id="freshness")]
    if fresh["newest_extract"] and reference and fresh["newest_extract"] > reference:
        parts.append(html.Div("Et nyere udtræk er ufuldstændigt: tallene er opgjort på det seneste komplette "
                              "udtræk, indtil de manglende filer er kommet. Se Datakvalitet.",
                              className="alert", id="incomplete-extract"))
    if run and not run.get("success", True):
        parts.append(html.Div(f"Seneste kørsel ({run['finished_at'][:16].replace('T', ' ')}) fejlede – tallene "
                              "er fra den seneste gode kørsel og kan være forældede. Se Datakvalitet.",
                              className="alert bad", id="stale-warning"))
    return html.Div(parts, className="freshness")


@c.page_content("overblik-content")
def render(f: c.Filters):
    rows = data.overview(f.municipality)
    trends = data.trends(f.municipality)
    cards = [card(r, trends.get(r["kpi_code"])) for r in rows.iter_rows(named=True)]
    return html.Div([html.Div(cards, className="cards", id="cards"), freshness_line(data.freshness())])
