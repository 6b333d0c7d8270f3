"""The dashboard in a real browser (Debian's headless Chromium) against a served app on a
warehouse built from generated data by the real pipeline."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager

import openpyxl
import polars as pl
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from dashboards import components as c
from tests.conftest import gone, screenshot, wait

pytestmark = pytest.mark.browser

PAGES = {"/": "overblik-content", "/passive": "passive-content", "/tid-til-indsats": "tid-content",
         "/rettidighed": "rettidighed-content", "/boligfastholdelse": "bolig-content",
         "/tid-til-bolig": "tidbolig-content", "/sagsstammer": "sagsstammer-content",
         "/sagsbehandlerskift": "skift-content", "/afslutningsaarsager": "exit-content",
         "/tilbud-og-planer": "tilbud-content", "/loentimer": "loentimer-content", "/forsoeg": "forsoeg-content",
         "/datakvalitet": "dq-content", "/revision": "revision-content"}


@contextmanager
def published_data(served, scope=None):
    """dashboards.data pointed at the served app's publication, to compute what the page must show,
    read as an administrator (or as `scope`) in a request context of its own."""
    import flask

    from dashboards.scope import Scope

    before = os.environ.get("KPI_DATA_DIR")
    os.environ["KPI_DATA_DIR"] = str(served["data"])
    try:
        from dashboards import data

        with flask.Flask(__name__).test_request_context():
            flask.g.scope = scope or Scope("test", "admin", frozenset({"*"}))
            yield data
    finally:
        if before is None:
            del os.environ["KPI_DATA_DIR"]
        else:
            os.environ["KPI_DATA_DIR"] = before


def open_page(browser, served, path: str, content_id: str):
    browser.get(served["url"] + path)
    waiting = wait(browser, 30)
    waiting.until(lambda d: d.find_element(By.ID, content_id).find_elements(By.XPATH, "./*"))
    waiting.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-dash-is-loading='true']"))
    return browser.find_element(By.ID, content_id)


def severe_console_errors(browser) -> list:
    return [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_every_page_loads_without_console_errors(served_dashboard, browser):
    browser.get_log("browser")
    for path, content_id in PAGES.items():
        content = open_page(browser, served_dashboard, path, content_id)
        assert "Der er endnu ikke publiceret data" not in content.text
        assert "Traceback" not in content.text
        assert content.find_elements(By.CSS_SELECTOR, "h2, .kpi-card"), path
        name = path.strip("/") or "overblik"
        assert screenshot(browser, name).stat().st_size > 20_000
        assert severe_console_errors(browser) == [], path
        # rendered with the Content-Security-Policy on, and nothing it refused
        assert browser.execute_script("return window.__csp") == [], path


def test_overview_cards_show_the_marts_values(served_dashboard, browser):
    open_page(browser, served_dashboard, "/", "overblik-content")
    with published_data(served_dashboard) as data:
        rows = data.overview("ALLE")
    for r in rows.iter_rows(named=True):
        shown = browser.find_element(By.ID, f"kpi-{r['kpi_code']}").text
        if r["is_suppressed"]:  # hidden in its mart: the card says so (not "<5": that reads as a value)
            assert r["value"] is None and shown == c.HIDDEN_FIGURE, r["kpi_code"]
            continue
        assert shown == c.value(r["value"], r["unit"], r["target_value"]), r["kpi_code"]
        badge = browser.find_element(By.ID, f"badge-{r['kpi_code']}").text
        if r["on_target"] is not None:
            assert badge == ("Mål nået" if r["on_target"] else "Mål ikke nået")


def test_each_overview_card_equals_its_pages_headline_and_names_its_population(served_dashboard, browser):
    # regression: the passive card showed all durations while the page's headline showed a year's
    # seniority; the paid-hours and exit cards did not say which experiment arm or target group
    open_page(browser, served_dashboard, "/", "overblik-content")
    card = {code: (browser.find_element(By.ID, f"kpi-{code}").text,
                   browser.find_element(By.ID, f"population-{code}").text)
            for code in ("PASSIV_ANDEL", "LOENTIMER_ANDEL", "AFSLUTNINGSAARSAG", "SELVFORSOERGELSE")}
    assert card["PASSIV_ANDEL"][1] == "alle forløbsvarigheder"
    assert card["LOENTIMER_ANDEL"][1] == "indsatsgruppen i Flere skal med 2"
    assert card["AFSLUTNINGSAARSAG"][1].startswith("målgruppe 2.11")
    assert card["SELVFORSOERGELSE"][1].startswith("forløb afsluttet i ")
    content = open_page(browser, served_dashboard, "/passive", "passive-content")
    assert content.find_element(By.ID, "headline-value-PASSIV_ANDEL").text == card["PASSIV_ANDEL"][0]
    content = open_page(browser, served_dashboard, "/loentimer", "loentimer-content")
    headline = content.find_element(By.ID, "self-headline").text
    cohort = card["SELVFORSOERGELSE"][1].split(", ")[0].removeprefix("forløb ")  # "afsluttet i <month> <year>"
    assert headline.startswith(card["SELVFORSOERGELSE"][0]) and cohort in headline
    rows = [tr.text for tr in content.find_elements(By.CSS_SELECTOR, "#paid-table tr")]
    assert any("Flere skal med 2" in r and "indsatsgruppe" in r and card["LOENTIMER_ANDEL"][0] in r for r in rows)
    content = open_page(browser, served_dashboard, "/afslutningsaarsager", "exit-content")
    cells = [td.text for td in content.find_elements(By.CSS_SELECTOR, "td[data-dash-column='Afsluttede i alt']")]
    assert card["AFSLUTNINGSAARSAG"][0] in cells


def choose(browser, dropdown_id: str, text: str):
    """Pick an option of a Dash dropdown as a person does: open it, click the option."""
    browser.find_element(By.ID, dropdown_id).click()
    option = wait(browser, 10).until(lambda d: next(
        (o for o in d.find_elements(By.CSS_SELECTOR, "[role='option']") if text in o.text), None))
    option.click()
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)


def test_filters_change_the_figures_and_persist_across_pages(served_dashboard, browser):
    open_page(browser, served_dashboard, "/", "overblik-content")
    with published_data(served_dashboard) as data:
        everyone = data.overview("ALLE").filter(pl.col("kpi_code") == "SAGSSTAMME")["value"][0]
        varde = data.overview("573").filter(pl.col("kpi_code") == "SAGSSTAMME")["value"][0]
        varde_summary = data.caseload_summary("573", data.current_date())
    assert everyone != varde
    choose(browser, "f-kommune", "Varde")
    try:
        wait(browser, 20).until(
            lambda d: d.find_element(By.ID, "kpi-SAGSSTAMME").text == c.value(varde, "sager"))
        # the filter is kept when the reader moves on
        browser.find_element(By.ID, "nav-sagsstammer").click()
        wait(browser, 20).until(ec.presence_of_element_located((By.ID, "caseload-summary")))
        assert "Varde" in browser.find_element(By.ID, "f-kommune").text
        first = varde_summary.row(0, named=True)
        wait(browser, 20).until(
            lambda d: c.number(first["avg_cases_per_caseworker"], 1) in d.find_element(By.ID, "caseload-summary").text)
    finally:  # the filter persists in the session: put it back for the other tests
        choose(browser, "f-kommune", "Alle kommuner")


def read_download_csv(path) -> tuple[dict[str, str], pl.DataFrame]:
    """A downloaded CSV as Danish Excel reads it: UTF-8 with BOM, ';', the header block, then the table."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no BOM: Danish Excel would garble æøå"
    head, _, table = raw.decode("utf-8-sig").partition("\r\n\r\n")
    about = dict(line.split(";", 1) for line in head.split("\r\n"))
    return about, pl.read_csv(table.encode(), separator=";", infer_schema=False)


