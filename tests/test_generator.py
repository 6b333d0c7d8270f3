"""The synthetic municipality: deterministic, in the contract's format, calibrated, honest
about what it breaks on purpose."""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.conftest import EXTRACT, REPO, TEST_KEY, make_landing, read_entity, run_refresh
from transforms.contract import ENTITIES, SOURCES
from transforms.ingestion.load import Loader
from transforms.ingestion.parse import mask_cpr, read_landing_file


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_arguments_give_byte_identical_files(tmp_path):
    args = dict(citizens=1500, deltas=1, bad_rate=0.01, bad_files=True)
    make_landing(tmp_path / "a", **args)
    make_landing(tmp_path / "b", **args)
    make_landing(tmp_path / "c", seed=8, **args)
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert len(a) > 30
    assert a == b
    changed = [k for k in a if a[k] != c.get(k)]
    assert "jobcenter/forloeb_20261031.csv" in changed  # another seed, other citizens


def test_cli_help_documents_every_option_and_cli_writes_files(tmp_path):
    out = subprocess.run([sys.executable, "-m", "transforms.generator", "--help"], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    for option in ("--municipalities", "--citizens", "--seed", "--out", "--extract-date", "--deltas",
                   "--full-extracts", "--history-years", "--bad-rate", "--bad-files", "--chunk-size",
                   "--effect-passive-share", "--effect-first-meeting-scale",
                   "--effect-housing-fail-rate", "--effect-paid-hours-share", "--quiet"):
        assert option in out, option
    run = subprocess.run([sys.executable, "-m", "transforms.generator", "--municipalities", "336",
                          "--citizens", "300", "--seed", "3", "--out", str(tmp_path)],
                         cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "jobcenter" / "forloeb_20261031.csv").exists()
    bad = subprocess.run([sys.executable, "-m", "transforms.generator", "--municipalities", "999"],
                         cwd=REPO, capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown kommunekode 999" in bad.stderr


def test_every_entity_is_written_in_contract_format_and_parses_back(calibration_landing):
    for source, entities in SOURCES.items():
        for entity in entities:
            path = calibration_landing / source / f"{entity}_{EXTRACT:%Y%m%d}.csv"
            pf = read_landing_file(path, source, TEST_KEY)
            assert pf.error is None, (path, pf.error_detail)
            assert pf.rows_read > 0, path
            assert pf.rejects.height == 0, (path, pf.rejects.head())
            assert set(ENTITIES[entity].column_names) - {"cpr"} <= set(pf.rows.columns)


def test_files_use_the_dialect_variety_real_exports_have(calibration_landing):
    raw = {p.name: p.read_bytes() for p in calibration_landing.rglob(f"*_{EXTRACT:%Y%m%d}.csv")}
    header = {name: data.split(b"\n", 1)[0] for name, data in raw.items()}
    assert raw["forloeb_20261031.csv"].startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    with pytest.raises(UnicodeDecodeError):  # Windows-1252 with Danish letters
        raw["sagsbehandlere_20261031.csv"].decode("utf-8")
    assert "ø".encode("cp1252") in raw["sagsbehandlere_20261031.csv"]
    assert b";" in header["forloeb_20261031.csv"]
    assert b"," in header["samtaler_20261031.csv"] and b";" not in header["samtaler_20261031.csv"]
    assert b"\t" in header["planer_20261031.csv"]
    line = raw["tildelinger_20261031.csv"].split(b"\n")[1].decode()
    assert line.split(";")[3].count(".") == 2  # dd.mm.yyyy
    assert b"Ja;" in raw["indsatser_20261031.csv"] or b";Ja" in raw["indsatser_20261031.csv"]
    assert header["indsatser_20261031.csv"].startswith(b"indsats_id;indsatstype")  # own column order
    assert b"projektleder_note" in header["deltagere_20261031.csv"]  # an extra column
    sample = raw["beskaeftigelse_20261031.csv"].split(b"\n")[1].decode()
    assert "," in sample.split(";")[2]  # decimal comma
    assert any(b"." in line and b"," in line for line in raw["boligforloeb_20261031.csv"].split(b"\n")[1:]
               if line.count(b";") and line.split(b";")[7].count(b".") == 1)  # 4.250,00


# --- calibration on the published figures ----------------------------------------------------

@pytest.fixture(scope="module")
def cal(calibration_landing):
    return {e: read_entity(calibration_landing, e) for e in ENTITIES}


def _not_intervention(cal, experiment: str) -> pl.DataFrame:
    d = cal["deltagere"].filter(pl.col("forsoeg_id") == experiment, pl.col("gruppe") == "INDSATS")
    return d.select("cpr_pseudonym")


def test_about_40_percent_of_senior_ressourceforloeb_are_passive_without_intervention(cal):
    D = EXTRACT
    spells = cal["forloeb"].filter(
        pl.col("maalgruppe") == "2.11", pl.col("startdato") <= D,
        pl.col("slutdato").is_null() | (pl.col("slutdato") > D),
    )
    arms = cal["deltagere"].filter(pl.col("forsoeg_id") == "HAANDHOLDT_RF").select("cpr_pseudonym", "gruppe")
    spells = spells.join(arms, on="cpr_pseudonym", how="left").with_columns(
        window_start=pl.max_horizontal("startdato", pl.lit(D) - pl.duration(days=365)))
    active = (cal["indsatser"]
              .filter(pl.col("beskaeftigelsesrettet") | (pl.col("indsatstype") == "MENTOR"))
              .join(spells.select("forloeb_id", "window_start"), on="forloeb_id")
              .filter(pl.col("startdato") <= D,
                      pl.col("slutdato").is_null() | (pl.col("slutdato") >= pl.col("window_start")))
              .select("forloeb_id").unique())
    senior = spells.filter((pl.lit(D) - pl.col("startdato")).dt.total_days() >= 365).with_columns(
        passive=~pl.col("forloeb_id").is_in(active["forloeb_id"].implode()))
    usual = senior.filter(pl.col("gruppe").is_null() | (pl.col("gruppe") == "KONTROL"))
    treated = senior.filter(pl.col("gruppe") == "INDSATS")
    assert usual.height > 300
    share = usual["passive"].mean()
    assert 0.34 <= share <= 0.46, share
    # the 'Håndholdt indsats' arm is markedly less passive: the effect the KPI models must find
    assert treated.height > 50
    assert treated["passive"].mean() < share - 0.10


def test_caseloads_are_around_60_per_caseworker_and_30_in_the_haandholdt_team(cal):
    D = EXTRACT
    ongoing = cal["forloeb"].filter(pl.col("startdato") <= D,
                                    pl.col("slutdato").is_null() | (pl.col("slutdato") > D))
    load = (ongoing.group_by("sagsbehandler_id").len()
            .join(cal["sagsbehandlere"], on="sagsbehandler_id"))
    usual = load.filter(~pl.col("navn_team").str.contains("Håndholdt"))
    haandholdt = load.filter(pl.col("navn_team").str.contains("Håndholdt"))
    assert 50 <= usual["len"].mean() <= 72, usual["len"].mean()
    assert usual["len"].max() > 70  # caseloads differ, as Varde's 45–74 did
    assert 24 <= haandholdt["len"].mean() <= 36, haandholdt["len"].mean()


def test_ressourceforloeb_exit_reasons_follow_vardes_table(cal):
    ended = cal["forloeb"].filter(
        pl.col("maalgruppe") == "2.11", pl.col("slutdato").is_not_null(),
        (pl.col("slutdato") - pl.col("startdato")).dt.total_days() > 365,
    )
    shares = dict(ended.group_by("afslutningsaarsag").len().with_columns(
        s=pl.col("len") / pl.col("len").sum()).select("afslutningsaarsag", "s").iter_rows())
    varde = {"FLYTTET": 5 / 28, "FOERTIDSPENSION": 12 / 28, "MAALGRUPPESKIFT": 9 / 28,
             "ORDINAER_UDDANNELSE": 1 / 28, "PENSION": 1 / 28}
    assert ended.height > 300
    assert set(shares) == set(varde)
    for reason, expected in varde.items():
        assert abs(shares[reason] - expected) < 0.05, (reason, shares[reason], expected)
    fleks = ended.filter(pl.col("afslutningsaarsag") == "MAALGRUPPESKIFT")["ny_maalgruppe"].value_counts()
    top = fleks.sort("count", descending=True)["ny_maalgruppe"][0]
    assert top == "2.8"  # 5 of 9 target-group changes went to fleksjob


def test_first_meetings_mostly_but_not_always_within_two_weeks(cal):
    first = (cal["samtaler"].filter(pl.col("status") == "AFHOLDT")
             .group_by("forloeb_id").agg(pl.col("dato").min().alias("first")))
    spells = cal["forloeb"].join(first, on="forloeb_id").join(
        _not_intervention(cal, "HAANDHOLDT_RF"), on="cpr_pseudonym", how="anti")
    days = (spells["first"] - spells["startdato"]).dt.total_days()
    within = (days <= 14).mean()
    assert 0.70 <= within <= 0.88, within
    assert (days > 30).sum() > 0


def test_rehoused_citizens_keep_their_home_more_often_with_support(cal):
    bolig = cal["boligforloeb"]
    own = bolig.filter(pl.col("boligtype").is_in(["EGEN_BOLIG", "UDSLUSNINGSBOLIG", "STARTBOLIG", "DELEBOLIG"]))
    first_home = own.sort("indflytning").group_by("cpr_pseudonym").first()
    support = cal["bostoette"].select("cpr_pseudonym").unique().with_columns(supported=pl.lit(True))
    cohort = (first_home.join(support, on="cpr_pseudonym", how="left")
              .with_columns(pl.col("supported").fill_null(False))
              .filter(pl.col("indflytning") <= EXTRACT.replace(year=EXTRACT.year - 2)))
    lost = pl.col("fraflytningsaarsag").is_in(["UDSAETTELSE", "GENINDSKRIVNING_110", "FRIVILLIG_FRAFLYTNING",
                                               "FAENGSEL", "INDLAGT", "UKENDT"])
    within_2y = (pl.col("fraflytning") - pl.col("indflytning")).dt.total_days() <= 730
    kept = cohort.with_columns(kept=~(lost & within_2y).fill_null(False))
    rates = dict(kept.group_by("supported").agg(pl.col("kept").mean()).iter_rows())
    assert 0.80 <= rates[True] <= 0.97, rates  # Housing First: about nine in ten
    assert rates[False] < rates[True] - 0.15, rates


def test_injected_bad_rows_and_damaged_files_match_the_generators_record(messy_landing, tmp_path):
    """Every fault the generator injects is found by the real loader exactly where its record says:
    each bad row at its file, line, column and reason in ops.quarantine, each damaged file with its
    status and reason in ops.ledger, and nothing else."""
    landing, manifest = messy_landing
    with (landing / ".generator" / "injected_rows.csv").open() as f:
        recorded = {(r["file"], int(r["line"]), r["column"], r["kind"]) for r in csv.DictReader(f)}
    assert len(recorded) == manifest["injected_rows"] > 100
    assert {k for *_, k in recorded} == {"invalid_date", "unknown_code", "invalid_cpr", "missing_key",
                                         "end_before_start", "cpr_outside_cpr_column", "out_of_range",
                                         "invalid_decimal", "opdateret_in_future", "too_many_fields",
                                         "too_few_fields", "unclosed_quote", "stray_carriage_return",
                                         "duplicate_key_in_file", "duplicate_row_in_file", "truncated_line"}
    recorded = {(f, line, col or None, kind) for f, line, col, kind in recorded}  # "": the row as a whole
    loader = Loader(tmp_path / "working.duckdb", landing, tmp_path / "quarantine", tmp_path / "archive", TEST_KEY)
    loader.load()
    with duckdb.connect(str(loader.warehouse), read_only=True) as con:
        found = set(con.execute("select path, line, column_name, reason from ops.quarantine "
                                "where line is not null").fetchall())
        whole = {path: (status, reason) for path, status, reason in con.execute(
            "select path, status, reason from ops.ledger where status not in ('loaded', 'duplicate')").fetchall()}
        header_only_duplicates = con.execute(
            "select count(*) from ops.ledger where status = 'duplicate' and rows_read = 0").fetchone()[0]
        assert con.execute("select count(*) from ops.ledger where status = 'duplicate'").fetchone()[0] \
            == header_only_duplicates  # only empty deltas repeat bytes
    assert found == recorded
    assert whole == {mask_cpr(d["path"]): (d["status"], d["reason"]) for d in manifest["damaged_files"]}
    assert set(whole.values()) == {
        ("unrecognised", "unknown_entity"), ("quarantined_file", "unreadable"), ("quarantined_file", "truncated"),
        ("quarantined_file", "missing_columns"), ("quarantined_file", "empty"), ("quarantined_file", "bad_encoding"),
        ("quarantined_file", "duplicate_column"), ("unrecognised", "not_in_source_folder"),
        ("unrecognised", "cpr_in_file_name"), ("conflicting_file", "conflicting_file")}
    # a duplicate key rejects both its rows, an identical repeat only the repeat
    pairs = defaultdict(list)
    for f, line, _, kind in recorded:
        if kind == "duplicate_key_in_file":
            pairs[f].append(line)
    assert pairs and all(len(lines) % 2 == 0 for lines in pairs.values())


def test_full_extracts_are_named_as_snapshots_and_delete_what_they_lack(tmp_path):
    """--full-extracts writes <entity>_<YYYYMMDD>_fuld.csv (data contract, "Extracts"): the loader
    takes each as a snapshot and deletes the keys it lacks, so the full extracts give the same
    current rows as the snapshot and its deltas, deletions included. (Regression: they were named
    as deltas, so a row deleted in the source stayed.)"""
    # ten daily extracts, in which this seed deletes rows in the source (deletions are rare)
    deltas = make_landing(tmp_path / "deltas", 4000, deltas=10, seed=5)
    fulls = make_landing(tmp_path / "fulls", 4000, deltas=10, seed=5, full_extracts=True)
    assert all(f["path"].endswith("_fuld.csv") and f["kind"] == "snapshot" for f in fulls["files"])
    assert not any(f["path"].endswith("_fuld.csv") for f in deltas["files"])
    loaded = {}
    for name in ("deltas", "fulls"):
        loader = Loader(tmp_path / name / "working.duckdb", tmp_path / name, tmp_path / name / "q",
                        tmp_path / name / "a", TEST_KEY)
        results = loader.load()
        assert {r.status for r in results} <= {"loaded", "duplicate"}, {r.path: r.status for r in results}
        with duckdb.connect(str(loader.warehouse), read_only=True) as con:
            ledger = con.execute("select is_snapshot, sum(keys_deleted) from ops.ledger "
                                 "where status = 'loaded' group by 1").fetchall()
            loaded[name] = {e: con.execute(f"select * exclude (_file_id, _line, _extract_date, _loaded_at) "
                                           f"from raw.{e} where not coalesce(slettet, false) "
                                           f"order by all").fetchall() for e in ENTITIES}
            deleted_in_source = sum(con.execute(f"select count(*) from raw.{e} where slettet").fetchone()[0]
                                    for e in ENTITIES)
        assert deleted_in_source > 0, name  # the deltas' slettet = J rows, the snapshots' tombstones
        if name == "fulls":
            [(is_snapshot, deleted)] = ledger
            assert is_snapshot and deleted > 0  # rows deleted in the source are gone from the current rows
        else:
            assert {s for s, _ in ledger} == {False}
    for entity in ENTITIES:
        assert loaded["fulls"][entity] == loaded["deltas"][entity], entity


def test_target_groups_2_1_and_2_10_are_both_generated_as_text(cal):
    # regression: read as numbers, dagpenge (2.1) and jobafklaring (2.10) became one code
    groups = cal["forloeb"]["maalgruppe"]
    assert groups.dtype == pl.String
    counts = groups.value_counts()
    assert {"2.1", "2.10"} <= set(counts["maalgruppe"].to_list())


def test_every_extract_is_complete_with_header_only_files_where_a_delta_has_nothing(messy_landing):
    landing, manifest = messy_landing
    dates = sorted({f["extract_date"] for f in manifest["files"]})
    assert len(dates) == 3  # the snapshot and two deltas
    for source, entities in SOURCES.items():
        for d in dates:
            for entity in entities:
                assert (landing / source / f"{entity}_{d}.csv").exists(), (source, entity, d)
    header_only = [f for f in manifest["files"] if f["rows"] == 0]
    assert header_only, "some delta must have had nothing to report for an entity"
    for f in header_only:
        lines = (landing / f["path"]).read_bytes().splitlines()
        assert len(lines) == 1 and lines[0].lstrip(b"\xef\xbb\xbf")  # the header and nothing else


def test_the_extract_seed_lists_the_contracts_entities():
    """dbt's ref_entiteter (what a complete extract holds) is the data contract's entity list."""
    seed = pl.read_csv(Path(__file__).parent.parent / "dbt_project" / "seeds" / "ref_entiteter.csv")
    assert {(s, e) for s, e in seed.select("source", "entity").iter_rows()} == {
        (s, e) for s, entities in SOURCES.items() for e in entities}
    optional = seed.filter(~pl.col("required_in_every_extract"))["entity"].to_list()
    assert optional == ["tildelinger"]  # the contract's one exception


def test_a_refresh_of_full_extracts_measures_on_the_last_one_unchanged_snapshots_included(tmp_path):
    """A source that writes full extracts sends an unchanged entity (the experiments) with the same
    bytes every day; the loader records it as a duplicate, and the extract still counts as complete,
    so the reference date moves to the last extract. (Regression: only header-only duplicates
    counted, so full extracts never moved the reference date past the first.)"""
    data = tmp_path / "data"
    manifest = make_landing(data / "landing", 1000, deltas=2, full_extracts=True)
    run = run_refresh(data)
    assert run.returncode == 0, run.stderr[-3000:]
    with duckdb.connect(str(data / "warehouse" / "working.duckdb"), read_only=True) as con:
        duplicates = con.execute("select count(*) from ops.ledger where status = 'duplicate' and is_snapshot "
                                 "and entity = 'forsoeg'").fetchone()[0]
        reference = con.execute("select distinct reference_date from staging.stg_ops__extracts").fetchall()
        complete = con.execute("select count(*) from staging.stg_ops__extracts where is_complete").fetchone()[0]
    assert duplicates == 2  # the same experiments on each later day
    assert complete == 3 * len(SOURCES)  # every source, every day
    assert reference == [(max(datetime.strptime(f["extract_date"], "%Y%m%d").date() for f in manifest["files"]),)]
