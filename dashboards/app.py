"""The dashboard managers read in the morning (Dash). Served by gunicorn: `dashboards.app:server`.

The filters at the top (municipality, date, target group, team, experiment) live outside the
pages, so they keep their values as the reader moves between pages (and across reloads, in the
browser session). Every page reads only the current publication, through dashboards.data.
"""

from __future__ import annotations

import dash
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html

from dashboards import components as c
from dashboards import data

app = Dash(__name__, use_pages=True, title="Beskæftigelse og bolig – nøgletal",
           suppress_callback_exceptions=True)
server = app.server


def _filter_bar():
    try:
        opts = data.filter_options()
    except data.NoPublicationError:
        opts = {"dates": [], "municipalities": [], "target_groups": [], "teams": [], "experiments": []}
    dd = dict(persistence=True, persistence_type="session", clearable=True)
    return html.Div([
        html.Label(["Kommune", dcc.Dropdown(
            id="f-kommune", options=[{"label": "Alle kommuner", "value": "ALLE"}]
            + [{"label": f"{name} ({code})", "value": code} for code, name in opts["municipalities"]],
            value="ALLE", **{**dd, "clearable": False})]),
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


def layout():
    return html.Div([
        html.Header([
            html.H1("Nøgletal for beskæftigelse og bolig", id="app-title"),
            html.Nav([dcc.Link(page["name"], href=page["relative_path"], className="nav-link",
                               id=f"nav-{page['module'].rsplit('.', 1)[-1]}")
                      for page in dash.page_registry.values()], id="nav"),
            _filter_bar(),
        ]),
        html.Main(dash.page_container),
        dcc.Download(id="download"),
    ], className="app")


app.layout = layout


@app.callback(Output("download", "data"),
              Input({"type": "download", "key": ALL, "fmt": ALL}, "n_clicks"),
              *[State(i, "value") for i in c.FILTER_IDS], prevent_initial_call=True)
def download(clicks, *filter_values):
    """Every chart's and table's numbers as CSV or Excel, for the filters shown."""
    if not ctx.triggered_id or not any(clicks):
        return dash.no_update
    return c.download_payload(ctx.triggered_id["key"], ctx.triggered_id["fmt"], c.filters_from(filter_values))


@server.route("/helse")
def health():
    """For the reverse proxy and monitoring: the publication the dashboard serves, and its age."""
    from flask import jsonify

    try:
        fresh = data.freshness()
    except data.NoPublicationError as exc:
        return jsonify({"status": "ingen data", "detail": str(exc)}), 503
    run = fresh["last_run"] or {}
    return jsonify({
        "status": "ok" if run.get("success", True) else "forældet",
        "build_id": fresh["build_id"], "built_at": fresh["built_at"].isoformat(),
        "newest_extract": str(fresh["newest_extract"]), "last_run": run,
    })


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050, debug=False)
