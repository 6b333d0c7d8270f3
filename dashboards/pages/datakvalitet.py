"""Datakvalitet: the last refresh and its status, blocked files, files loaded, rows quarantined with reasons."""

from __future__ import annotations

import dash
import polars as pl
from dash import html

from dashboards import components as c
from dashboards import data

WHOLE = "Datakvaliteten gælder hele publiceringen, alle kommuner og datoer."
dash.register_page(__name__, path="/datakvalitet", name="Datakvalitet", title="Datakvalitet", order=12,
                   filters=(), filter_reasons=dict.fromkeys(("kommune", "dato", "maalgruppe", "team", "forsoeg"),
                                                            WHOLE))


def layout(**_):
    return html.Div(id="dq-content")


@c.downloadable("files", "Modtagne filer")
def _files(f: c.Filters):
    return data.files()


@c.downloadable("quarantine", "Afviste rækker pr. årsag")
def _quarantine(f: c.Filters):
    return data.quarantine_reasons()


def _blocked_lines() -> pl.DataFrame:
    """The rejected lines of the files that stop publication, as the latest refresh recorded them."""
    run = data.last_run() or {}
    labels = data.dq_labels()
    rows = [{"Fil": b["path"], "Afviste rækker": b["rows_quarantined"], "Læste rækker": b["rows_read"],
             "Linje": line, "Kolonne": column or "(hele rækken)", "Årsag": labels.get(reason, reason)}
            for b in run.get("blocked") or [] for line, column, reason in b["lines"]]
    return pl.DataFrame(rows, schema={"Fil": pl.String, "Afviste rækker": pl.Int64, "Læste rækker": pl.Int64,
                                      "Linje": pl.Int64, "Kolonne": pl.String, "Årsag": pl.String})


@c.downloadable("incomplete_extracts", "Ufuldstændige udtræk")
def _incomplete(f: c.Filters):
    return data.incomplete_extracts()


@c.downloadable("blocked", "Blokerede filers afviste linjer")
def _blocked(f: c.Filters):
    return _blocked_lines().select("Fil", "Linje", "Kolonne", "Årsag")


def _blocked_section(blocked: pl.DataFrame):
    if not blocked.height:
        return c.section("Blokerede filer", "Filer med mere end 5 % afviste rækker stopper publiceringen.",
                         html.P("Ingen filer er blokeret.", id="dq-no-blocked"))
    files = blocked.unique("Fil", maintain_order=True)
    notes = [html.P(f"{row['Fil']}: {c.number(row['Afviste rækker'])} af {c.number(row['Læste rækker'])} rækker "
                    "er afvist.", className="blocked-file") for row in files.iter_rows(named=True)]
    return c.section(
        "Blokerede filer",
        "Filer med mere end 5 % afviste rækker. Intet fra dem er publiceret, og hver opdatering stopper før "
        "publiceringen, indtil kilden leverer en rettet fil, eller driften godkender filen, som den er.",
        html.Div([*notes, html.P("Dashboardet viser indtil da den seneste gode kørsel.")], className="alert bad",
                 id="dq-blocked-files"),
        c.table(blocked.select("Fil", "Linje", "Kolonne", "Årsag"), "dq-blocked-lines"),
        c.download_buttons("blocked"))


@c.page_content("dq-content")
def render(f: c.Filters):
    from dashboards import scope as access

    fresh = data.freshness()
    run = fresh["last_run"] or {}
    admin = access.current().is_admin
    if not run:
        status = html.P("Ingen kørsel registreret endnu.", id="run-status")
    elif run["success"]:
        status = html.P(f"Seneste kørsel {c.time_da(run['finished_at'])} lykkedes.", id="run-status")
    else:
        status = html.Div([html.P(f"Seneste kørsel {c.time_da(run['finished_at'])} fejlede. Dashboardet "
                                  "viser den seneste gode kørsel. Driften kan se fejlen i Dagster eller nedenfor, "
                                  "rette årsagen og køre opdateringen igen (make refresh).", id="run-status"),
                           html.Details([html.Summary("Teknisk fejlbesked fra kørslen (på engelsk)"),
                                         html.Pre(run.get("message") or "", id="run-problems")]) if admin else None],
                          className="alert bad")
    summary = c.section("Seneste kørsel", "Data opdateres hver nat kl. 02.00 og når nye filer lander.", status,
                        html.P(f"Publiceret {c.time_da(fresh['built_at'])}, nyeste udtræk "
                               f"{c.date_da(fresh['newest_extract'])}: {c.count(fresh['files'], 'fil', 'filer')}, "
                               f"{c.count(fresh['rows_quarantined'], 'række', 'rækker')} i karantæne.",
                               id="build-info"))
    if not admin:  # file names, reasons and the run's messages are data-quality detail, for administrators
        return html.Div([summary, html.P("Filer og afviste rækker i detaljer vises for administratorer.",
                                         className="definition", id="dq-detail-hidden")])
    files = _files(f)
    reasons = _quarantine(f)
    whole_paths = reasons.filter(reasons["Kolonne"] == "(hele filen)")["Fil"]
    whole = files.filter(files["Fil"].is_in(whole_paths))
    return html.Div([
        c.section("Seneste kørsel", "Data opdateres hver nat kl. 02.00 og når nye filer lander.", status,
                  html.P(f"Publiceret build {fresh['build_id']} ({c.time_da(fresh['built_at'])}), opgjort pr. "
                         f"{c.date_da(data.current_date())}, nyeste udtræk {c.date_da(fresh['newest_extract'])}.",
                         id="build-info")),
        _blocked_section(_blocked_lines()),
        c.section("Ufuldstændige udtræk", "Udtræk, hvor en kilde endnu ikke har leveret alle sine filer. Filerne "
                  "er indlæst, men nøgletallene opgøres på det seneste komplette udtræk, indtil de manglende "
                  "filer er kommet.", c.table(_incomplete(f), "dq-incomplete-extracts"),
                  c.download_buttons("incomplete_extracts")),
        c.section("Filer i karantæne",
                  "Filer, der slet ikke kunne læses eller ikke hører til datakontrakten, og hvorfor.",
                  c.table(whole.select("Fil", "Årsag", "Detalje"), "dq-whole-files"), c.download_buttons("files")),
        c.section("Afviste rækker", "Rækker, der bryder datakontrakten, pr. fil, kolonne og årsag. Rækkerne "
                  "ligger til rettelse i karantænemappen.", c.table(reasons, "dq-quarantine"),
                  c.download_buttons("quarantine")),
        c.section("Modtagne filer", "Alle filer, der er landet, med antal læste, indlæste og afviste rækker.",
                  c.table(files, "dq-files"), c.download_buttons("files")),
    ])