def danish_number(text: str | None) -> float | None:
    return None if text in (None, "") else float(text.replace(",", "."))


def click(browser, css: str):
    """Click an element as a person does, after scrolling it out from under the sticky header."""
    element = browser.find_element(By.CSS_SELECTOR, css)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def fresh_download(browser, stem: str, fmt: str):
    for old in browser.download_dir.glob(f"{stem}*"):
        old.unlink()
    click(browser, f"button[id*='\"{stem}'][id*='{fmt}']")
    deadline = time.time() + 20
    while time.time() < deadline:
        found = [p for p in browser.download_dir.glob(f"{stem}_*.{fmt}")]
        if found and not list(browser.download_dir.glob("*.crdownload")):
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"{stem}.{fmt} was not downloaded")


def test_downloads_contain_the_charts_numbers_for_danish_excel(served_dashboard, browser):
    open_page(browser, served_dashboard, "/passive", "passive-content")
    with published_data(served_dashboard) as data:
        expected = data.passive_trend("ALLE", "alle_varigheder")  # the page's default, as on the card
        reference = data.current_date()
        build = data.build()
    path = fresh_download(browser, "passive_trend", "csv")
    assert path.name == f"passive_trend_alle_varigheder_ALLE_{reference:%d-%m-%Y}.csv"
    about, csv = read_download_csv(path)
    # the header block says what the file holds
    assert about["Kommune"] == "Alle kommuner" and about["Opgørelsesdato"] == f"{reference:%d-%m-%Y}"
    assert build.build_id in about["Build"] and about["Side"] == "Passive borgere"
    # Danish headers (æøå intact), decimal commas, dates as dd-mm-yyyy
    assert list(csv.columns) == ["Opgørelsesdato", "Borgere", "Passive", "Andel passive", "Nedre grænse (95 %)",
                                 "Øvre grænse (95 %)", c.FLAG]
    assert csv.height == expected.height
    shares = csv["Andel passive"].to_list()
    assert all("," in x and "." not in x for x in shares if x)
    assert [danish_number(x) for x in csv["Andel passive"]] == pytest.approx(expected["passive_share"].to_list())
    assert csv["Passive"].to_list() == [str(x) for x in expected["passive"].to_list()]
    assert csv["Opgørelsesdato"].to_list() == [f"{d:%d-%m-%Y}" for d in expected["reference_date"].to_list()]
    path = fresh_download(browser, "passive_trend", "xlsx")
    book = openpyxl.load_workbook(path)
    rows = list(book["Tal"].iter_rows(values_only=True))
    col = rows[0].index("Andel passive")
    assert all(isinstance(r[col], float) for r in rows[1:])  # real numbers, not text
    assert [r[col] for r in rows[1:]] == pytest.approx(expected["passive_share"].to_list())
    info = dict(book["Om udtrækket"].iter_rows(values_only=True))
    assert info["Kommune"] == "Alle kommuner" and build.build_id in info["Build"]


