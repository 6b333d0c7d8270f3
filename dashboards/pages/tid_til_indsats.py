"""Tid til indsats (§2): first meeting, job plan, active offer — and who is waiting past the deadline."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data
from dashboards import scope as access

PATH = "/tid-til-indsats"
dash.register_page(__name__, path=PATH, name="Tid til indsats", title="Tid til indsats", order=2,
                   filters=("kommune", "maalgruppe"),
                   filter_reasons={"dato": "Forløbene følges frem til den seneste opgørelsesdato (Kaplan–Meier).",
                                   "team": "Ventetiderne er ikke opgjort pr. team; handlingslisten har teamet i "
                                           "en kolonne."})

LABELS = {"kpi_code": "Nøgletal", "event": "Skridt", "cohort": "Startmåned", "cohort_size": "Forløb",
          "events": "Nået", "median_days": "Median (dage)", "p90_days": "90 %-fraktil (dage)",
          "on_time_share": "Andel rettidigt", "on_time_share_low": "Nedre grænse (95 %)",
          "on_time_share_high": "Øvre grænse (95 %)", "waited_past_deadline": "Ventede ud over frist",
          "still_waiting_past_deadline": "Venter stadig ud over frist", "deadline_days": "Frist (dage)"}


def layout(**_):
    return html.Div(id="tid-content")


@c.downloadable("time_to_intervention", "Tid til indsats pr. startmåned", LABELS)
def _cohorts(f: c.Filters):
    if f.target_group:
        return data.time_to_intervention(f.municipality, "target_group", f.target_group)
    return data.time_to_intervention(f.municipality)


@c.downloadable("waiting_list", "Handlingsliste: venter ud over fristen")
def _waiting(f: c.Filters):
    return data.waiting_list(f.municipality, f.team, f.target_group)


def steps() -> dict[str, dict]:
    """The steps this page follows, in the registry's order: event code (first_meeting, …) -> its KPI
    (the registry's row: the step's Danish name `event_da`, the KPI's name and target)."""
    kpis = sorted(data.kpis().values(), key=lambda k: k["sort_order"])
    return {k["event"]: k for k in kpis if k["event"] and k["page_path"] == PATH}


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
        return html.P(f"Ingen nye forløb i {c.month_da(cohort)}.", id="late-last-month")
    r = row.row(0, named=True)
    size = c.SUPPRESSED if r["is_suppressed"] else c.number(r["cohort_size"])
    late = c.SUPPRESSED if r["waited_past_deadline"] is None else c.number(r["waited_past_deadline"])
    return html.P(f"Af de {size} forløb, der startede i {c.month_da(cohort)}, ventede {late} mere end "
                  f"{r['deadline_days']} dage på første samtale (eller venter stadig).", id="late-last-month")


@c.page_content("tid-content")
def render(f: c.Filters):
    df = _cohorts(f)
    months = df.filter(df["cohort"] != "seneste_12_mdr")
    last12 = df.filter(df["cohort"] == "seneste_12_mdr")
    summary = last12.select("event", "cohort_size", "median_days", "p90_days", "on_time_share",
                            "waited_past_deadline", "still_waiting_past_deadline", "deadline_days", "is_suppressed")
    by_event = steps()
    summary = summary.with_columns(summary["event"].replace({e: k["event_da"] for e, k in by_event.items()}))
    on_time = {k["event_da"]: months.filter(months["event"] == e)["on_time_share"].to_list()
               for e, k in by_event.items()}
    cohorts = months.filter(months["event"] == "first_meeting")["cohort"].to_list()
    sizes = data.waiting_counts(f.municipality, f.team, f.target_group)
    first = by_event["first_meeting"]
    late_first = sizes.get(first["event_da"], 0)
    group = f", målgruppe {f.target_group}" if f.target_group else ""
    heads = []
    for r in last12.iter_rows(named=True):
        kpi = by_event[r["event"]]
        heads.append(c.headline(kpi, r["median_days"], base=r["cohort_size"], base_words=("forløb", "forløb"),
                                population=f"startet de seneste 12 måneder{group} (median)", as_of=data.current_date(),
                                suppressed=r["is_suppressed"]))
    deadline = first["default_target"]
    return html.Div([
        c.section("Tid til indsats", data.definition("kpi_time_to_intervention"),
                  html.Div(heads, className="cards"),
                  late_last_month(df, data.current_date()),
                  html.P(f"{c.count(late_first, 'borger', 'borgere')} venter lige nu på første samtale ud over "
                         f"fristen på {c.number(deadline)} dage.", id="late-first-meeting")),
        html.H2("Forløb startet de seneste 12 måneder"),
        c.table(summary, "tid-summary", {**LABELS, "on_time_share": "Rettidigt"}),
        c.download_buttons("time_to_intervention"),
        c.graph(c.line(cohorts, on_time, "Andel rettidigt pr. startmåned", percent=True, x_title="Startmåned"),
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
