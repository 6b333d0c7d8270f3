"""Sagsbehandlerskift (§10)."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/sagsbehandlerskift", name="Sagsbehandlerskift", title="Sagsbehandlerskift",
                   order=7, filters=("kommune", "dato"),
                   filter_reasons={"maalgruppe": "Skift vises pr. team og pr. målgruppe hver for sig, i tabellerne "
                                                 "nedenfor.",
                                   "team": "Skift vises pr. team og pr. målgruppe hver for sig, i tabellerne "
                                           "nedenfor."})

LABELS = {"dimension_value": "Gruppe", "spells": "Forløb", "changes": "Skift",
          "changes_per_spell_year": "Skift pr. forløbsår", "share_with_2_or_more": "Andel med 2+ skift"}


def layout(**_):
    return html.Div(id="skift-content")


@c.downloadable("caseworker_changes", "Sagsbehandlerskift pr. team", {**LABELS, "dimension_value": "Team"})
def _rows(f: c.Filters):
    return data.caseworker_changes(f.municipality, f.as_of, "team_name")


@c.downloadable("caseworker_changes_groups", "Sagsbehandlerskift pr. målgruppe",
                {**LABELS, "dimension_value": "Målgruppe"})
def _groups(f: c.Filters):
    return data.caseworker_changes(f.municipality, f.as_of, "target_group")


@c.page_content("skift-content")
def render(f: c.Filters):
    kpi = data.kpi("SAGSBEHANDLERSKIFT")
    df = _rows(f)
    groups = _groups(f)
    total = data.caseworker_changes(f.municipality, f.as_of, "i_alt")
    head = total.row(0, named=True) if total.height else {}
    names = data.code_names("ref_maalgrupper", "target_group")
    places = {"changes_per_spell_year": c.decimals_for(kpi["unit"], kpi["default_target"])}
    return html.Div([
        c.section("Sagsbehandlerskift", data.definition("kpi_caseworker_changes"),
                  c.headline(kpi, head.get("changes_per_spell_year"), base=head.get("spells"),
                             base_words=("forløb", "forløb"), population="igangværende forløb", as_of=f.as_of,
                             suppressed=bool(head.get("is_suppressed")))),
        c.graph(c.bars(df["dimension_value"].to_list(), {"Skift pr. forløbsår": df["changes_per_spell_year"].to_list()},
                       "Skift pr. forløbsår, pr. team", target=kpi, suppressed=df["is_suppressed"].to_list()),
                "skift-chart", "caseworker_changes"),
        html.H2("Pr. team"), c.table(df, "skift-team", {**LABELS, "dimension_value": "Team"}, decimals=places),
        c.download_buttons("caseworker_changes"),
        html.H2("Pr. målgruppe"),
        c.table(groups, "skift-group", {**LABELS, "dimension_value": "Målgruppe"}, decimals=places,
                codes={"dimension_value": {g: f"{g} {n}" for g, n in names.items()}}),
        c.download_buttons("caseworker_changes_groups"),
    ])