def test_a_suppressed_cell_is_empty_in_the_files_with_a_flag_and_the_other_numbers_stay_numbers(
        served_dashboard, browser):
    # regression: one "<5" turned every number of the column into text in Excel
    with published_data(served_dashboard) as data:
        rows = data.exit_reasons("ALLE", "aar_til_dato", "2.11")
    assert rows.filter(pl.col("is_suppressed")).height > 0
    open_page(browser, served_dashboard, "/afslutningsaarsager", "exit-content")
    _, csv = read_download_csv(fresh_download(browser, "exit_reasons", "csv"))
    flags = csv[c.FLAG].to_list()
    assert flags == ["ja" if s else "nej" for s in rows["is_suppressed"].to_list()]
    assert [x or None for x in csv["Forløb"].to_list()] == [None if v is None else str(v)
                                                          for v in rows["spells"].to_list()]
    assert "<5" not in csv["Forløb"].to_list()
    sheet = openpyxl.load_workbook(fresh_download(browser, "exit_reasons", "xlsx"))["Tal"]
    table = list(sheet.iter_rows(values_only=True))
    col, flag = table[0].index("Forløb"), table[0].index(c.FLAG)
    assert all(r[col] is None or isinstance(r[col], int | float) for r in table[1:])
    assert any(r[col] is None and r[flag] == "ja" for r in table[1:])
    assert all(r[col] is not None for r in table[1:] if r[flag] == "nej")


