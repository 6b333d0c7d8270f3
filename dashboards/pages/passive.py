"""Passive borgere i ressourceforløb (§1)."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/passive", name="Passive borgere", title="Passive borgere", order=1)

# the target (16-20 %) is across all durations, so that is the default, as on the Overblik card
VARIANTS = {"alle_varigheder": "Alle forløbsvarigheder", "anciennitet_1_aar": "Mindst 1 års anciennitet"}
DEFAULT = "alle_varigheder"


def layout(**_):
    return html.Div([
        dcc.RadioItems(id="passive-variant", options=[{"label": v, "value": k} for k, v in VARIANTS.items()],
                       value=DEFAULT, inline=True, persistence=True, persistence_type="session"),
        html.Div(id="passive-content"),
    ])


@c.downloadable("passive_trend")
def _trend(f: c.Filters, variant: str = DEFAULT):
    return data.passive_trend(f.municipality, variant)


@c.downloadable("passive_team")
def _team(f: c.Filters, variant: str = DEFAULT):
    return data.passive_breakdown(f.municipality, f.date or data.current_date(), variant, "team_name")


@c.downloadable("passive_caseworker")
def _caseworker(f: c.Filters, variant: str = DEFAULT):
    return data.passive_breakdown(f.municipality, f.date or data.current_date(), variant, "caseworker_id")


@c.page_content("passive-content", (("passive-variant", DEFAULT),))
def render(f: c.Filters, variant: str):
    trend = _trend(f, variant)
    team = _team(f, variant)
    cw = _caseworker(f, variant)
    now = data.passive_breakdown(f.municipality, f.date or data.current_date(), variant, "i_alt")
    head = now.row(0, named=True) if now.height else {}
    headline = (c.SUPPRESSED if head.get("is_suppressed") else
                f"{c.pct(head.get('passive_share'))} ({head.get('passive')} af {head.get('population')})")
    return html.Div([
        c.section(f"Passive borgere i ressourceforløb, {VARIANTS[variant].lower()}",
                  data.definition("kpi_passive_citizens"),
                  html.Div(headline, className="kpi-value", id="passive-headline")),
        c.graph(c.line(trend["reference_date"].to_list(), {"Andel passive": trend["passive_share"].to_list()},
                       "Udvikling (95 %-interval)", percent=True, target=0.20,
                       bands={"Andel passive": (trend["passive_share_low"].to_list(),
                                                trend["passive_share_high"].to_list())}),
                "passive-trend", "passive_trend", variant),
        c.graph(c.bars(team["dimension_value"].to_list(), {"Andel passive": team["passive_share"].to_list()},
                       "Pr. team", percent=True, target=0.20,
                       errors={"Andel passive": (team["passive_share_low"].to_list(),
                                                 team["passive_share_high"].to_list())},
                       suppressed=team["is_suppressed"].to_list()), "passive-team", "passive_team", variant),
        html.H2("Pr. sagsbehandler"),
        c.table(cw, "passive-caseworker-table", {"dimension_value": "Sagsbehandler", "population": "Borgere",
                                                  "passive": "Passive", "passive_share": "Andel",
                                                  "passive_share_low": "Nedre", "passive_share_high": "Øvre"}),
        c.download_buttons("passive_caseworker", variant),
    ])
