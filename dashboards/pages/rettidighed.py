"""Rettidighed (§9): statutory deadlines per target group, and the overdue action list."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data
from dashboards import scope as access

dash.register_page(__name__, path="/rettidighed", name="Rettidighed", title="Rettidighed", order=3)


def layout(**_):
    return html.Div(id="rettidighed-content")


@c.downloadable("timeliness")
def _by_group(f: c.Filters):
    return data.timeliness(f.municipality, f.date or data.current_date(), "target_group")


@c.downloadable("overdue_list")
def _overdue(f: c.Filters):
    return data.overdue_list(f.municipality, f.team, f.target_group)


@c.page_content("rettidighed-content")
def render(f: c.Filters):
    df = _by_group(f)
    return html.Div([
        c.section("Rettidighed", data.definition("kpi_timeliness")),
        c.graph(c.bars(df["dimension_value"].to_list(), {"Frist overholdt": df["deadline_met_share"].to_list(),
                                                         "Overskredet nu": df["overdue_share"].to_list()},
                       "Pr. målgruppe", percent=True, suppressed=df["is_suppressed"].to_list()),
                "rettidighed-chart", "timeliness"),
        c.table(df, "rettidighed-table", {"dimension_value": "Målgruppe", "spells": "Forløb",
                                          "deadline_due": "Frist forfaldet", "deadline_met": "Overholdt",
                                          "deadline_met_share": "Andel overholdt", "overdue": "Overskredet nu",
                                          "overdue_share": "Andel overskredet",
                                          "longest_current_gap_days": "Længste hul (dage)"}),
        html.H2("Handlingsliste: overskredne frister"),
        *action_list(f),
    ])


def action_list(f: c.Filters) -> list:
    """The list itself, for the roles that see it (a teamleder: their own teams only)."""
    scope = access.current()
    if not scope.may_see_lists:
        return [html.P("Handlingslisten med de enkelte forløb vises for teamledere og administratorer.",
                       className="definition", id="overdue-list-hidden")]
    if scope.is_admin:
        total = data.action_list_sizes(f.municipality, f.team, f.target_group)["overdue"]
        rows = data.overdue_list(f.municipality, f.team, f.target_group, limit=c.SHOWN)
    else:  # a teamleder's own teams: a short list, counted from itself
        rows = data.overdue_list(f.municipality, f.team, f.target_group)
        total, rows = rows.height, rows.head(c.SHOWN)
    return [c.shown_of(min(c.SHOWN, total), total), c.table(rows, "overdue-list", page_size=20),
            c.download_buttons("overdue_list")]
