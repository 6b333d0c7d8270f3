"""Access control at the HTTP level, against the dashboard served by gunicorn on a real build.

Every request goes over real HTTP to the served app, as a browser's would, with a session signed
in through the real login form (tests.conftest.signed_in) — or with none at all. Callback
payloads are the ones Dash's renderer sends, edited as a curious user would edit them.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
import requests

from bench.pages import PAGES
from dashboards import components as c
from tests.conftest import USERS, signed_in
from tests.test_dashboard import published_data

UPDATE = "/_dash-update-component"


def page_body(path: str, municipality="ALLE", date=None, target_group=None, team=None, experiment=None) -> dict:
    content_id, extra = PAGES[path]
    values = [municipality, date, target_group, team, experiment]
    inputs = [{"id": i, "property": "value", "value": v} for i, v in extra]
    inputs += [{"id": i, "property": "value", "value": v} for i, v in zip(c.FILTER_IDS, values, strict=True)]
    return {"output": f"{content_id}.children", "outputs": {"id": content_id, "property": "children"},
            "inputs": inputs, "changedPropIds": [], "state": []}


def download_body(key: str, fmt: str = "csv", municipality="ALLE", team=None, target_group=None) -> dict:
    button = {"fmt": fmt, "key": key, "type": "download"}
    values = [municipality, None, target_group, team, None]
    return {"output": "download.data", "outputs": {"id": "download", "property": "data"},
            "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
            "changedPropIds": [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"],
            "state": [{"id": i, "property": "value", "value": v} for i, v in zip(c.FILTER_IDS, values, strict=True)]}


@pytest.fixture(scope="module")
def served(served_dashboard):
    return served_dashboard


@pytest.fixture(scope="module")
def spells(served) -> set[str]:
    """Every spell id on either action list: none may reach a person who may not see the lists."""
    with published_data(served) as data:
        waiting, overdue = data.waiting_list("ALLE", None, None), data.overdue_list("ALLE", None, None)
    return set(waiting["Forløb"]) | set(overdue["Forløb"])


def component(node, component_id: str) -> dict | None:
    """The props of the component with this id in a Dash layout (as JSON)."""
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == component_id:
            return props
        children = list(props.values()) if "props" in node else list(node.values())
    elif isinstance(node, list):
        children = node
    else:
        return None
    return next((found for child in children if (found := component(child, component_id))), None)


def pages_body(pathname: str) -> dict:
    """What the renderer sends when the address changes: Dash's pages callback."""
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


def audit_rows(served) -> list[dict]:
    with sqlite3.connect(served["data"] / "secrets" / "dashboard" / "audit.sqlite") as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("select * from entries order by id")]


# --- nobody signed in ------------------------------------------------------------------------------

def test_every_page_redirects_to_the_login_without_a_session(served, spells):
    for path in [*PAGES, "/revision", "/findes-ikke"]:
        r = requests.get(served["url"] + path, allow_redirects=False, timeout=10)
        assert r.status_code == 302, path
        assert r.headers["Location"].startswith("/login"), path
        assert not any(s in r.text for s in spells)
    login = requests.get(served["url"] + "/passive", timeout=10)  # followed: the Danish login page
    assert login.url.endswith("/login?next=/passive")
    assert "Adgangskode" in login.text and "Log ind" in login.text


def test_dash_s_own_endpoints_answer_401_and_no_data_without_a_session(served, spells):
    http = requests.Session()
    http.headers["Origin"] = served["url"]
    for path in ("/_dash-layout", "/_dash-dependencies"):
        r = http.get(served["url"] + path, timeout=10)
        assert r.status_code == 401, path
        assert r.json() == {"fejl": "Log ind for at se dashboardet."}
    for path in PAGES:
        r = http.post(served["url"] + UPDATE, json=page_body(path), timeout=10)
        assert r.status_code == 401, path
        assert "response" not in r.text and not any(s in r.text for s in spells)
    r = http.post(served["url"] + UPDATE, json=download_body("waiting_list"), timeout=10)
    assert r.status_code == 401 and not any(s in r.text for s in spells)


