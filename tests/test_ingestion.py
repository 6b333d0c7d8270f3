"""Ingestion: real files into a real DuckDB file, the way the nightly load does it."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import re
import shutil
import stat
from pathlib import Path

import duckdb
import pytest

from tests.conftest import TEST_KEY, make_landing
from transforms.contract import ENTITIES
from transforms.ingestion.load import Loader, raw_key
from transforms.ingestion.parse import mask_cpr
from transforms.ingestion.pseudonymise import PseudonymKeyError, load_key

CPR_SHAPED = r"(^|[^0-9A-Za-z])[0-9]{6}-?[0-9]{4}([^0-9A-Za-z]|$)"


def loader_for(root: Path, landing: Path, key: bytes = TEST_KEY) -> Loader:
    return Loader(root / "warehouse.duckdb", landing, root / "quarantine", root / "archive", key)


def q(loader: Loader, sql: str):
    with duckdb.connect(str(loader.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


# --- dialects --------------------------------------------------------------------------------

def test_every_dialect_of_the_contract_is_read_correctly(tmp_path):
    landing = tmp_path / "landing"
    write(landing / "jobcenter/sagsbehandlere_20250201.csv",
          "sagsbehandler_id;initialer;navn_team;kommunekode;aarsvaerk;opdateret;slettet\r\n"
          "SB1;ÆØÅ;Team Ørestad;185;0,8;01-02-2025 10:15;N\r\n"
          "SB2;AB;Team Job;185;1;01.02.2025 10:15:30;\r\n", encoding="cp1252")
    write(landing / "bolig/boligforloeb_20250201.csv",
          "\ufeffnote\tboligforloeb_id\tcpr\tkommunekode\tboligtype\tindflytning\tfraflytning\t"
          "fraflytningsaarsag\thuslejetilskud_kr_md\topdateret\n"
          "første bolig\tB1\t0101901234\t573\tEGEN_BOLIG\t2024-03-01\t\t\t4.250,00\t2024-03-01 08:00\n"
          "\tB2\t010190-1234\t573\tGADE\t2023-12-01\t2024-03-01\tFLYTTET_TIL_ANDEN_BOLIG\t\t2024-03-01\n")
    write(landing / "jobcenter/indsatser_20250201.csv",
          'indsats_id,forloeb_id,cpr,indsatstype,beskaeftigelsesrettet,startdato,slutdato,opdateret\n'
          'I1,F1,0101901234,VIRKSOMHEDSPRAKTIK,Ja,01.04.2024,30.06.2024,"30.06.2024 12:00"\n'
          'I2,F1,0101901234,MENTOR,Nej,01.04.2024,,01.04.2024\n'
          'I3,F1,0101901234,LOENTILSKUD,1,01.07.2024,,01.07.2024\n'
          'I4,F1,0101901234,SOCIAL,0,01.07.2024,,01.07.2024\n')
    write(landing / "jobcenter/beskaeftigelse_20250201.csv",
          "cpr;maaned;loentimer;uddannelse;opdateret\n010190-1234;2024-05;37,5;N;10-07-2024\n"
          "010190-1234;2024-06;143,25;J;10-08-2024\n")
    loader = loader_for(tmp_path, landing)
    results = loader.load()
    assert {r.status for r in results} == {"loaded"} and sum(r.rows_quarantined for r in results) == 0
    assert q(loader, "select sagsbehandler_id, initialer, navn_team, aarsvaerk, opdateret::varchar, slettet "
                     "from raw.sagsbehandlere order by 1") == [
        ("SB1", "ÆØÅ", "Team Ørestad", 0.8, "2025-02-01 10:15:00", False),
        ("SB2", "AB", "Team Job", 1.0, "2025-02-01 10:15:30", None)]
    rows = q(loader, "select boligforloeb_id, indflytning::varchar, fraflytning, huslejetilskud_kr_md, "
                     "foedselsaar, koen, cpr_pseudonym from raw.boligforloeb order by 1")
    assert rows[0][:6] == ("B1", "2024-03-01", None, 4250.0, 1990, "K")
    assert rows[1][3] is None
    assert rows[0][6] == rows[1][6] and len(rows[0][6]) == 64  # with or without dash: one citizen
    # an extra column is recorded by name only; its values are not kept
    assert q(loader, "select extra_columns from ops.ledger where entity = 'boligforloeb'") == [("note",)]
    assert q(loader, "select indsats_id, beskaeftigelsesrettet, startdato::varchar, slutdato::varchar "
                     "from raw.indsatser order by 1") == [
        ("I1", True, "2024-04-01", "2024-06-30"), ("I2", False, "2024-04-01", None),
        ("I3", True, "2024-07-01", None), ("I4", False, "2024-07-01", None)]
    assert q(loader, "select maaned::varchar, loentimer, uddannelse from raw.beskaeftigelse order by 1") == [
        ("2024-05-01", 37.5, False), ("2024-06-01", 143.25, True)]


# --- later extracts, deletes, history -----------------------------------------------------------

HEADER = ("forloeb_id;cpr;kommunekode;maalgruppe;startdato;slutdato;afslutningsaarsag;opdateret;slettet;"
          "ny_maalgruppe;sagsbehandler_id\n")


def test_later_extracts_update_by_key_latest_opdateret_wins_and_deletes_stick(tmp_path):
    landing = tmp_path / "landing"
    write(landing / "jobcenter/forloeb_20250101.csv", HEADER +
          "A;010190-1234;573;2.11;01-01-2024;;;01-01-2024 09:00;N;;\n"
          "B;010190-1234;573;2.3;01-06-2023;;;01-06-2023 09:00;N;;\n"
          "C;020290-1234;573;2.6;01-02-2024;;;01-02-2024 09:00;N;;\n")
    loader = loader_for(tmp_path, landing)
    loader.load()
    write(landing / "jobcenter/forloeb_20250102.csv", HEADER +
          "A;010190-1234;573;2.11;01-01-2024;02-01-2025;FLYTTET;02-01-2025 10:00;N;;\n"
          "B;010190-1234;573;2.2;01-06-2023;;;01-01-2023 09:00;N;;\n"  # older than what we have: ignored
          "C;020290-1234;573;2.6;01-02-2024;;;02-01-2025 11:00;J;;\n")  # deleted
    loader.load()
    write(landing / "jobcenter/forloeb_20250103.csv", HEADER +
          "C;020290-1234;573;2.6;01-02-2024;;;01-03-2024 09:00;N;;\n"  # older than the delete: stays deleted
          "D;020290-1234;573;2.7;03-01-2025;;;03-01-2025 09:00;N;;\n")
    loader.load()
    current = q(loader, "select forloeb_id, maalgruppe, slutdato::varchar, afslutningsaarsag, slettet "
                        "from raw.forloeb order by 1")
    assert current == [("A", "2.11", "2025-01-02", "FLYTTET", False), ("B", "2.3", None, None, False),
                       ("C", "2.6", None, None, True), ("D", "2.7", None, None, False)]
    history = q(loader, "select forloeb_id, count(*) from raw.forloeb__history group by 1 order by 1")
    assert history == [("A", 2), ("B", 2), ("C", 3), ("D", 1)]


def test_loading_the_same_files_twice_changes_nothing(tmp_path, messy_landing):
    landing, _ = messy_landing
    loader = loader_for(tmp_path, landing)
    first = loader.load()

    def snapshot():
        out = {}
        with duckdb.connect(str(loader.warehouse), read_only=True) as con:
            for (schema, table) in con.execute("select schema_name, table_name from duckdb_tables()").fetchall():
                cols = [c for (c,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
                    "and column_name not in ('loaded_at', 'seconds', '_loaded_at')", [schema, table]).fetchall()]
                out[f"{schema}.{table}"] = con.execute(
                    f"select count(*), coalesce(sum(hash({', '.join(cols)})), 0) from {schema}.{table}").fetchone()
        return out

    before = snapshot()
    second = loader.load()
    assert {r.status for r in second} == {"skipped"} and len(second) == len(first)
    # the same content under another name (a re-sent file) is recognised and skipped too
    shutil.copy(landing / "jobcenter/forloeb_20261031.csv", tmp_path / "copy.csv")
    resent = landing / "jobcenter/forloeb_20261030.csv"
    shutil.copy(tmp_path / "copy.csv", resent)
    try:
        third = loader.load(["forloeb"])
    finally:
        resent.unlink()
    assert [r.detail for r in third if r.path.endswith("20261030.csv")] == [
        "same content as jobcenter/forloeb_20261031.csv, already taken in"]
    after = snapshot()
    assert after.pop("ops.ledger")[0] == before.pop("ops.ledger")[0] + 1  # the re-sent file, as a duplicate
    assert after == before
    assert q(loader, "select status from ops.ledger where path like '%20261030.csv' and entity = 'forloeb'") == [
        ("duplicate",)]


# --- bad input: quarantined with file, line, column and reason; nothing lost ------------------------

def test_bad_rows_and_files_are_quarantined_with_reasons_and_nothing_is_lost(tmp_path, messy_landing):
    landing, manifest = messy_landing
    loader = loader_for(tmp_path, landing)
    loader.load()
    files = sorted(mask_cpr(str(p.relative_to(landing))) for p in landing.rglob("*")
                   if p.is_file() and ".generator" not in p.parts)
    ledger = q(loader, "select path, status, reason, rows_read, rows_loaded, rows_quarantined, sha256 "
                       "from ops.ledger order by path")
    assert [r[0] for r in ledger] == files  # every landed file is accounted for
    for path, status, _, read, loaded, bad, _ in ledger:
        if status in ("loaded", "blocked"):
            assert read == loaded + bad, path
    whole = {path: reason for path, status, reason, *_ in ledger
             if status in ("quarantined_file", "unrecognised", "conflicting_file")}
    assert whole == {mask_cpr(d["path"]): d["reason"] for d in manifest["damaged_files"]}
    with (landing / ".generator" / "injected_rows.csv").open() as f:
        recorded = {(r["file"], int(r["line"]), r["column"] or None, r["kind"]) for r in csv.DictReader(f)}
    quarantined = set(q(loader, "select path, line, column_name, reason from ops.quarantine where line is not null"))
    assert quarantined == recorded
    # the raw lines are kept for correction, readable by the owner only
    [qfile] = (tmp_path / "quarantine" / "jobcenter").glob("*_samtaler_20261031.csv.rejected.csv")
    assert stat.S_IMODE(qfile.stat().st_mode) == 0o600
    with qfile.open(newline="") as f:
        lines = list(csv.reader(f, delimiter=";"))
    bad_samtaler = {line for (f, line, _, _) in recorded if f == "jobcenter/samtaler_20261031.csv"}
    assert len(lines) - 1 == len(bad_samtaler)
    source_lines = (landing / "jobcenter/samtaler_20261031.csv").read_bytes().decode().split("\n")
    for first in lines[1:]:
        assert first[4] == mask_cpr(source_lines[int(first[0]) - 1].removesuffix("\r"))  # as it came, CPR masked
    # every landed file's bytes are archived under its checksum (a duplicate's once)
    for path, *_, sha in ledger:
        archived = list((tmp_path / "archive").glob(f"*/{sha[:16]}_*"))
        assert len(archived) == 1 and hashlib.sha256(archived[0].read_bytes()).hexdigest() == sha, path


def test_no_cpr_number_reaches_the_warehouse_or_the_logs(tmp_path, messy_landing, caplog):
    landing, _ = messy_landing
    loader = loader_for(tmp_path, landing)
    with caplog.at_level(logging.DEBUG):
        loader.load()
    assert not re.search(CPR_SHAPED, caplog.text)
    scanned = 0
    with duckdb.connect(str(loader.warehouse), read_only=True) as con:
        columns = con.execute("select schema_name, table_name, column_name from duckdb_columns() "
                              "where data_type = 'VARCHAR'").fetchall()
        for schema, table, column in columns:
            hits = con.execute(f"select count(*) from {schema}.{table} "
                               f"where regexp_matches({column}, '{CPR_SHAPED}')").fetchone()[0]
            assert hits == 0, f"{schema}.{table}.{column}"
            scanned += 1
        # the check would see one: the landing files are full of them
        assert con.execute(f"select regexp_matches('x 010190-1234;', '{CPR_SHAPED}')").fetchone()[0]
    assert scanned > 50


def test_pseudonyms_are_stable_keyed_and_the_key_is_guarded(tmp_path, monkeypatch):
    monkeypatch.delenv("KPI_PSEUDONYM_KEY", raising=False)
    key_file = tmp_path / "secrets" / "pseudonym.key"
    key = load_key(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and load_key(key_file) == key
    landing = tmp_path / "landing"
    write(landing / "jobcenter/forloeb_20250101.csv", HEADER + "A;010190-1234;573;2.11;01-01-2024;;;01-01-2024;N;;\n")
    a = loader_for(tmp_path / "a", landing, key)
    b = loader_for(tmp_path / "b", landing, key)
    other = loader_for(tmp_path / "a", landing, b"another-key-" + b"1" * 32)
    a.load(), b.load()
    assert q(a, "select cpr_pseudonym from raw.forloeb") == q(b, "select cpr_pseudonym from raw.forloeb")
    with pytest.raises(PseudonymKeyError, match="not the one this warehouse was built with"):
        other.load()
    os.chmod(key_file, 0o644)
    with pytest.raises(PseudonymKeyError, match="chmod 600"):
        load_key(key_file)
    monkeypatch.setenv("KPI_PSEUDONYM_KEY", "k" * 40)
    assert load_key(key_file) == b"k" * 40


def test_snapshot_plus_deltas_equals_the_later_full_snapshot(tmp_path):
    deltas = make_landing(tmp_path / "deltas", 4000, deltas=4, seed=11)
    fulls = make_landing(tmp_path / "fulls", 4000, deltas=4, seed=11, full_extracts=True)
    assert any(f["kind"] == "delta" and f["rows"] for f in deltas["files"])
    only_last = tmp_path / "last"
    for f in fulls["files"]:
        if f["extract_date"] == "20261104":
            (only_last / f["path"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(tmp_path / "fulls" / f["path"], only_last / f["path"])
    a = loader_for(tmp_path / "a", tmp_path / "deltas")
    b = loader_for(tmp_path / "b", only_last)
    a.load(), b.load()
    for entity in ENTITIES.values():
        cols, keys = ", ".join(_data_columns(entity)), ", ".join(raw_key(entity))
        sql = f"select {cols} from raw.{entity.name} where not coalesce(slettet, false) order by {keys}"
        assert q(a, sql) == q(b, sql), entity.name
    history = q(a, "select count(*) from raw.samtaler__history")[0][0]
    current = q(a, "select count(*) from raw.samtaler")[0][0]
    assert history > current  # updates were kept as history


def _data_columns(entity):
    from transforms.ingestion.load import raw_columns
    return [n for n, _ in raw_columns(entity) if not n.startswith("_") and n != "slettet"]


def test_generated_deltas_carry_deletions(tmp_path):
    make_landing(tmp_path, 4000, deltas=30, seed=5)
    tombstones = sum(1 for p in tmp_path.glob("jobcenter/*.csv")
                     for line in p.read_text(encoding="utf-8-sig", errors="replace").splitlines()
                     if line.endswith((";J", ",J", "\tJ", ";Ja")))
    assert tombstones > 0
    manifest = json.loads((tmp_path / ".generator" / "manifest.json").read_text())
    assert sum(f["kind"] == "delta" for f in manifest["files"]) == 30 * len(ENTITIES)
