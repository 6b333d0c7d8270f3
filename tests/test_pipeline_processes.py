"""The refresh and the dashboard as separate, real processes: no lock conflicts, no half builds."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import duckdb
import psutil
import pytest

from tests.conftest import REPO, free_port, make_landing, refresh_env, run_refresh, serve


def _new_extract(data_dir, tmp_path, seed=3):
    """Deliver a later extract into data_dir's landing zone, so that a refresh has work to do."""
    later = tmp_path / "later"
    make_landing(later, 3000, seed=seed, deltas=1)
    for f in later.glob("*/*_20261101.csv"):
        shutil.copy(f, data_dir / "landing" / f.parent.name / f.name)


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    data = tmp_path_factory.mktemp("first-build") / "data"
    make_landing(data / "landing", 3000, seed=3)
    first = run_refresh(data)
    assert first.returncode == 0, first.stderr[-2000:]
    return data


@pytest.fixture()
def published(first_build, tmp_path):
    """A data folder with one published build, each test its own copy (they deliver, kill, fail)."""
    data = tmp_path / "data"
    shutil.copytree(first_build, data, symlinks=True)
    return data


def test_a_small_warehouse_is_built_two_models_at_a_time(first_build):
    """3,000 citizens are far below build_threads' national scale: the profile's two threads."""
    log = (first_build / "warehouse" / "dbt" / "dbt.log").read_text()
    assert "Concurrency: 2 threads" in log


def _pointer(data):
    return json.loads((data / "warehouse" / "published" / "current.json").read_text())


def test_the_dashboard_reads_while_a_refresh_writes_in_another_process(published, tmp_path):
    before = _pointer(published)
    _new_extract(published, tmp_path)
    with serve(published) as served:
        log = (tmp_path / "refresh.log").open("w")  # a file, not a pipe: Dagster logs a lot
        refresh = subprocess.Popen([sys.executable, "-m", "orchestration.refresh"], cwd=REPO,
                                   env=refresh_env(published), stdout=log, stderr=log)
        answers, build_ids = 0, set()
        while refresh.poll() is None:
            for path in ("/helse", "/"):
                with urllib.request.urlopen(served["url"] + path, timeout=10) as r:
                    assert r.status == 200
                    if path == "/helse":
                        build_ids.add(json.loads(r.read())["built_at"])
            answers += 1
            time.sleep(0.5)
        log.close()
        assert refresh.returncode == 0, (tmp_path / "refresh.log").read_text()[-2000:]
        served_log = served["log"].read_text()
    after = _pointer(published)
    assert answers > 10  # the dashboard answered all through the refresh
    assert after["build_id"] != before["build_id"]
    assert build_ids <= {before["built_at"], after["built_at"]}  # /helse tells only the build time
    assert "lock" not in served_log.lower() and "Traceback" not in served_log


