"""Afslutningsårsager (§6): the exit-reason table for a month, quarter, year to date or the last
12 months, as of the reference date or any month end picked in the date filter."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/afslutningsaarsager", name="Afslutningsårsager", title="Afslutningsårsager",
                   order=8)

PERIODS = {"aar_til_dato": "År til dato", "seneste_12_mdr": "Seneste 12 måneder", "kvartal": "Kvartal til dato",
           "maaned": "Måned til dato"}


def layout(**_):
    return html.Div([
        dcc.RadioItems(id="exit-period", options=[{"label": v, "value": k} for k, v in PERIODS.items()],
                       value="aar_til_dato", inline=True, persistence=True, persistence_type="session"),
        html.Div(id="exit-content"),
    ])


@c.downloadable("exit_reasons")
def _rows(f: c.Filters, period: str = "aar_til_dato"):
    return data.exit_reasons(f.municipality, period, f.target_group or "2.11", f.date)


@c.page_content("exit-content", (("exit-period", "aar_til_dato"),))
def render(f: c.Filters, period: str):
    df = _rows(f, period)
    reasons = df.unique("exit_reason", maintain_order=True)
    group = f.target_group or "2.11"
    as_of = f.date or data.current_date()
    return html.Div([
        c.section(f"Afslutningsårsager, målgruppe {group}, {PERIODS[period].lower()} pr. {as_of:%d-%m-%Y}",
                  data.definition("kpi_exit_reasons")),
        c.graph(c.bars(reasons["exit_reason"].to_list(), {"Andel": reasons["reason_share"].to_list()},
                       "Andel af afsluttede forløb", percent=True,
                       suppressed=[s is None for s in reasons["reason_share"].to_list()]), "exit-chart",
                "exit_reasons", period),
        c.table(df, "exit-table", {"exit_reason": "Årsag", "new_target_group": "Ny målgruppe", "spells": "Forløb",
                                   "reason_spells": "Forløb med årsagen", "ended_spells": "Afsluttede i alt",
                                   "reason_share": "Andel"}),
    ])
