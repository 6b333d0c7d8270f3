"""Datakvalitet: the last refresh and its status, files loaded, rows quarantined with reasons."""

from __future__ import annotations

import dash
from dash import html

from dashboards import components as c
from dashboards import data

dash.register_page(__name__, path="/datakvalitet", name="Datakvalitet", title="Datakvalitet", order=12)


def layout(**_):
    return html.Div(id="dq-content")


@c.downloadable("files")
def _files(f: c.Filters):
    return data.files()


@c.downloadable("quarantine")
def _quarantine(f: c.Filters):
    return data.quarantine_reasons()


@c.page_content("dq-content")
def render(f: c.Filters):
    from dashboards import scope as access

    fresh = data.freshness()
    run = fresh["last_run"] or {}
    admin = access.current().is_admin
    if not run:
        status = html.P("Ingen kørsel registreret endnu.", id="run-status")
    elif run["success"]:
        status = html.P(f"Seneste kørsel {run['finished_at'][:16].replace('T', ' ')} lykkedes.", id="run-status")
    else:
        status = html.Div([html.P(f"Seneste kørsel {run['finished_at'][:16].replace('T', ' ')} fejlede. Dashboardet "
                                  "viser den seneste gode kørsel.", id="run-status"),
                           html.Pre(run.get("message") or "", id="run-problems") if admin else None],
                          className="alert bad")
    summary = c.section("Seneste kørsel", "Data opdateres hver nat kl. 02.00 og når nye filer lander.", status,
                        html.P(f"Publiceret {fresh['built_at']:%d-%m-%Y %H:%M}, nyeste udtræk "
                               f"{fresh['newest_extract']:%d-%m-%Y}: {c.number(fresh['files'])} filer, "
                               f"{c.number(fresh['rows_quarantined'])} rækker i karantæne.", id="build-info"))
    if not admin:  # file names, reasons and the run's messages are data-quality detail, for administrators
        return html.Div([summary, html.P("Filer og afviste rækker i detaljer vises for administratorer.",
                                         className="definition", id="dq-detail-hidden")])
    files = _files(f)
    whole = files.filter(files["Status"] == "quarantined_file")
    return html.Div([
        c.section("Seneste kørsel", "Data opdateres hver nat kl. 02.00 og når nye filer lander.", status,
                  html.P(f"Publiceret build {fresh['build_id']} ({fresh['built_at']:%d-%m-%Y %H:%M}), nyeste udtræk "
                         f"{fresh['newest_extract']:%d-%m-%Y}.", id="build-info")),
        c.section("Filer i karantæne", "Filer, der slet ikke kunne læses, og hvorfor.",
                  c.table(whole.select("Fil", "Årsag", "Detalje"), "dq-whole-files")),
        c.section("Afviste rækker", "Rækker, der bryder datakontrakten, pr. fil, kolonne og årsag. Rækkerne "
                  "ligger til rettelse i karantænemappen.", c.table(_quarantine(f), "dq-quarantine"),
                  c.download_buttons("quarantine")),
        c.section("Modtagne filer", "Alle filer, der er landet, med antal læste, indlæste og afviste rækker.",
                  c.table(files, "dq-files"), c.download_buttons("files")),
    ])
