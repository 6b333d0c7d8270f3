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


@c.downloadable("self_sufficiency_arms")
def _self_arms(f: c.Filters):
    """By experiment arm, the cohorts whose 6-month follow-up has passed."""
    df = data.self_sufficiency(f.municipality, "experiment_arm")
    df = df.filter(df["measurable_6m"]).drop("measurable_6m", "not_measurable_reason")
    return df.filter(df["dimension_value"].str.starts_with(f.experiment + ":")) if f.experiment else df


ARMS = {"INDSATS": "indsatsgruppe", "KONTROL": "kontrolgruppe"}


def _arm_names(df):
    """'FLERE_SKAL_MED_2:INDSATS' as a manager reads it: 'Flere skal med 2, indsatsgruppe'."""
    titles = dict(data.filter_options()["experiments"])

    def name(value: str) -> str:
        experiment, _, arm = value.partition(":")
        return f"{titles.get(experiment, experiment)}, {ARMS.get(arm, arm)}" if arm else value.capitalize()
    return df.with_columns(df["dimension_value"].map_elements(name, return_dtype=df["dimension_value"].dtype))


MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")


def _month(cohort: str) -> str:
    year, month = cohort.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def self_headline(self_) -> html.Div:
    """The latest cohort whose 6-month follow-up has passed (what the Overblik card shows), and
    which later cohorts cannot be measured yet."""
    shown = self_.filter(self_["measurable_6m"] & self_["self_sufficient_share_6m"].is_not_null())
    waiting = self_.filter(~self_["measurable_6m"])
    parts = []
    if shown.height:
        last = shown.row(-1, named=True)
        parts.append(html.Div(f"{c.pct(last['self_sufficient_share_6m'])} af forløb afsluttet i "
                              f"{_month(last['cohort'])} var selvforsørgende 6 måneder efter",
                              className="kpi-value", id="self-headline"))
    if waiting.height:
        first = waiting.row(0, named=True)
        parts.append(html.P(f"Forløb afsluttet fra {_month(first['cohort'])} og senere kan endnu ikke måles efter "
                            f"6 måneder. {first['not_measurable_reason']}.", id="self-not-measurable"))
    return html.Div(parts)


@c.page_content("loentimer-content")
def render(f: c.Filters):
    from dashboards import scope as access

    self_ = _self(f)
    if not access.current().covers_all(data.present()[0]):  # the experiments' figures span every municipality
        return html.Div([
            c.section("Løntimer eller uddannelse", "Forsøgenes tal er opgjort på tværs af alle kommuner og vises "
                      "kun for brugere med adgang til alle kommuner.", section_id="paid-hidden"),
            c.section("Selvforsørgelse", data.definition("kpi_self_sufficiency"), self_headline(self_)),
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
        c.section("Selvforsørgelse", data.definition("kpi_self_sufficiency"), self_headline(self_)),
        c.graph(_self_chart(self_), "self-chart", "self_sufficiency"),
        html.H2("Pr. forsøgsgruppe"),
        c.table(_arm_names(_self_arms(f).sort("cohort", descending=True)), "self-arms-table",
                {"cohort": "Afslutningsmåned", "dimension_value": "Forsøgsgruppe", "ended_spells": "Afsluttede",
                 "self_sufficient_share_3m": "3 mdr.", "self_sufficient_share_6m": "6 mdr.",
                 "self_sufficient_share_12m": "12 mdr.", "lasting_share": "Varigt"}),
        c.download_buttons("self_sufficiency_arms"),
    ])


def _self_chart(self_):
    return c.line(self_["cohort"].to_list(), {"3 mdr.": self_["self_sufficient_share_3m"].to_list(),
                                              "6 mdr.": self_["self_sufficient_share_6m"].to_list(),
                                              "12 mdr.": self_["self_sufficient_share_12m"].to_list()},
                  "Andel selvforsørgende efter afslutning, pr. afslutningsmåned", percent=True)
