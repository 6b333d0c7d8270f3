"""Boligfastholdelse (§3): Kaplan–Meier curves with bands, by support method, subsidy, cohort, arm."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboards import components as c
from dashboards import data

HOUSING_REASONS = {
    "dato": "Boligforløbene følges frem til den seneste opgørelsesdato (Kaplan–Meier).",
    "maalgruppe": "Boligtallene er ikke opdelt på målgruppe.",
    "team": "Boligtallene er ikke opdelt på team.",
    "forsoeg": "Vælg fordelingen \u201dForsøgsgruppe\u201d på siden for at se forsøgenes grupper.",
}
dash.register_page(__name__, path="/boligfastholdelse", name="Boligfastholdelse", title="Boligfastholdelse",
                   order=4, filters=("kommune",), filter_reasons=HOUSING_REASONS)

CHART_DAYS = 1096  # the chart shows three years after move-in

DIMENSIONS = {"support_method": "Bostøttemetode", "rent_subsidy": "Huslejetilskud", "cohort_year": "Indflytningsår",
              "experiment_arm": "Forsøgsgruppe", "i_alt": "I alt"}
LABELS = {"dimension_value": "Gruppe", "citizens": "Borgere", "lost_home": "Mistede bolig",
          "retention_6m": "Bor der stadig efter 6 mdr.", "retention_12m": "Bor der stadig efter 12 mdr.",
          "retention_12m_low": "12 mdr., nedre grænse (95 %)", "retention_12m_high": "12 mdr., øvre grænse (95 %)",
          "retention_24m": "Bor der stadig efter 24 mdr.", "retention_24m_low": "24 mdr., nedre grænse (95 %)",
          "retention_24m_high": "24 mdr., øvre grænse (95 %)", "days": "Dage efter indflytning",
          "at_risk": "Borgere i risiko", "retention": "Andel i bolig", "retention_low": "Nedre grænse (95 %)",
          "retention_high": "Øvre grænse (95 %)"}


def group_names(dimension: str) -> dict[str, str]:
    """The breakdown's values by their Danish names (support methods from the seed, the arms by experiment)."""
    if dimension == "support_method":
        return {k: f"{v} ({k})" for k, v in data.code_names("ref_stoettemetoder", "method").items()} | {
            "INGEN": "Ingen bostøtte", "ukendt": "Ukendt"}
    if dimension == "rent_subsidy":
        return {"true": "Med huslejetilskud", "false": "Uden huslejetilskud", "ukendt": "Ukendt"}
    if dimension == "experiment_arm":
        return data.arm_names()
    return {}


def layout(**_):
    return html.Div([
        dcc.RadioItems(id="bolig-dimension", options=[{"label": v, "value": k} for k, v in DIMENSIONS.items()],
                       value="support_method", inline=True, persistence=True, persistence_type="session"),
        html.Div(id="bolig-content"),
    ])


def _named(df, dimension):
    names = group_names(dimension)
    return df.with_columns(df["dimension_value"].replace(names)) if names else df


@c.downloadable("housing_retention", "Boligfastholdelse", LABELS, choices=(DIMENSIONS,))
def _table(f: c.Filters, dimension: str = "support_method"):
    return _named(data.housing_retention(f.municipality, dimension), dimension)


@c.downloadable("housing_curves", "Boligfastholdelse, Kaplan–Meier-kurver", LABELS, choices=(DIMENSIONS,))
def _curves(f: c.Filters, dimension: str = "support_method"):
    return _named(data.housing_curves(f.municipality, dimension), dimension)


@c.page_content("bolig-content", (("bolig-dimension", "support_method"),))
def render(f: c.Filters, dimension: str):
    curves = _named(data.housing_curves(f.municipality, dimension, max_days=CHART_DAYS), dimension)
    groups = curves["dimension_value"].unique(maintain_order=True).to_list()
    kpis = data.kpis()

    fig = c.figure()
    for i, g in enumerate(groups):
        part = curves.filter(curves["dimension_value"] == g)
        months = [d / c.DAYS_PER_MONTH for d in part["days"].to_list()]
        colour = c.PALETTE[i % len(c.PALETTE)]
        fig["data"].append({"type": "scatter", "x": months + months[::-1],
                            "y": part["retention_high"].to_list() + part["retention_low"].to_list()[::-1],
                            "fill": "toself", "fillcolor": colour, "opacity": 0.15, "line": {"width": 0},
                            "hoverinfo": "skip", "showlegend": False})
        fig["data"].append({"type": "scatter", "x": months, "y": part["retention"].to_list(), "name": str(g),
                            "line": {"color": colour, "width": 3, "shape": "hv"},
                            "hovertemplate": "%{x:.0f} mdr.: %{y:.1%}<extra>" + str(g) + "</extra>"})
    c.axis(fig, "xaxis", title="Måneder efter indflytning", range=[0, CHART_DAYS / c.DAYS_PER_MONTH], dtick=6)
    c._layout(fig, "Andel der stadig bor i egen bolig (Kaplan–Meier, 95 %-bånd)", percent=True)
    c.target_line(fig, kpis["BOLIGFASTHOLDELSE_24M"])
    c.axis(fig, "yaxis", range=[0, 1.02])
    table = _table(f, dimension)
    total = data.housing_retention(f.municipality, "i_alt")
    head = total.row(0, named=True) if total.height else {}
    heads = [c.headline(kpis[code], head.get(col), base=head.get("citizens"),
                        population="flyttet i egen bolig efter hjemløshed eller med bostøtte",
                        as_of=data.current_date(), low=head.get(f"{col}_low"), high=head.get(f"{col}_high"),
                        suppressed=bool(head.get("is_suppressed")))
             for code, col in (("BOLIGFASTHOLDELSE_12M", "retention_12m"), ("BOLIGFASTHOLDELSE_24M", "retention_24m"))]
    return html.Div([
        c.section("Boligfastholdelse", data.definition("kpi_housing_retention"), html.Div(heads, className="cards")),
        c.graph(fig, "bolig-km", "housing_curves", dimension),
        c.table(table, "bolig-table", {**LABELS, "dimension_value": DIMENSIONS.get(dimension, "Gruppe")}),
        c.download_buttons("housing_retention", dimension),
    ])