def test_a_download_follows_the_page_s_own_choice(served_dashboard, browser):
    # the passive page's radio switches to spells with a year's seniority: the download must too
    open_page(browser, served_dashboard, "/passive", "passive-content")
    with published_data(served_dashboard) as data:
        expected = data.passive_trend("ALLE", "anciennitet_1_aar")
        default = data.passive_trend("ALLE", "alle_varigheder")
    assert expected["passive_share"].to_list() != default["passive_share"].to_list()
    button = browser.find_element(By.CSS_SELECTOR, "button[id*='passive_trend'][id*='csv']")
    click(browser, "#passive-variant input[value='anciennitet_1_aar']")
    try:
        wait(browser, 20).until(gone(button))
        _, csv = read_download_csv(fresh_download(browser, "passive_trend", "csv"))
        assert [danish_number(x) for x in csv["Andel passive"]] == pytest.approx(expected["passive_share"].to_list())
    finally:  # the choice persists in the session: put it back for the other tests
        click(browser, "#passive-variant input[value='alle_varigheder']")


def test_suppressed_cells_show_as_suppressed_never_as_zero(served_dashboard, browser):
    with published_data(served_dashboard) as data:
        rows = data.exit_reasons("ALLE", "aar_til_dato", "2.11")
    hidden = rows.filter(pl.col("is_suppressed"))
    assert hidden.height > 0, "the demo data should have small cells in the exit-reason table"
    content = open_page(browser, served_dashboard, "/afslutningsaarsager", "exit-content")
    table = content.find_element(By.ID, "exit-table")
    cells = [td.text for td in table.find_elements(By.CSS_SELECTOR, "td[data-dash-column='Forløb']")]
    assert cells.count(c.SUPPRESSED) == hidden.height
    shown = rows.filter(~pl.col("is_suppressed"))["spells"].to_list()
    assert sorted(x for x in cells if x != c.SUPPRESSED) == sorted(c.number(x) for x in shown)
    assert "0" not in cells


# --- the filter contract: every page × filter, from the pages' own declarations -------------------

def contracts() -> dict[str, tuple[tuple[str, ...], dict[str, str]]]:
    """path -> (the filters the page honours, the reason for each other one), as the pages declare."""
    import dash

    from dashboards.app import server  # noqa: F401  (the pages register with the app)

    return {p["relative_path"]: c.contract(p) for p in dash.page_registry.values()}


def test_every_page_declares_its_filters_and_says_why_the_others_do_not_apply():
    found = contracts()
    assert set(found) == set(PAGES)
    for path, (honoured, reasons) in found.items():
        assert set(honoured) <= set(c.FILTERS), path
        assert set(reasons) == set(c.FILTERS) - set(honoured), path
        assert all(r and r.endswith(".") for r in reasons.values()), path
    assert found["/forsoeg"][0] == ("forsoeg",)  # the experiments are computed across every municipality
    assert "kommune" not in found["/datakvalitet"][0]


def test_every_page_shows_its_filter_contract_in_the_browser(served_dashboard, browser):
    for path, (honoured, reasons) in contracts().items():
        open_page(browser, served_dashboard, path, PAGES[path])
        wait(browser, 10).until(lambda d, r=reasons: all(
            d.find_element(By.ID, f"{c.FILTERS[n][0]}-reason").text == r[n] for n in r))
        for name, (dropdown, _) in c.FILTERS.items():
            element = browser.find_element(By.ID, dropdown)
            assert element.is_enabled() == (name in honoured), (path, name)
            assert bool(browser.find_element(By.ID, f"{dropdown}-reason").text) == (name not in honoured)
        screenshot(browser, "filtre-" + (path.strip("/") or "overblik"))


FILTER_VALUES = {"kommune": "573", "maalgruppe": "2.3", "forsoeg": "FLERE_SKAL_MED_2"}


