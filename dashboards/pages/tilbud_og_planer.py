"""Virksomhedsrettede tilbud og aktive planer (§11)."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/tilbud-og-planer", name="Tilbud og planer", title="Tilbud og planer", order=9)


def layout(**_):
    return html.Div(id="tilbud-content")


@c.downloadable("employer_based")
def _employer(f: c.Filters):
    return data.employer_based(f.municipality, "i_alt")


@c.downloadable("active_plans")
def _plans(f: c.Filters):
    return data.active_plans(f.municipality, f.date or data.current_date(), "team_name")


@c.page_content("tilbud-content")
def render(f: c.Filters):
    emp = _employer(f)
    plans = _plans(f)
    by_group = data.active_plans(f.municipality, f.date or data.current_date(), "target_group")
    labels = {"dimension_value": "Gruppe", "spells": "Forløb", "spells_with_plan": "Med plan",
              "plan_share": "Andel med plan", "plan_share_low": "Nedre", "plan_share_high": "Øvre"}
    return html.Div([
        c.section("Virksomhedsrettede tilbud", data.definition("kpi_employer_based_offers")),
        c.graph(c.line(emp["reference_date"].to_list(), {"Virksomhedsrettet": emp["employer_based_share"].to_list()},
                       "Andel virksomhedsrettede af de aktive tilbud", percent=True, target=0.5,
                       bands={"Virksomhedsrettet": (emp["employer_based_share_low"].to_list(),
                                                    emp["employer_based_share_high"].to_list())}),
                "employer-chart", "employer_based"),
        c.section("Borgere med plan", data.definition("kpi_active_plans")),
        c.graph(c.bars(plans["dimension_value"].to_list(), {"Andel med plan": plans["plan_share"].to_list()},
                       "Pr. team", percent=True, target=1.0, suppressed=plans["is_suppressed"].to_list()),
                "plans-chart", "active_plans"),
        c.table(by_group, "plans-group", labels),
    ])
