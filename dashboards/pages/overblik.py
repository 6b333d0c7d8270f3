"""Overblik: a card per KPI with its latest value, its target, on or off target, a small trend."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/", name="Overblik", title="Overblik", order=0,
                   filters=("kommune", "dato"),
                   filter_reasons={"maalgruppe": "Hvert kort viser nøgletallet for hele sin population; "
                                                 "vælg målgruppe på nøgletallets egen side.",
                                   "team": "Hvert kort viser hele kommunen; teams ses på nøgletallenes sider.",
                                   "forsoeg": "Forsøgene vises på siden Forsøg."})


def layout(**_):
    return html.Div([html.Div(id="overblik-content")])


def _spark(trend) -> dcc.Graph | None:
    if trend.height < 2:
        return None
    fig = c.figure([{"type": "scatter", "x": trend["reference_date"].to_list(), "y": trend["value"].to_list(),
                     "mode": "lines", "line": {"color": c.PALETTE[0], "width": 2}, "hoverinfo": "x+y"}],
                   height=60, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                   xaxis={"visible": False}, yaxis={"visible": False}, showlegend=False)
    return dcc.Graph(figure=fig, config={"displayModeBar": False, "staticPlot": True}, className="spark")


def card(row: dict, trend, kpi: dict) -> html.Div:
    """A KPI's card; its target, name and page come from the KPI registry (reference.ref_kpi)."""
    code, unit = row["kpi_code"], row["unit"]
    target_value = kpi.get("default_target")
    shown = (c.HIDDEN_FIGURE if row["value"] is None and row["is_suppressed"] else
             c.value(row["value"], unit, target_value))
    badge, state = c.verdict(kpi, row["value"])
    target = f"Mål: {c.target_text(kpi)}" if target_value is not None else ""
    # the label names the population (and the period or cohort) the value is about
    about = ", ".join(x for x in (row.get("population_da"), row.get("period_da")) if x)
    return html.Div([
        html.H3(dcc.Link(kpi.get("name_da") or row["name_da"], href=kpi.get("page_path") or "/")),
        html.Div(about, className="kpi-population", id=f"population-{code}") if about else None,
        html.Div(shown, className="kpi-value", id=f"kpi-{code}",
                 title=c.HIDDEN_REASON if shown == c.HIDDEN_FIGURE else None),
        html.Div([html.Span(badge, className=f"badge {state}", id=f"badge-{code}"), " ", target],
                 className="kpi-target"),
        _spark(trend) if trend is not None else None,
    ], className=f"kpi-card {state}", id=f"card-{code}")


def freshness_line(fresh: dict, as_of) -> html.Div:
    reference = data.current_date()
    parts = [html.Span(f"Data bygget {c.time_da(fresh['built_at'])} · vist pr. {c.date_da(as_of)} · seneste "
                       f"opgørelsesdato {c.date_da(reference)} · nyeste udtræk {c.date_da(fresh['newest_extract'])} · "
                       f"{c.count(fresh['files'], 'fil', 'filer')} indlæst · "
                       f"{c.count(fresh['rows_quarantined'], 'række', 'rækker')} i karantæne", id="freshness")]
    if fresh["newest_extract"] and reference and fresh["newest_extract"] > reference:
        parts.append(html.Div("Et nyere udtræk er ufuldstændigt: tallene er opgjort på det seneste komplette "
                              "udtræk, indtil de manglende filer er kommet. Se Datakvalitet.",
                              className="alert", id="incomplete-extract"))
    return html.Div(parts, className="freshness")


@c.page_content("overblik-content")
def render(f: c.Filters):
    as_of = f.as_of
    rows = data.overview(f.municipality, as_of)
    trends = data.trends(f.municipality)
    kpis = data.kpis()
    cards = [card(r, _until(trends.get(r["kpi_code"]), as_of), kpis.get(r["kpi_code"], {}))
             for r in rows.iter_rows(named=True)]
    return html.Div([html.P(f"Nøgletallene pr. {c.date_da(as_of)}.", id="overblik-as-of"),
                     html.Div(cards, className="cards", id="cards"), c.download_buttons("overview"),
                     freshness_line(data.freshness(), as_of)])


@c.downloadable("overview", "Overblik: alle nøgletal", {
    "name_da": "Nøgletal", "reference_date": "Opgørelsesdato", "value": "Værdi", "base": "Antal",
    "population_da": "Population", "period_da": "Periode", "target_operator": "Mål, operator",
    "target_value": "Mål", "on_target": "Mål nået", "unit": "Enhed"})
def _overview(f: c.Filters):
    df = data.overview(f.municipality, f.as_of)
    return df.select("name_da", "reference_date", "value", "unit", "base", "population_da", "period_da",
                     "target_operator", "target_value", "on_target", "is_suppressed")


def _until(trend, as_of):
    return None if trend is None else trend.filter(trend["reference_date"] <= as_of)
