"""Tid til bolig (§4)."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/tid-til-bolig", name="Tid til bolig", title="Tid til bolig", order=5)


def layout(**_):
    return html.Div(id="tidbolig-content")


@c.downloadable("time_to_housing")
def _rows(f: c.Filters):
    return data.time_to_housing(f.municipality, "cohort_year")


@c.page_content("tidbolig-content")
def render(f: c.Filters):
    df = _rows(f)
    total = data.time_to_housing(f.municipality, "i_alt")
    by_type = data.time_to_housing(f.municipality, "first_stay_type")
    return html.Div([
        c.section("Tid til bolig", data.definition("kpi_time_to_housing")),
        c.table(total.vstack(by_type), "tidbolig-total",
                {"dimension_value": "Gruppe", "citizens": "Borgere", "housed": "I bolig",
                 "median_days": "Median (dage)",
                 "housed_within_share": "I bolig inden for fristen", "housed_within_share_low": "Nedre",
                 "housed_within_share_high": "Øvre", "within_days": "Frist (dage)"}),
        c.graph(c.bars(df["dimension_value"].to_list(), {"Median dage": df["median_days"].to_list()},
                       "Mediandage til egen bolig pr. år", suppressed=df["is_suppressed"].to_list()),
                "tidbolig-chart", "time_to_housing"),
    ])
