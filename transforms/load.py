"""Load landing files into the DuckDB raw layer: ledger, history, current rows, quarantine.

For every entity the raw layer has two tables:
- `raw.<entity>__history`: every version of every row from every file loaded (append only);
- `raw.<entity>`: the current version per key: the latest `opdateret` wins, then the later
  extract, then the later file and line. A `slettet = J` row stays as a tombstone
  (slettet = true) so that an older row arriving later cannot bring the key back; the staging
  models drop tombstones.
`ops.ledger` records every landed file (checksum, counts, status); a file already in the ledger
is skipped, and one with the bytes of a loaded file is recorded as a duplicate and not loaded
again, so loading the same file twice changes nothing. `ops.quarantine`
holds each rejected (line, column, reason) without CPR numbers; the raw rejected lines go to an
owner-only file under the quarantine folder for correction. Each file loads in one transaction.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from transforms.contract import BOOL, CPR, DATE, DECIMAL, ENTITIES, INT, MONTH, TIMESTAMP, Entity
from transforms.parse import ParsedFile, file_identity, read_landing_file
from transforms.pseudonymise import PseudonymKeyError, fingerprint

log = logging.getLogger(__name__)

SQL_TYPES = {DATE: "DATE", TIMESTAMP: "TIMESTAMP", DECIMAL: "DOUBLE", BOOL: "BOOLEAN",
             INT: "BIGINT", MONTH: "DATE"}
META_COLUMNS = [("_extra", "VARCHAR"), ("_file_id", "BIGINT"), ("_line", "BIGINT"),
                ("_extract_date", "DATE"), ("_loaded_at", "TIMESTAMP")]
UNRECOGNISED = "_unrecognised"  # pseudo-entity for files that match no entity


def raw_columns(entity: Entity) -> list[tuple[str, str]]:
    cols = []
    for c in entity.columns:
        if c.type == CPR:
            cols += [(f"{c.name}_pseudonym", "VARCHAR"), ("foedselsaar", "SMALLINT"), ("koen", "VARCHAR")]
        else:
            cols.append((c.name, SQL_TYPES.get(c.type, "VARCHAR")))
    return cols + META_COLUMNS


def raw_key(entity: Entity) -> list[str]:
    return [f"{k}_pseudonym" if entity.column(k).type == CPR else k for k in entity.key]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw; create schema if not exists ops;")
    con.execute("create sequence if not exists ops.file_id_seq start 1")
    con.execute("""
        create table if not exists ops.ledger (
            file_id bigint primary key, path varchar, source varchar, entity varchar,
            extract_date date, sha256 varchar, size_bytes bigint, mtime double,
            rows_read bigint, rows_loaded bigint, rows_quarantined bigint,
            status varchar, reason varchar, detail varchar, loaded_at timestamp, seconds double)
    """)
    con.execute("""
        create table if not exists ops.quarantine (
            file_id bigint, path varchar, line bigint, column_name varchar, reason varchar,
            value varchar)
    """)
    con.execute("create table if not exists ops.meta (key varchar primary key, value varchar)")
    for entity in ENTITIES.values():
        cols = ", ".join(f"{n} {t}" for n, t in raw_columns(entity))
        con.execute(f"create table if not exists raw.{entity.name}__history ({cols})")
        con.execute(f"create table if not exists raw.{entity.name} ({cols})")


def check_key(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Refuse a pseudonymisation key other than the one the warehouse was built with."""
    fp = fingerprint(key)
    row = con.execute("select value from ops.meta where key = 'pseudonym_key_fingerprint'").fetchone()
    if row is None:
        con.execute("insert into ops.meta values ('pseudonym_key_fingerprint', ?)", [fp])
    elif row[0] != fp:
        raise PseudonymKeyError(
            f"the pseudonymisation key (fingerprint {fp}) is not the one this warehouse was built "
            f"with (fingerprint {row[0]}); loading would give every citizen a second identity. "
            "Restore the original key (KPI_PSEUDONYM_KEY or the key file), or rebuild the "
            "warehouse from the archived files with the new key.")


@dataclass
class LandedFile:
    path: Path
    source: str
    entity: str  # an entity name, or UNRECOGNISED