def filter_value(data, name: str, path: str):
    """A value for the filter that changes the page if the page honours it: an earlier month end, a
    team of the page's own figures."""
    if name == "dato":
        return str(data.filter_options()["dates"][6])
    if name == "team":
        teams = data.caseloads("ALLE", data.current_date(), None)["team_name"].unique().sort().to_list()
        return "Team Ressourceforløb" if path == "/passive" else teams[0]
    return FILTER_VALUES[name]


def test_an_honoured_filter_changes_the_page_and_any_other_is_not_used(served_dashboard):
    # regression: Overblik ignored the date, housing honoured only the municipality, "Alle
    # målgrupper" silently meant 2.11 — and nothing on screen said so
    from tests.conftest import signed_in
    from tests.test_access import UPDATE, page_body

    http = signed_in(served_dashboard, "admin")
    table = {}
    for path, (honoured, _) in contracts().items():
        if path == "/revision":
            continue
        base = http.post(served_dashboard["url"] + UPDATE, json=page_body(path), timeout=60)
        assert base.status_code == 200, path
        for name in c.FILTERS:
            with published_data(served_dashboard) as data:
                value = filter_value(data, name, path)
            args = {"kommune": "municipality", "dato": "date", "maalgruppe": "target_group", "team": "team",
                    "forsoeg": "experiment"}
            r = http.post(served_dashboard["url"] + UPDATE, json=page_body(path, **{args[name]: value}), timeout=60)
            assert r.status_code == 200, (path, name, r.text[:300])
            changed = r.json()["response"] != base.json()["response"]
            table[(path, name)] = changed
            assert changed == (name in honoured), (path, name, value)
    assert len(table) == 13 * 5


