"""Passive borgere i ressourceforløb (§1)."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/passive", name="Passive borgere", title="Passive borgere", order=1,
                   filters=("kommune", "dato", "team"),
                   filter_reasons={"maalgruppe": "Siden handler kun om målgruppe 2.11 (ressourceforløb).",
                                   "forsoeg": "Forsøgenes passive borgere vises på siden Forsøg."})

# the target (16-20 %) is across all durations, so that is the default, as on the Overblik card
VARIANTS = {"alle_varigheder": "Alle forløbsvarigheder", "anciennitet_1_aar": "Mindst 1 års anciennitet"}
DEFAULT = "alle_varigheder"
LABELS = {"reference_date": "Opgørelsesdato", "dimension_value": "Gruppe", "population": "Borgere",
          "passive": "Passive", "passive_share": "Andel passive", "passive_share_low": "Nedre grænse (95 %)",
          "passive_share_high": "Øvre grænse (95 %)", "caseworker": "Sagsbehandler", "team_name": "Team",
          "caseworker_id": "Sagsbehandler-id"}


def layout(**_):
    return html.Div([
        dcc.RadioItems(id="passive-variant", options=[{"label": v, "value": k} for k, v in VARIANTS.items()],
                       value=DEFAULT, inline=True, persistence=True, persistence_type="session"),
        html.Div(id="passive-content"),
    ])


@c.downloadable("passive_trend", "Passive borgere, udvikling", LABELS, choices=(VARIANTS,))
def _trend(f: c.Filters, variant: str = DEFAULT):
    """The trend up to the chosen date, for the municipality (or the chosen team)."""
    df = data.passive_trend(f.municipality, variant, f.team)
    return df.filter(df["reference_date"] <= f.as_of)


@c.downloadable("passive_team", "Passive borgere pr. team", {**LABELS, "dimension_value": "Team"},
                choices=(VARIANTS,))
def _team(f: c.Filters, variant: str = DEFAULT):
    df = data.passive_breakdown(f.municipality, f.as_of, variant, "team_name")
    return df.filter(df["dimension_value"] == f.team) if f.team else df


@c.downloadable("passive_caseworker", "Passive borgere pr. sagsbehandler", LABELS, choices=(VARIANTS,))
def _caseworker(f: c.Filters, variant: str = DEFAULT):
    return data.passive_by_caseworker(f.municipality, f.as_of, variant, f.team)


@c.page_content("passive-content", (("passive-variant", DEFAULT),))
def render(f: c.Filters, variant: str):
    kpi = data.kpi("PASSIV_ANDEL")
    trend = _trend(f, variant)
    team = _team(f, variant)
    cw = _caseworker(f, variant)
    if f.team:
        now = team
    else:
        now = data.passive_breakdown(f.municipality, f.as_of, variant, "i_alt")
    head = now.row(0, named=True) if now.height else {}
    who = f"{VARIANTS[variant].lower()}" + (f", {f.team}" if f.team else "")
    return html.Div([
        c.section(f"Passive borgere i ressourceforløb, {who}", data.definition("kpi_passive_citizens"),
                  c.headline(kpi, head.get("passive_share"), base=head.get("population"),
                             population=f"i ressourceforløb, {who}", as_of=f.as_of,
                             low=head.get("passive_share_low"), high=head.get("passive_share_high"),
                             suppressed=bool(head.get("is_suppressed"))),
                  html.P("Passive: " + (c.SUPPRESSED if head.get("passive") is None else
                                        c.count(head.get("passive"), "borger", "borgere")),
                         id="passive-headline", className="definition")),
        c.graph(c.line(trend["reference_date"].to_list(), {"Andel passive": trend["passive_share"].to_list()},
                       "Udvikling (95 %-interval)", percent=True, target=kpi,
                       bands={"Andel passive": (trend["passive_share_low"].to_list(),
                                                trend["passive_share_high"].to_list())}),
                "passive-trend", "passive_trend", variant),
        c.graph(c.bars(team["dimension_value"].to_list(), {"Andel passive": team["passive_share"].to_list()},
                       "Pr. team", percent=True, target=kpi,
                       errors={"Andel passive": (team["passive_share_low"].to_list(),
                                                 team["passive_share_high"].to_list())},
                       suppressed=team["is_suppressed"].to_list()), "passive-team", "passive_team", variant),
        html.H2("Pr. sagsbehandler"),
        c.table(cw.drop("caseworker_id"), "passive-caseworker-table", LABELS),
        c.download_buttons("passive_caseworker", variant),
    ])
