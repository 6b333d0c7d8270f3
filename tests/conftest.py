"""Shared fixtures: generated landing data sets, built once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from transforms.generate import generate
from transforms.parse import read_landing_file
from transforms.synthetic import Config

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


@contextmanager
def serve(data_dir: Path):
    """The dashboard served by gunicorn on a free port, as `make run` serves it."""
    import time
    import urllib.request

    port = free_port()
    env = {**os.environ, "KPI_DATA_DIR": str(data_dir)}
    log = (data_dir / "gunicorn.log").open("w")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                             "--workers", "2", "dashboards.app:server"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(url + "/helse", timeout=2)
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


@pytest.fixture(scope="session")
def browser():
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
    yield driver
    driver.quit()


def screenshot(driver, name: str) -> Path:
    path = OUTPUT / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    return path


# --- a demo publication for the statistics and disclosure tests --------------------------------

@pytest.fixture(scope="session")
def demo_publication(tmp_path_factory):
    """Demo data for both municipalities (3,000 citizens), one real refresh, and a read-only
    connection to the build it published (marts and the intermediate models behind them)."""
    import duckdb

    from orchestration.publish import current_build

    data = tmp_path_factory.mktemp("demo_publication")
    make_landing(data / "landing", 3000)
    refresh = run_refresh(data)
    assert refresh.returncode == 0, refresh.stderr[-3000:]
    _, path = current_build(data / "warehouse" / "published")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()
