"""Forsøg (§8): each experiment's arms side by side, the difference with its interval, targets met; as of
the last full quarter (the time-to-event measures as of the reference date), each row saying which."""

from __future__ import annotations

import dash
from dash import dash_table, html

from dashboards import components as c
from dashboards import data
from dashboards.targets import interval_holds

dash.register_page(__name__, path="/forsoeg", name="Forsøg", title="Forsøg", order=11, filters=("forsoeg",),
                   filter_reasons={"kommune": "Forsøgenes resultater er opgjort på tværs af alle kommuner.",
                                   "dato": "Forsøgene vises pr. seneste hele kvartal (tid til hændelse pr. seneste "
                                           "opgørelsesdato), som hver række siger.",
                                   "maalgruppe": "Forsøgene sammenligner indsats- og kontrolgruppe, ikke målgrupper.",
                                   "team": "Forsøgene sammenligner indsats- og kontrolgruppe, ikke teams."})

UNITS = {"share": "andel", "survival": "andel", "median": "dage", "mean": "sager"}
LABELS = {"experiment_id": "Forsøg-id", "experiment_title": "Forsøg", "kpi_code": "Nøgletal-kode",
          "name_da": "Nøgletal", "kind": "Måltype", "period_end": "Opgjort pr.", "indsats_n": "Indsatsgruppe, antal",
          "indsats_value": "Indsatsgruppe", "indsats_low": "Indsatsgruppe, nedre grænse (95 %)",
          "indsats_high": "Indsatsgruppe, øvre grænse (95 %)", "kontrol_n": "Kontrolgruppe, antal",
          "kontrol_value": "Kontrolgruppe",
          "difference": "Forskel", "difference_low": "Forskel, nedre grænse (95 %)",
          "difference_high": "Forskel, øvre grænse (95 %)", "target_operator": "Mål, operator",
          "target_value": "Mål", "target_met": "Mål nået"}


def status(r: dict) -> str:
    """Whether the experiment's own target (on the intervention arm's value) is met, with certainty:
    'Usikkert' when the arm's 95 % interval (the mart's: Wilson for shares, the Kaplan–Meier band for
    survival) holds the target, so the data cannot tell. Medians and means have no interval."""
    if r["target_met"] is None or r["is_suppressed"]:
        return ""
    low, high = r["indsats_low"], r["indsats_high"]
    if interval_holds(low, high, r["target_value"]):
        return "Usikkert: intervallet rummer målet"
    return ("Mål nået" if r["target_met"] else "Mål ikke nået") + (
        " med sikkerhed" if low is not None else " (usikkerheden er ikke opgjort)")


def difference_text(r: dict) -> str:
    if r["is_suppressed"] or r["difference_low"] is None:
        return ""
    return ("Usikker: intervallet rummer 0" if r["difference_low"] <= 0 <= r["difference_high"]
            else "Sikker forskel")


def layout(**_):
    return html.Div(id="forsoeg-content")


@c.downloadable("experiments", "Forsøgenes resultater", LABELS)
def _rows(f: c.Filters):
    return data.experiments(f.experiment)


def _difference_chart(df, experiment_id: str) -> dict | None:
    rows = df.filter((df["experiment_id"] == experiment_id) & df["difference_low"].is_not_null()
                     & df["kind"].is_in(["share", "survival"]))
    pp = [(v * 100) for v in rows["difference"].to_list()]
    fig = c.figure([{
        "type": "scatter", "x": pp, "y": rows["name_da"].to_list(), "mode": "markers",
        "marker": {"size": 12, "color": c.PALETTE[0]}, "hovertemplate": "%{x:.1f} procentpoint<extra></extra>",
        "error_x": {"type": "data", "symmetric": False,
                    "array": ((rows["difference_high"] - rows["difference"]) * 100).to_list(),
                    "arrayminus": ((rows["difference"] - rows["difference_low"]) * 100).to_list()}}])
    c.rule(fig, 0, vertical=True)
    c._layout(fig, "Forskel indsats − kontrol i procentpoint (95 %-interval)")
    c.axis(fig, "xaxis", tickformat=",.0f", ticksuffix=" pp", title="Procentpoint")
    fig["layout"]["height"] = 120 + 50 * max(rows.height, 1)
    return fig if rows.height else None


def _experiment(df, experiment_id: str):
    rows = df.filter(df["experiment_id"] == experiment_id)
    title = rows["experiment_title"][0]
    shown = []
    for r in rows.iter_rows(named=True):
        unit = UNITS[r["kind"]]
        sup = r["is_suppressed"]
        target = ("" if r["target_value"] is None else
                  f"{r['target_operator'].replace('<=', '≤').replace('>=', '≥')} {c.value(r['target_value'], unit)}")
        met = status(r)
        diff = (c.HIDDEN_FIGURE if sup else
                "–" if r["difference"] is None else
                (c.number(r["difference"] * 100, 1) + " pp" if unit == "andel" else
                 c.number(r["difference"], 1) + (" dage" if unit == "dage" else "")))
        scale, suffix = (100, " pp") if unit == "andel" else (1, "")
        ci = ("" if sup or r["difference_low"] is None else
              f"{c.number(r['difference_low'] * scale, 1)} til {c.number(r['difference_high'] * scale, 1)}{suffix}")
        arm_ci = None if sup or r["indsats_low"] is None else (r["indsats_low"], r["indsats_high"])
        shown.append({"Nøgletal": r["name_da"] or "(uden navn)", "Opgjort pr.": c.date_da(r["period_end"]),
                      "Indsats, n": c.SUPPRESSED if sup or r["indsats_n"] is None else c.number(r["indsats_n"]),
                      "Indsats": c.HIDDEN_FIGURE if sup else c.value(r["indsats_value"], unit),
                      "Kontrol, n": c.SUPPRESSED if sup or r["kontrol_n"] is None else c.number(r["kontrol_n"]),
                      "Kontrol": c.HIDDEN_FIGURE if sup else c.value(r["kontrol_value"], unit),
                      "Indsats, 95 %-interval": f"{c.pct(arm_ci[0])} til {c.pct(arm_ci[1])}" if arm_ci else "",
                      "Forskel": diff, "Forskel, 95 %-interval": ci, "Forskellen": difference_text(r),
                      "Mål (indsatsgruppen)": target, "Status": met})

    chart = _difference_chart(df, experiment_id)
    return html.Section([
        html.H2(title),
        dash_table.DataTable(id=f"forsoeg-{experiment_id}", data=shown,
                             columns=[{"name": k, "id": k} for k in shown[0]],
                             style_as_list_view=True, style_table={"overflowX": "auto"}, **c.TABLE_STYLE),
        c.graph(chart, f"forsoeg-diff-{experiment_id}") if chart else None,
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
