"""Virksomhedsrettede tilbud og aktive planer (§11)."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/tilbud-og-planer", name="Tilbud og planer", title="Tilbud og planer", order=9,
                   filters=("kommune", "dato"),
                   filter_reasons={"maalgruppe": "Planerne vises pr. målgruppe i tabellen nederst.",
                                   "team": "Planerne vises pr. team i figuren."})

LABELS = {"reference_date": "Opgørelsesdato", "dimension_value": "Gruppe", "active_offers": "Aktive tilbud",
          "employer_based_offers": "Virksomhedsrettede", "employer_based_share": "Andel virksomhedsrettede",
          "employer_based_share_low": "Nedre grænse (95 %)", "employer_based_share_high": "Øvre grænse (95 %)",
          "spells": "Forløb", "spells_with_plan": "Med plan", "plan_share": "Andel med plan",
          "plan_share_low": "Nedre grænse (95 %)", "plan_share_high": "Øvre grænse (95 %)"}


def layout(**_):
    return html.Div(id="tilbud-content")


@c.downloadable("employer_based", "Virksomhedsrettede tilbud, udvikling", LABELS)
def _employer(f: c.Filters):
    df = data.employer_based(f.municipality, "i_alt")
    return df.filter(df["reference_date"] <= f.as_of)


@c.downloadable("active_plans", "Borgere med plan pr. team", {**LABELS, "dimension_value": "Team"})
def _plans(f: c.Filters):
    return data.active_plans(f.municipality, f.as_of, "team_name")


@c.downloadable("active_plans_groups", "Borgere med plan pr. målgruppe", {**LABELS, "dimension_value": "Målgruppe"})
def _plan_groups(f: c.Filters):
    return data.active_plans(f.municipality, f.as_of, "target_group")


@c.page_content("tilbud-content")
def render(f: c.Filters):
    kpis = data.kpis()
    emp = _employer(f)
    plans = _plans(f)
    by_group = _plan_groups(f)
    names = data.code_names("ref_maalgrupper", "target_group")
    emp_now = emp.filter(emp["reference_date"] == f.as_of)
    e = emp_now.row(0, named=True) if emp_now.height else {}
    total = data.active_plans(f.municipality, f.as_of, "i_alt")
    p = total.row(0, named=True) if total.height else {}
    return html.Div([
        c.section("Virksomhedsrettede tilbud", data.definition("kpi_employer_based_offers"),
                  c.headline(kpis["VIRKSOMHEDSRETTET_ANDEL"], e.get("employer_based_share"),
                             base=e.get("active_offers"), base_words=("aktivt tilbud", "aktive tilbud"),
                             population="i måneden", as_of=f.as_of, low=e.get("employer_based_share_low"),
                             high=e.get("employer_based_share_high"), suppressed=bool(e.get("is_suppressed")))),
        c.graph(c.line(emp["reference_date"].to_list(), {"Virksomhedsrettet": emp["employer_based_share"].to_list()},
                       "Andel virksomhedsrettede af de aktive tilbud", percent=True,
                       target=kpis["VIRKSOMHEDSRETTET_ANDEL"], x_title="Opgørelsesdato",
                       bands={"Virksomhedsrettet": (emp["employer_based_share_low"].to_list(),
                                                    emp["employer_based_share_high"].to_list())}),
                "employer-chart", "employer_based"),
        c.section("Borgere med plan", data.definition("kpi_active_plans"),
                  c.headline(kpis["AKTIV_PLAN_ANDEL"], p.get("plan_share"), base=p.get("spells"),
                             base_words=("forløb", "forløb"), population="igangværende forløb", as_of=f.as_of,
                             low=p.get("plan_share_low"), high=p.get("plan_share_high"),
                             suppressed=bool(p.get("is_suppressed")))),
        c.graph(c.bars(plans["dimension_value"].to_list(), {"Andel med plan": plans["plan_share"].to_list()},
                       "Pr. team", percent=True, target=kpis["AKTIV_PLAN_ANDEL"],
                       suppressed=plans["is_suppressed"].to_list()),
                "plans-chart", "active_plans"),
        html.H2("Pr. målgruppe"),
        c.table(by_group, "plans-group", {**LABELS, "dimension_value": "Målgruppe"},
                codes={"dimension_value": {g: f"{g} {n}" for g, n in names.items()}}),
        c.download_buttons("active_plans_groups"),
    ])
