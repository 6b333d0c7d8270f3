"""The dashboard managers read in the morning (Dash). Served by gunicorn: `dashboards.app:server`.

The filters at the top (municipality, date, target group, team, experiment) live outside the
pages, so they keep their values as the reader moves between pages (and across reloads, in the
browser session). Every page reads only the current publication, through dashboards.data,
within the signed-in person's scope (dashboards.auth signs in; dashboards.scope says what a role
may see): the filters offer only what is in scope, and the navigation only the pages the role has.
"""

from __future__ import annotations

from datetime import datetime

import dash
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html

from dashboards import audit, auth, data, report_download
from dashboards import components as c
from dashboards import scope as access

app = Dash(__name__, use_pages=True, title="Beskæftigelse og bolig – nøgletal", update_title="Opdaterer …",
           suppress_callback_exceptions=True)
# Danish: the document's language (screen readers, hyphenation, the browser's own words)
app.index_string = app.index_string.replace("<html>", '<html lang="da">', 1)
server = app.server
auth.install(app)
report_download.install(server)


# the dropdowns' own words in Danish (Dash's defaults are English: "Search", "No options found", …)
DROPDOWN_LABELS = {"select_all": "Vælg alle", "deselect_all": "Fravælg alle", "selected_count": "{num} valgt",
                   "search": "Søg", "clear_search": "Ryd søgning", "clear_selection": "Ryd valg",
                   "no_options_found": "Ingen muligheder fundet"}


def _filter_bar(scope: access.Scope):
    try:
        opts = data.filter_options()
    except data.NoPublicationError:
        opts = {"dates": [], "municipalities": [], "target_groups": [], "teams": [], "experiments": [],
                "all": scope.everywhere}
    municipalities = ([{"label": "Alle kommuner", "value": "ALLE"}] if opts["all"] else []) + [
        {"label": f"{name} ({code})", "value": code} for code, name in opts["municipalities"]]
    if not municipalities and opts["dates"]:
        return html.Div("Din bruger har ikke adgang til nogen af de kommuner, der er data for. Kontakt "
                        "dashboardets administrator.", className="alert bad", id="filters")
    # persistence is per person, so a value kept in the tab from someone else's session never applies
    dd = dict(persistence=f"{scope.method}:{scope.user}", persistence_type="session", clearable=True,
              searchable=True, labels=DROPDOWN_LABELS)

    def labelled(name, dropdown):  # each filter with the line that says why it does not apply here
        return html.Label([c.FILTERS[name][1], dropdown,
                           html.Small(id=f"{c.FILTERS[name][0]}-reason", className="filter-reason")],
                          id=f"{c.FILTERS[name][0]}-label")
    return html.Div([
        labelled("kommune", dcc.Dropdown(
            id="f-kommune", options=municipalities,
            value=municipalities[0]["value"] if municipalities else None, **{**dd, "clearable": False})),
        labelled("dato", dcc.Dropdown(
            id="f-dato", options=[{"label": c.date_da(d), "value": str(d)} for d in opts["dates"]],
            value=str(opts["dates"][0]) if opts["dates"] else None, **{**dd, "clearable": False})),
        labelled("maalgruppe", dcc.Dropdown(
            id="f-maalgruppe", options=[{"label": f"{g} {n}", "value": g} for g, n in opts["target_groups"]],
            placeholder="Alle målgrupper", **dd)),
        labelled("team", dcc.Dropdown(id="f-team", options=opts["teams"], placeholder="Alle teams", **dd)),
        labelled("forsoeg", dcc.Dropdown(
            id="f-forsoeg", options=[{"label": t, "value": i} for i, t in opts["experiments"]],
            placeholder="Alle forsøg", **dd)),
    ], id="filters", className="filters")


def page_allowed(page: dict, scope: access.Scope) -> bool:
    """A page registered with `access="admin"` is for administrators only."""
    return page.get("access") != "admin" or scope.is_admin


def _account(scope: access.Scope):
    return html.Form([
        html.Span(f"{scope.display_name or scope.user} · {access.ROLES[scope.role].split(':')[0]}", id="whoami"),
        dcc.Input(type="hidden", name="csrf", value=auth.csrf_token(), id="logout-csrf"),
        html.Button("Log ud", type="submit", id="logout", className="download"),
    ], method="post", action="/logout", className="account")


def layout():
    try:
        scope = access.current()
    except access.NotSignedIn:  # Dash checks the layout once at its first request, whoever asks; the gate
        # (dashboards.auth) answers /_dash-layout with 401 for nobody signed in, so this is never served
        return html.Div([html.Main(dash.page_container), dcc.Download(id="download")], className="app")
    return html.Div([
        html.Header([
            html.Div([html.H1("Nøgletal for beskæftigelse og bolig", id="app-title"), report_download.button(),
                      _account(scope)],
                     className="title-row"),
            html.Nav([dcc.Link(page["name"], href=page["relative_path"], className="nav-link",
                               id=f"nav-{page['module'].rsplit('.', 1)[-1]}")
                      for page in dash.page_registry.values() if page_allowed(page, scope)], id="nav"),
            _filter_bar(scope),
            html.P(id="filters-text", className="print-only"),
            html.Div(id="freshness-banner", role="alert"),
        ]),
        dcc.Location(id="url"),
        html.Div("Henter tal …", id="loading", role="status"),
        html.Main(dash.page_container),
        dcc.Download(id="download"),
    ], className="app")


def _page_at(pathname: str | None) -> dict | None:
    return next((p for p in dash.page_registry.values() if p["relative_path"] == (pathname or "/")), None)


@app.callback(*[Output(i, "disabled") for i in c.FILTER_IDS],
              *[Output(f"{i}-reason", "children") for i in c.FILTER_IDS],
              Output("freshness-banner", "children"), Input("url", "pathname"))
