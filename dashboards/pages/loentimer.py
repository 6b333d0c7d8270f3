"""Løntimer og selvforsørgelse (§7, §12)."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/loentimer", name="Løntimer og selvforsørgelse",
                   title="Løntimer og selvforsørgelse", order=10)


def layout(**_):
    return html.Div(id="loentimer-content")


@c.downloadable("paid_hours")
def _paid(f: c.Filters):
    df = data.paid_hours()
    return df.filter(df["experiment_id"] == f.experiment) if f.experiment else df


@c.downloadable("self_sufficiency")
def _self(f: c.Filters):
    return data.self_sufficiency(f.municipality)


@c.page_content("loentimer-content")
def render(f: c.Filters):
    from dashboards import scope as access

    self_ = _self(f)
    if not access.current().covers_all(data.present()[0]):  # the experiments' figures span every municipality
        return html.Div([
            c.section("Løntimer eller uddannelse", "Forsøgenes tal er opgjort på tværs af alle kommuner og vises "
                      "kun for brugere med adgang til alle kommuner.", section_id="paid-hidden"),
            c.section("Selvforsørgelse", data.definition("kpi_self_sufficiency")),
            c.graph(_self_chart(self_), "self-chart", "self_sufficiency")])
    paid = _paid(f)
    label = [f"{e} {a}" for e, a in zip(paid["experiment_id"].to_list(), paid["arm"].to_list(), strict=True)]
    return html.Div([
        c.section("Løntimer eller uddannelse", data.definition("kpi_paid_hours")),
        c.graph(c.bars(label, {"Andel": paid["share"].to_list()}, "Andel med løntimer eller uddannelse efter "
                       "indskrivning", percent=True, target=0.15,
                       errors={"Andel": (paid["share_low"].to_list(), paid["share_high"].to_list())},
                       suppressed=paid["is_suppressed"].to_list()), "paid-chart", "paid_hours"),
        c.table(paid, "paid-table", {"experiment_id": "Forsøg", "arm": "Gruppe", "participants": "Deltagere",
                                     "with_hours_or_education": "Med løntimer/uddannelse", "share": "Andel",
                                     "share_low": "Nedre", "share_high": "Øvre", "payout_tier": "Udbetaling"}),
        c.section("Selvforsørgelse", data.definition("kpi_self_sufficiency")),
        c.graph(_self_chart(self_), "self-chart", "self_sufficiency"),
    ])


def _self_chart(self_):
    return c.line(self_["cohort"].to_list(), {"3 mdr.": self_["self_sufficient_share_3m"].to_list(),
                                              "6 mdr.": self_["self_sufficient_share_6m"].to_list(),
                                              "12 mdr.": self_["self_sufficient_share_12m"].to_list()},
                  "Andel selvforsørgende efter afslutning, pr. afslutningsmåned", percent=True)
