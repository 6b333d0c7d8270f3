"""Bad input the way real source systems and operators produce it (issue 13), through the real loader.

Each test pins one class of the issue and asserts, besides its own outcome, the product's promise:
- every row read is loaded or quarantined (counted independently from the file's own lines);
- nothing of a blocked file is in the raw layer;
- no CPR-shaped value, in any spelling, is stored anywhere but the landing zone and the archive:
  every DuckDB file (every text column), every other file under the data folder (quarantine
  files, dagster_home), and the captured logs.
The blocking gate is also tested through the real job (`python -m orchestration.refresh`) across
refreshes, in test_a_blocked_file_stops_every_refresh_until_it_is_accepted.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, TEST_KEY, make_landing, refresh_env, run_refresh
from transforms.ingestion.load import Loader

# Independent of transforms.ingestion.parse: ddmmyy-ssss, ddmmyyssss, ddmmyy ssss, ddmmyy/ssss, dd.mm.yy-ssss with
# a real day and month, not part of a longer word or number (a pseudonym is 64 hex characters and may
# hold ten digits; Dagster's event log holds Unix times such as 1796114913.5, month 96).
_DD, _MM = "(0[1-9]|[12][0-9]|3[01])", "(0[1-9]|1[0-2])"
CPR_ANY = (rf"(^|[^0-9A-Za-z])({_DD}{_MM}[0-9]{{2}}[-/ ]?[0-9]{{4}}|{_DD}\.{_MM}\.[0-9]{{2}}[-/ ]?[0-9]{{4}})"
           r"([^0-9A-Za-z]|$)")
CPR_RE = re.compile(CPR_ANY)
FORLOEB = ("forloeb_id;cpr;kommunekode;maalgruppe;startdato;slutdato;afslutningsaarsag;ny_maalgruppe;"
           "sagsbehandler_id;opdateret;slettet\n")
INDSATSER = "indsats_id;forloeb_id;cpr;indsatstype;beskaeftigelsesrettet;startdato;slutdato;opdateret;slettet\n"
SAGSBEHANDLERE = "sagsbehandler_id;initialer;navn_team;kommunekode;aarsvaerk;opdateret;slettet\n"


def forloeb_rows(n: int, start: int = 0, day: str = "01-01-2025") -> str:
    return "".join(f"F{i};0101{90 + i % 9}-{1000 + i};573;2.11;{day};;;;SB1;{day} 09:00;N\n"
                   for i in range(start, start + n))


def put(landing: Path, rel: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def loader_for(root: Path) -> Loader:
    return Loader(root / "warehouse" / "working.duckdb", root / "landing", root / "quarantine", root / "archive",
                  TEST_KEY)


def q(loader: Loader, sql: str, params=None):
    with duckdb.connect(str(loader.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def ledger(loader: Loader) -> dict[str, tuple]:
    """path -> (status, reason, rows_read, rows_loaded, rows_quarantined) of the newest record per path."""
    rows = q(loader, "select path, status, reason, rows_read, rows_loaded, rows_quarantined from ops.ledger "
                     "order by file_id")
    return {r[0]: r[1:] for r in rows}


def data_lines(path: Path) -> int:
    """Rows in a landed file, counted without the loader: non-blank physical lines after the header."""
    lines = path.read_bytes().split(b"\n")[1:]
    return sum(1 for line in lines if line.strip(b"\r"))


def cpr_hits_in_duckdb(path: Path) -> list[str]:
    hits = []
    with duckdb.connect(str(path), read_only=True) as con:
        cols = con.execute("select schema_name, table_name, column_name from duckdb_columns() "
                           "where data_type = 'VARCHAR' and database_name = current_database()").fetchall()
        for schema, table, column in cols:
            n = con.execute(f'select count(*) from "{schema}"."{table}" where regexp_matches("{column}", ?)',
                            [CPR_ANY]).fetchone()[0]
            if n:
                hits.append(f"{path.name}:{schema}.{table}.{column}")
    return hits


def cpr_hits_in_sqlite(path: Path) -> list[str]:
    """Dagster's run and event storage: every text value of every table (the raw bytes of a
    database page run timestamps together into ten-digit numbers)."""
    hits = []
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for (table,) in con.execute("select name from sqlite_master where type = 'table'").fetchall():
            for row in con.execute(f'select * from "{table}"'):
                for value in row:
                    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
                    if isinstance(text, str) and CPR_RE.search(text):
                        hits.append(f"{path.name}:{table}: {CPR_RE.search(text).group(0)!r}")
    finally:
        con.close()
    return hits


def assert_promises(root: Path, *texts: str) -> None:
    """Rows read = loaded + quarantined; blocked rows not in raw; no CPR outside landing and archive."""
    loader = loader_for(root)
    with duckdb.connect(str(loader.warehouse), read_only=True) as con:
        records = con.execute("select file_id, path, status, rows_read, rows_loaded, rows_quarantined, entity "
                              "from ops.ledger").fetchall()
        for file_id, path, status, read, loaded, bad, entity in records:
            if status in ("loaded", "blocked", "superseded"):
                assert read == loaded + bad, path
                on_disk = root / "landing" / path
                if on_disk.exists() and status != "superseded":
                    assert read == data_lines(on_disk), path
            if status != "loaded":
                for table in (entity, f"{entity}__history"):
                    if entity and not entity.startswith("_"):
                        n = con.execute(f"select count(*) from raw.{table} where _file_id = ?", [file_id]).fetchone()[0]
                        assert n == 0, f"{path} ({status}) has rows in raw.{table}"
    hits = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or rel.parts[0] in ("landing", "archive") or path.suffix == ".lock":
            continue
        data = path.read_bytes()
        if data.startswith(b"DUCK", 8):
            hits += cpr_hits_in_duckdb(path)
        elif data.startswith(b"SQLite format 3\x00"):
            hits += cpr_hits_in_sqlite(path)
        elif CPR_RE.search(data.decode("latin-1")):
            hits.append(str(rel))
    for text in texts:
        if CPR_RE.search(text):
            hits.append(f"captured text: {CPR_RE.search(text).group(0)!r}")
    assert not hits, hits[:10]


@pytest.fixture()
def root(tmp_path):
    (tmp_path / "landing").mkdir()
    return tmp_path


# --- 2: a quarantined file stays lost -----------------------------------------------------------

def test_a_file_quarantined_whole_loads_once_it_is_renamed_or_moved_into_place(root, caplog):
    landing = root / "landing"
    wrong_name = put(landing, "jobcenter/forloeb-2025-01-01.csv", FORLOEB + forloeb_rows(3))
    wrong_folder = put(landing, "bolig/indsatser_20250101.csv", INDSATSER + "I1;F1;010190-1234;MENTOR;N;01-01-2025;;"
                                                                        "01-01-2025 09:00;N\n")
    loader = loader_for(root)
    loader.load()
    assert ledger(loader)["jobcenter/forloeb-2025-01-01.csv"][:2] == ("unrecognised", "unknown_entity")
    assert ledger(loader)["bolig/indsatser_20250101.csv"][:2] == ("unrecognised", "unknown_entity")
    wrong_name.rename(landing / "jobcenter/forloeb_20250101.csv")
    (landing / "jobcenter").mkdir(exist_ok=True)
    wrong_folder.rename(landing / "jobcenter/indsatser_20250101.csv")
    results = {r.path: r.status for r in loader.load()}
    assert results["jobcenter/forloeb_20250101.csv"] == "loaded"
    assert results["jobcenter/indsatser_20250101.csv"] == "loaded"
    assert q(loader, "select count(*) from raw.forloeb")[0][0] == 3
    assert_promises(root, caplog.text)


# --- 3 and 9: rows the CSV reader cannot split --------------------------------------------------

def test_a_stray_quote_quarantines_its_row_only_and_leaks_no_cpr_number(root, caplog):
    put(root / "landing", "jobcenter/forloeb_20250101.csv",
        FORLOEB + forloeb_rows(30) + 'F99;010190-1234;573;"2.11;01-01-2025;;;;SB1;01-01-2025 09:00;N\n'
        + forloeb_rows(30, start=40))
    loader = loader_for(root)
    with caplog.at_level(logging.DEBUG):
        loader.load()
    assert ledger(loader)["jobcenter/forloeb_20250101.csv"] == ("loaded", "", 61, 60, 1)
    assert q(loader, "select line, column_name, reason, value from ops.quarantine") == [
        (32, None, "unclosed_quote", None)]
    [qfile] = (root / "quarantine" / "jobcenter").glob("*forloeb_20250101.csv.rejected.csv")
    assert "F99;<cpr>;573;" in qfile.read_text()
    assert_promises(root, caplog.text)


def test_ragged_rows_a_lone_carriage_return_and_doubled_columns_are_recorded_never_swallowed(root, caplog):
    landing = root / "landing"
    put(landing, "jobcenter/forloeb_20250101.csv",
        FORLOEB + forloeb_rows(40)
        + "F90;010190-1234;573;2.11;01-01-2025;;;;SB1;01-01-2025 09:00\n"  # too few fields
        + "F91;010190-1234;573;2.11;01-01-2025;;;;SB1;01-01-2025 09:00;N;x\n"  # too many
        + "F92;010190-1234;573;2.11;01-01-2025;;;;SB1;01-01-2025 09:00;N\rF93;010190-1235;573;2.11;"
          "01-01-2025;;;;SB1;01-01-2025 09:00;N\n"  # two rows merged by a lone CR
        + forloeb_rows(40, start=100))
    put(landing, "jobcenter/indsatser_20250101.csv",
        "indsats_id;forloeb_id;cpr;indsatstype;beskaeftigelsesrettet;startdato;slutdato;slutdato;opdateret\n"
        "I1;F1;010190-1234;MENTOR;N;01-01-2025;;;01-01-2025 09:00\n")
    # cut off inside its last line (in its second field, no line end): a bad row, the rest loads
    cut = put(landing, "jobcenter/sagsbehandlere_20250101.csv", SAGSBEHANDLERE
              + "".join(f"SB{i};AB;Team;573;1;01-01-2025;N\n" for i in range(40)) + "SB99;C")
    # a full snapshot cut short would delete the keys of its lost tail: quarantined whole
    put(landing, "jobcenter/sagsbehandlere_20250102_fuld.csv", SAGSBEHANDLERE + "SB1;AB;Team;573;1;02-01-2025;N\nSB2;C")
    loader = loader_for(root)
    with caplog.at_level(logging.DEBUG):
        loader.load()
    led = ledger(loader)
    assert led["jobcenter/forloeb_20250101.csv"] == ("loaded", "", 83, 80, 3)
    assert q(loader, "select line, reason from ops.quarantine where path like '%forloeb%' order by line") == [
        (42, "too_few_fields"), (43, "too_many_fields"), (44, "stray_carriage_return")]
    assert led["jobcenter/indsatser_20250101.csv"][:2] == ("quarantined_file", "duplicate_column")
    assert led["jobcenter/sagsbehandlere_20250101.csv"] == ("loaded", "", 41, 40, 1)
    assert q(loader, "select line, column_name, reason from ops.quarantine "
                     "where path = 'jobcenter/sagsbehandlere_20250101.csv'") == [(42, "initialer", "truncated_line")]
    assert led["jobcenter/sagsbehandlere_20250102_fuld.csv"][:2] == ("quarantined_file", "truncated")
    assert q(loader, "select detail from ops.ledger where path = 'jobcenter/sagsbehandlere_20250102_fuld.csv'"
             )[0][0].startswith("the file ends inside line 3, field initialer")
    assert q(loader, "select count(*), count(*) filter (where slettet) from raw.sagsbehandlere") == [(40, 0)]
    # nothing is lost: both files, as they came, are in the archive
    archived = {p.name.split("_", 1)[1]: p.read_bytes() for p in (root / "archive" / "jobcenter").iterdir()}
    assert archived["sagsbehandlere_20250101.csv"] == cut.read_bytes()
    assert archived["sagsbehandlere_20250102_fuld.csv"].endswith(b"SB2;C")
    assert_promises(root, caplog.text)


# --- 4: CPR numbers outside the cpr column ------------------------------------------------------

@pytest.mark.parametrize("spelling", ["010190-1234", "0101901234", "010190 1234", "010190/1234", "01.01.90-1234"])
def test_a_cpr_number_outside_the_cpr_column_rejects_the_row_and_is_masked_everywhere(root, caplog, spelling):
    landing = root / "landing"
    put(landing, "jobcenter/sagsbehandlere_20250101.csv",
        "sagsbehandler_id;initialer;navn_team;kommunekode;aarsvaerk;opdateret;slettet;note\n"
        + "".join(f"SB{i};AB;Team Nord;573;1;01-01-2025;N;\n" for i in range(60))
        + f"{spelling};AB;Team;573;1;01-01-2025;N;\n"  # an id column
        + f"SB70;AB;Team {spelling};573;1;01-01-2025;N;\n"  # free text
        + f"SB71;AB;Team;573;1;01-01-2025;N;ring til {spelling}\n")  # an extra column
    put(landing, f"jobcenter/forloeb_20250101_{spelling.replace('/', '-')}.csv", FORLOEB + forloeb_rows(2))
    loader = loader_for(root)
    with caplog.at_level(logging.DEBUG):
        results = loader.load()
    led = ledger(loader)
    assert led["jobcenter/sagsbehandlere_20250101.csv"] == ("loaded", "", 63, 60, 3)
    assert q(loader, "select line, column_name, reason, value from ops.quarantine where line is not null "
                     "order by line") == [
        (62, "sagsbehandler_id", "cpr_outside_cpr_column", "<cpr>"),
        (63, "navn_team", "cpr_outside_cpr_column", "Team <cpr>"),
        (64, "note", "cpr_outside_cpr_column", "ring til <cpr>")]
    assert q(loader, "select extra_columns from ops.ledger where entity = 'sagsbehandlere'") == [("note",)]
    named = [r for r in results if r.reason == "cpr_in_file_name"]
    assert len(named) == 1 and named[0].path == "jobcenter/forloeb_20250101_<cpr>.csv"
    assert_promises(root, caplog.text, "\n".join(f"{r.path} {r.detail}" for r in results))


# --- 5: one badly encoded file ---------------------------------------------------------------------

def test_a_byte_order_mark_followed_by_windows_1252_quarantines_that_file_and_the_load_goes_on(root, caplog):
    landing = root / "landing"
    put(landing, "bolig/bostoette_20250101.csv",
        b"\xef\xbb\xbfstoette_id;cpr;metode;startdato;slutdato;opdateret;slettet\n"
        b"ST1;010190-1234;CTI;01-02-2024;;01-02-2024 10:00;N;K\xf8ge\n")
    put(landing, "jobcenter/forloeb_20250101.csv", FORLOEB + forloeb_rows(5))
    loader = loader_for(root)
    loader.load()
    led = ledger(loader)
    assert led["bolig/bostoette_20250101.csv"][:2] == ("quarantined_file", "bad_encoding")
    assert led["jobcenter/forloeb_20250101.csv"][0] == "loaded"
    put(landing, "jobcenter/forloeb_20250102.csv", FORLOEB + forloeb_rows(5, start=5, day="02-01-2025"))
    assert [r.status for r in loader.load() if r.status != "skipped"] == ["loaded"]  # later loads still work
    assert_promises(root, caplog.text)


# --- 6 and 8: values --------------------------------------------------------------------------------

def test_a_future_opdateret_is_rejected_so_later_corrections_still_win(root, caplog):
    landing = root / "landing"
    put(landing, "jobcenter/forloeb_20250101.csv", FORLOEB + forloeb_rows(40)
        + "F50;010190-1234;573;2.11;01-01-2024;;;;SB1;01-01-2099 09:00;N\n"
        + "F51;010190-1234;573;2.11;01-01-2024;;;;SB1;02-01-2025 23:59;N\n"  # the day after: allowed
        + "F52;010190-1234;573;2.11;01-01-2024;;;;SB1;03-01-2025 00:00;N\n")
    loader = loader_for(root)
    loader.load()
    assert q(loader, "select line, column_name, reason from ops.quarantine order by line") == [
        (42, "opdateret", "opdateret_in_future"), (44, "opdateret", "opdateret_in_future")]
    put(landing, "jobcenter/forloeb_20250105.csv", FORLOEB
        + "F50;010190-1234;573;2.11;01-01-2024;05-01-2025;FLYTTET;;SB1;05-01-2025 09:00;N\n")
    loader.load()
    assert q(loader, "select slutdato::varchar, afslutningsaarsag from raw.forloeb where forloeb_id = 'F50'") == [
        ("2025-01-05", "FLYTTET")]
    assert_promises(root, caplog.text)


def test_values_are_read_exactly_as_the_contract_says_or_rejected(root, caplog):
    landing = root / "landing"
    put(landing, "bolig/boligforloeb_20250101.csv",
        "boligforloeb_id;cpr;kommunekode;boligtype;indflytning;fraflytning;fraflytningsaarsag;huslejetilskud_kr_md;"
        "opdateret;slettet\n"
        + "B90;010190-1234;573;EGEN_BOLIG;01-03-2024;;;4.250;01-03-2024;N\n"  # 4250 in a decimal-comma file
        + "B91;010190-1234;573;EGEN_BOLIG;01-03-2024x;;;;01-03-2024;N\n"  # trailing junk
        + "B92;010190-1234;573;EGEN_BOLIG;01-03-2024 10:00;;;;01-03-2024;N\n"  # a time on a date
        + "B93;010190-1234;573;EGEN_BOLIG;01-03-1899;;;;01-03-2024;N\n"  # before 1900
        + "B94;010190-1234;573;EGEN_BOLIG;01-03-2024;;;NaN;01-03-2024;N\n"
        + "B95;010190-1234;573;EGEN_BOLIG;01-03-2024;;;-100;01-03-2024;N\n"
        + "B96;010190-1234;573;EGEN_BOLIG;01-03-2024;;;inf;01-03-2024;N\n"
        + "B97;010190-1234;573;EGEN_BOLIG;01-03-2027;;;;01-03-2024;N\n"  # more than a year after the extract
        + "".join(f"G{i};010190-1234;573;EGEN_BOLIG;01-03-2024;;;1.250,50;01-03-2024;N\n" for i in range(200)))
    put(landing, "jobcenter/sagsbehandlere_20250101.csv", SAGSBEHANDLERE
        + "".join(f"SB{i};AB;Team;573;0,5;01-01-2025;N\n" for i in range(40))
        + "SB90;AB;Team;573;0;01-01-2025;N\nSB91;AB;Team;573;1,6;01-01-2025;N\n")
    loader = loader_for(root)
    loader.load()
    assert q(loader, "select huslejetilskud_kr_md from raw.boligforloeb where boligforloeb_id in ('G0', 'B90') "
                     "order by 1") == [(1250.5,), (4250.0,)]
    assert q(loader, "select line, column_name, reason from ops.quarantine where path like 'bolig%' order by line") == [
        (3, "indflytning", "invalid_date"), (4, "indflytning", "invalid_date"),
        (5, "indflytning", "date_out_of_range"), (6, "huslejetilskud_kr_md", "invalid_decimal"),
        (7, "huslejetilskud_kr_md", "out_of_range"), (8, "huslejetilskud_kr_md", "invalid_decimal"),
        (9, "indflytning", "date_out_of_range")]
    assert q(loader, "select line, reason from ops.quarantine where path like '%sagsbehandlere%' order by line") == [
        (42, "out_of_range"), (43, "out_of_range")]  # aarsvaerk 0 would divide by zero
    assert_promises(root, caplog.text)


def test_an_experiments_planned_end_lies_at_most_a_year_after_the_extract_date(root, caplog):
    # regression: forsoeg.slutdato was accepted up to ten years ahead; the contract ("CSV dialect")
    # says every date lies between 1900 and one year after the extract date
    put(root / "landing", "forsoeg/forsoeg_20250101.csv",
        "forsoeg_id;titel;netvaerk;kommunekoder;maalgruppe;startdato;slutdato;opdateret;slettet\n"
        + "".join(f"P{i};Projekt {i};Net;573;2.11;01-01-2024;01-01-2026;01-01-2025;N\n" for i in range(40))
        + "P90;Projekt;Net;573;2.11;01-01-2024;02-01-2026;01-01-2025;N\n"  # a year and a day
        + "P91;Projekt;Net;573;2.11;01-01-2024;31-12-2034;01-01-2025;N\n")  # ten years: accepted before
    loader = loader_for(root)
    loader.load()
    assert ledger(loader)["forsoeg/forsoeg_20250101.csv"] == ("loaded", "", 42, 40, 2)
    assert q(loader, "select path, line, column_name, reason, value from ops.quarantine order by line") == [
        ("forsoeg/forsoeg_20250101.csv", 42, "slutdato", "date_out_of_range", "02-01-2026"),
        ("forsoeg/forsoeg_20250101.csv", 43, "slutdato", "date_out_of_range", "31-12-2034")]
    assert q(loader, "select max(slutdato) from raw.forsoeg") == [(date(2026, 1, 1),)]  # exactly a year: accepted
    assert_promises(root, caplog.text)


def test_every_reason_code_has_a_danish_name():
    from transforms.ingestion.parse import FILE_REASONS, ROW_REASONS

    seed = REPO / "dbt_project" / "seeds" / "ref_dq_koder.csv"
    kinds = dict(line.split(",")[:2] for line in seed.read_text().splitlines()[1:])
    assert {c: kinds.get(c) for c in ROW_REASONS} == dict.fromkeys(ROW_REASONS, "row")
    assert {c: kinds.get(c) for c in FILE_REASONS} == dict.fromkeys(FILE_REASONS, "file")


# --- 7: a missing column ------------------------------------------------------------------------------

def test_a_delta_without_an_optional_column_is_refused_and_earlier_values_stay(root, caplog):
    landing = root / "landing"
    put(landing, "jobcenter/indsatser_20250101.csv",
        INDSATSER + "I1;F1;010190-1234;MENTOR;N;01-01-2024;30-06-2024;30-06-2024 09:00;N\n")
    loader = loader_for(root)
    loader.load()
    put(landing, "jobcenter/indsatser_20250102.csv",
        "indsats_id;forloeb_id;cpr;indsatstype;beskaeftigelsesrettet;startdato;opdateret\n"
        "I1;F1;010190-1234;MENTOR;N;01-01-2024;02-01-2025 09:00\n")
    loader.load()
    assert ledger(loader)["jobcenter/indsatser_20250102.csv"][:2] == ("quarantined_file", "missing_columns")
    assert q(loader, "select slutdato::varchar from raw.indsatser") == [("2024-06-30",)]  # the support stays closed
    assert_promises(root, caplog.text)


# --- 10: full snapshots -----------------------------------------------------------------------------

def test_a_full_snapshot_deletes_the_keys_it_lacks_as_of_its_date(root, caplog):
    landing = root / "landing"
    put(landing, "jobcenter/forloeb_20250101.csv", FORLOEB + forloeb_rows(5))
    put(landing, "jobcenter/forloeb_20250103.csv", FORLOEB + forloeb_rows(1, start=10, day="03-01-2025"))
    loader = loader_for(root)
    loader.load()
    # the snapshot of the 2nd lacks F3, F4 and F10; F10 came with a later extract, so it stays
    put(landing, "jobcenter/forloeb_20250102_fuld.csv", FORLOEB + forloeb_rows(3))
    [result] = [r for r in loader.load() if r.status != "skipped"]
    assert (result.status, result.keys_deleted) == ("loaded", 2)
    live = q(loader, "select forloeb_id from raw.forloeb where not coalesce(slettet, false) order by 1")
    assert live == [("F0",), ("F1",), ("F10",), ("F2",)]
    assert q(loader, "select is_snapshot from ops.ledger where path like '%_fuld.csv'") == [(True,)]
    # a later delta that delivers F3 again brings it back
    put(landing, "jobcenter/forloeb_20250104.csv", FORLOEB + forloeb_rows(1, start=3, day="04-01-2025"))
    loader.load()
    assert ("F3",) in q(loader, "select forloeb_id from raw.forloeb where not coalesce(slettet, false)")
    assert_promises(root, caplog.text)


# --- 11: conflicts ----------------------------------------------------------------------------------

def test_duplicate_keys_conflicting_files_and_subfolders_never_resolve_silently(root, caplog):
    landing = root / "landing"
    put(landing, "jobcenter/forloeb_20250101.csv", FORLOEB + forloeb_rows(80)
        + "F1;010191-1001;573;2.3;01-01-2025;;;;SB1;01-01-2025 09:00;N\n"  # F1 again, other content
        + forloeb_rows(1, start=2))  # F2 again, the same row
    first = put(landing, "jobcenter/forloeb_20250102.csv", FORLOEB + forloeb_rows(2, start=50, day="02-01-2025"))
    second = put(landing, "jobcenter/Forloeb_20250102.CSV", FORLOEB + forloeb_rows(2, start=160, day="02-01-2025"))
    os.utime(second, (first.stat().st_mtime + 60, first.stat().st_mtime + 60))  # arrives later
    put(landing, "jobcenter/gammelt/forloeb_20250103.csv", FORLOEB + forloeb_rows(2, start=170))
    loader = loader_for(root)
    loader.load()
    assert q(loader, "select line, reason from ops.quarantine where path = 'jobcenter/forloeb_20250101.csv' "
                     "order by line") == [(3, "duplicate_key_in_file"), (82, "duplicate_key_in_file"),
                                          (83, "duplicate_row_in_file")]
    assert q(loader, "select count(*) from raw.forloeb where forloeb_id = 'F1'")[0][0] == 0
    led = ledger(loader)
    assert led["jobcenter/forloeb_20250102.csv"][0] == "loaded"
    assert led["jobcenter/Forloeb_20250102.CSV"][:2] == ("conflicting_file", "conflicting_file")
    assert led["jobcenter/gammelt/forloeb_20250103.csv"][:2] == ("unrecognised", "not_in_source_folder")
    assert q(loader, "select count(*) from raw.forloeb where forloeb_id in ('F160', 'F161', 'F170')")[0][0] == 0
    assert_promises(root, caplog.text)


# --- 12: a corrected file with the same size and modification time ------------------------------------

def test_a_corrected_file_under_the_same_name_size_and_time_is_a_new_delivery(root, caplog):
    landing = root / "landing"
    path = put(landing, "jobcenter/forloeb_20250101.csv", FORLOEB + forloeb_rows(3))
    st = path.stat()
    loader = loader_for(root)
    loader.load()
    path.write_bytes(path.read_bytes().replace(b"F1;010191-1001;573;2.11", b"F1;010191-1001;573;2.13"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert [r.status for r in loader.load()] == ["loaded"]
    assert q(loader, "select maalgruppe from raw.forloeb where forloeb_id = 'F1'") == [("2.13",)]
    assert [r.status for r in loader.load()] == ["skipped"]  # and loading again changes nothing
    assert_promises(root, caplog.text)


# --- 1, 13, 14: the gate through the real job, what is published, one refresh at a time ----------------

def _pointer(data: Path) -> dict:
    return json.loads((data / "warehouse" / "published" / "current.json").read_text())


def _accept(data: Path, file: str, by: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orchestration.accept", file, "--by", by], cwd=REPO,
                          env=refresh_env(data), capture_output=True, text=True, timeout=300)


def test_a_blocked_file_stops_every_refresh_until_it_is_accepted(tmp_path):
    data = tmp_path / "data"
    make_landing(data / "landing", 1500, seed=5)
    first = run_refresh(data)
    assert first.returncode == 0, first.stderr[-3000:]
    published = _pointer(data)
    # the scan below would see a CPR number: the landing zone and the archive are full of them
    assert CPR_RE.search((data / "landing/jobcenter/forloeb_20261031.csv").read_bytes().decode("utf-8-sig"))
    assert any(CPR_RE.search(p.read_bytes().decode("latin-1")) for p in (data / "archive").rglob("*.csv"))

    # a delta with a third of its rows broken arrives
    caseworker = (data / "landing/jobcenter/sagsbehandlere_20261031.csv").read_bytes().split(b"\n")[1].split(b";")[0]
    rows = [f"X{i};010190-{1000 + i};573;{'2.11' if i % 3 else '9.99'};01-11-2026;;;;{caseworker.decode()};"
            "01-11-2026 10:00;N" for i in range(30)]
    put(data / "landing", "jobcenter/forloeb_20261101.csv", FORLOEB + "\n".join(rows) + "\n")
    outputs = []
    for _ in range(2):  # the refresh that meets it, and the next one with nothing new: both stop
        blocked = run_refresh(data)
        outputs += [blocked.stdout, blocked.stderr]
        assert blocked.returncode == 1, blocked.stderr[-3000:]
        assert "jobcenter/forloeb_20261101.csv: blocked, 10 of 30 rows rejected" in blocked.stderr
        assert _pointer(data) == published
    loader = loader_for(data)
    assert q(loader, "select count(*) from raw.forloeb where forloeb_id like 'X%'")[0][0] == 0
    record = json.loads((data / "warehouse" / "published" / "last_run.json").read_text())
    assert record["success"] is False
    [entry] = record["blocked"]
    assert entry["path"] == "jobcenter/forloeb_20261101.csv" and len(entry["lines"]) == 10
    assert {reason for _, _, reason in entry["lines"]} == {"unknown_code"}
    assert_promises(data, *outputs)

    refused = _accept(data, "jobcenter/forloeb_20261031.csv", "ABC")
    assert refused.returncode == 1 and "is not a blocked file" in refused.stderr
    accepted = _accept(data, "jobcenter/forloeb_20261101.csv", "ABC")
    assert accepted.returncode == 0, accepted.stderr
    assert q(loader, "select status, accepted_by, accepted_at is not null, rows_loaded from ops.ledger "
                     "where path = 'jobcenter/forloeb_20261101.csv'") == [("loaded", "ABC", True, 20)]
    again = run_refresh(data)
    assert again.returncode == 0, again.stderr[-3000:]
    build = _pointer(data)
    assert build != published

    # 13: the build holds the dashboard's schemas only; the data folder is the owner's alone
    with duckdb.connect(str(data / "warehouse" / "published" / build["path"]), read_only=True) as con:
        schemas = {s for (s,) in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
        assert schemas == {"marts", "reference"}
        assert con.execute("select status, accepted_by from marts.dq_files "
                           "where path = 'jobcenter/forloeb_20261101.csv'").fetchall() == [("loaded", "ABC")]
        assert con.execute("select comment from duckdb_tables() where table_name = 'kpi_overview'").fetchone()[0]
    for path in [data, *data.rglob("*")]:
        rel = path.relative_to(data).parts
        if rel and rel[0] == "landing":
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir() and len(rel) <= 2:
            assert mode & 0o077 == 0, f"{path} is {oct(mode)}"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert_promises(data, again.stdout, again.stderr)

    # 14: a second refresh while one runs exits with a clear message and leaves the first alone
    put(data / "landing", "jobcenter/forloeb_20261102.csv", FORLOEB + forloeb_rows(3, day="02-11-2026"))
    running = subprocess.Popen([sys.executable, "-m", "orchestration.refresh"], cwd=REPO, env=refresh_env(data),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = data / "warehouse" / "refresh.lock"
    for _ in range(600):
        if lock.exists() and "refresh run" in lock.read_text():
            break
        time.sleep(0.1)
    second = run_refresh(data)
    out, err = running.communicate(timeout=600)
    assert second.returncode == 75, second.stderr
    assert "another refresh is running" in second.stderr
    assert running.returncode == 0, err[-3000:]