def scan_landing(landing: Path) -> list[LandedFile]:
    """Every file under landing/<source>/, ordered by entity, extract date and name."""
    found = []
    if not landing.exists():
        return found
    for src_dir in sorted(p for p in landing.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for path in sorted(p for p in src_dir.rglob("*") if p.is_file() and not p.name.startswith(".")):
            entity, _, problem = file_identity(path, src_dir.name)
            found.append(LandedFile(path, src_dir.name, UNRECOGNISED if problem else entity))
    for path in sorted(p for p in landing.iterdir() if p.is_file() and not p.name.startswith(".")):
        found.append(LandedFile(path, "", UNRECOGNISED))
    return sorted(found, key=lambda f: (f.entity, f.path.name.rsplit("_", 1)[-1], str(f.path)))


@dataclass
class LoadResult:
    path: str
    entity: str
    status: str  # loaded, quarantined_file, duplicate (same bytes as a loaded file), skipped
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reason: str = ""
    detail: str = ""
    seconds: float = 0.0


class Loader:
    """Loads landing files into one DuckDB warehouse file."""

    def __init__(self, warehouse: Path, landing: Path, quarantine: Path, archive: Path, key: bytes):
        self.warehouse, self.landing = Path(warehouse), Path(landing)
        self.quarantine, self.archive, self.key = Path(quarantine), Path(archive), key

    def connect(self) -> duckdb.DuckDBPyConnection:
        self.warehouse.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.warehouse))
        ensure_schema(con)
        check_key(con, self.key)
        return con

    def load(self, entities: list[str] | None = None) -> list[LoadResult]:
        """Load every new landing file (of the given entities; UNRECOGNISED for the rest)."""
        files = [f for f in scan_landing(self.landing) if entities is None or f.entity in entities]
        results = []
        with self.connect() as con:
            for f in files:
                results.append(self._load_one(con, f))
        return results

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.landing))
        except ValueError:
            return str(path)

    def _load_one(self, con: duckdb.DuckDBPyConnection, f: LandedFile) -> LoadResult:
        rel = self._rel(f.path)
        st = f.path.stat()
        seen = con.execute("select 1 from ops.ledger where path = ? and size_bytes = ? and mtime = ?",
                           [rel, st.st_size, st.st_mtime]).fetchone()
        if seen:
            return LoadResult(rel, f.entity, "skipped", detail="already loaded")
        t0 = time.perf_counter()
        pf = read_landing_file(f.path, f.source, self.key)
        same = con.execute("select path from ops.ledger where sha256 = ? and status != 'duplicate' "
                           "order by file_id limit 1", [pf.sha256]).fetchone()
        if same:
            detail = f"same content as {same[0]}, already loaded"
            file_id = con.execute("select nextval('ops.file_id_seq')").fetchone()[0]
            con.execute("insert into ops.ledger values (?,?,?,?,?,?,?,?,0,0,0,'duplicate','',?,?,?)",
                        [file_id, rel, f.source, pf.entity or f.entity, pf.extract_date, pf.sha256,
                         st.st_size, st.st_mtime, detail, datetime.now().replace(microsecond=0),
                         time.perf_counter() - t0])
            return LoadResult(rel, f.entity, "duplicate", detail=detail)
        self._archive(f, pf)
        file_id = con.execute("select nextval('ops.file_id_seq')").fetchone()[0]
        loaded_at = datetime.now().replace(microsecond=0)
        con.begin()
        try:
            if pf.error:
                status, n_loaded, n_bad = "quarantined_file", 0, 0
                con.execute("insert into ops.quarantine values (?, ?, null, null, ?, ?)",
                            [file_id, rel, pf.error, pf.error_detail])
            else:
                status = "loaded"
                n_loaded, n_bad = pf.rows.height, pf.rejected_lines
                self._insert_rows(con, ENTITIES[pf.entity], pf, file_id, loaded_at)
                if pf.rejects.height:
                    con.register("rejects_df", pf.rejects.to_arrow())
                    con.execute("insert into ops.quarantine select ?, ?, _line, \"column\", reason, value "
                                "from rejects_df", [file_id, rel])
                    con.unregister("rejects_df")
            seconds = time.perf_counter() - t0
            con.execute(
                "insert into ops.ledger values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [file_id, rel, f.source, pf.entity or f.entity, pf.extract_date, pf.sha256, st.st_size,
                 st.st_mtime, pf.rows_read, n_loaded, n_bad, status, pf.error or "", pf.error_detail,
                 loaded_at, seconds])
            con.commit()
        except Exception:
            con.rollback()
            raise
        self._write_quarantine_file(f, pf)
        if pf.error:
            log.warning("%s: quarantined whole: %s (%s)", rel, pf.error, pf.error_detail)
        elif n_bad:
            log.warning("%s: %d of %d rows quarantined", rel, n_bad, pf.rows_read)
        return LoadResult(rel, f.entity, status, pf.rows_read, n_loaded, n_bad, pf.error or "",
                          pf.error_detail, seconds)

    def _insert_rows(self, con, entity: Entity, pf: ParsedFile, file_id: int, loaded_at) -> None:
        rows = pf.rows.with_columns(
            _file_id=pl.lit(file_id, pl.Int64), _extract_date=pl.lit(pf.extract_date),
            _loaded_at=pl.lit(loaded_at),
        )
        cols = [n for n, _ in raw_columns(entity)]
        con.register("batch_df", rows.select(cols).to_arrow())
        con.execute("create or replace temp table _batch as select * from batch_df")
        con.unregister("batch_df")
        e = entity.name
        keys = raw_key(entity)
        key_list = ", ".join(keys)
        on = " and ".join(f"t.{k} = b.{k}" for k in keys)
        con.execute(f"insert into raw.{e}__history by name select * from _batch")
        duplicated = con.execute(f"select count(*) from (select {key_list} from _batch group by all "
                                 f"having count(*) > 1)").fetchone()[0]
        known = con.execute(f"select count(*) from raw.{e} t semi join _batch b on {on}").fetchone()[0]
        if not duplicated and not known:  # new keys only (a first load): nothing to merge
            con.execute(f"insert into raw.{e} by name select * from _batch")
            con.execute("drop table _batch")
            return
        con.execute(f"""
            create or replace temp table _winners as
            select * from (
                select t.* from raw.{e} t semi join _batch b on {on}
                union all by name
                select * from _batch
            )
            qualify row_number() over (
                partition by {key_list}
                order by opdateret desc nulls last, _extract_date desc, _file_id desc, _line desc
            ) = 1
        """)
        con.execute(f"delete from raw.{e} t using (select distinct {key_list} from _batch) b where {on}")
        con.execute(f"insert into raw.{e} by name select * from _winners")
        con.execute("drop table _batch; drop table _winners")

    def _archive(self, f: LandedFile, pf: ParsedFile) -> None:
        """Keep every landed file, named by its checksum, owner-only (it holds CPR numbers)."""
        target = self.archive / (f.source or "_") / f"{pf.sha256[:16]}_{f.path.name}"
        if target.exists():
            return
        _private_dir(target.parent)
        tmp = target.with_suffix(target.suffix + ".tmp")
        shutil.copyfile(f.path, tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)

    def _write_quarantine_file(self, f: LandedFile, pf: ParsedFile) -> None:
        """The rejected raw lines with line, column and reason, owner-only readable."""
        if not pf.error and (pf.rejects is None or not pf.rejects.height):
            return
        target = self.quarantine / (f.source or "_") / f"{f.path.name}.rejected.csv"
        _private_dir(target.parent)
        if pf.error:
            table = pl.DataFrame({"linje": [None], "kolonne": [None], "aarsag": [pf.error],
                                  "detalje": [pf.error_detail], "raa_linje": [None]},
                                 schema={"linje": pl.Int64, "kolonne": pl.String, "aarsag": pl.String,
                                         "detalje": pl.String, "raa_linje": pl.String})
        else:
            reasons = pf.rejects.group_by("_line", maintain_order=True).agg(
                kolonne=pl.col("column").str.join(","), aarsag=pl.col("reason").str.join(","))
            table = (reasons.join(pf.raw_lines, on="_line", how="left")
                     .select(linje="_line", kolonne="kolonne", aarsag="aarsag",
                             detalje=pl.lit(f"archived as {pf.sha256[:16]}_{f.path.name}"),
                             raa_linje="raw"))
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(table.write_csv(separator=";").encode("utf-8"))
        os.chmod(target, 0o600)


def _private_dir(path: Path) -> None:
    """Make a folder and its parents up to the data folder readable by the owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    os.chmod(path.parent, 0o700)
