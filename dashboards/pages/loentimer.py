"""Løntimer og selvforsørgelse (§7, §12)."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/loentimer", name="Løntimer og selvforsørgelse",
                   title="Løntimer og selvforsørgelse", order=10, filters=("kommune", "forsoeg"),
                   filter_reasons={"dato": "Løntimerne er opgjort pr. seneste opgørelsesdato, selvforsørgelsen pr. "
                                           "afslutningsmåned.",
                                   "maalgruppe": "Tallene vises for forsøgenes grupper, ikke pr. målgruppe.",
                                   "team": "Tallene findes ikke pr. team."})

PAID_LABELS = {"experiment_id": "Forsøg", "arm": "Gruppe", "participants": "Deltagere",
               "with_hours_or_education": "Med løntimer eller uddannelse", "share": "Andel",
               "share_low": "Nedre grænse (95 %)", "share_high": "Øvre grænse (95 %)", "payout_tier": "Udbetaling"}
SELF_LABELS = {"cohort": "Afslutningsmåned", "dimension_value": "Gruppe", "ended_spells": "Afsluttede forløb",
               "self_sufficient_share_3m": "Selvforsørgende efter 3 mdr.",
               "self_sufficient_share_6m": "Selvforsørgende efter 6 mdr.",
               "self_sufficient_share_12m": "Selvforsørgende efter 12 mdr.", "lasting_share": "Varigt selvforsørgende",
               "measurable_6m": "Kan måles efter 6 mdr.", "not_measurable_reason": "Hvorfor ikke målbar"}


def layout(**_):
    return html.Div(id="loentimer-content")


@c.downloadable("paid_hours", "Løntimer eller uddannelse pr. forsøgsgruppe", PAID_LABELS)
def _paid(f: c.Filters):
    df = data.paid_hours()
    df = df.filter(df["experiment_id"] == f.experiment) if f.experiment else df
    titles = {k.split(":")[0]: v.split(",")[0] for k, v in data.arm_names().items() if ":" in k}
    return df.with_columns(df["experiment_id"].replace(titles), df["arm"].replace(data.ARMS))


@c.downloadable("self_sufficiency", "Selvforsørgelse pr. afslutningsmåned", SELF_LABELS)
def _self(f: c.Filters):
    return data.self_sufficiency(f.municipality)


@c.downloadable("self_sufficiency_arms", "Selvforsørgelse pr. forsøgsgruppe", SELF_LABELS)
def _self_arms(f: c.Filters):
    """By experiment arm, the cohorts whose 6-month follow-up has passed."""
    df = data.self_sufficiency(f.municipality, "experiment_arm")
    df = df.filter(df["measurable_6m"]).drop("measurable_6m", "not_measurable_reason")
    return df.filter(df["dimension_value"].str.starts_with(f.experiment + ":")) if f.experiment else df


def _arm_names(df):
    """'FLERE_SKAL_MED_2:INDSATS' as a manager reads it: 'Flere skal med 2, indsatsgruppe'."""
    names = data.arm_names()
    return df.with_columns(df["dimension_value"].replace(names))


_month = c.month_da


def self_headline(self_) -> html.Div:
    """The latest cohort whose 6-month follow-up has passed (what the Overblik card shows), and
    which later cohorts cannot be measured yet."""
    shown = self_.filter(self_["measurable_6m"] & self_["self_sufficient_share_6m"].is_not_null())
    waiting = self_.filter(~self_["measurable_6m"])
    parts = []
    if shown.height:
        last = shown.row(-1, named=True)
        parts.append(c.headline(data.kpi("SELVFORSOERGELSE"), last["self_sufficient_share_6m"],
                                base=last["ended_spells"], base_words=("afsluttet forløb", "afsluttede forløb"),
                                population=f"afsluttet i {_month(last['cohort'])}, den seneste målbare måned",
                                as_of=data.current_date()))
        parts.append(html.P(f"{c.pct(last['self_sufficient_share_6m'])} af forløb afsluttet i "
                            f"{_month(last['cohort'])} var selvforsørgende 6 måneder efter.", id="self-headline"))
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
    kpi = data.kpi("LOENTIMER_ANDEL")
    label = [f"{e}, {a}" for e, a in zip(paid["experiment_id"].to_list(), paid["arm"].to_list(), strict=True)]
    return html.Div([
        c.section("Løntimer eller uddannelse", data.definition("kpi_paid_hours") + " Tallene er opgjort på tværs "
                  "af alle kommuner; kommunefilteret gælder kun selvforsørgelsen nedenfor.", _paid_headline(paid, kpi)),
        c.graph(c.bars(label, {"Andel": paid["share"].to_list()}, "Andel med løntimer eller uddannelse efter "
                       "indskrivning", percent=True, target=kpi,
                       errors={"Andel": (paid["share_low"].to_list(), paid["share_high"].to_list())},
                       suppressed=paid["is_suppressed"].to_list()), "paid-chart", "paid_hours"),
        c.table(paid, "paid-table", PAID_LABELS),
        c.section("Selvforsørgelse", data.definition("kpi_self_sufficiency"), self_headline(self_)),
        c.graph(_self_chart(self_), "self-chart", "self_sufficiency"),
        html.H2("Pr. forsøgsgruppe"),
        c.table(_arm_names(_self_arms(f).sort("cohort", descending=True)), "self-arms-table",
                {**SELF_LABELS, "dimension_value": "Forsøgsgruppe"}),
        c.download_buttons("self_sufficiency_arms"),
    ])


def _paid_headline(paid, kpi):
    """The intervention arm of the experiment the grant is paid on (the Overblik card's figure)."""
    rows = paid.filter(paid["arm"] == data.ARMS["INDSATS"])
    if not rows.height:
        return None
    r = rows.row(0, named=True)
    return c.headline(kpi, r["share"], base=r["participants"], base_words=("deltager", "deltagere"),
                      population=f"i indsatsgruppen i {r['experiment_id']}", as_of=data.current_date(),
                      low=r["share_low"], high=r["share_high"], suppressed=r["is_suppressed"])


def _self_chart(self_):
    return c.line(self_["cohort"].to_list(), {"3 mdr.": self_["self_sufficient_share_3m"].to_list(),
                                              "6 mdr.": self_["self_sufficient_share_6m"].to_list(),
                                              "12 mdr.": self_["self_sufficient_share_12m"].to_list()},
                  "Andel selvforsørgende efter afslutning, pr. afslutningsmåned", percent=True,
                  target=data.kpi("SELVFORSOERGELSE"), x_title="Afslutningsmåned")
