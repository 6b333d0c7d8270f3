"""Shared fixtures: generated landing data sets, built once per test session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from transforms.generator.generate import generate
from transforms.generator.synthetic import Config
from transforms.ingestion.parse import read_landing_file

REPO = Path(__file__).resolve().parent.parent
TEST_KEY = b"test-key-" + b"0" * 32
EXTRACT = date(2026, 10, 31)
# Test artefacts a person may want to look at (screenshots) go here.
OUTPUT = Path(os.environ.get("KPI_TEST_OUTPUT", REPO / "test-output"))


def make_landing(out: Path, citizens: int, *, seed: int = 7, deltas: int = 0, bad_rate: float = 0.0,
                 bad_files: bool = False, full_extracts: bool = False,
                 municipalities=("573", "185"), **effects) -> dict:
    cfg = Config(municipalities=tuple(municipalities), citizens=citizens, seed=seed,
                 extract_date=EXTRACT, deltas=deltas, **effects)
    return generate(cfg, out, bad_rate=bad_rate, bad_files=bad_files, full_extracts=full_extracts, log=None)


def read_entity(landing: Path, entity: str, extract: date = EXTRACT) -> pl.DataFrame:
    """The typed, valid rows of one landing file, read through the contract's parser."""
    from transforms.contract import ENTITIES

    source = ENTITIES[entity].source
    pf = read_landing_file(landing / source / f"{entity}_{extract:%Y%m%d}.csv", source, TEST_KEY)
    assert pf.error is None, pf.error_detail
    return pf.rows


@pytest.fixture(scope="session")
def calibration_landing(tmp_path_factory) -> Path:
    """A clean, larger data set (20,000 citizens) for calibration measurements."""
    out = tmp_path_factory.mktemp("calibration") / "landing"
    make_landing(out, 20_000)
    return out


@pytest.fixture(scope="session")
def messy_landing(tmp_path_factory) -> tuple[Path, dict]:
    """5,000 citizens, two delta days, bad rows at 0.5 % and every kind of damaged file."""
    out = tmp_path_factory.mktemp("messy") / "landing"
    manifest = make_landing(out, 5_000, deltas=2, bad_rate=0.005, bad_files=True)
    return out, manifest


# --- builds through the real refresh job, in this process ------------------------------------------

def run_job(name: str, data_dir: Path) -> None:
    """One of the Dagster jobs (orchestration.definitions) on data_dir, in this process."""
    from orchestration.definitions import defs
    from orchestration.resources import WarehouseResource

    result = defs.resolve_job_def(name).execute_in_process(
        resources={"warehouse": WarehouseResource(data_dir=str(data_dir))}, raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_failure][:3]