def test_a_forged_session_cookie_is_not_a_session(served):
    http = requests.Session()
    http.cookies.set("kpi_session", "eyJzaWQiOiJ4In0.Zm9yZ2Vk.c2lnbmF0dXJl")
    r = http.get(served["url"] + "/_dash-layout", timeout=10)
    assert r.status_code == 401
    # a real cookie after logout is dead too, even if someone kept a copy
    person = signed_in(served, "leder573")
    kept = person.cookies.get("kpi_session")
    layout = person.get(served["url"] + "/_dash-layout", timeout=10)
    assert layout.status_code == 200
    token = component(layout.json(), "logout-csrf")["value"]  # the logout form's own token
    assert person.post(served["url"] + "/logout", data={"csrf": token}, allow_redirects=False,
                       timeout=10).status_code == 302
    replay = requests.Session()
    replay.cookies.set("kpi_session", kept)
    assert replay.get(served["url"] + "/_dash-layout", timeout=10).status_code == 401


# --- scope ----------------------------------------------------------------------------------------

def test_a_leder_of_one_municipality_who_edits_the_payload_for_another_gets_403_and_nothing(served):
    http = signed_in(served, "leder573")
    with published_data(served) as data:
        date = str(data.current_date())
        tarnby = data.overview("185")
    own = http.post(served["url"] + UPDATE, json=page_body("/", "573", date), timeout=30)
    assert own.status_code == 200 and "kpi-PASSIV_ANDEL" in own.text
    figures = {c.value(v, u) for v, u in zip(tarnby["value"], tarnby["unit"], strict=True) if v is not None}
    for path in PAGES:
        for other in ("185", "ALLE", "999"):
            r = http.post(served["url"] + UPDATE, json=page_body(path, other, date), timeout=30)
            assert r.status_code == 403, (path, other)
            assert r.json()["fejl"] and "response" not in r.json()
            if other == "185" and path == "/":
                assert not any(f in r.text for f in figures if len(f) > 3)


def test_a_person_in_two_of_two_municipalities_may_see_the_all_municipality_figure(served):
    http = signed_in(served, "begge")
    assert http.post(served["url"] + UPDATE, json=page_body("/", "ALLE"), timeout=30).status_code == 200


def test_a_teamleder_who_asks_for_another_team_s_list_gets_403_and_sees_only_their_own(served, spells):
    http = signed_in(served, "teamleder573")
    other = http.post(served["url"] + UPDATE, json=page_body("/tid-til-indsats", "573", team="Team Unge"), timeout=30)
    assert other.status_code == 403 and not any(s in other.text for s in spells)
    for key in ("waiting_list", "overdue_list"):
        r = http.post(served["url"] + UPDATE, json=download_body(key, municipality="573", team="Team Unge"),
                      timeout=30)
        assert r.status_code == 403, key
    with published_data(served) as data:
        own = set(data.waiting_list("573", "Team Job", None)["Forløb"])
        everyone = set(data.waiting_list("573", None, None)["Forløb"])
    assert own and everyone - own
    r = http.post(served["url"] + UPDATE, json=page_body("/tid-til-indsats", "573"), timeout=30)
    assert r.status_code == 200
    shown = {s for s in spells if s in r.text}
    assert shown == own  # no team filter: their own team's list, nobody else's


def test_a_leder_cannot_fetch_an_action_list_by_any_route(served, spells):
    for name in ("leder573", "analytiker185"):
        http = signed_in(served, name)
        municipality = USERS[name][1][0]
        # every page's content, with every team the filter could hold
        for path in PAGES:
            for team in (None, "Team Job"):
                r = http.post(served["url"] + UPDATE, json=page_body(path, municipality, team=team), timeout=30)
                assert r.status_code in (200, 403), (name, path)
                assert not any(s in r.text for s in spells), (name, path)
        # the download callback, for both lists in both formats, whatever the filters
        for key in ("waiting_list", "overdue_list"):
            for fmt in ("csv", "xlsx"):
                r = http.post(served["url"] + UPDATE, json=download_body(key, fmt, municipality), timeout=30)
                assert r.status_code == 403, (name, key, fmt)
                assert not any(s in r.text for s in spells)
        # the layout and the dependencies carry no rows either
        for path in ("/_dash-layout", "/_dash-dependencies", "/tid-til-indsats", "/rettidighed"):
            r = http.get(served["url"] + path, timeout=30)
            assert r.status_code == 200 and not any(s in r.text for s in spells), path


