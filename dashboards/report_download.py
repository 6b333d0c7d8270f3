"""The dashboard's "Hent udvalgsrapport" button and its route, `GET /rapport`.

The committee report (dashboards.report) as PDF, for the signed-in person's own scope: the
municipality must be one of theirs (the all-municipality report only for readers of every
municipality), whatever the request says, or the answer is 403 (the refusal is audited by
dashboards.auth). Arguments: `kommune` (required), and `kvartal` (2026K3) or `dato` (a month end,
yyyy-mm-dd); without either, the reference date. Anything else is answered with 400. Every report
fetched is written to the audit log.
"""

from __future__ import annotations

from datetime import date

from dash import Input, Output, callback, html
from flask import Response, abort, request

from dashboards import audit
from dashboards import scope as access
from transforms.publication import DataPaths

ARGS = {"kommune", "kvartal", "dato"}


def button():
    """The link the header shows; its address follows the municipality and date filters."""
    return html.A("Hent udvalgsrapport (PDF)", id="report-download", href="/rapport", className="download",
                  title="Rapporten til udvalget for den valgte kommune og dato")


@callback(Output("report-download", "href"), Input("f-kommune", "value"), Input("f-dato", "value"))
def _href(kommune, dato):
    if not kommune:
        return "/rapport"
    return f"/rapport?kommune={kommune}" + (f"&dato={dato}" if dato else "")


def report():
    from dashboards.report import NoPublicationError, Publication, ReportError, render

    scope = access.current()
    unknown = sorted(set(request.args) - ARGS)
    if unknown:
        abort(400, f"Ukendt parameter: {', '.join(unknown)}.")
    municipality = (request.args.get("kommune") or "").strip().upper()
    if not municipality:
        abort(400, "Angiv en kommune.")
    try:
        as_of = date.fromisoformat(request.args["dato"]) if request.args.get("dato") else None
    except ValueError:
        abort(400, "Datoen skal skrives som ÅÅÅÅ-MM-DD.")
    quarter = request.args.get("kvartal") or None
    try:
        with Publication(DataPaths.from_env().published) as pub:
            made = render(pub, municipality, scope=scope, quarter=quarter, as_of=as_of)
    except NoPublicationError as e:
        abort(503, str(e))
    except ReportError as e:
        abort(400, str(e))
    audit.record(scope, "udvalgsrapport", {"kommune": municipality, "kvartal": quarter, "dato": as_of},
                 0, action="hentet")
    return Response(made.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{made.filename}"'})


def install(server) -> None:
    server.add_url_rule("/rapport", "rapport", report)
