"""Rettidighed (§9): statutory deadlines per target group, and the overdue action list."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data
from dashboards import scope as access

dash.register_page(__name__, path="/rettidighed", name="Rettidighed", title="Rettidighed", order=3,
                   filters=("kommune", "dato", "maalgruppe"),
                   filter_reasons={"team": "Rettidigheden vises pr. målgruppe; handlingslisten har teamet i en "
                                           "kolonne."})

LABELS = {"dimension_value": "Målgruppe", "spells": "Forløb", "deadline_due": "Frist forfaldet",
          "deadline_met": "Overholdt", "deadline_met_share": "Andel overholdt", "overdue": "Overskredet nu",
          "overdue_share": "Andel overskredet", "longest_current_gap_days": "Længste hul (dage)"}


def layout(**_):
    return html.Div(id="rettidighed-content")


def _timeliness(f: c.Filters):
    """The target groups and the total, in one query."""
    return data.timeliness(f.municipality, f.as_of, ("target_group", "i_alt"))


@c.downloadable("timeliness", "Rettidighed pr. målgruppe", LABELS)
def _by_group(f: c.Filters, rows=None):
    rows = _timeliness(f) if rows is None else rows
    df = rows.filter(rows["dimension"] == "target_group").drop("dimension")
    return df.filter(df["dimension_value"] == f.target_group) if f.target_group else df


@c.downloadable("overdue_list", "Handlingsliste: overskredne frister")
def _overdue(f: c.Filters):
    return data.overdue_list(f.municipality, f.team, f.target_group)


@c.page_content("rettidighed-content")
def render(f: c.Filters):
    rows = _timeliness(f)
    df = _by_group(f, rows)
    as_of = f.as_of
    kpi = data.kpi("RETTIDIGHED")
    if f.target_group:
        head = df.row(0, named=True) if df.height else {}
    else:
        total = rows.filter(rows["dimension"] == "i_alt")
        head = total.row(0, named=True) if total.height else {}
    groups = data.code_names("ref_maalgrupper", "target_group")
    names = [f"{g} {groups.get(g, '')}".strip() for g in df["dimension_value"].to_list()]
    return html.Div([
        c.section("Rettidighed", data.definition("kpi_timeliness"),
                  c.headline(kpi, head.get("deadline_met_share"), base=head.get("deadline_due"),
                             base_words=("forløb", "forløb"),
                             population="med en forfalden lovbestemt frist"
                             + (f", målgruppe {f.target_group}" if f.target_group else ""), as_of=as_of,
                             suppressed=bool(head.get("is_suppressed")))),
        c.graph(c.bars(names, {"Frist overholdt": df["deadline_met_share"].to_list(),
                               "Overskredet nu": df["overdue_share"].to_list()},
                       "Pr. målgruppe", percent=True, suppressed=df["is_suppressed"].to_list(), target=kpi),
                "rettidighed-chart", "timeliness"),
        c.table(df, "rettidighed-table", LABELS, codes={"dimension_value": {g: f"{g} {n}" for g, n in groups.items()}}),
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
        total = data.overdue_count(f.municipality, f.team, f.target_group)
        rows = data.overdue_list(f.municipality, f.team, f.target_group, limit=c.SHOWN)
    else:  # a teamleder's own teams: a short list, counted from itself
        rows = data.overdue_list(f.municipality, f.team, f.target_group)
        total, rows = rows.height, rows.head(c.SHOWN)
    return [c.shown_of(min(c.SHOWN, total), total), c.table(rows, "overdue-list", page_size=20),
            c.download_buttons("overdue_list")]
