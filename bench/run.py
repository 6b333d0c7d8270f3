"""`make bench`: the whole product at 5,000, 100,000 and 1,000,000 citizens on this machine.

For each size, in one run: generation (cached in bench/cache/ between runs; a cached set reports
the time it took when it was made), load, dbt build (models + tests), publish, a one-day delta
refresh on top (load + build + publish), and the dashboard's page responses. Each step runs in
its own process: wall time, rows per second and peak memory are that step's. Beside them, the
limits they cannot beat: DuckDB reading the same landing files once (for the load) and scanning
the finished raw layer once (for the build), and dbt's fixed cost (`dbt build --empty`: every
model and test on zero rows).

Then the job that really runs: `make refresh` (the Dagster `refresh` job) end to end on a fresh
data folder, for the full refresh (`job_full_refresh`) and for the one-day delta on top
(`job_delta_refresh`), each with its wall time, peak memory (the job and its dbt processes) and
where the time went (Dagster's own step timings from the run storage; `outside_steps_s` is the
process start, imports and run set-up; dbt's node seconds and slowest models from its run_results.json).

Results: bench/results/latest.json and latest.md. A run of some sizes keeps the other sizes'
figures from the previous latest.json (each size says when it was measured).

    .venv/bin/python -m bench.run [--sizes 5000,100000,1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.report import bench_report
from bench.report import markdown as report_markdown

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "bench" / "cache"
RESULTS = REPO / "bench" / "results"
SNAPSHOT, DELTA = "20261031", "20261101"


def _peak_rss_child(args, env=None) -> dict:
    """Run a command; its wall time, its own peak RSS (from its rusage) and the JSON it printed last."""
    t = time.perf_counter()
    proc = subprocess.Popen(args, cwd=REPO, env=env or os.environ.copy(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{' '.join(args)} failed:\n{out[-2000:]}{err[-3000:]}")
    last = [line for line in out.strip().splitlines() if line.startswith("{")]
    figures = json.loads(last[-1]) if last else {}
    return {"wall_s": round(wall, 2), "peak_mib": round(usage.ru_maxrss / 1024), **figures}


def landing_set(size: int) -> tuple[Path, dict]:
    """The generated landing files for a size, generated once and cached."""
    target = CACHE / f"landing_{size}"
    meta = target / ".generator" / "bench.json"
    if meta.exists():
        return target, json.loads(meta.read_text())
    shutil.rmtree(target, ignore_errors=True)
    munis = "573,185" if size <= 10_000 else "all"
    gen = _peak_rss_child([sys.executable, "-m", "transforms.generator", "--municipalities", munis, "--citizens",
                           str(size), "--seed", "7", "--deltas", "1", "--out", str(target), "--quiet"])
    manifest = json.loads((target / ".generator" / "manifest.json").read_text())
    rows = sum(f["rows"] for f in manifest["files"])
    gen.update(rows=rows, rows_per_s=round(rows / gen["wall_s"]), cached=False)
    meta.write_text(json.dumps(gen))
    return target, gen


def link_files(src: Path, dst: Path, extract: str) -> list[str]:
    files = []
    for f in sorted(src.glob(f"*/*_{extract}.csv")):
        (dst / f.parent.name).mkdir(parents=True, exist_ok=True)
        os.link(f, dst / f.parent.name / f.name)
        files.append(str(dst / f.parent.name / f.name))
    return files


def bench_size(size: int) -> dict:
    src, gen = landing_set(size)
    work = CACHE / f"run_{size}"
    shutil.rmtree(work, ignore_errors=True)
    landing = work / "landing"
    snapshot_files = link_files(src, landing, SNAPSHOT)
    step = [sys.executable, "-m", "bench.steps"]
    r = {"citizens": size, "generate": {**gen, "cached": gen.get("cached", True)}}
    print(f"[{size:,}] load …", flush=True)
    r["load"] = _peak_rss_child([*step, "load", str(work)])
    r["bare_read"] = _peak_rss_child([*step, "bare_read", str(work), *snapshot_files])
    print(f"[{size:,}] build …", flush=True)
    r["build"] = _peak_rss_child([*step, "build", str(work)])
    r["bare_scan"] = _peak_rss_child([*step, "bare_scan", str(work)])
    r["publish"] = _peak_rss_child([*step, "publish", str(work)])
    r["full_refresh"] = {"wall_s": round(sum(r[s]["wall_s"] for s in ("load", "build", "publish")), 2),
                         "peak_mib": max(r[s]["peak_mib"] for s in ("load", "build", "publish"))}
    print(f"[{size:,}] delta refresh …", flush=True)
    delta_files = link_files(src, landing, DELTA)
    parts = {s: _peak_rss_child([*step, s, str(work)]) for s in ("load", "build", "publish")}
    r["delta_refresh"] = {"wall_s": round(sum(p["wall_s"] for p in parts.values()), 2),
                          "peak_mib": max(p["peak_mib"] for p in parts.values()),
                          "rows": parts["load"]["rows"], "files": len(delta_files),
                          **{f"{s}_s": p["wall_s"] for s, p in parts.items()}}
    print(f"[{size:,}] pages …", flush=True)
    pages_json = work / "pages.json"
    _peak_rss_child([sys.executable, "-m", "bench.pages", "--repeat", "10", "--json", str(pages_json)],
                    env={**os.environ, "KPI_DATA_DIR": str(work)})
    r["pages"] = json.loads(pages_json.read_text())
    r["report"] = bench_report(work, _peak_rss_child)
    print(f"[{size:,}] dbt fixed cost …", flush=True)
    r["dbt_fixed_cost"] = _peak_rss_child([*step, "build_empty", str(work)])
    print(f"[{size:,}] the real job: make refresh, full then delta …", flush=True)
    r["job_full_refresh"], r["job_delta_refresh"] = bench_job(src, size)
    for s in ("load", "build"):
        if r[s].get("rows"):
            r[s]["rows_per_s"] = round(r[s]["rows"] / r[s]["wall_s"])
    r["load"]["ratio_to_bare_read"] = round(r["load"]["wall_s"] / r["bare_read"]["wall_s"], 1)
    r["build"]["ratio_to_bare_scan"] = round(r["build"]["wall_s"] / r["bare_scan"]["wall_s"], 1)
    r["build"]["rows"] = r["bare_scan"]["rows"]
    r["build"]["rows_per_s"] = round(r["bare_scan"]["rows"] / r["build"]["wall_s"])
    shutil.rmtree(work / "archive", ignore_errors=True)
    r["measured_at"] = time.strftime("%Y-%m-%d %H:%M")
    return r


def bench_job(src: Path, size: int) -> tuple[dict, dict]:
    """`make refresh` as the nightly run does it, on a fresh data folder: the full load, then the delta."""
    work = CACHE / f"job_{size}"
    shutil.rmtree(work, ignore_errors=True)
    env = {**os.environ, "KPI_DATA_DIR": str(work)}
    env.pop("KPI_LANDING_DIR", None)
    env.pop("KPI_WAREHOUSE_PATH", None)
    env.pop("DAGSTER_HOME", None)
    out = []
    for extract in (SNAPSHOT, DELTA):
        files = link_files(src, work / "landing", extract)
        run = _peak_rss_child(["make", "--no-print-directory", "refresh"], env=env)
        steps = _peak_rss_child([sys.executable, "-m", "bench.steps", "job_steps", str(work)])
        steps.pop("wall_s"), steps.pop("peak_mib"), steps.pop("seconds", None)
        out.append({**run, "files": len(files), **steps,
                    "outside_steps_s": round(run["wall_s"] - steps["run_s"], 2)})
    shutil.rmtree(work, ignore_errors=True)
    return out[0], out[1]


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [f"# Benchmark {results['finished_at']}", "",
             f"Machine: {m['cores']} cores, {m['memory_gib']} GiB, {m['platform']}, Python {m['python']}.", "",
             "| citizens | step | wall s | rows/s | peak MiB | vs. bare limit |", "|---:|---|---:|---:|---:|---|"]
    for r in results["sizes"]:
        for s in ("generate", "load", "build", "publish", "full_refresh", "delta_refresh", "dbt_fixed_cost",
                  "job_full_refresh", "job_delta_refresh"):
            x = r.get(s)
            if x is None:
                continue
            limit = ""
            if s == "load":
                limit = f"{x['ratio_to_bare_read']}× DuckDB reading the files ({r['bare_read']['wall_s']} s)"
            elif s == "build":
                limit = f"{x['ratio_to_bare_scan']}× one scan of the raw layer ({r['bare_scan']['wall_s']} s)"
            elif s == "dbt_fixed_cost":
                limit = "`dbt build --empty`: every model and test on zero rows"
            elif s.startswith("job_"):
                limit = (f"`make refresh`: load {x['load_s']} s, dbt {x['dbt_s']} s, publish {x['publish_s']} s, "
                         f"between steps {x['between_steps_s']} s, start-up {x['outside_steps_s']} s")
                if x.get("dbt_slowest_models"):
                    limit += ("; dbt's slowest models: "
                              + ", ".join(f"{name} {t} s" for name, t in x["dbt_slowest_models"]))
            cached = " (cached)" if s == "generate" and x.get("cached") else ""
            lines.append(f"| {r['citizens']:,} | {s}{cached} | {x['wall_s']} | {x.get('rows_per_s', '')} | "
                         f"{x.get('peak_mib', '')} | {limit} |")
    lines += ["", "Page responses (server time of the page's content callback, ms):", "",
              "| citizens | page | median | p95 |", "|---:|---|---:|---:|"]
    for r in results["sizes"]:
        for p in r["pages"]:
            lines.append(f"| {r['citizens']:,} | {p['page']} | {p['median_ms']:.0f} | {p['p95_ms']:.0f} |")
    t = results["targets"]
    lines += ["", "Targets at 1,000,000 citizens: job full refresh under 150 s and peak memory under 6 GiB "
              f"({t.get('job_full_refresh')}), job delta refresh under 30 s ({t.get('job_delta_refresh')}), "
              f"load at most 10× the bare read ({t.get('load')}), every page median under 300 ms and p95 "
              f"under 1 s ({t.get('pages')}).", "",
              "Measured at: " + ", ".join(f"{r['citizens']:,} {r.get('measured_at', results['finished_at'])}"
                                          for r in results["sizes"]) + ".", ""]
    return "\n".join(lines + report_markdown(results))


def main() -> None:
    p = argparse.ArgumentParser(description="Benchmark the whole product at several sizes.")
    p.add_argument("--sizes", default="5000,100000,1000000")
    args = p.parse_args()
    import psutil

    sizes = [int(s) for s in args.sizes.split(",")]
    measured = {n: bench_size(n) for n in sizes}
    previous = json.loads((RESULTS / "latest.json").read_text()) if (RESULTS / "latest.json").exists() else {}
    kept = {r["citizens"]: r for r in previous.get("sizes", []) if "job_full_refresh" in r}
    everything = {**kept, **measured}
    results = {"machine": {"cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
                           "platform": platform.platform(), "python": platform.python_version()},
               "sizes": [everything[n] for n in sorted(everything)]}
    results["finished_at"] = time.strftime("%Y-%m-%d %H:%M")
    big = everything.get(1_000_000)
    results["targets"] = {} if big is None else {
        "job_full_refresh": f"{big['job_full_refresh']['wall_s']} s, {big['job_full_refresh']['peak_mib']} MiB",
        "job_delta_refresh": f"{big['job_delta_refresh']['wall_s']} s",
        "load": f"{big['load']['ratio_to_bare_read']}×, {big['load']['peak_mib']} MiB",
        "pages": f"slowest median {max(x['median_ms'] for x in big['pages']):.0f} ms, "
                 f"slowest p95 {max(x['p95_ms'] for x in big['pages']):.0f} ms",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "latest.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