def test_killing_a_refresh_halfway_leaves_the_publication_intact(published, tmp_path):
    before = _pointer(published)
    _new_extract(published, tmp_path, seed=4)
    refresh = subprocess.Popen([sys.executable, "-m", "orchestration.refresh"], cwd=REPO,
                               env=refresh_env(published), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    # wait until the refresh is building with dbt, i.e. halfway: loads done, nothing published
    deadline = time.time() + 300
    while time.time() < deadline:
        children = psutil.Process(refresh.pid).children(recursive=True)
        if any("dbt" in " ".join(c.cmdline()) for c in children if c.is_running()):
            break
        assert refresh.poll() is None, "the refresh ended before it reached dbt"
        time.sleep(0.2)
    else:
        pytest.fail("the refresh never reached dbt")
    time.sleep(2)
    os.killpg(refresh.pid, signal.SIGKILL)
    refresh.wait(timeout=30)
    assert _pointer(published) == before
    path = published / "warehouse" / "published" / before["path"]
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from marts.kpi_overview").fetchone()[0] > 10
    # the next refresh recovers the working warehouse and publishes
    again = run_refresh(published)
    assert again.returncode == 0, again.stderr[-2000:]
    assert _pointer(published)["build_id"] != before["build_id"]


def test_a_failed_refresh_is_reported_and_the_last_good_build_stays_current(published):
    before = _pointer(published)
    header = ("forloeb_id;cpr;kommunekode;maalgruppe;startdato;slutdato;afslutningsaarsag;ny_maalgruppe;"
              "sagsbehandler_id;opdateret\n")
    rows = [f"X{i};010190-1234;573;{'2.11' if i % 3 else '9.99'};01-01-2025;;;;SB1;02-11-2026" for i in range(30)]
    (published / "landing" / "jobcenter" / "forloeb_20261102.csv").write_text(header + "\n".join(rows) + "\n")
    failed = run_refresh(published)
    assert failed.returncode == 1
    assert "check failed: raw/forloeb quarantine_rate" in failed.stderr
    assert _pointer(published) == before
    run = json.loads((published / "warehouse" / "published" / "last_run.json").read_text())
    assert run["success"] is False and "quarantine_rate" in run["message"]
    # the dashboard says so, in the banner on every page and on the data-quality page
    os.environ["KPI_DATA_DIR"] = str(published)
    try:
        import importlib

        import dash
        from flask import g

        from dashboards import components as c
        from dashboards.app import freshness_banner, server  # the pages register with the app
        from dashboards.scope import Scope

        def page(name):
            return importlib.import_module(dash.page_registry[f"pages.{name}"]["module"])

        with server.test_request_context():
            g.scope = Scope("test", "admin", frozenset({"*"}))  # an administrator sees the run's messages
            banner = str(freshness_banner())
            quality = str(page("datakvalitet").render(c.Filters()))
    finally:
        del os.environ["KPI_DATA_DIR"]
    assert "stale-failed" in banner and "fejlede" in banner and "Kontakt driften" in banner
    assert "run-problems" in quality and "quarantine_rate" in quality
    # the blocked file and its rejected lines, in Danish (the failed refresh published nothing new)
    assert "dq-blocked-files" in quality and "jobcenter/forloeb_20261102.csv: 10 af 30 rækker er afvist" in quality
    assert "Ukendt kode" in quality


def test_make_refresh_prints_a_line_per_step_and_the_whole_log_stays_in_dagsters_run_storage(tmp_path):
    """Issue 18: `make refresh` printed about 1,400 lines of Dagster DEBUG output. Now one line per
    step (files, rows, quarantined, time) that fits on a screen, Dagster's whole log with --verbose,
    and the whole log in the run storage either way."""
    import logging

    import dagster as dg

    from transforms.contract import ENTITIES

    data = tmp_path / "data"
    make_landing(data / "landing", 1000, seed=5, deltas=1, bad_rate=0.003)  # 1 bad row of 18 blocks a small file
    for f in (data / "landing").glob("*/*_20261101.csv"):  # the delta comes later, for the verbose run
        f.rename(tmp_path / f.name)
    short = run_refresh(data)
    assert short.returncode == 0, short.stderr[-2000:]
    lines = short.stdout.splitlines() + short.stderr.splitlines()
    assert len(lines) <= 24, "\n".join(lines)
    assert " - DEBUG - " not in short.stdout + short.stderr and "START" not in short.stdout
    for entity in ENTITIES:
        (line,) = [x for x in lines if x.split() and x.split()[0] == f"raw.{entity}"]
        assert "1 file," in line and " rows, " in line and " quarantined" in line and line.endswith(" s")
    quarantined = sum(int(x.split(" rows, ")[1].split(" quarantined")[0].replace(",", ""))
                      for x in lines if " quarantined" in x)
    with duckdb.connect(str(data / "warehouse" / "working.duckdb"), read_only=True) as con:
        assert quarantined == con.execute("select sum(rows_quarantined) from ops.ledger").fetchone()[0] > 0
    assert any(x.split()[:2] == ["dbt", "build"] and " tests" in x for x in lines)
    assert any(x.split()[:1] == ["publish"] for x in lines)
    assert "refresh succeeded" in short.stdout.splitlines()[-1]

    with dg.DagsterInstance.from_config(str(data / "dagster_home")) as instance:
        (run,) = instance.get_runs()
        logs = instance.all_logs(run.run_id)
    assert sum(e.level == logging.DEBUG for e in logs) > 100  # the whole log, DEBUG included
    materialized = {e.dagster_event.asset_key.to_user_string() for e in logs
                    if e.dagster_event and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION"}
    assert {"raw/forloeb", "marts/kpi_passive_citizens", "published_warehouse"} <= materialized

    for f in tmp_path.glob("*_20261101.csv"):
        source = next(e.source for e in ENTITIES.values() if f.name.startswith(e.name + "_2"))
        f.rename(data / "landing" / source / f.name)
    verbose = subprocess.run([sys.executable, "-m", "orchestration.refresh", "--verbose"], cwd=REPO,
                             env=refresh_env(data), capture_output=True, text=True, timeout=900)
    assert verbose.returncode == 0, verbose.stderr[-2000:]
    assert " - DEBUG - " in verbose.stderr and "STEP_SUCCESS" in verbose.stderr


def _make_serve_health(data, landing, *targets: str) -> tuple[int, str]:
    """`make <targets> serve` as `make run` ends, against `data`; /helse's status code and status."""
    import urllib.error

    port = free_port()
    env = {**refresh_env(data), "MAKEFLAGS": ""}
    env.pop("KPI_MAX_EXTRACT_AGE_DAYS", None)
    proc = subprocess.Popen(["make", "--no-print-directory", *targets, "serve", f"LANDING={landing}", f"PORT={port}",
                             "DEMO_ARGS=--municipalities 573 --citizens 200 --seed 7"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/helse", timeout=2) as r:
                    return r.status, json.loads(r.read())["status"]
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read())["status"]
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.2)
        pytest.fail("make serve never answered")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def test_make_serve_calls_demo_data_fresh_and_real_exports_of_the_same_age_stale(served_dashboard, tmp_path):
    """The demo's extract is a fixed date weeks back: `make run` on a fresh clone showed a stale
    banner on every page and /helse 503. Served from a demo landing zone (the generator's
    .generator folder), its age is accepted; from any other landing zone it is not."""
    data = served_dashboard["data"]
    assert (data / "landing" / ".generator").is_dir()
    assert _make_serve_health(data, data / "landing") == (200, "ok")
    assert _make_serve_health(data, data / "no-such-landing") == (503, "forældet")
    # as in `make run`: the landing zone is empty when make starts and filled by demo-data
    assert _make_serve_health(data, tmp_path / "empty-landing", "demo-data") == (200, "ok")
    assert (tmp_path / "empty-landing" / ".generator").is_dir()
