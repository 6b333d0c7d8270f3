"""The dashboard in a real browser (Debian's headless Chromium) against a served app on a
warehouse built from generated data by the real pipeline."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

import openpyxl
import polars as pl
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from dashboards import components as c
from tests.conftest import screenshot

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
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: d.find_element(By.ID, content_id).find_elements(By.XPATH, "./*"))
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-dash-is-loading='true']"))
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
        assert shown == c.value(r["value"], r["unit"]), r["kpi_code"]
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
    assert content.find_element(By.ID, "passive-headline").text.startswith(card["PASSIV_ANDEL"][0] + " (")
    content = open_page(browser, served_dashboard, "/loentimer", "loentimer-content")
    headline = content.find_element(By.ID, "self-headline").text
    cohort = card["SELVFORSOERGELSE"][1].split(", ")[0].removeprefix("forløb ")  # "afsluttet i <month> <year>"
    assert headline.startswith(card["SELVFORSOERGELSE"][0]) and cohort in headline
    rows = [tr.text for tr in content.find_elements(By.CSS_SELECTOR, "#paid-table tr")]
    assert any("FLERE_SKAL_MED_2" in r and "INDSATS" in r and card["LOENTIMER_ANDEL"][0] in r for r in rows)
    content = open_page(browser, served_dashboard, "/afslutningsaarsager", "exit-content")
    cells = [td.text for td in content.find_elements(By.CSS_SELECTOR, "td[data-dash-column='Afsluttede i alt']")]
    assert card["AFSLUTNINGSAARSAG"][0] in cells


def choose(browser, dropdown_id: str, text: str):
    """Pick an option of a Dash dropdown as a person does: open it, click the option."""
    browser.find_element(By.ID, dropdown_id).click()
    option = WebDriverWait(browser, 10).until(lambda d: next(
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
    WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.ID, "kpi-SAGSSTAMME").text == c.value(varde, "sager"))
    # the filter is kept when the reader moves on
    browser.find_element(By.ID, "nav-sagsstammer").click()
    content = WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.ID, "caseload-summary")))
    assert "Varde" in browser.find_element(By.ID, "f-kommune").text
    first = varde_summary.row(0, named=True)
    assert c.number(first["avg_cases_per_caseworker"], 1) in content.text
    choose(browser, "f-kommune", "Alle kommuner")


def _wait_for_file(folder, name, timeout=20):
    path = folder / name
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.exists() and not list(folder.glob("*.crdownload")):
            return path
        time.sleep(0.2)
    raise AssertionError(f"{name} was not downloaded")


def test_downloads_contain_the_charts_numbers(served_dashboard, browser):
    for old in browser.download_dir.glob("passive_trend.*"):
        old.unlink()
    open_page(browser, served_dashboard, "/passive", "passive-content")
    with published_data(served_dashboard) as data:
        expected = data.passive_trend("ALLE", "alle_varigheder")  # the page's default, as on the card
    browser.find_element(By.CSS_SELECTOR, "button[id*='passive_trend'][id*='csv']").click()
    csv = pl.read_csv(_wait_for_file(browser.download_dir, "passive_trend.csv"), separator=";",
                      infer_schema=False)
    assert csv.height == expected.height
    assert [float(x) for x in csv["passive_share"].to_list()] == pytest.approx(expected["passive_share"].to_list())
    assert csv["passive"].to_list() == [str(x) for x in expected["passive"].to_list()]
    browser.find_element(By.CSS_SELECTOR, "button[id*='passive_trend'][id*='xlsx']").click()
    sheet = openpyxl.load_workbook(_wait_for_file(browser.download_dir, "passive_trend.xlsx")).active
    rows = list(sheet.iter_rows(values_only=True))
    col = rows[0].index("passive_share")
    assert [r[col] for r in rows[1:]] == pytest.approx(expected["passive_share"].to_list())


def test_a_download_follows_the_page_s_own_choice(served_dashboard, browser):
    # the passive page's radio switches to spells with a year's seniority: the download must too
    open_page(browser, served_dashboard, "/passive", "passive-content")
    with published_data(served_dashboard) as data:
        expected = data.passive_trend("ALLE", "anciennitet_1_aar")
        default = data.passive_trend("ALLE", "alle_varigheder")
    assert expected["passive_share"].to_list() != default["passive_share"].to_list()
    button = browser.find_element(By.CSS_SELECTOR, "button[id*='passive_trend'][id*='csv']")
    browser.find_element(By.CSS_SELECTOR, "#passive-variant input[value='anciennitet_1_aar']").click()
    try:
        WebDriverWait(browser, 20).until(ec.staleness_of(button))
        for old in browser.download_dir.glob("passive_trend.*"):
            old.unlink()
        browser.find_element(By.CSS_SELECTOR, "button[id*='passive_trend'][id*='csv']").click()
        csv = pl.read_csv(_wait_for_file(browser.download_dir, "passive_trend.csv"), separator=";",
                          infer_schema=False)
        assert [float(x) for x in csv["passive_share"].to_list()] == pytest.approx(
            expected["passive_share"].to_list())
    finally:  # the choice persists in the session: put it back for the other tests
        browser.find_element(By.CSS_SELECTOR, "#passive-variant input[value='alle_varigheder']").click()


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