def page_filters(pathname):
    """The page's filter contract on screen: the filters it does not honour disabled, each with its
    reason; and the freshness banner, on every page."""
    honoured, reasons = c.contract(_page_at(pathname))
    disabled = [name not in honoured for name in c.FILTERS]
    return (*disabled, *[reasons.get(name, "") for name in c.FILTERS], freshness_banner())


@app.callback(Output("filters-text", "children"), Input("url", "pathname"),
              *[Input(i, "value") for i in c.FILTER_IDS])
def filters_text(pathname, *values):
    """The filters as text, for the printed page (the dropdowns do not print)."""
    honoured, _ = c.contract(_page_at(pathname))
    f = c.filters_from(values)
    shown = {"kommune": data.municipality_name(f.municipality),
             "dato": c.date_da(f.date) if f.date else "seneste",
             "maalgruppe": f.target_group or "alle", "team": f.team or "alle", "forsoeg": f.experiment or "alle"}
    parts = [f"{c.FILTERS[n][1]}: {shown[n]}" for n in c.FILTERS if n in honoured]
    return "Filtre: " + (" · ".join(parts) if parts else "ingen gælder for denne side")


def freshness_banner():
    """Danish, on every page, when the figures may be out of date: what happened and what to do."""
    try:
        stale = data.staleness()
    except data.NoPublicationError:
        return None
    if stale is None:
        return None
    parts = []
    if stale["failed"]:
        parts.append(html.P(
            f"Den seneste opdatering af data ({c.time_da(stale['run_finished_at'])}) fejlede. Tallene er fra "
            f"den seneste gode opdatering ({c.time_da(stale['built_at'])}) og kan være forældede.",
            id="stale-failed"))
    if stale["old"]:
        newest = stale["newest_complete"]
        parts.append(html.P(
            (f"Det nyeste komplette udtræk er fra {c.date_da(newest)}, {c.count(stale['age_days'], 'dag', 'dage')} "
             f"gammelt (grænsen er {c.count(stale['max_age_days'], 'dag', 'dage')})." if newest else
             "Der er endnu ikke et komplet udtræk fra alle kilder.") + " Tallene er derfor ikke dagsaktuelle.",
            id="stale-old"))
    parts.append(html.P("Kontakt driften: de kan se årsagen på siden Datakvalitet og køre opdateringen igen, "
                        "når kilderne har leveret.", id="stale-what-to-do"))
    return html.Div([html.Strong("Tallene er måske ikke opdaterede"), *parts], className="alert bad",
                    id="stale-banner")


app.layout = layout


@app.callback(Output("download", "data"),
              Input({"type": "download", "key": ALL, "fmt": ALL}, "n_clicks"),
              *[State(i, "value") for i in c.FILTER_IDS], prevent_initial_call=True)
def download(clicks, *filter_values):
    """Every chart's and table's numbers as CSV or Excel, for the filters shown (as the role allows)."""
    if not ctx.triggered_id or not any(n or 0 for n in clicks):
        return dash.no_update
    key = ctx.triggered_id.get("key")
    found, _ = c.resolve(key, ctx.triggered_id.get("fmt"))  # 400 for an unknown key, format or choice
    if not c.may_download(key):
        raise access.Forbidden("Din rolle giver ikke adgang til at hente tallene.")
    filters = c.filters_from(filter_values)
    data.check_filters(filters.municipality, filters.team)
    filters = filters.honouring(c.contract_of(found.module))
    with audit.downloading():
        return c.download_payload(key, ctx.triggered_id["fmt"], filters, _about(filters, found.module))


def _about(filters: c.Filters, module: str) -> list[tuple[str, str]]:
    """What a downloaded file holds: municipality, the filters that applied, reference date, build."""
    page = dash.page_registry.get(module, {})
    honoured, _ = c.contract(page)
    build = data.build()
    shown = [("Målgruppe", filters.target_group, "maalgruppe"), ("Team", filters.team, "team"),
             ("Forsøg", filters.experiment, "forsoeg")]
    return [("Side", page.get("name", "")),
            ("Kommune", data.municipality_name(filters.municipality) if "kommune" in honoured
             else "Alle kommuner (opgjort på tværs af kommunerne)"),
            ("Opgørelsesdato", c.date_da(filters.date or data.current_date())),
            ("Filtre", "; ".join(f"{label}: {v or 'alle'}" for label, v, name in shown if name in honoured)
             or "ingen"),
            ("Build", f"{build.build_id}, bygget {c.time_da(build.built_at)}" if build else "–"),
            ("Hentet", c.time_da(datetime.now().astimezone())),
            ("Skjulte tal", f"Tal om færre end 5 borgere er tomme; kolonnen '{c.FLAG}' siger hvilke.")]


@server.route("/helse")
def health():
    """For the load balancer and monitoring, open to all: the status and the build time, nothing else
    (no build or run ids, messages or file names: those are for signed-in administrators)."""
    from flask import jsonify

    b = data.build()
    if b is None:
        return jsonify({"status": "ingen data"}), 503
    if data.staleness() is not None:  # the latest refresh failed, or the newest complete extract is too old
        return jsonify({"status": "forældet", "built_at": b.built_at}), 503
    return jsonify({"status": "ok", "built_at": b.built_at})


def _warm_up() -> None:
    """Run Dash's first-request setup (scripts, callbacks, the pages router) now, in each worker,
    rather than at its first request: a browser's first page asks for a dozen files at once, and a
    thread that came in while another was still setting up found no scripts registered (HTTP 500,
    a blank page). The hooks are the ones every request runs; for /helse the gate lets them by."""
    with server.test_request_context("/helse"):
        for hook in server.before_request_funcs.get(None, []):
            hook()


_warm_up()


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050, debug=False)
