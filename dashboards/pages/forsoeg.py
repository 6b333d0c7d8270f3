"""Forsøg (§8): each experiment's arms side by side, the difference with its interval, targets met; as of
the last full quarter (the time-to-event measures as of the reference date), each row saying which."""

from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import dash_table, html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/forsoeg", name="Forsøg", title="Forsøg", order=11)

UNITS = {"share": "andel", "survival": "andel", "median": "dage", "mean": "sager"}


def layout(**_):
    return html.Div(id="forsoeg-content")


@c.downloadable("experiments")
def _rows(f: c.Filters):
    return data.experiments(f.experiment)


def _difference_chart(df, experiment_id: str) -> go.Figure:
    rows = df.filter((df["experiment_id"] == experiment_id) & df["difference_low"].is_not_null())
    fig = go.Figure(go.Scatter(
        x=rows["difference"].to_list(), y=rows["name_da"].to_list(), mode="markers",
        marker={"size": 12, "color": c.PALETTE[0]},
        error_x={"type": "data", "symmetric": False,
                 "array": (rows["difference_high"] - rows["difference"]).to_list(),
                 "arrayminus": (rows["difference"] - rows["difference_low"]).to_list()}))
    fig.add_vline(x=0, line_color="#555")
    c._layout(fig, "Forskel indsats − kontrol (95 %-interval)")
    fig.update_xaxes(tickformat=".0%", title="Procentpoint")
    fig.update_layout(height=120 + 50 * max(rows.height, 1))
    return fig


def _experiment(df, experiment_id: str):
    rows = df.filter(df["experiment_id"] == experiment_id)
    title = rows["experiment_title"][0]
    shown = []
    for r in rows.iter_rows(named=True):
        unit = UNITS[r["kind"]]
        sup = r["is_suppressed"]
        target = ("" if r["target_value"] is None else
                  f"{r['target_operator'].replace('<=', '≤').replace('>=', '≥')} {c.value(r['target_value'], unit)}")
        met = "" if r["target_met"] is None else ("Mål nået" if r["target_met"] else "Mål ikke nået")
        diff = (c.SUPPRESSED if sup else
                "–" if r["difference"] is None else
                (c.number(r["difference"] * 100, 1) + " pp" if unit == "andel" else c.number(r["difference"], 1)))
        ci = ("" if sup or r["difference_low"] is None else
              f"{c.number(r['difference_low'] * 100, 1)} til {c.number(r['difference_high'] * 100, 1)} pp")
        shown.append({"Nøgletal": r["name_da"] or r["kpi_code"], "Opgjort pr.": f"{r['period_end']:%d-%m-%Y}",
                      "Indsats": c.SUPPRESSED if sup else c.value(r["indsats_value"], unit),
                      "Kontrol": c.SUPPRESSED if sup else c.value(r["kontrol_value"], unit),
                      "Forskel": diff, "95 %-interval": ci, "Mål": target, "Status": met})

    return html.Section([
        html.H2(title),
        dash_table.DataTable(id=f"forsoeg-{experiment_id}", data=shown,
                             columns=[{"name": k, "id": k} for k in shown[0]],
                             style_as_list_view=True, style_cell={"fontSize": "15px", "padding": "6px",
                                                                  "textAlign": "left"},
                             style_header={"fontWeight": "bold", "backgroundColor": "#f2f2f2"}),
        c.graph(_difference_chart(df, experiment_id), f"forsoeg-diff-{experiment_id}"),
    ], className="section")


@c.page_content("forsoeg-content")
def render(f: c.Filters):
    from dashboards import scope as access

    if not access.current().covers_all(data.present()[0]):
        return c.section("Forsøg og projekter", "Forsøgenes resultater er opgjort på tværs af alle kommuner og "
                         "vises kun for brugere med adgang til alle kommuner.", section_id="forsoeg-hidden")
    df = _rows(f)
    return html.Div([
        c.section("Forsøg og projekter", data.definition("kpi_experiment_evaluation"),
                  c.download_buttons("experiments")),
        *[_experiment(df, e) for e in df["experiment_id"].unique(maintain_order=True).to_list()],
    ])
