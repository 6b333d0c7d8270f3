"""Load landing files into the DuckDB raw layer: ledger, history, current rows, quarantine.

For every entity the raw layer has two tables:
- `raw.<entity>__history`: every version of every row from every file loaded (append only);
- `raw.<entity>`: the current version per key: the latest `opdateret` wins, then the later
  extract, then the later file and line. A `slettet = J` row stays as a tombstone
  (slettet = true) so that an older row arriving later cannot bring the key back; the staging
  models drop tombstones. A full snapshot (`_fuld`) writes such a tombstone for every current key
  it lacks whose row came from an earlier extract.

`ops.ledger` records every landed file by its content (sha256) with its counts and a status:
- `loaded`: its valid rows are in the raw layer and may be published;
- `blocked`: more than `max_rate` of its rows were rejected; none of its rows is in the raw layer,
  and every refresh fails before publication until a corrected file for the same entity and
  extract date supersedes it or an operator accepts it (`Loader.accept`, `make accept`);
- `superseded`: a blocked file replaced by a later delivery of the same entity and extract date;
- `quarantined_file`: unreadable (empty, binary, encoding, missing or doubled column, a snapshot cut short);
- `unrecognised`: not a file of the contract (name, folder, a CPR number in the name);
- `conflicting_file`: a second file of an entity and extract date already loaded under another name;
- `duplicate`: the bytes of a file already taken in, under another name.
A file whose path and checksum are in the ledger is skipped, so loading twice changes nothing; a
corrected file under the same name has another checksum and is a new delivery; a file once
quarantined whole loads when it is renamed or moved into place. `ops.quarantine` holds each
rejected (line, column, reason) with values masked; the masked raw lines go to an owner-only file
under the quarantine folder. Each file loads in one transaction; no file can stop the others.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from transforms.contract import BOOL, CPR, DATE, DECIMAL, ENTITIES, INT, MONTH, SOURCES, TIMESTAMP, Entity
from transforms.ingestion.parse import (
    CPR_IN_FILE_NAME,
    NOT_IN_SOURCE_FOLDER,
    READ_ERROR,
    UNKNOWN_ENTITY,
    ParsedFile,
    file_identity,
    mask_cpr,
    read_landing_file,
)
from transforms.ingestion.pseudonymise import PseudonymKeyError, fingerprint

log = logging.getLogger(__name__)

SQL_TYPES = {DATE: "DATE", TIMESTAMP: "TIMESTAMP", DECIMAL: "DOUBLE", BOOL: "BOOLEAN",
             INT: "BIGINT", MONTH: "DATE"}
META_COLUMNS = [("_file_id", "BIGINT"), ("_line", "BIGINT"), ("_extract_date", "DATE"), ("_loaded_at", "TIMESTAMP")]
UNRECOGNISED = "_unrecognised"  # pseudo-entity for files that match no entity
MAX_REJECTED_RATE = 0.05
# statuses whose content has been taken in: the same bytes again are a duplicate
TAKEN_IN = ("loaded", "blocked", "superseded", "duplicate")
LEDGER_COLUMNS = [
    ("file_id", "bigint primary key"), ("path", "varchar"), ("source", "varchar"), ("entity", "varchar"),
    ("extract_date", "date"), ("sha256", "varchar"), ("size_bytes", "bigint"), ("mtime", "double"),
    ("rows_read", "bigint"), ("rows_loaded", "bigint"), ("rows_quarantined", "bigint"),
    ("status", "varchar"), ("reason", "varchar"), ("detail", "varchar"), ("loaded_at", "timestamp"),
    ("seconds", "double"), ("is_snapshot", "boolean"), ("keys_deleted", "bigint"), ("extra_columns", "varchar"),
    ("accepted_by", "varchar"), ("accepted_at", "timestamp"),
]


class AcceptError(RuntimeError):
    pass


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
    con.execute(f"create table if not exists ops.ledger ({', '.join(f'{n} {t}' for n, t in LEDGER_COLUMNS)})")
    for n, t in LEDGER_COLUMNS[1:]:  # a warehouse made by an older version gains the newer columns
        con.execute(f"alter table ops.ledger add column if not exists {n} {t}")
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
    direct_child: bool = True
    extract_date: date | None = None


def _visible(path: Path, base: Path) -> bool:
    return path.is_file() and not any(part.startswith(".") for part in path.relative_to(base).parts)


def scan_landing(landing: Path) -> list[LandedFile]:
    """Every file under landing/, in the order it is loaded: by entity, extract date, arrival, name.

    Only files directly inside a source folder can be recognised; anything else (a subfolder, an
    unknown folder, a file beside the folders) is listed as unrecognised, so that it is recorded.
    """
    found = []
    if not landing.exists():
        return found
    for path in landing.rglob("*"):
        if not _visible(path, landing):
            continue
        parts = path.relative_to(landing).parts
        source = parts[0] if len(parts) > 1 and parts[0] in SOURCES else ""
        direct = len(parts) == 2
        ident = file_identity(path, source, direct)
        found.append(LandedFile(path, source, ident.entity or UNRECOGNISED, direct, ident.extract_date))

    def order(f: LandedFile):
        try:
            mtime = f.path.stat().st_mtime
        except OSError:
            mtime = 0.0
        return (f.entity, f.extract_date or date.min, mtime, str(f.path))

    return sorted(found, key=order)


@dataclass
class LoadResult:
    path: str  # relative to the landing folder, CPR-shaped values masked
    entity: str
    status: str  # a ledger status, or skipped (already in the ledger)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reason: str = ""
    detail: str = ""
    seconds: float = 0.0
    keys_deleted: int = 0
    extra_columns: list[str] = field(default_factory=list)


class Loader:
    """Loads landing files into one DuckDB warehouse file."""

    def __init__(self, warehouse: Path, landing: Path, quarantine: Path, archive: Path, key: bytes,
                 max_rate: float = MAX_REJECTED_RATE):
        self.warehouse, self.landing = Path(warehouse), Path(landing)
        self.quarantine, self.archive, self.key = Path(quarantine), Path(archive), key
        self.max_rate = max_rate

    def connect(self) -> duckdb.DuckDBPyConnection:
        _private_dir(self.warehouse.parent)
        con = duckdb.connect(str(self.warehouse))
        for f in (self.warehouse, self.warehouse.with_name(self.warehouse.name + ".wal")):
            if f.exists():
                os.chmod(f, 0o600)
        ensure_schema(con)
        check_key(con, self.key)
        return con

    def load(self, entities: list[str] | None = None, scanned: list[LandedFile] | None = None,
             progress=None, label: str = "load") -> list[LoadResult]:
        """Load every new landing file (of the given entities; UNRECOGNISED for the rest), from
        `scanned` where the caller has scanned the landing zone already (scan_landing).

        `progress`, if given, is a bar class (orchestration.progress.Bar): made with a label and
        the megabytes to read, advanced as files are taken in.
        """
        found = scan_landing(self.landing) if scanned is None else scanned
        files = [f for f in found if entities is None or f.entity in entities]
        results = []
        bar = progress(label, sum(_size(f.path) for f in files) / 1e6, " MB") if progress else None
        with self.connect() as con:
            for f in files:
                results.append(self._load_one(con, f))
                if bar:
                    bar.advance(_size(f.path) / 1e6)
        return results

    def blocked(self, entity: str | None = None) -> list[tuple[str, int, int]]:
        """(path, rows rejected, rows read) of every blocked file (of one entity)."""
        with self.connect() as con:
            return con.execute("select path, rows_quarantined, rows_read from ops.ledger where status = 'blocked' "
                               "and (? is null or entity = ?) order by file_id", [entity, entity]).fetchall()

    def _rel(self, path: Path) -> str:
        try:
            return mask_cpr(str(path.relative_to(self.landing)))
        except ValueError:
            return mask_cpr(str(path))

    def _record(self, con, **row) -> None:
        cols = ", ".join(row)
        con.execute(f"insert into ops.ledger ({cols}) values ({', '.join('?' * len(row))})", list(row.values()))

    def _load_one(self, con: duckdb.DuckDBPyConnection, f: LandedFile) -> LoadResult:
        rel = self._rel(f.path)
        t0 = time.perf_counter()
        try:
            data = f.path.read_bytes()
            st = f.path.stat()
        except OSError as exc:  # vanished or unreadable between the scan and now: next refresh sees it
            return LoadResult(rel, f.entity, "skipped", detail=mask_cpr(f"not readable now: {exc.strerror}"))
        sha = hashlib.sha256(data).hexdigest()
        if con.execute("select 1 from ops.ledger where path = ? and sha256 = ?", [rel, sha]).fetchone():
            return LoadResult(rel, f.entity, "skipped", detail="already loaded")
        base = {"path": rel, "source": f.source, "sha256": sha, "size_bytes": st.st_size, "mtime": st.st_mtime,
                "loaded_at": datetime.now().replace(microsecond=0)}
        same = con.execute(f"select path from ops.ledger where sha256 = ? and status in {TAKEN_IN} "
                           "order by file_id limit 1", [sha]).fetchone()
        if same:
            detail = f"same content as {same[0]}, already taken in"
            ident = file_identity(f.path, f.source, f.direct_child)
            file_id = con.execute("select nextval('ops.file_id_seq')").fetchone()[0]
            self._record(con, file_id=file_id, **base, entity=ident.entity or f.entity,
                         extract_date=ident.extract_date, is_snapshot=ident.is_snapshot, rows_read=0, rows_loaded=0,
                         rows_quarantined=0, keys_deleted=0, status="duplicate", reason="", detail=detail,
                         seconds=time.perf_counter() - t0)
            return LoadResult(rel, f.entity, "duplicate", detail=detail)
        pf = read_landing_file(f.path, f.source, self.key, data=data, direct_child=f.direct_child)
        self._archive(f, pf)
        file_id = con.execute("select nextval('ops.file_id_seq')").fetchone()[0]
        try:
            result = self._take_in(con, f, pf, file_id, rel, base, t0)
        except Exception as exc:  # noqa: BLE001 - a file that cannot be stored is quarantined, the load goes on
            con.rollback()
            pf.rows = pf.rejects = None
            pf.error, pf.error_detail = READ_ERROR, mask_cpr(f"could not be stored: {type(exc).__name__}: "
                                                             f"{str(exc).splitlines()[0][:200] if str(exc) else ''}")
            result = self._take_in(con, f, pf, file_id, rel, base, t0)
        self._write_quarantine_file(f, pf, rel)
        if pf.error:
            log.warning("%s: quarantined whole: %s (%s)", rel, pf.error, pf.error_detail)
        elif result.status == "blocked":
            log.warning("%s: blocked, %d of %d rows rejected", rel, result.rows_quarantined, result.rows_read)
        elif result.rows_quarantined:
            log.warning("%s: %d of %d rows quarantined", rel, result.rows_quarantined, result.rows_read)
        return result

    def _take_in(self, con, f: LandedFile, pf: ParsedFile, file_id: int, rel: str, base: dict, t0) -> LoadResult:
        """Decide the file's status, store its rows and rejects and its ledger row, in one transaction."""
        entity = pf.entity or f.entity
        n_loaded = n_bad = deleted = 0
        detail = pf.error_detail
        con.begin()
        if pf.error:
            status = "unrecognised" if pf.error in (UNKNOWN_ENTITY, NOT_IN_SOURCE_FOLDER, CPR_IN_FILE_NAME) \
                else "quarantined_file"
            con.execute("insert into ops.quarantine values (?, ?, null, null, ?, ?)", [file_id, rel, pf.error, detail])
        else:
            prior = con.execute("select file_id, path, status from ops.ledger where source = ? and entity = ? "
                                "and extract_date = ? and status in ('loaded', 'blocked') order by file_id",
                                [f.source, pf.entity, pf.extract_date]).fetchall()
            conflict = [p for p in prior if p[2] == "loaded" and p[1] != rel]
            n_bad = pf.rejected_lines
            if conflict:
                status, n_bad = "conflicting_file", 0
                pf.error, detail = "conflicting_file", (f"{conflict[0][1]} already delivered {pf.entity} for "
                                                        f"{pf.extract_date:%d-%m-%Y}; remove one of the two files")
                pf.error_detail = detail
                con.execute("insert into ops.quarantine values (?, ?, null, null, ?, ?)",
                            [file_id, rel, pf.error, detail])
            else:
                for old_id, _old_path, old_status in prior:
                    if old_status == "blocked":
                        con.execute("update ops.ledger set status = 'superseded', detail = ? where file_id = ?",
                                    [f"superseded by {rel}", old_id])
                n_loaded = pf.rows.height
                status = "blocked" if pf.rows_read and n_bad / pf.rows_read > self.max_rate else "loaded"
                if status == "loaded":
                    deleted = self._insert_rows(con, ENTITIES[pf.entity], pf, file_id, base["loaded_at"])
                else:
                    detail = (f"{n_bad} of {pf.rows_read} rows rejected (over {self.max_rate:.0%}): nothing of this "
                              "file is published until a corrected file replaces it or it is accepted with "
                              f"make accept FILE={rel} BY=<name>")
                if pf.rejects.height:
                    con.register("rejects_df", pf.rejects.to_arrow())
                    con.execute("insert into ops.quarantine select ?, ?, _line, \"column\", reason, value "
                                "from rejects_df", [file_id, rel])
                    con.unregister("rejects_df")
        seconds = time.perf_counter() - t0
        self._record(con, file_id=file_id, **base, entity=entity, extract_date=pf.extract_date,
                     is_snapshot=pf.is_snapshot, rows_read=pf.rows_read, rows_loaded=n_loaded, rows_quarantined=n_bad,
                     keys_deleted=deleted, status=status, reason=pf.error or "", detail=detail, seconds=seconds,
                     extra_columns=",".join(pf.extra_columns) or None)
        con.commit()
        return LoadResult(rel, f.entity, status, pf.rows_read, n_loaded, n_bad, pf.error or "", detail, seconds,
                          deleted, pf.extra_columns)

    def accept(self, path: str, by: str) -> LoadResult:
        """Load a blocked file as it is, on an operator's word, recorded with who and when."""
        if not by.strip():
            raise AcceptError("say who accepts the file: BY=<name>")
        with self.connect() as con:
            row = con.execute("select file_id, path, source, sha256, rows_read, rows_quarantined from ops.ledger "
                              "where status = 'blocked' and (path = ? or file_id::varchar = ?) "
                              "order by file_id desc limit 1", [path, path]).fetchone()
            if row is None:
                blocked = [p for (p,) in con.execute("select path from ops.ledger where status = 'blocked' "
                                                     "order by file_id").fetchall()]
                raise AcceptError(f"{mask_cpr(path)!r} is not a blocked file. Blocked files: "
                                  f"{', '.join(blocked) or 'none'}")
            file_id, rel, source, sha, n_read, n_bad = row
            name = Path(rel).name
            archived = self.archive / (source or "_") / f"{sha[:16]}_{name}"
            data = archived.read_bytes()
            if hashlib.sha256(data).hexdigest() != sha:
                raise AcceptError(f"the archived copy {archived} does not match the ledger's checksum")
            pf = read_landing_file(self.landing / rel, source, self.key, data=data)
            if pf.error or pf.rejected_lines != n_bad:
                raise AcceptError(f"{rel} no longer reads as it did when it was blocked; deliver it again")
            accepted_at = datetime.now().replace(microsecond=0)
            con.begin()
            deleted = self._insert_rows(con, ENTITIES[pf.entity], pf, file_id, accepted_at)
            con.execute("update ops.ledger set status = 'loaded', rows_loaded = ?, keys_deleted = ?, "
                        "accepted_by = ?, accepted_at = ?, detail = ? where file_id = ?",
                        [pf.rows.height, deleted, mask_cpr(by.strip()), accepted_at,
                         f"accepted with {n_bad} of {n_read} rows rejected", file_id])
            con.commit()
        log.warning("%s: accepted by %s with %d of %d rows rejected", rel, mask_cpr(by.strip()), n_bad, n_read)
        return LoadResult(rel, pf.entity, "loaded", n_read, pf.rows.height, n_bad, keys_deleted=deleted)

    def _insert_rows(self, con, entity: Entity, pf: ParsedFile, file_id: int, loaded_at) -> int:
        """Append the file's rows to history and merge them into the current rows; returns keys deleted."""
        rows = pf.rows.with_columns(
            _file_id=pl.lit(file_id, pl.Int64), _extract_date=pl.lit(pf.extract_date),
            _loaded_at=pl.lit(loaded_at),
        )
        cols = [n for n, _ in raw_columns(entity)]
        # the file's rows are read where they lie (a view on the Arrow table), not copied first
        con.register("batch_df", rows.select(cols).to_arrow())
        con.execute("create or replace temp view _batch as select * from batch_df")
        e = entity.name
        keys = raw_key(entity)
        key_list = ", ".join(keys)
        on = " and ".join(f"t.{k} = b.{k}" for k in keys)
        con.execute(f"insert into raw.{e}__history by name select * from _batch")
        deleted = self._snapshot_deletes(con, e, keys, pf, file_id, loaded_at) if pf.is_snapshot else 0
        known = con.execute(f"select count(*) from raw.{e} t semi join _batch b on {on}").fetchone()[0]
        if not known:  # new keys only (a first load): nothing to merge (keys are unique within a file)
            con.execute(f"insert into raw.{e} by name select * from _batch")
            con.execute("drop view _batch")
            con.unregister("batch_df")
            return deleted
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
        con.execute("drop view _batch; drop table _winners")
        con.unregister("batch_df")
        return deleted

    def _snapshot_deletes(self, con, e: str, keys: list[str], pf: ParsedFile, file_id: int, loaded_at) -> int:
        """A full snapshot deletes, as of its date, every current key it lacks that no later extract delivered.

        The deletion is a tombstone row, exactly as if the key had come with slettet = J in the
        snapshot: the row as it was, slettet = true, the snapshot's file and extract date. It keeps
        the row's `opdateret`, so a later extract that delivers the key again brings it back.
        """
        on = " and ".join(f"t.{k} = b.{k}" for k in keys)
        con.execute(f"""
            create or replace temp table _gone as
            select * replace (true as slettet, ?::bigint as _file_id, null::bigint as _line,
                              ?::date as _extract_date, ?::timestamp as _loaded_at)
            from raw.{e} t
            where not coalesce(t.slettet, false) and t._extract_date < ?::date
              and not exists (select 1 from _batch b where {on})
        """, [file_id, pf.extract_date, loaded_at, pf.extract_date])
        n = con.execute("select count(*) from _gone").fetchone()[0]
        if n:
            con.execute(f"insert into raw.{e}__history by name select * from _gone")
            con.execute(f"delete from raw.{e} t using _gone b where {on}")
            con.execute(f"insert into raw.{e} by name select * from _gone")
        con.execute("drop table _gone")
        return n

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

    def _write_quarantine_file(self, f: LandedFile, pf: ParsedFile, rel: str) -> None:
        """The rejected lines (CPR numbers masked) with line, column and reason, owner-only readable.

        Named by the file's checksum, so a corrected file under the same name keeps its own.
        """
        if not pf.error and (pf.rejects is None or not pf.rejects.height):
            return
        target = self.quarantine / (f.source or "_") / f"{pf.sha256[:16]}_{Path(rel).name}.rejected.csv"
        _private_dir(target.parent)
        if pf.error:
            table = pl.DataFrame({"linje": [None], "kolonne": [None], "aarsag": [pf.error],
                                  "detalje": [pf.error_detail], "raa_linje": [None]},
                                 schema={"linje": pl.Int64, "kolonne": pl.String, "aarsag": pl.String,
                                         "detalje": pl.String, "raa_linje": pl.String})
        else:
            reasons = pf.rejects.group_by("_line", maintain_order=True).agg(
                kolonne=pl.col("column").drop_nulls().str.join(","), aarsag=pl.col("reason").str.join(","))
            table = (reasons.join(pf.raw_lines, on="_line", how="left")
                     .select(linje="_line", kolonne="kolonne", aarsag="aarsag",
                             detalje=pl.lit(f"archived as {pf.sha256[:16]}_{Path(rel).name}"),
                             raa_linje="raw"))
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(table.write_csv(separator=";").encode("utf-8"))
        os.chmod(target, 0o600)


def blocked_report(warehouse: Path, max_lines: int = 200) -> list[dict]:
    """Every blocked file with its rejected lines (masked), read-only, for the data-quality page.

    The refresh that meets a blocked file publishes nothing, so the published marts cannot show
    it; the refresh's own record (transforms.publication.record_run) carries this instead.
    """
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return []
    with con:
        try:
            files = con.execute("select file_id, path, entity, extract_date, rows_read, rows_quarantined "
                                "from ops.ledger where status = 'blocked' order by file_id").fetchall()
        except duckdb.Error:
            return []
        report = []
        for file_id, path, entity, extract, read, bad in files:
            lines = con.execute("select line, column_name, reason from ops.quarantine where file_id = ? "
                                "order by line, column_name nulls first limit ?", [file_id, max_lines]).fetchall()
            report.append({"path": path, "entity": entity, "extract_date": extract.isoformat() if extract else None,
                           "rows_read": read, "rows_quarantined": bad,
                           "lines": [list(line) for line in lines]})
        return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _private_dir(path: Path) -> None:
    """Make a folder and its parents up to the data folder readable by the owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    os.chmod(path.parent, 0o700)
