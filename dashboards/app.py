"""The dashboard managers read in the morning (Dash). Served by gunicorn: `dashboards.app:server`.

The filters at the top (municipality, date, target group, team, experiment) live outside the
pages, so they keep their values as the reader moves between pages (and across reloads, in the
browser session). Every page reads only the current publication, through dashboards.data,
within the signed-in person's scope (dashboards.auth signs in; dashboards.scope says what a role
may see): the filters offer only what is in scope, and the navigation only the pages the role has.
"""

from __future__ import annotations

import dash
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html

from dashboards import audit, auth, data, report_download
from dashboards import components as c
from dashboards import scope as access

app = Dash(__name__, use_pages=True, title="Beskæftigelse og bolig – nøgletal",
           suppress_callback_exceptions=True)
server = app.server
auth.install(app)
report_download.install(server)


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
    dd = dict(persistence=f"{scope.method}:{scope.user}", persistence_type="session", clearable=True)
    return html.Div([
        html.Label(["Kommune", dcc.Dropdown(
            id="f-kommune", options=municipalities,
            value=municipalities[0]["value"] if municipalities else None, **{**dd, "clearable": False})]),
        html.Label(["Opgørelsesdato", dcc.Dropdown(
            id="f-dato", options=[{"label": f"{d:%d-%m-%Y}", "value": str(d)} for d in opts["dates"]],
            value=str(opts["dates"][0]) if opts["dates"] else None, **{**dd, "clearable": False})]),
        html.Label(["Målgruppe", dcc.Dropdown(
            id="f-maalgruppe", options=[{"label": f"{g} {n}", "value": g} for g, n in opts["target_groups"]],
            placeholder="Alle målgrupper", **dd)]),
        html.Label(["Team", dcc.Dropdown(id="f-team", options=opts["teams"], placeholder="Alle teams", **dd)]),
        html.Label(["Forsøg", dcc.Dropdown(
            id="f-forsoeg", options=[{"label": t, "value": i} for i, t in opts["experiments"]],
            placeholder="Alle forsøg", **dd)]),
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
        ]),
        html.Main(dash.page_container),
        dcc.Download(id="download"),
    ], className="app")


app.layout = layout


@app.callback(Output("download", "data"),
              Input({"type": "download", "key": ALL, "fmt": ALL}, "n_clicks"),
              *[State(i, "value") for i in c.FILTER_IDS], prevent_initial_call=True)
def download(clicks, *filter_values):
    """Every chart's and table's numbers as CSV or Excel, for the filters shown (as the role allows)."""
    if not ctx.triggered_id or not any(clicks):
        return dash.no_update
    key = ctx.triggered_id["key"]
    if not c.may_download(key):
        raise access.Forbidden("Din rolle giver ikke adgang til at hente tallene.")
    filters = c.filters_from(filter_values)
    data.check_filters(filters.municipality, filters.team)
    with audit.downloading():
        return c.download_payload(key, ctx.triggered_id["fmt"], filters)


@server.route("/helse")
def health():
    """For the load balancer and monitoring, open to all: the status and the build time, nothing else
    (no build or run ids, messages or file names: those are for signed-in administrators)."""
    from flask import jsonify

    b = data.build()
    if b is None:
        return jsonify({"status": "ingen data"}), 503
    run = data.last_run() or {}
    return jsonify({"status": "ok" if run.get("success", True) else "forældet", "built_at": b.built_at})


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050, debug=False)
