"""Tid til indsats (§2): first meeting, job plan, active offer — and who is waiting past the deadline."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data
from dashboards import scope as access

dash.register_page(__name__, path="/tid-til-indsats", name="Tid til indsats", title="Tid til indsats", order=2)

EVENTS = {"first_meeting": "Første samtale", "job_plan": "Jobrettet plan", "active_offer": "Aktivt tilbud"}


def layout(**_):
    return html.Div(id="tid-content")


@c.downloadable("time_to_intervention")
def _cohorts(f: c.Filters):
    if f.target_group:
        return data.time_to_intervention(f.municipality, "target_group", f.target_group)
    return data.time_to_intervention(f.municipality)


@c.downloadable("waiting_list")
def _waiting(f: c.Filters):
    return data.waiting_list(f.municipality, f.team, f.target_group)


def last_month(reference) -> str:
    """The last whole month up to the reference date, as 'YYYY-MM'."""
    from datetime import timedelta

    whole = (reference + timedelta(days=1)).month != reference.month
    month = reference if whole else reference.replace(day=1) - timedelta(days=1)
    return f"{month:%Y-%m}"


def late_last_month(df, reference) -> html.P:
    cohort = last_month(reference)
    row = df.filter((df["event"] == "first_meeting") & (df["cohort"] == cohort))
    if not row.height:
        return html.P(f"Ingen nye forløb i {cohort}.", id="late-last-month")
    r = row.row(0, named=True)
    size = c.SUPPRESSED if r["is_suppressed"] else c.number(r["cohort_size"])
    late = c.SUPPRESSED if r["waited_past_deadline"] is None else c.number(r["waited_past_deadline"])
    return html.P(f"Af de {size} forløb, der startede i {cohort}, ventede {late} mere end "
                  f"{r['deadline_days']} dage på første samtale (eller venter stadig).", id="late-last-month")


@c.page_content("tid-content")
def render(f: c.Filters):
    df = _cohorts(f)
    months = df.filter(df["cohort"] != "seneste_12_mdr")
    last12 = df.filter(df["cohort"] == "seneste_12_mdr")
    summary = last12.select("event", "cohort_size", "median_days", "p90_days", "on_time_share",
                            "waited_past_deadline", "still_waiting_past_deadline", "deadline_days", "is_suppressed")
    summary = summary.with_columns(summary["event"].replace(EVENTS))
    on_time = {EVENTS[e]: months.filter(months["event"] == e)["on_time_share"].to_list() for e in EVENTS}
    cohorts = months.filter(months["event"] == "first_meeting")["cohort"].to_list()
    sizes = data.action_list_sizes(f.municipality, f.team, f.target_group)["waiting"]
    late_first = sizes.get("Første samtale", 0)
    return html.Div([
        c.section("Tid til indsats", data.definition("kpi_time_to_intervention"),
                  late_last_month(df, f.date or data.current_date()),
                  html.P(f"{late_first} borgere venter lige nu på første samtale ud over fristen på 14 dage.",
                         id="late-first-meeting")),
        html.H2("Forløb startet de seneste 12 måneder"),
        c.table(summary, "tid-summary", {"event": "Skridt", "cohort_size": "Forløb", "median_days": "Median (dage)",
                                         "p90_days": "90 %-fraktil (dage)", "on_time_share": "Rettidigt",
                                         "waited_past_deadline": "Ventede ud over frist",
                                         "still_waiting_past_deadline": "Venter stadig ud over frist",
                                         "deadline_days": "Frist (dage)"}),
        c.graph(c.line(cohorts, on_time, "Andel rettidigt pr. startmåned", percent=True),
                "tid-trend", "time_to_intervention"),
        html.H2("Handlingsliste: venter ud over fristen"),
        *action_list(f, sum(sizes.values())),
    ])


def action_list(f: c.Filters, total: int) -> list:
    """The list itself, for the roles that see it (a teamleder: their own teams only)."""
    scope = access.current()
    if not scope.may_see_lists:
        return [html.P("Handlingslisten med de enkelte forløb vises for teamledere og administratorer.",
                       className="definition", id="waiting-list-hidden")]
    if scope.is_admin:
        waiting = data.waiting_list(f.municipality, f.team, f.target_group, limit=c.SHOWN)
    else:  # the municipality's count covers other teams too: a teamleder's own list is short, take it whole
        waiting = data.waiting_list(f.municipality, f.team, f.target_group)
        total = waiting.height
        waiting = waiting.head(c.SHOWN)
    return [c.shown_of(waiting.height, total), c.table(waiting, "waiting-list", page_size=20),
            c.download_buttons("waiting_list")]