def figures(response: dict) -> list[dict]:
    """Every dcc.Graph figure in a page callback's answer."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "Graph" and "figure" in node.get("props", {}):
                found.append(node["props"]["figure"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(response)
    return found


def test_every_kpi_page_opens_with_its_headline_and_draws_its_target(served_dashboard, browser):
    with published_data(served_dashboard) as data:
        kpis = data.kpis()
    pages = {}
    for kpi in kpis.values():
        pages.setdefault(kpi["page_path"], []).append(kpi)
    for path, kpi_rows in pages.items():
        content = open_page(browser, served_dashboard, path, PAGES[path])
        for kpi in kpi_rows:
            if kpi["default_target"] is None:
                continue
            card = content.find_element(By.ID, f"headline-{kpi['kpi_code']}")
            text = card.text
            assert f"Mål: {c.target_text(kpi)}" in text, (path, kpi["kpi_code"])
            assert "opgjort pr. " in text, (path, kpi["kpi_code"])
            status = card.find_element(By.ID, f"headline-status-{kpi['kpi_code']}").text
            assert status in ("Mål nået", "Mål ikke nået", "Usikkert", "Ikke opgjort"), (path, status)
    # the target lines are drawn, with a width, and labelled with the target
    from tests.conftest import signed_in
    from tests.test_access import UPDATE, page_body

    http = signed_in(served_dashboard, "admin")
    for path in ("/passive", "/sagsstammer", "/tilbud-og-planer", "/loentimer"):
        shapes = [sh for f in figures(http.post(served_dashboard["url"] + UPDATE, json=page_body(path),
                                                timeout=60).json()) for sh in f["layout"].get("shapes", [])]
        assert shapes and all(sh["line"]["width"] >= 2 for sh in shapes), path


def test_the_headline_says_uncertain_when_the_interval_holds_the_target():
    kpi = {"kpi_code": "X", "name_da": "X", "unit": "andel", "default_operator": "<=", "default_target": 0.20}
    assert c.verdict(kpi, 0.18, 0.10, 0.27) == ("Usikkert", "uncertain")
    assert c.verdict(kpi, 0.18, 0.15, 0.19) == ("Mål nået", "on-target")
    assert c.verdict(kpi, 0.25, 0.21, 0.30) == ("Mål ikke nået", "off-target")
    # rounding never hides the comparison: as many decimals as the target has
    assert c.value(0.6, "skift", 0.50) == "0,60" and c.value(31.25, "sager", 30) == "31,2"


def test_an_experiment_s_target_is_met_with_certainty_only_outside_its_arm_s_interval(served_dashboard):
    """Forsøg's Status per KPI, for shares and survival alike: 'Usikkert' when the intervention
    arm's 95 % interval (from the mart) holds the target, 'med sikkerhed' when it lies clear of it,
    and for a median or a mean, which have no interval, that the uncertainty is not computed."""
    from tests.conftest import signed_in
    from tests.test_access import UPDATE, page_body

    with published_data(served_dashboard) as data:
        rows = data.experiments().filter(pl.col("target_value").is_not_null() & ~pl.col("is_suppressed"))
    http = signed_in(served_dashboard, "admin")
    tables = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "DataTable" and str(node["props"].get("id", "")).startswith("forsoeg-"):
                tables[node["props"]["id"]] = node["props"]["data"]
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(http.post(served_dashboard["url"] + UPDATE, json=page_body("/forsoeg"), timeout=60).json())
    seen = {"Usikkert": 0, "sikker": 0, "uden": 0}
    for r in rows.iter_rows(named=True):
        shown = next(x["Status"] for x in tables[f"forsoeg-{r['experiment_id']}"] if x["Nøgletal"] == r["name_da"])
        word = "Mål nået" if r["target_met"] else "Mål ikke nået"
        if r["indsats_low"] is None:
            assert r["kind"] in ("median", "mean") and shown == f"{word} (usikkerheden er ikke opgjort)", (r, shown)
            seen["uden"] += 1
        elif r["indsats_low"] <= r["target_value"] <= r["indsats_high"]:
            assert shown == "Usikkert: intervallet rummer målet", (r, shown)
            seen["Usikkert"] += 1
        else:
            assert shown == f"{word} med sikkerhed", (r, shown)
            seen["sikker"] += 1
    assert rows.height and sum(seen.values()) == rows.height, seen
    # every branch, survival included (the demo's few targets do not reach them all)
    import dash

    from dashboards.app import server  # noqa: F401  (the pages register with the app, as module pages.forsoeg)
    status = sys.modules[next(p["module"] for p in dash.page_registry.values() if p["path"] == "/forsoeg")].status

    def row(kind, value, low, high, target=0.5, operator=">="):
        return {"kind": kind, "indsats_value": value, "indsats_low": low, "indsats_high": high,
                "target_value": target, "target_met": value >= target if operator == ">=" else value <= target,
                "is_suppressed": False}
    assert status(row("survival", 0.62, 0.55, 0.69)) == "Mål nået med sikkerhed"
    assert status(row("survival", 0.62, 0.48, 0.74)) == "Usikkert: intervallet rummer målet"
    assert status(row("survival", 0.40, 0.31, 0.49)) == "Mål ikke nået med sikkerhed"
    assert status(row("share", 0.52, 0.50, 0.54)) == "Usikkert: intervallet rummer målet"  # a bound on the target
    assert status(row("median", 30, None, None, 40, "<=")) == "Mål nået (usikkerheden er ikke opgjort)"
    assert status({**row("share", 0.1, None, None), "is_suppressed": True, "target_met": None}) == ""


def test_caseworkers_are_named_by_initials_and_team_and_never_merged(served_dashboard):
    # regression: two caseworkers with the initials LCH showed as one bar of 101 cases
    with published_data(served_dashboard) as data:
        df = data.caseloads("ALLE", data.current_date(), None)
    assert df["caseworker"].n_unique() == df["caseworker_id"].n_unique() == df.height
    assert all(f", {t}" in name for name, t in zip(df["caseworker"], df["team_name"], strict=True))


def test_target_groups_are_sorted_by_number(served_dashboard):
    with published_data(served_dashboard) as data:
        groups = data.timeliness("ALLE", data.current_date(), ("target_group",))["dimension_value"].to_list()
    key = [tuple(int(x) for x in g.split(".")) for g in groups]
    assert key == sorted(key) and len(groups) > 2


def test_pages_are_danish_with_the_danish_plotly_locale(served_dashboard, browser):
    open_page(browser, served_dashboard, "/passive", "passive-content")
    assert browser.execute_script("return document.documentElement.lang") == "da"
    # Plotly loads after the page's content and may redraw the figure under the test: the title and
    # the ticks are read in the page, in one script each, never from elements found earlier
    title = wait(browser, 30).until(lambda d: d.execute_script(
        "const b = document.querySelector('#passive-trend .modebar-btn[data-title]');"
        "return b && b.getAttribute('data-title');"))
    assert title == "Hent figuren som png"
    ticks = wait(browser, 30).until(lambda d: d.execute_script(
        "return Array.from(document.querySelectorAll('#passive-trend .xtick text'))"
        ".map(t => t.textContent).filter(t => t);"))
    months = {"jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}
    assert ticks and all(t.split()[0] in months for t in ticks), ticks
    assert "%" in browser.find_element(By.ID, "headline-value-PASSIV_ANDEL").text
    assert "," in browser.find_element(By.ID, "headline-value-PASSIV_ANDEL").text


# --- downloads: what a curious or careless request gets --------------------------------------------

def test_bad_download_arguments_are_answered_with_400_never_500(served_dashboard):
    from tests.conftest import signed_in
    from tests.test_access import UPDATE, download_body

    http = signed_in(served_dashboard, "admin")
    for key, fmt in (("findes_ikke", "csv"), ("passive_trend:ukendt", "csv"), ("passive_trend", "pdf"),
                     ("exit_reasons:aar_til_dato:for_meget", "xlsx")):
        r = http.post(served_dashboard["url"] + UPDATE, json=download_body(key, fmt), timeout=30)
        assert r.status_code == 400, (key, fmt, r.status_code)
    body = download_body("passive_trend")
    body["state"][1]["value"] = "31-10-2026"  # not an ISO date
    assert http.post(served_dashboard["url"] + UPDATE, json=body, timeout=30).status_code == 400
    body["state"][1]["value"] = ["2026-10-31"]
    assert http.post(served_dashboard["url"] + UPDATE, json=body, timeout=30).status_code == 400
    assert "Traceback" not in served_dashboard["log"].read_text()


def test_a_text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised():
    df = pl.DataFrame({"navn": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "Ærø", None],
                       "tal": [-1.5, 2.0, 3.0, 4.0, 5.0, None]})
    headers, rows, _ = c.for_download(df, {"navn": "Navn", "tal": "Tal"})
    assert headers == ["Navn", "Tal"]
    assert [r[0] for r in rows] == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "Ærø", None]
    assert [r[1] for r in rows] == [-1.5, 2.0, 3.0, 4.0, 5.0, None]  # numbers stay numbers, negative too


# --- freshness ------------------------------------------------------------------------------------

def test_a_stale_publication_is_said_on_every_page_and_helse_answers_503(served_dashboard, browser):
    """The same publication, served with the default age (2 days): its extracts are weeks old."""
    import requests

    from tests.conftest import STALE, serve

    assert requests.get(served_dashboard["url"] + "/helse", timeout=10).status_code == 200
    with serve(served_dashboard["data"], env=STALE) as stale:
        r = requests.get(stale["url"] + "/helse", timeout=10)
        assert r.status_code == 503 and r.json()["status"] == "forældet" and set(r.json()) == {"status", "built_at"}
        try:
            for path, content_id in PAGES.items():  # the session is shared: same accounts, same key
                open_page(browser, stale, path, content_id)
                banner = wait(browser, 20).until(lambda d: d.find_element(By.ID, "stale-banner"))
                assert "31-10-2026" in banner.text and "Kontakt driften" in banner.text, path
                if path in ("/", "/datakvalitet"):
                    screenshot(browser, "forældet-" + (path.strip("/") or "overblik"))
        finally:
            browser.get(served_dashboard["url"] + "/")


# --- printing and waiting -------------------------------------------------------------------------

# the elements in and under arguments[0] whose content overflows a box that scrolls or hides it
CLIPPED = """const out = [];
for (const n of [arguments[0], ...arguments[0].querySelectorAll('*')]) {
  const style = getComputedStyle(n);
  if (n.scrollHeight > n.clientHeight + 1 && style.overflowY !== 'visible') out.push(n.className);
  if (n.scrollWidth > n.clientWidth + 1 && style.overflowX !== 'visible') out.push(n.className);
}
return out;"""


def test_a_printed_page_shows_title_filters_headline_charts_and_whole_tables(served_dashboard, browser):
    """The page as the browser prints it (CSS media 'print'), and a PDF of it in test-output/."""
    import base64

    from tests.conftest import OUTPUT

    for path, headline_id, table_css in (("/passive", "headline-PASSIV_ANDEL", "#passive-caseworker-table"),
                                         ("/forsoeg", None, "[id^='forsoeg-'] .dash-spreadsheet-container")):
        content = open_page(browser, served_dashboard, path, PAGES[path])
        assert browser.find_element(By.ID, "nav").is_displayed()  # on screen, before printing
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            shown = lambda css: [e for e in browser.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]  # noqa: E731
            assert shown("#app-title") and shown("h2"), path
            assert not shown("#nav") and not shown("#filters") and not shown("button") and not shown(".modebar"), path
            assert not shown("#passive-variant") and not shown("input[type='radio']"), path
            filters = browser.find_element(By.ID, "filters-text")
            assert filters.is_displayed() and filters.text.startswith("Filtre: "), (path, filters.text)
            if path == "/passive":
                assert "Kommune: Alle kommuner" in filters.text and "Team: alle" in filters.text, filters.text
                assert content.find_element(By.ID, headline_id).is_displayed()
                assert len(shown(".js-plotly-plot")) >= 2
            tables = browser.find_elements(By.CSS_SELECTOR, table_css)
            assert tables, path
            for t in tables:  # nothing of a table is scrolled out of sight or cut off
                clipped = browser.execute_script(CLIPPED, t)
                assert not clipped, (path, clipped)
            pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})["data"])
            assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 1, path
            out = OUTPUT / "screenshots" / f"udskrift-{path.strip('/')}.pdf"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(pdf)
            text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                                  check=True).stdout
            assert "Nøgletal for beskæftigelse og bolig" in text and "Filtre: " in text, path
            # no buttons, no navigation
            assert "Hent CSV" not in text and "Log ud" not in text and "Overblik" not in text, path
        finally:
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_a_slow_answer_shows_the_loading_badge_until_the_figures_arrive(served_dashboard, browser):
    """With every request held up 2 s by the browser's network emulation, changing a page's own
    choice shows 'Henter tal …' while Dash waits, and hides it again when the new figures are in."""
    content = open_page(browser, served_dashboard, "/passive", "passive-content")
    badge = browser.find_element(By.ID, "loading")
    assert not badge.is_displayed() and badge.text == ""  # display: none has no rendered text
    before = content.find_element(By.ID, "passive-headline").text
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 2000,
                                                                 "downloadThroughput": -1, "uploadThroughput": -1})
    try:
        click(browser, "#passive-variant input[value='anciennitet_1_aar']")
        wait(browser, 5).until(lambda d: d.find_element(By.ID, "loading").is_displayed())
        assert browser.find_element(By.ID, "loading").text == "Henter tal …"
        screenshot(browser, "henter-tal")
        wait(browser, 30).until(lambda d: not d.find_element(By.ID, "loading").is_displayed())
        assert browser.find_element(By.ID, "passive-headline").text != before
    finally:
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                                                                     "downloadThroughput": -1, "uploadThroughput": -1})
        browser.execute_cdp_cmd("Network.disable", {})
        click(browser, "#passive-variant input[value='alle_varigheder']")
        wait(browser, 30).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-dash-is-loading='true']"))
