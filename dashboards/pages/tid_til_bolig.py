"""Tid til bolig (§4)."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/tid-til-bolig", name="Tid til bolig", title="Tid til bolig", order=5,
                   filters=("kommune",),
                   filter_reasons={"dato": "Forløbene følges frem til den seneste opgørelsesdato (Kaplan–Meier).",
                                   "maalgruppe": "Boligtallene er ikke opdelt på målgruppe.",
                                   "team": "Boligtallene er ikke opdelt på team."})

LABELS = {"dimension_value": "Gruppe", "citizens": "Borgere", "housed": "I bolig", "median_days": "Median (dage)",
          "housed_within_share": "I bolig inden for fristen", "housed_within_share_low": "Nedre grænse (95 %)",
          "housed_within_share_high": "Øvre grænse (95 %)", "within_days": "Frist (dage)"}


def layout(**_):
    return html.Div(id="tidbolig-content")


def _named(df):
    names = data.code_names("ref_boligtyper", "housing_type")
    return df.with_columns(df["dimension_value"].replace(names))


@c.downloadable("time_to_housing", "Tid til bolig pr. år", {**LABELS, "dimension_value": "År"})
def _rows(f: c.Filters):
    return data.time_to_housing(f.municipality, "cohort_year")


@c.downloadable("time_to_housing_groups", "Tid til bolig i alt og pr. første opholdstype", LABELS)
def _groups(f: c.Filters):
    total = data.time_to_housing(f.municipality, "i_alt")
    return total.vstack(_named(data.time_to_housing(f.municipality, "first_stay_type")))


@c.page_content("tidbolig-content")
def render(f: c.Filters):
    df = _rows(f)
    groups = _groups(f)
    kpi = data.kpi("TID_TIL_BOLIG")
    head = groups.row(0, named=True) if groups.height else {}
    return html.Div([
        c.section("Tid til bolig", data.definition("kpi_time_to_housing"),
                  c.headline(kpi, head.get("median_days"), base=head.get("citizens"),
                             population="fra ophold på forsorgshjem eller gaden (median)", as_of=data.current_date(),
                             suppressed=bool(head.get("is_suppressed")))),
        c.table(groups, "tidbolig-total", LABELS),
        c.download_buttons("time_to_housing_groups"),
        c.graph(c.bars(df["dimension_value"].to_list(), {"Median dage": df["median_days"].to_list()},
                       "Mediandage til egen bolig pr. år", suppressed=df["is_suppressed"].to_list(), target=kpi,
                       y_title="Dage"),
                "tidbolig-chart", "time_to_housing"),
    ])
