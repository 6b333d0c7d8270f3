"""One place for each fact (issue 14): an analyst changes a KPI in one file.

The first-meeting deadline (var deadline_first_meeting_days, 14 -> 11) and one default target in
the KPI registry (PASSIV_ANDEL, 20 % -> 25 %) are changed in a copy of the dbt project, in
dbt_project.yml and nowhere else. After a real dbt build on a real refresh's warehouse and a real
publication, the marts, the definition text the dashboard shows and the Overblik card's target
in a real browser all follow.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, make_landing, run_dbt, run_refresh, screenshot, serve, sign_in, wait
from transforms.publication import current_build, open_build, publish

DEADLINE = "deadline_first_meeting_days: 14"
TARGET = "      target: 0.20\n      page: /passive\n"


def _published(data: Path) -> duckdb.DuckDBPyConnection:
    return open_build(current_build(data / "warehouse" / "published")[1])


def _facts(con) -> dict:
    return {
        "deadline": con.execute("select distinct deadline_days from marts.kpi_time_to_intervention "
                                "where kpi_code = 'TID_FOERSTE_SAMTALE'").fetchall(),
        "waiting": con.execute("select count(*) from marts.kpi_waiting_list where event = 'first_meeting'")
                      .fetchone()[0],
        "on_time": {(r, c, m, d, v): x for r, c, m, d, v, x in con.execute(
            "select reference_date, cohort, municipality_code, dimension, dimension_value, on_time_share "
            "from marts.kpi_time_to_intervention "
            "where kpi_code = 'TID_FOERSTE_SAMTALE' and on_time_share is not null").fetchall()},
        "targets": dict(con.execute("select kpi_code, default_target from reference.ref_kpi").fetchall()),
        "overview": dict(con.execute("select kpi_code, target_value from marts.kpi_overview "
                                     "where municipality_code = 'ALLE'").fetchall()),
        "definition": con.execute("select comment from duckdb_tables() where table_name = "
                                  "'kpi_time_to_intervention'").fetchone()[0],
    }


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    """A demo refresh as `make refresh` makes it, then the same warehouse rebuilt from a copy of the
    dbt project whose dbt_project.yml alone was edited, and published: (before, after, data)."""
    data = tmp_path_factory.mktemp("registry")
    make_landing(data / "landing", 2000)
    refresh = run_refresh(data)
    assert refresh.returncode == 0, refresh.stderr[-3000:]
    with _published(data) as con:
        before = _facts(con)

    project = data / "dbt_project"
    shutil.copytree(REPO / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    config = (project / "dbt_project.yml").read_text(encoding="utf-8")
    assert config.count(DEADLINE) == 1 and config.count(TARGET) == 1
    config = config.replace(DEADLINE, "deadline_first_meeting_days: 11").replace(
        TARGET, TARGET.replace("0.20", "0.25"))
    (project / "dbt_project.yml").write_text(config, encoding="utf-8")
    working = data / "warehouse" / "working.duckdb"
    run_dbt("build", warehouse=working, project=project)
    publish(working, data / "warehouse" / "published", run_id="registry-test")
    with _published(data) as con:
        after = _facts(con)
    return before, after, data


def test_the_deadline_var_moves_the_marts(rebuilt):
    before, after, _ = rebuilt
    assert before["deadline"] == [(14,)] and after["deadline"] == [(11,)]
    # fewer first meetings come within a shorter deadline, and no fewer spells wait past it
    both = sorted(set(before["on_time"]) & set(after["on_time"]))  # rows published in both builds
    assert both
    assert all(after["on_time"][c] <= before["on_time"][c] for c in both)
    assert any(after["on_time"][c] < before["on_time"][c] for c in both)
    assert after["waiting"] >= before["waiting"]


def test_the_deadline_is_the_first_meeting_target_and_the_registry_target_reaches_the_overview(rebuilt):
    before, after, _ = rebuilt
    assert before["targets"]["TID_FOERSTE_SAMTALE"] == 14 and after["targets"]["TID_FOERSTE_SAMTALE"] == 11
    assert before["targets"]["PASSIV_ANDEL"] == 0.20 and after["targets"]["PASSIV_ANDEL"] == 0.25
    assert after["overview"]["TID_FOERSTE_SAMTALE"] == 11 and after["overview"]["PASSIV_ANDEL"] == 0.25
    # nothing else moved
    unchanged = {k: v for k, v in before["targets"].items() if k not in ("TID_FOERSTE_SAMTALE", "PASSIV_ANDEL")}
    assert unchanged == {k: after["targets"][k] for k in unchanged}


def test_the_published_definition_text_names_the_current_deadline(rebuilt):
    before, after, _ = rebuilt
    assert "inden fristen (14, 30 og 90 dage)" in before["definition"]
    assert "inden fristen (11, 30 og 90 dage)" in after["definition"]
    assert "[[" not in after["definition"]


def test_the_overblik_cards_show_the_new_targets_in_a_browser(rebuilt):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    _, _, data = rebuilt
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1440,1000"):
        opts.add_argument(arg)
    with serve(data) as served:
        driver = webdriver.Chrome(options=opts, service=Service(executable_path="/usr/bin/chromedriver"))
        try:
            sign_in(driver, served)
            driver.get(served["url"] + "/")
            target = {}
            for code in ("PASSIV_ANDEL", "TID_FOERSTE_SAMTALE"):
                card = wait(driver, 60).until(lambda d, c=code: d.find_element(By.ID, f"card-{c}"))
                target[code] = card.find_element(By.CLASS_NAME, "kpi-target").text
            screenshot(driver, "registry_overblik")
        finally:
            driver.quit()
    assert re.search(r"25(,0)?\s*%", target["PASSIV_ANDEL"]) and "20" not in target["PASSIV_ANDEL"], target
    assert re.search(r"\b11\b", target["TID_FOERSTE_SAMTALE"]) and "14" not in target["TID_FOERSTE_SAMTALE"], target
