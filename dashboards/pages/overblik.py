"""Overblik: the headline figures and the data freshness."""

from __future__ import annotations

import dash
from dash import html

from dashboards import data

dash.register_page(__name__, path="/", name="Overblik", title="Overblik")


def _pct(x) -> str:
    return "–" if x is None else f"{x * 100:.1f} %".replace(".", ",")


def layout(**_):
    try:
        rf = data.ressourceforloeb_overview()
        fresh = data.freshness()
    except data.NoPublicationError as exc:
        return html.Div(str(exc), id="no-data", className="alert")
    return html.Div([
        html.Div([
            html.H2("Passive borgere i ressourceforløb"),
            html.Div(_pct(rf["share"]), id="kpi-passiv-andel", className="kpi-value"),
            html.P(f"{rf['passive_senior']} af {rf['senior']} borgere med mindst 1 års anciennitet "
                   f"har hverken haft beskæftigelsesrettet tilbud eller mentor det seneste år "
                   f"(opgjort {rf['ref_date']:%d-%m-%Y}; {rf['ongoing']} igangværende forløb i alt).",
                   id="kpi-passiv-detalje"),
        ], className="kpi-card", id="card-passiv"),
        html.Footer(
            f"Data bygget {fresh['built_at']:%d-%m-%Y %H:%M} · nyeste udtræk "
            f"{fresh['newest_extract']:%d-%m-%Y} · {fresh['files']} filer indlæst · "
            f"{fresh['rows_quarantined']} rækker i karantæne",
            id="freshness"),
    ])
