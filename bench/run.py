"""`make bench`: the whole product at 5,000, 100,000 and 1,000,000 citizens on this machine.

For each size, in one run: generation (cached in bench/cache/ between runs; a cached set reports
the time it took when it was made), load, dbt build (models + tests), publish, a one-day delta
refresh on top (load + build + publish), and the dashboard's page responses. Each step runs in
its own process: wall time, rows per second and peak memory are that step's. Beside them, the
limits they cannot beat: DuckDB reading the same landing files once (for the load) and scanning
the finished raw layer once (for the build). Results: bench/results/latest.json and latest.md.

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
    gen = _peak_rss_child([sys.executable, "-m", "transforms.generate", "--municipalities", munis, "--citizens",
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
    for s in ("load", "build"):
        if r[s].get("rows"):
            r[s]["rows_per_s"] = round(r[s]["rows"] / r[s]["wall_s"])
    r["load"]["ratio_to_bare_read"] = round(r["load"]["wall_s"] / r["bare_read"]["wall_s"], 1)
    r["build"]["ratio_to_bare_scan"] = round(r["build"]["wall_s"] / r["bare_scan"]["wall_s"], 1)
    r["build"]["rows"] = r["bare_scan"]["rows"]
    r["build"]["rows_per_s"] = round(r["bare_scan"]["rows"] / r["build"]["wall_s"])
    shutil.rmtree(work / "archive", ignore_errors=True)
    return r


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [f"# Benchmark {results['finished_at']}", "",
             f"Machine: {m['cores']} cores, {m['memory_gib']} GiB, {m['platform']}, Python {m['python']}.", "",
             "| citizens | step | wall s | rows/s | peak MiB | vs. bare limit |", "|---:|---|---:|---:|---:|---|"]
    for r in results["sizes"]:
        for s in ("generate", "load", "build", "publish", "full_refresh", "delta_refresh"):
            x = r[s]
            limit = ""
            if s == "load":
                limit = f"{x['ratio_to_bare_read']}× DuckDB reading the files ({r['bare_read']['wall_s']} s)"
            elif s == "build":
                limit = f"{x['ratio_to_bare_scan']}× one scan of the raw layer ({r['bare_scan']['wall_s']} s)"
            cached = " (cached)" if s == "generate" and x.get("cached") else ""
            lines.append(f"| {r['citizens']:,} | {s}{cached} | {x['wall_s']} | {x.get('rows_per_s', '')} | "
                         f"{x.get('peak_mib', '')} | {limit} |")
    lines += ["", "Page responses (server time of the page's content callback, ms):", "",
              "| citizens | page | median | p95 |", "|---:|---|---:|---:|"]
    for r in results["sizes"]:
        for p in r["pages"]:
            lines.append(f"| {r['citizens']:,} | {p['page']} | {p['median_ms']:.0f} | {p['p95_ms']:.0f} |")
    t = results["targets"]
    lines += ["", "Targets at 1,000,000 citizens: full refresh under 300 s and 8 GiB "
              f"({t.get('full_refresh')}), delta refresh under 30 s ({t.get('delta_refresh')}), every page "
              f"median under 300 ms and p95 under 1 s ({t.get('pages')}).", ""]
    return "\n".join(lines + report_markdown(results))


def main() -> None:
    p = argparse.ArgumentParser(description="Benchmark the whole product at several sizes.")
    p.add_argument("--sizes", default="5000,100000,1000000")
    args = p.parse_args()
    import psutil

    sizes = [int(s) for s in args.sizes.split(",")]
    results = {"machine": {"cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
                           "platform": platform.platform(), "python": platform.python_version()},
               "sizes": [bench_size(n) for n in sizes]}
    results["finished_at"] = time.strftime("%Y-%m-%d %H:%M")
    big = next((r for r in results["sizes"] if r["citizens"] == 1_000_000), None)
    results["targets"] = {} if big is None else {
        "full_refresh": f"{big['full_refresh']['wall_s']} s, {big['full_refresh']['peak_mib']} MiB",
        "delta_refresh": f"{big['delta_refresh']['wall_s']} s",
        "pages": f"slowest median {max(x['median_ms'] for x in big['pages']):.0f} ms, "
                 f"slowest p95 {max(x['p95_ms'] for x in big['pages']):.0f} ms",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "latest.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
