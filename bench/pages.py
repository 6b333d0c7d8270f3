"""Server response time of every dashboard page, on the current publication of a data folder.

    KPI_DATA_DIR=data .venv/bin/python -m bench.pages [--repeat 20]

For each page it sends the request the browser sends when the page opens — the page's content
callback through Dash's own `/_dash-update-component` endpoint, in the real WSGI app — and
reports the median and 95th percentile server time. The page shell (`GET /`) is measured too.
Every request is signed in, as an administrator scoped to every municipality (the widest scope,
so every query and the sign-in's own per-request work are in the figures): the account lives in
a temporary folder (`KPI_AUTH_DIR`), never among the data folder's real accounts.
Prints a table; `--json` writes the figures to a file.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

PAGES = {  # path: (content id, extra inputs before the filters)
    "/": ("overblik-content", []), "/passive": ("passive-content", [("passive-variant", "anciennitet_1_aar")]),
    "/tid-til-indsats": ("tid-content", []), "/rettidighed": ("rettidighed-content", []),
    "/boligfastholdelse": ("bolig-content", [("bolig-dimension", "support_method")]),
    "/tid-til-bolig": ("tidbolig-content", []), "/sagsstammer": ("sagsstammer-content", []),
    "/sagsbehandlerskift": ("skift-content", []),
    "/afslutningsaarsager": ("exit-content", [("exit-period", "aar_til_dato")]),
    "/tilbud-og-planer": ("tilbud-content", []), "/loentimer": ("loentimer-content", []),
    "/forsoeg": ("forsoeg-content", []), "/datakvalitet": ("dq-content", []),
}


def signed_in_client(app, name: str, password: str):
    """A test client with a session, signed in through the real login form (CSRF token and all)."""
    import re

    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"csrf": token, "brugernavn": name, "adgangskode": password},
                    headers={"Origin": "http://localhost"})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return client


def measure(repeat: int) -> list[dict]:
    import os
    import secrets
    import tempfile

    os.environ["KPI_AUTH_DIR"] = tempfile.mkdtemp(prefix="bench-auth-")
    from dashboards import components as c
    from dashboards import data
    from dashboards.app import app
    from dashboards.users import Accounts

    password = secrets.token_urlsafe(16)
    Accounts().add("bench", "admin", ["*"], [], password)
    client = signed_in_client(app, "bench", password)
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    date = str(data.current_date(scope=Accounts().scope_of("bench")))
    filters = list(zip(c.FILTER_IDS, ["ALLE", date, None, None, None], strict=True))
    rows = []
    shell = []
    for _ in range(repeat):
        t = time.perf_counter()
        assert client.get("/").status_code == 200
        shell.append(time.perf_counter() - t)
    rows.append({"page": "GET / (skal)", "median_ms": 1000 * statistics.median(shell),
                 "p95_ms": 1000 * sorted(shell)[int(0.95 * (len(shell) - 1))]})
    for path, (content_id, extra) in PAGES.items():
        inputs = [{"id": i, "property": "value", "value": v} for i, v in extra + filters]
        body = {"output": f"{content_id}.children", "outputs": {"id": content_id, "property": "children"},
                "inputs": inputs, "changedPropIds": [], "state": []}
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            response = client.post("/_dash-update-component", json=body)
            times.append(time.perf_counter() - t)
            assert response.status_code == 200, (path, response.status_code, response.data[:300])
        rows.append({"page": path, "median_ms": 1000 * statistics.median(times),
                     "p95_ms": 1000 * sorted(times)[int(0.95 * (len(times) - 1))]})
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--json", help="also write the figures to this file")
    args = p.parse_args()
    rows = measure(args.repeat)
    print(f"{'side':28} {'median ms':>10} {'p95 ms':>10}")
    for r in rows:
        print(f"{r['page']:28} {r['median_ms']:10.1f} {r['p95_ms']:10.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