def test_the_filters_offer_only_what_is_in_scope(served):
    layout = signed_in(served, "leder573").get(served["url"] + "/_dash-layout", timeout=10).text
    assert '"value":"573"' in layout and '"value":"185"' not in layout and '"value":"ALLE"' not in layout
    assert "Alle kommuner" not in layout
    team_layout = signed_in(served, "teamleder573").get(served["url"] + "/_dash-layout", timeout=10).text
    assert '"Team Job"' in team_layout and '"Team Unge"' not in team_layout
    assert '"nav-revision"' not in layout  # the audit page is not in a leder's navigation
    assert '"nav-revision"' in signed_in(served, "admin").get(served["url"] + "/_dash-layout", timeout=10).text


def test_downloads_of_figures_are_for_analysts_and_administrators(served):
    leder = signed_in(served, "leder573")
    assert leder.post(served["url"] + UPDATE, json=download_body("passive_trend", municipality="573"),
                      timeout=30).status_code == 403
    analyst = signed_in(served, "analytiker185")
    r = analyst.post(served["url"] + UPDATE, json=download_body("passive_trend", municipality="185"), timeout=30)
    assert r.status_code == 200
    assert r.json()["response"]["download"]["data"]["filename"] == "passive_trend_185_seneste.csv"
    assert analyst.post(served["url"] + UPDATE, json=download_body("passive_trend", municipality="573"),
                        timeout=30).status_code == 403


def test_data_quality_detail_and_the_audit_page_are_for_administrators(served):
    with published_data(served) as data:
        files = data.files()["Fil"].to_list()
    assert files
    leder = signed_in(served, "leder573")
    r = leder.post(served["url"] + UPDATE, json=page_body("/datakvalitet", "573"), timeout=30)
    assert r.status_code == 200 and "dq-detail-hidden" in r.text
    assert not any(f in r.text for f in files)
    pages = pages_body("/revision")
    assert leder.post(served["url"] + UPDATE, json=pages, timeout=30).status_code == 403
    body = page_body("/", "573")
    body.update(output="revision-content.children", outputs={"id": "revision-content", "property": "children"})
    assert leder.post(served["url"] + UPDATE, json=body, timeout=30).status_code == 403
    admin = signed_in(served, "admin")
    assert admin.post(served["url"] + UPDATE, json=pages, timeout=30).status_code == 200


# --- audit ----------------------------------------------------------------------------------------

def test_every_view_and_download_of_a_list_is_audited_and_admins_read_it(served):
    with published_data(served) as data:
        expected = data.waiting_list("573", "Team Job", None).height
    http = signed_in(served, "teamleder573")
    before = len(audit_rows(served))
    assert http.post(served["url"] + UPDATE, json=page_body("/tid-til-indsats", "573", team="Team Job"),
                     timeout=30).status_code == 200
    r = http.post(served["url"] + UPDATE, json=download_body("waiting_list", "csv", "573", team="Team Job"),
                  timeout=30)
    assert r.status_code == 200
    table = r.json()["response"]["download"]["data"]["content"].split("\r\n\r\n", 1)[1]  # after the header block
    assert table.strip("\r\n").count("\r\n") == expected  # a header line and a line per spell
    assert http.post(served["url"] + UPDATE, json=page_body("/tid-til-indsats", "573", team="Team Unge"),
                     timeout=30).status_code == 403
    new = [e for e in audit_rows(served)[before:] if e["user"] == "teamleder573"]
    assert [(e["action"], e["list"], e["rows"]) for e in new] == [
        ("vist", "waiting_list", expected), ("hentet", "waiting_list", expected), ("afvist", "-", 0)]
    assert all(e["at"].endswith("+00:00") and e["role"] == "teamleder" for e in new)
    # the team filter does not apply on Tid til indsats (the figures are not by team): the list is the
    # teamleder's own teams, and the audit log says which filters it was fetched with
    assert json.loads(new[0]["filters"]) == {"kommune": "573", "team": None, "målgruppe": None, "højst": None}
    # the administrator's audit page shows them, in words
    admin = signed_in(served, "admin")
    page = admin.post(served["url"] + UPDATE, json={**page_body("/", "ALLE"), "output": "revision-content.children",
                                                    "outputs": {"id": "revision-content", "property": "children"}},
                      timeout=30)
    assert page.status_code == 200
    assert "teamleder573" in page.text and "Venter ud over fristen" in page.text and "Hentet" in page.text


