"""Sagsbehandlerskift (§10)."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/sagsbehandlerskift", name="Sagsbehandlerskift", title="Sagsbehandlerskift",
                   order=7)


def layout(**_):
    return html.Div(id="skift-content")


@c.downloadable("caseworker_changes")
def _rows(f: c.Filters):
    return data.caseworker_changes(f.municipality, f.date or data.current_date(), "team_name")


@c.page_content("skift-content")
def render(f: c.Filters):
    df = _rows(f)
    groups = data.caseworker_changes(f.municipality, f.date or data.current_date(), "target_group")
    labels = {"dimension_value": "Gruppe", "spells": "Forløb", "changes": "Skift",
              "changes_per_spell_year": "Skift pr. forløbsår", "share_with_2_or_more": "Andel med 2+ skift"}
    return html.Div([
        c.section("Sagsbehandlerskift", data.definition("kpi_caseworker_changes")),
        c.graph(c.bars(df["dimension_value"].to_list(), {"Andel med 2+ skift": df["share_with_2_or_more"].to_list()},
                       "Andel forløb med mindst to skift det seneste år, pr. team", percent=True,
                       suppressed=df["is_suppressed"].to_list()), "skift-chart", "caseworker_changes"),
        html.H2("Pr. team"), c.table(df, "skift-team", labels),
        html.H2("Pr. målgruppe"), c.table(groups, "skift-group", labels),
    ])
