"""Afslutningsårsager (§6): the exit-reason table for a month, quarter, year to date or the last
12 months, as of the reference date or any month end picked in the date filter."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/afslutningsaarsager", name="Afslutningsårsager", title="Afslutningsårsager",
                   order=8, filters=("kommune", "dato", "maalgruppe"),
                   filter_reasons={"team": "Afslutningsårsagerne er ikke opgjort pr. team.",
                                   "forsoeg": "Afslutningsårsagerne er ikke opgjort pr. forsøg."})

PERIODS = {"aar_til_dato": "År til dato", "seneste_12_mdr": "Seneste 12 måneder", "kvartal": "Kvartal til dato",
           "maaned": "Måned til dato"}
DEFAULT_GROUP = "2.11"  # ressourceforløb: the target group the exit-reason table is about unless one is chosen
LABELS = {"exit_reason": "Årsag", "new_target_group": "Ny målgruppe", "spells": "Forløb",
          "reason_spells": "Forløb med årsagen", "ended_spells": "Afsluttede i alt", "reason_share": "Andel"}


def layout(**_):
    return html.Div([
        dcc.RadioItems(id="exit-period", options=[{"label": v, "value": k} for k, v in PERIODS.items()],
                       value="aar_til_dato", inline=True, persistence=True, persistence_type="session"),
        html.Div(id="exit-content"),
    ])


@c.downloadable("exit_reasons", "Afslutningsårsager", LABELS, choices=(PERIODS,))
def _rows(f: c.Filters, period: str = "aar_til_dato"):
    df = data.exit_reasons(f.municipality, period, f.target_group or DEFAULT_GROUP, f.date)
    names = data.code_names("ref_maalgrupper", "target_group")
    return df.with_columns(df["new_target_group"].replace({g: f"{g} {n}" for g, n in names.items()}))


@c.page_content("exit-content", (("exit-period", "aar_til_dato"),))
def render(f: c.Filters, period: str):
    df = _rows(f, period)
    reasons = df.unique("exit_reason", maintain_order=True)
    group = f.target_group or DEFAULT_GROUP
    name = data.code_names("ref_maalgrupper", "target_group").get(group, "")
    as_of = f.as_of
    note = (html.P(f"Ingen målgruppe er valgt: siden viser målgruppe {DEFAULT_GROUP} ({name}), som "
                   "afslutningsårsagerne følges for. Vælg en anden målgruppe i filteret.", className="alert",
                   id="exit-default-group") if not f.target_group else None)
    return html.Div([
        c.section(f"Afslutningsårsager, målgruppe {group} {name}, {PERIODS[period].lower()} pr. {c.date_da(as_of)}",
                  data.definition("kpi_exit_reasons"), note),
        c.graph(c.bars(reasons["exit_reason"].to_list(), {"Andel": reasons["reason_share"].to_list()},
                       "Andel af afsluttede forløb", percent=True,
                       suppressed=[s is None for s in reasons["reason_share"].to_list()]), "exit-chart",
                "exit_reasons", period),
        c.table(df, "exit-table", LABELS),
    ])
