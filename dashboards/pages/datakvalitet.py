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
    fresh = data.freshness()
    run = fresh["last_run"] or {}
    if not run:
        status = html.P("Ingen kørsel registreret endnu.", id="run-status")
    elif run["success"]:
        status = html.P(f"Seneste kørsel {run['finished_at'][:16].replace('T', ' ')} lykkedes.", id="run-status")
    else:
        status = html.Div([html.P(f"Seneste kørsel {run['finished_at'][:16].replace('T', ' ')} fejlede. Dashboardet "
                                  "viser den seneste gode kørsel.", id="run-status"),
                           html.Pre(run.get("message") or "", id="run-problems")], className="alert bad")
    files = _files(f)
    whole = files.filter(files["Status"] == "quarantined_file")
    return html.Div([
        c.section("Seneste kørsel", "Data opdateres hver nat kl. 02.00 og når nye filer lander.", status,
                  html.P(f"Publiceret build {fresh['build_id']} ({fresh['built_at']:%d-%m-%Y %H:%M}), opgjort pr. "
                         f"{data.current_date():%d-%m-%Y}, nyeste udtræk {fresh['newest_extract']:%d-%m-%Y}.",
                         id="build-info")),
        c.section("Ufuldstændige udtræk", "Udtræk, hvor en kilde endnu ikke har leveret alle sine filer. Filerne "
                  "er indlæst, men nøgletallene opgøres på det seneste komplette udtræk, indtil de manglende "
                  "filer er kommet.", c.table(data.incomplete_extracts(), "dq-incomplete-extracts")),
        c.section("Filer i karantæne", "Filer, der slet ikke kunne læses, og hvorfor.",
                  c.table(whole.select("Fil", "Årsag", "Detalje"), "dq-whole-files")),
        c.section("Afviste rækker", "Rækker, der bryder datakontrakten, pr. fil, kolonne og årsag. Rækkerne "
                  "ligger til rettelse i karantænemappen.", c.table(_quarantine(f), "dq-quarantine"),
                  c.download_buttons("quarantine")),
        c.section("Modtagne filer", "Alle filer, der er landet, med antal læste, indlæste og afviste rækker.",
                  c.table(files, "dq-files"), c.download_buttons("files")),
    ])