def test_the_audit_log_cannot_be_rewritten(served):
    with sqlite3.connect(served["data"] / "secrets" / "dashboard" / "audit.sqlite") as db:
        for sql in ("update entries set rows = 0", "delete from entries"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(sql)
    mode = (served["data"] / "secrets" / "dashboard" / "audit.sqlite").stat().st_mode & 0o777
    assert mode == 0o600


# --- hardening ------------------------------------------------------------------------------------

def test_health_says_only_status_and_build_time(served):
    r = requests.get(served["url"] + "/helse", timeout=10)
    assert r.status_code == 200 and set(r.json()) == {"status", "built_at"}
    assert r.json()["status"] == "ok"


def test_every_answer_carries_the_security_headers_and_no_server_banner(served):
    http = signed_in(served, "admin")
    for path in ("/login", "/", "/_dash-layout", "/helse", "/assets/style.css"):
        r = (requests if path in ("/login", "/helse") else http).get(served["url"] + path, timeout=10)
        h = r.headers
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"], path
        assert "script-src 'self' 'sha256-" in h["Content-Security-Policy"]
        assert "unsafe-inline" not in h["Content-Security-Policy"].split("script-src")[1].split(";")[0]
        assert h["X-Frame-Options"] == "DENY" and h["Referrer-Policy"] == "same-origin", path
        assert "Server" not in h, path
    raw = requests.get(served["url"] + "/login", timeout=10).headers["Set-Cookie"]
    assert "HttpOnly" in raw and "SameSite=Lax" in raw and "Secure" not in raw  # plain HTTP here (HTTPS: test_sso)


def test_a_post_from_another_site_is_refused_even_with_the_cookie(served):
    http = signed_in(served, "admin")
    body = page_body("/", "ALLE")
    assert http.post(served["url"] + UPDATE, json=body, timeout=30).status_code == 200
    for headers in ({"Origin": "https://ondsindet.example"}, {"Origin": "null"},
                    {"Origin": "", "Referer": "https://ondsindet.example/side"}):
        r = http.post(served["url"] + UPDATE, json=body, headers=headers, timeout=30)
        assert r.status_code == 403, headers
    # a plain form post (what another site can send without CORS) is not a Dash request
    r = http.post(served["url"] + UPDATE, data={"output": "x"}, timeout=30)
    assert r.status_code == 415


def test_the_login_form_needs_its_csrf_token(served):
    http = requests.Session()
    http.headers["Origin"] = served["url"]
    http.get(served["url"] + "/login", timeout=10)
    r = http.post(served["url"] + "/login", data={"brugernavn": "admin", "adgangskode": "korrekt-hest-batteri-42"},
                  allow_redirects=False, timeout=10)
    assert r.status_code == 400 and "udløbet" in r.text
    assert http.get(served["url"] + "/_dash-layout", timeout=10).status_code == 401


def test_the_login_redirects_only_within_the_site(served):
    import re

    http = requests.Session()
    http.headers["Origin"] = served["url"]
    for target, landing in (("/passive", "/passive"), ("//ondsindet.example/x", "/"),
                            ("https://ondsindet.example", "/")):
        page = http.get(served["url"] + "/login", params={"next": target}, timeout=10)
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = http.post(served["url"] + "/login", data={"csrf": token, "brugernavn": "admin", "next": target,
                                                      "adgangskode": "korrekt-hest-batteri-42"},
                      allow_redirects=False, timeout=10)
        assert r.status_code == 302 and r.headers["Location"] == landing, target
        http.cookies.clear()


def _inline_script_hashes(page: str) -> set[str]:
    import base64
    import hashlib
    import re

    page = re.sub(r"<!--.*?-->", "", page, flags=re.S)  # Dash's IE warning sits in a conditional comment
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    return {"'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
            for attrs, body in scripts if body.strip() and "application/json" not in attrs}


def test_the_csp_allows_dash_s_inline_scripts_even_when_a_worker_s_first_request_was_refused(served):
    # regression: a worker whose first request the gate refused cached a CSP without the hash of the
    # pages' title script, and the browser then blocked it on every page that worker served
    from tests.conftest import serve

    with serve(served["data"]) as fresh:
        for _ in range(6):  # the first requests of both workers, none signed in
            assert requests.get(fresh["url"] + "/rettidighed", allow_redirects=False, timeout=10).status_code == 302
        http = signed_in(fresh, "admin")
        for _ in range(6):
            r = http.get(fresh["url"] + "/rettidighed", timeout=10)
            hashes = _inline_script_hashes(r.text)
            assert len(hashes) >= 2
            assert hashes <= set(r.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0].split())
