"""The dashboard managers read in the morning (Dash). Served by gunicorn: `dashboards.app:server`."""

from __future__ import annotations

import dash
from dash import Dash, html

app = Dash(__name__, use_pages=True, title="Beskæftigelse og bolig – nøgletal",
           suppress_callback_exceptions=True)
server = app.server


def layout():
    return html.Div([
        html.Header([
            html.H1("Nøgletal for beskæftigelse og bolig", id="app-title"),
            html.Nav([html.A(page["name"], href=page["relative_path"], className="nav-link",
                             id=f"nav-{page['module'].rsplit('.', 1)[-1]}")
                      for page in dash.page_registry.values()], id="nav"),
        ]),
        dash.page_container,
    ], className="app")


app.layout = layout

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050, debug=False)