def run_dbt(*args: str, warehouse: Path, project: Path = REPO / "dbt_project", target: Path | None = None,
            vars_: dict | None = None) -> None:
    """The venv's dbt in `project`, building in the DuckDB file `warehouse` (profiles.yml: var warehouse_path)."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *args, "--profiles-dir", ".",
         *(("--target-path", str(target)) if target else ()),
         "--vars", json.dumps({"warehouse_path": str(warehouse), **(vars_ or {})})],
        cwd=project, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def build(data_dir: Path):
    """The whole refresh job on data_dir; a read-only connection to the publication it made."""
    from transforms.publication import current_build, open_build

    run_job("refresh", data_dir)
    return open_build(current_build(data_dir / "warehouse" / "published")[1])


@pytest.fixture(scope="session")
def varde_builds(tmp_path_factory):
    """The Varde reference data (tests/reference/varde_2017.py) built by the real pipeline twice:
    after the October extract and after the November one: (October publication, November
    publication, data folder). The KPI and report tests read it; only reports are added to it."""
    from tests.reference import varde_2017

    data = tmp_path_factory.mktemp("varde")
    varde_2017.write(data / "landing")
    october = build(data)
    varde_2017.write_november(data / "landing")
    november = build(data)
    yield october, november, data
    october.close()
    november.close()


# --- a served dashboard and a real browser ------------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def refresh_env(data_dir: Path) -> dict:
    env = {**os.environ, "KPI_DATA_DIR": str(data_dir)}
    env.pop("KPI_LANDING_DIR", None)
    return env


def run_refresh(data_dir: Path) -> subprocess.CompletedProcess:
    """`make refresh` against another data folder: the same module the Makefile runs."""
    return subprocess.run([sys.executable, "-m", "orchestration.refresh"], cwd=REPO, env=refresh_env(data_dir),
                          capture_output=True, text=True, timeout=900)


# The people the served dashboard knows (tests.conftest.USERS[name] = role, municipalities, teams).
# Varde (573) and Tårnby (185) are the generated municipalities; "Team Job" exists in both.
USERS = {
    "admin": ("admin", ["*"], []),
    "leder573": ("leder", ["573"], []),
    "teamleder573": ("teamleder", ["573"], ["Team Job"]),
    "analytiker185": ("analytiker", ["185"], []),
    "begge": ("leder", ["573", "185"], []),
    "laast": ("leder", ["573"], []),  # the browser test locks this one
}
PASSWORD = "korrekt-hest-batteri-42"


def add_users(data_dir: Path) -> None:
    """The USERS, in the accounts file the served dashboard reads (its data folder's secrets)."""
    from dashboards.users import Accounts

    accounts = Accounts(data_dir / "secrets" / "dashboard")
    for name, (role, municipalities, teams) in USERS.items():
        if not accounts.exists(name):
            accounts.add(name, role, municipalities, teams, PASSWORD)


def signed_in(served: dict, name: str):
    """A requests session signed in as `name` through the real login form, as a browser does."""
    import re

    import requests

    http = requests.Session()
    http.headers["Origin"] = served["url"]
    page = http.get(served["url"] + "/login", timeout=10)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = http.post(served["url"] + "/login", data={"csrf": token, "brugernavn": name, "adgangskode": PASSWORD},
                  allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text[:500]
    return http


# The generated extracts are dated EXTRACT (31-10-2026), weeks before today: with the default age
# (2 days) every page would say the figures are stale and /helse would answer 503. The served
# dashboards of the tests accept any age unless a test asks for the default (serve(..., env=STALE)).
FRESH = {"KPI_MAX_EXTRACT_AGE_DAYS": "100000"}
STALE = {"KPI_MAX_EXTRACT_AGE_DAYS": "2"}


@contextmanager
def serve(data_dir: Path, env: dict | None = None):
    """The dashboard served by gunicorn on a free port, as `make run` serves it, with the USERS."""
    import time
    import urllib.error
    import urllib.request

    add_users(data_dir)
    port = free_port()
    env = {**os.environ, "KPI_DATA_DIR": str(data_dir), **FRESH, **(env or {})}
    log = (data_dir / "gunicorn.log").open("w")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                             "-c", str(REPO / "dashboards" / "gunicorn_conf.py"), "--workers", "2",
                             "dashboards.app:server"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(url + "/helse", timeout=2)
                break
            except urllib.error.HTTPError:  # 503 (stale, or nothing published yet): it is up and answering
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError((data_dir / "gunicorn.log").read_text()[-2000:])
        yield {"url": url, "data": data_dir, "proc": proc, "log": data_dir / "gunicorn.log"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def served_dashboard(tmp_path_factory):
    """Demo data, one real refresh, and the dashboard served by gunicorn as `make run` does."""
    data = tmp_path_factory.mktemp("served")
    make_landing(data / "landing", 3000, bad_rate=0.001)
    refresh = run_refresh(data)
    assert refresh.returncode == 0, refresh.stderr[-3000:]
    with serve(data) as served:
        yield served


# Records every Content-Security-Policy violation of a page, from before its first script runs
CSP_RECORDER = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def wait(driver, timeout: float):
    """WebDriverWait that also retries when an element it read was replaced meanwhile (Dash
    re-renders a page's content under the test: a stale element is no failure, only a retry)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,))


def gone(element):
    """A wait condition: the element has left the document. Chromium sometimes answers a
    question about a replaced node with 'Node with given id does not belong to the document'
    instead of the stale-element error; both mean the node is gone."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def condition(_driver) -> bool:
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as e:
            if "does not belong to the document" in str(e):
                return True
            raise
    return condition


def sign_in(driver, served: dict, name: str = "admin", password: str = PASSWORD):
    """Sign in through the login page as a person does; returns once the dashboard shows."""
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(served["url"] + "/login")
    driver.find_element(By.ID, "login-user").send_keys(name)
    driver.find_element(By.ID, "login-password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()
    wait(driver, 30).until(lambda d: d.find_elements(By.ID, "whoami") or d.find_elements(By.ID, "login-error"))


@pytest.fixture(scope="session")
def browser(served_dashboard):
    """Headless Chromium, signed in to the served dashboard as an administrator."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1440,1000"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    downloads = OUTPUT / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    driver = webdriver.Chrome(options=opts, service=Service(executable_path="/usr/bin/chromedriver"))
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.download_dir = downloads
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_RECORDER})
    sign_in(driver, served_dashboard)
    yield driver
    driver.quit()


def screenshot(driver, name: str) -> Path:
    path = OUTPUT / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    return path


# --- a demo publication for the statistics and disclosure tests --------------------------------

@pytest.fixture(scope="session")
def demo_publication(served_dashboard):
    """A read-only connection to the working warehouse the served demo's refresh built (3,000
    citizens of both municipalities): the marts it published, and the intermediate models behind
    them (the publication itself holds only marts and reference). One demo build serves the
    browser, statistics, disclosure and report tests: nothing writes it after its refresh."""
    import duckdb

    from transforms.publication import current_build

    data = served_dashboard["data"]
    assert current_build(data / "warehouse" / "published") is not None
    con = duckdb.connect(str(data / "warehouse" / "working.duckdb"), read_only=True)
    yield con
    con.close()
