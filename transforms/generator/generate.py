"""Generate a synthetic municipality's landing exports.

    python -m transforms.generator --municipalities 573,185 --citizens 5000 --seed 7 --out data/landing

Writes every entity of the landing data contract into <out>/<source>/<entity>_<YYYYMMDD>.csv:
a full snapshot on the extract date, then --deltas one-day delta extracts (with --full-extracts
every extract is a full snapshot, named <entity>_<YYYYMMDD>_fuld.csv as the contract says, so
that ingestion deletes what a snapshot lacks). Same arguments give
byte-identical files. What was generated, and every bad row or damaged file injected on purpose,
is recorded in <out>/.generator/ (ingestion ignores dot-folders).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from transforms.contract import ENTITIES, KOMMUNER, landing_file_name
from transforms.generator.landing_render import DIALECTS, format_view, inject_bad_rows, to_csv_bytes, view
from transforms.generator.synthetic import Config, experiments_truth, plan_chunks, simulate_chunk

DEFAULT_EXTRACT_DATE = date(2026, 10, 31)
MANIFEST_DIR = ".generator"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m transforms.generator",
        description="Write a synthetic municipality's exports in the landing format "
                    "(../shared/spec/data-contract.md), calibrated on the published figures "
                    "in ../shared/spec/kpis.md. Deterministic: same arguments, same bytes.",
    )
    p.add_argument("--municipalities", default="573,185",
                   help="comma-separated 3-digit kommunekoder, or 'all' for the 98 "
                        "municipalities (default: 573,185 = Varde, Tårnby)")
    p.add_argument("--citizens", type=int, default=5000,
                   help="citizens with a benefit spell in the history, split evenly over the "
                        "municipalities (default: 5000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    p.add_argument("--out", type=Path, default=Path("data/landing"),
                   help="landing folder to write into (default: data/landing)")
    p.add_argument("--extract-date", type=date.fromisoformat, default=DEFAULT_EXTRACT_DATE,
                   help=f"date of the full snapshot extract, YYYY-MM-DD "
                        f"(default: {DEFAULT_EXTRACT_DATE})")
    p.add_argument("--deltas", type=int, default=0,
                   help="number of later one-day delta extracts after the snapshot: new, "
                        "updated, closed and deleted rows (default: 0)")
    p.add_argument("--full-extracts", action="store_true",
                   help="write every extract as a full snapshot, <entity>_<YYYYMMDD>_fuld.csv, "
                        "instead of deltas, as some source systems do (deleted rows are then "
                        "simply absent, and ingestion deletes them)")
    p.add_argument("--history-years", type=int, default=6,
                   help="years of history in the snapshot (default: 6)")
    p.add_argument("--bad-rate", type=float, default=0.0,
                   help="share of rows to break (bad dates, unknown codes, invalid CPR, "
                        "missing keys, end before start, CPR numbers in other columns, amounts out "
                        "of range, NaN, future opdateret, malformed rows, the same key twice in a "
                        "file), recorded in "
                        f"<out>/{MANIFEST_DIR}/injected_rows.csv (default: 0)")
    p.add_argument("--bad-files", action="store_true",
                   help="also write damaged files (unknown entity, binary, truncated, missing "
                        "column, empty, wrong encoding, doubled column, subfolder, CPR number in the "
                        "name, a second file with other content for an entity and extract date), "
                        f"recorded in <out>/{MANIFEST_DIR}/manifest.json")
    p.add_argument("--chunk-size", type=int, default=50_000,
                   help="citizens simulated at a time; bounds memory (default: 50000)")
    p.add_argument("--effect-passive-share", type=float, default=None,
                   help="share of passive ressourceforløb spells in the 'Håndholdt indsats' "
                        "INDSATS arm after enrolment (default: 0.16; without intervention 0.40)")
    p.add_argument("--effect-first-meeting-scale", type=float, default=None,
                   help="scale in days of the gamma(2) delay to the first meeting in the "
                        "INDSATS arm (default: 2.0; without intervention 4.5)")
    p.add_argument("--effect-housing-fail-rate", type=float, default=None,
                   help="yearly rate of losing the home in the Housing First INDSATS arm "
                        "(default: 0.035; 0.05 with other support, 0.30 without)")
    p.add_argument("--effect-paid-hours-share", type=float, default=None,
                   help="share of 'Flere skal med 2' INDSATS citizens with paid hours after "
                        "enrolment (default: 0.22; without intervention 0.06)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = p.parse_args(argv)
    if args.municipalities == "all":
        args.municipalities = tuple(KOMMUNER)
    else:
        codes = tuple(c.strip() for c in args.municipalities.split(",") if c.strip())
        unknown = [c for c in codes if c not in KOMMUNER]
        if unknown or not codes:
            p.error(f"--municipalities: unknown kommunekode {', '.join(unknown) or '(none given)'}")
        args.municipalities = codes
    if args.citizens < len(args.municipalities):
        p.error("--citizens must be at least the number of municipalities")
    if not 0 <= args.bad_rate < 0.5:
        p.error("--bad-rate must be in [0, 0.5)")
    if args.deltas < 0 or args.chunk_size < 100:
        p.error("--deltas must be >= 0 and --chunk-size >= 100")
    return args


def config_from_args(args: argparse.Namespace) -> Config:
    effects = {k: v for k, v in {
        "effect_passive_share": args.effect_passive_share,
        "effect_first_meeting_scale": args.effect_first_meeting_scale,
        "effect_housing_fail_rate": args.effect_housing_fail_rate,
        "effect_paid_hours_share": args.effect_paid_hours_share,
    }.items() if v is not None}
    return Config(municipalities=args.municipalities, citizens=args.citizens, seed=args.seed,
                  extract_date=args.extract_date, deltas=args.deltas,
                  history_years=args.history_years, chunk_size=args.chunk_size, **effects)


class _FileSet:
    """The landing files being written, appended to chunk by chunk."""

    def __init__(self, out: Path):
        self.out = out
        self.lines: dict[Path, int] = {}

    def append(self, path: Path, text: pl.DataFrame, encoding: str, dialect) -> int:
        """Append rows; returns the file line number of the first row."""
        first = path not in self.lines
        if first:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.lines[path] = 1
        data = to_csv_bytes(text, dialect, header=first)
        with path.open("wb" if first else "ab") as f:
            if first and encoding == "utf-8-sig":
                f.write(b"\xef\xbb\xbf")
            f.write(data)
        start = self.lines[path] + 1
        self.lines[path] += text.height
        return start


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_damaged_files(out: Path, extract: date) -> list[dict]:
    """Files a broken transfer or a wrong export produces; each must be quarantined whole."""
    damaged = []

    def put(rel: str, data: bytes, reason: str):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        status = "unrecognised" if reason in ("unknown_entity", "not_in_source_folder", "cpr_in_file_name") \
            else "quarantined_file"
        damaged.append({"path": rel, "reason": reason, "status": status})

    d = lambda n: (extract - timedelta(days=n)).strftime("%Y%m%d")  # noqa: E731
    put(f"jobcenter/ukendt_{d(1)}.csv", b"id;vaerdi\n1;2\n", "unknown_entity")
    rng = np.random.default_rng(0)
    put(f"jobcenter/planer_{d(2)}.csv", b"PK\x03\x04\x14\x00\x06\x00" + rng.bytes(512), "unreadable")
    # a full snapshot cut short would delete the keys of its lost tail: quarantined whole
    put(f"bolig/bostoette_{d(3)}_fuld.csv",
        b"stoette_id;cpr;metode;startdato;slutdato;opdateret;slettet\n"
        b"ST999-0000001;010190-1234;CTI;01-02-2025;;01-02-2025 10:00;N\nST999-0000002;0201",
        "truncated")
    put(f"forsoeg/deltagere_{d(4)}.csv",
        b"forsoeg_id;gruppe;indskrevet;udskrevet;opdateret\nHAANDHOLDT_RF;INDSATS;01-01-2025;;"
        b"01-01-2025 09:00\n", "missing_columns")
    put(f"bolig/boligforloeb_{d(5)}.csv", b"", "empty")
    # a byte-order mark that promises UTF-8, then Windows-1252 bytes (ø)
    put(f"bolig/bostoette_{d(6)}.csv", b"\xef\xbb\xbfstoette_id;cpr;metode;startdato;slutdato;opdateret;slettet\n"
        b"ST999-0000003;010190-1234;CTI;01-02-2025;;01-02-2025 10:00;N;K\xf8ge\n", "bad_encoding")
    put(f"jobcenter/samtaler_{d(7)}.csv", b"samtale_id;forloeb_id;cpr;dato;samtaletype;status;status;opdateret\n"
        b"S999-1;F999-1;010190-1234;01-02-2025;FOERSTE;AFHOLDT;AFLYST;01-02-2025 10:00\n", "duplicate_column")
    # a delta without the slutdato column would reopen every support it closed before
    put(f"jobcenter/indsatser_{d(8)}.csv", b"indsats_id;forloeb_id;cpr;indsatstype;beskaeftigelsesrettet;startdato;"
        b"opdateret;slettet\nI999-1;F999-1;010190-1234;MENTOR;N;01-02-2025;01-02-2025 10:00;N\n", "missing_columns")
    put(f"jobcenter/arkiv/forloeb_{d(9)}.csv", b"forloeb_id;cpr\n", "not_in_source_folder")
    put(f"bolig/boligforloeb_{d(10)} 010190-1234.csv", b"boligforloeb_id;cpr\n", "cpr_in_file_name")
    return damaged


CONFLICTING_ENTITY = ("jobcenter", "samtaler")
CUT_SHORT_ENTITY = ("jobcenter", "planer")


def _cut_short(out: Path, extract: date, full_extracts: bool) -> tuple[list[tuple], list[dict]]:
    """A transfer cut off inside its last line: a row's beginning, up into its fourth field, with no
    line end, appended to the extract's `planer` file. In a delta that line is a bad row
    (`truncated_line`, with the field the cut fell in) and the rest loads; a snapshot cut short is
    quarantined whole (`truncated`). Returns (injected rows, damaged files)."""
    source, entity = CUT_SHORT_ENTITY
    path = out / source / landing_file_name(entity, extract, snapshot=full_extracts)
    data = path.read_bytes()
    lines = data.split(b"\n")
    if len(lines) < 3:  # no row to cut
        return [], []
    sep = DIALECTS[entity].separator.encode()
    header = lines[0].decode().lstrip("\ufeff").split(sep.decode())
    whole = [line.split(sep) for line in lines[1:] if b'"' not in line and b"\r" not in line
             and line.count(sep) == len(header) - 1]
    if not whole:
        return [], []
    cut = sep.join(whole[0][:3] + [whole[0][3][:2]])
    path.write_bytes(data + cut)
    rel = str(path.relative_to(out))
    if full_extracts:
        return [], [{"path": rel, "reason": "truncated", "status": "quarantined_file"}]
    return [(rel, data.count(b"\n") + 1, header[3], "truncated_line")], []


def _write_conflicting_file(out: Path, extract: date, full_extracts: bool) -> list[dict]:
    """A second file for an entity and extract date already delivered, under a name that differs
    only in its suffix and with other content (the first delivery without its last row): the
    contract quarantines the later one to arrive as `conflicting_file`. It is dated a minute after
    the first, so it arrives later whatever order the two are listed in."""
    source, entity = CONFLICTING_ENTITY
    first = out / source / landing_file_name(entity, extract, snapshot=full_extracts)
    other = out / source / landing_file_name(entity, extract, snapshot=not full_extracts)
    data = first.read_bytes()
    body = data[:-1] if data.endswith(b"\n") else data
    # without its last row; a file with one row or none gains a blank line (other bytes, same rows)
    other.write_bytes(body[:body.rfind(b"\n") + 1] if body.count(b"\n") >= 2 else data + b"\n")
    t = first.stat().st_mtime + 60
    os.utime(other, (t, t))
    return [{"path": str(other.relative_to(out)), "reason": "conflicting_file", "status": "conflicting_file"}]


def generate(cfg: Config, out: Path, bad_rate: float = 0.0, bad_files: bool = False,
             full_extracts: bool = False, log=print) -> dict:
    """Write the landing files and the generator's record of them; returns the manifest."""
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    files = _FileSet(out)
    dates = [cfg.extract_date + timedelta(days=i) for i in range(cfg.deltas + 1)]
    injected: list[tuple] = []
    rows: dict[Path, int] = {}
    extract_of: dict[Path, date] = {}  # each file's extract date, as its name says
    rng_bad = np.random.default_rng([cfg.seed, 999_999])

    def emit(entity_name: str, truth: dict, d: date, delta: bool):
        entity = ENTITIES[entity_name]
        dialect = DIALECTS[entity_name]
        typed = view(entity_name, truth, d, delta=delta)
        text = format_view(entity, typed, dialect)
        path = out / entity.source / landing_file_name(entity_name, d, snapshot=full_extracts)
        text, bad = inject_bad_rows(entity, typed, text, bad_rate, rng_bad, dialect)
        first_line = files.append(path, text, dialect.encoding, dialect)
        rows[path] = rows.get(path, 0) + text.height
        extract_of[path] = d
        rel = str(path.relative_to(out))
        injected.extend((rel, first_line + r, col, kind) for r, col, kind in bad)

    static = experiments_truth(cfg)
    for d_i, d in enumerate(dates):
        for name in static:
            emit(name, static, d, delta=d_i > 0 and not full_extracts)
    chunks = plan_chunks(cfg)
    for chunk in chunks:
        truth = simulate_chunk(cfg, chunk)
        for d_i, d in enumerate(dates):
            for name in truth:
                emit(name, truth, d, delta=d_i > 0 and not full_extracts)
        if log:
            log(f"  chunk {chunk.index + 1}/{len(chunks)}: {chunk.kommunekode} "
                f"{chunk.size} citizens ({time.perf_counter() - t0:.1f} s)")

    damaged = []
    if bad_files:
        damaged = _write_damaged_files(out, cfg.extract_date)
        cut_rows, cut_files = _cut_short(out, cfg.extract_date, full_extracts)
        injected += cut_rows
        for rel, *_ in cut_rows:
            rows[out / rel] += 1
        damaged += cut_files + _write_conflicting_file(out, cfg.extract_date, full_extracts)
    record_dir = out / MANIFEST_DIR
    record_dir.mkdir(exist_ok=True)
    with (record_dir / "injected_rows.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "line", "column", "kind"])
        w.writerows(sorted(injected))
    manifest = {
        "generator": "transforms.generator",
        "config": {k: (v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v)
                   for k, v in cfg.__dict__.items()},
        "bad_rate": bad_rate,
        "files": [
            {"path": str(p.relative_to(out)), "rows": rows[p], "sha256": _sha256(p),
             "extract_date": f"{d:%Y%m%d}", "kind": "snapshot" if d == dates[0] or full_extracts else "delta"}
            for p in sorted(rows)
            for d in [extract_of[p]]
        ],
        "injected_rows": len(injected),
        "damaged_files": damaged,
    }
    (record_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = config_from_args(args)
    log = None if args.quiet else (lambda m: print(m, file=sys.stderr))
    t0 = time.perf_counter()
    manifest = generate(cfg, args.out, bad_rate=args.bad_rate, bad_files=args.bad_files,
                        full_extracts=args.full_extracts, log=log)
    if not args.quiet:
        total = sum(f["rows"] for f in manifest["files"])
        print(f"Wrote {len(manifest['files'])} files, {total:,} rows for {cfg.citizens:,} citizens "
              f"in {len(cfg.municipalities)} municipalities to {args.out} "
              f"in {time.perf_counter() - t0:.1f} s ({manifest['injected_rows']} bad rows, "
              f"{len(manifest['damaged_files'])} damaged files injected)")
    return 0
