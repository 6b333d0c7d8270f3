"""Read one landing file: decode, sniff the dialect, validate every row against the contract.

The result is typed rows ready for the raw layer (CPR replaced by its pseudonym, birth year and
sex derived first), the rejected rows with line, column and reason, or a reason why the whole
file cannot be read. Nothing here touches the warehouse.

Line numbers count the header as line 1. Values spanning several lines inside quotes are not
expected in these exports; where one occurs, later line numbers in that file shift.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from transforms.contract import (
    BOOL,
    CPR,
    DATE,
    DECIMAL,
    ENTITIES,
    INT,
    MONTH,
    SOURCES,
    TIMESTAMP,
    Entity,
)
from transforms.pseudonymise import pseudonymise

FILE_NAME = re.compile(r"^(?P<entity>[a-z_]+)_(?P<date>\d{8})\.csv$", re.IGNORECASE)
TRUE_WORDS = ("j", "ja", "1", "true", "y", "yes")
FALSE_WORDS = ("n", "nej", "0", "false", "no")

# Row-level quarantine reasons
MISSING_KEY = "missing_key"
MISSING_VALUE = "missing_value"
INVALID_DATE = "invalid_date"
INVALID_DECIMAL = "invalid_decimal"
INVALID_BOOL = "invalid_bool"
INVALID_INT = "invalid_int"
INVALID_CPR = "invalid_cpr"
UNKNOWN_CODE = "unknown_code"
END_BEFORE_START = "end_before_start"
# Whole-file reasons
UNKNOWN_ENTITY = "unknown_entity"
UNREADABLE = "unreadable"
TRUNCATED = "truncated"
MISSING_COLUMNS = "missing_columns"
EMPTY = "empty"

CPR_SHAPE = re.compile(r"\d{6}-?\d{4}")


@dataclass
class ParsedFile:
    path: Path
    source: str
    entity: str | None
    extract_date: date | None
    sha256: str
    size: int
    rows_read: int = 0
    rows: pl.DataFrame | None = None  # valid rows, typed, with _line and _extra
    rejects: pl.DataFrame | None = None  # _line, column, reason, value (CPR never included)
    error: str | None = None  # reason code when the whole file is quarantined
    error_detail: str = ""
    raw_lines: pl.Series | None = None  # the raw text of rejected lines, for the quarantine file
    extra_columns: list[str] = field(default_factory=list)

    @property
    def rejected_lines(self) -> int:
        return 0 if self.rejects is None else self.rejects["_line"].n_unique()


def file_identity(path: Path, source: str) -> tuple[str | None, date | None, str]:
    """(entity, extract date, problem) from `<entity>_<YYYYMMDD>.csv` in a source folder."""
    m = FILE_NAME.match(path.name)
    if not m:
        return None, None, f"file name {path.name!r} is not <entity>_<YYYYMMDD>.csv"
    entity = m["entity"].lower()
    if source not in SOURCES or entity not in SOURCES[source]:
        known = ", ".join(SOURCES.get(source, ())) or "none"
        return None, None, f"{entity!r} is not an entity of source {source!r} (known: {known})"
    try:
        d = date(int(m["date"][:4]), int(m["date"][4:6]), int(m["date"][6:]))
    except ValueError:
        return None, None, f"{m['date']!r} in the file name is not a date"
    return entity, d, ""


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda s: (counts[s], s == ";"))
    return best if counts[best] else ";"


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" in head or head.startswith((b"PK\x03\x04", b"\x1f\x8b", b"%PDF", b"\xd0\xcf\x11\xe0"))


# --- column parsers: each returns (typed expression, failure expression) ------------------------

def _parse_date(x: pl.Expr, with_time: bool) -> pl.Expr:
    """dd-mm-yyyy, dd.mm.yyyy or yyyy-mm-dd, optionally with HH:MM[:SS]; null if not a real date.

    The text is rearranged to ISO by its shape and parsed once (a strptime per accepted format
    would parse every value three times).
    """
    day_first = x.str.contains(r"^\d{2}[-.]\d{2}[-.]\d{4}")
    iso_date = pl.when(day_first).then(
        pl.concat_str(x.str.slice(6, 4), pl.lit("-"), x.str.slice(3, 2), pl.lit("-"), x.str.slice(0, 2))
    ).otherwise(x.str.slice(0, 10))
    if with_time:
        clock = x.str.slice(11)
        clock = pl.when(clock.str.len_chars() == 5).then(pl.concat_str(clock, pl.lit(":00"))).otherwise(clock)
        clock = pl.when(x.str.len_chars() <= 10).then(pl.lit("00:00:00")).otherwise(clock)
        parsed = pl.concat_str(iso_date, pl.lit(" "), clock).str.strptime(
            pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)
    else:
        parsed = iso_date.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    year = parsed.dt.year()
    return pl.when((year >= 1900) & (year <= 2100)).then(parsed)


def _parse_decimal(x: pl.Expr) -> pl.Expr:
    x = x.str.replace_all(r"\s", "")
    comma = x.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return pl.when(x.str.contains(",", literal=True)).then(comma).otherwise(x).cast(pl.Float64, strict=False)


def _parse_bool(x: pl.Expr) -> pl.Expr:
    low = x.str.strip_chars().str.to_lowercase()
    return pl.when(low.is_in(TRUE_WORDS)).then(True).when(low.is_in(FALSE_WORDS)).then(False)


def _cpr_parts(x: pl.Expr) -> dict[str, pl.Expr]:
    """Digits, birth date (century from the 7th digit) and sex of a CPR number; null if invalid."""
    digits = x.str.strip_chars().str.replace("-", "", literal=True)
    shape_ok = x.str.strip_chars().str.contains(r"^\d{6}-?\d{4}$")
    dd, mm, yy = (digits.str.slice(i, 2).cast(pl.Int32, strict=False) for i in (0, 2, 4))
    d7 = digits.str.slice(6, 1).cast(pl.Int32, strict=False)
    century = (pl.when(d7 <= 3).then(1900)
               .when(d7.is_in([4, 9])).then(pl.when(yy <= 36).then(2000).otherwise(1900))
               .otherwise(pl.when(yy <= 57).then(2000).otherwise(1800)))
    year = century + yy
    birth = pl.concat_str(year.cast(pl.String), digits.str.slice(2, 2), digits.str.slice(0, 2)) \
        .str.strptime(pl.Date, "%Y%m%d", strict=False)
    valid = shape_ok & birth.is_not_null()
    last = digits.str.slice(9, 1).cast(pl.Int32, strict=False)
    return {
        "digits": pl.when(valid).then(digits),
        "foedselsaar": pl.when(valid).then(year).cast(pl.Int16),
        "koen": pl.when(valid).then(pl.when(last % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("K"))),
    }


def _mask(x: pl.Expr) -> pl.Expr:
    """A rejected value as kept in the warehouse: any CPR-shaped run of digits masked."""
    return x.str.replace_all(CPR_SHAPE.pattern, "<cpr>").str.slice(0, 80)


def validate(entity: Entity, raw: pl.DataFrame, key: bytes) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed valid rows and the rejects (_line, column, reason, value) of a text frame.

    Each column is stripped and parsed once; the checks then compare the text with its parsed value.
    """
    names = entity.column_names
    raw = raw.with_columns(pl.col(n).str.strip_chars() for n in names)
    typed, checks = {}, []
    for col in entity.columns:
        x = pl.col(col.name)
        if col.type == DATE:
            typed[col.name] = _parse_date(x, with_time=False)
        elif col.type == TIMESTAMP:
            typed[col.name] = _parse_date(x, with_time=True)
        elif col.type == MONTH:
            typed[col.name] = pl.concat_str(x.str.slice(0, 7), pl.lit("-01")).str.strptime(pl.Date, "%Y-%m-%d",
                                                                                           strict=False)
        elif col.type == DECIMAL:
            typed[col.name] = _parse_decimal(x)
        elif col.type == BOOL:
            typed[col.name] = _parse_bool(x)
        elif col.type == INT:
            typed[col.name] = x.cast(pl.Int64, strict=False)
        elif col.type == CPR:
            parts = _cpr_parts(x)
            typed[f"_{col.name}_digits"] = parts["digits"]
            typed["foedselsaar"], typed["koen"] = parts["foedselsaar"], parts["koen"]
        else:
            typed[col.name] = pl.when(x != "").then(x)
    df = raw.with_columns(**{f"__t_{k}": v for k, v in typed.items()})
    reasons = {DATE: INVALID_DATE, TIMESTAMP: INVALID_DATE, MONTH: INVALID_DATE, DECIMAL: INVALID_DECIMAL,
               BOOL: INVALID_BOOL, INT: INVALID_INT, CPR: INVALID_CPR}
    for col in entity.columns:
        x = pl.col(col.name)
        present = x.is_not_null() & (x != "")
        if col.required:
            checks.append((col.name, ~present, MISSING_KEY if col.name in entity.key else MISSING_VALUE))
        parsed = pl.col(f"__t__{col.name}_digits" if col.type == CPR else f"__t_{col.name}")
        if col.type in reasons:
            checks.append((col.name, present & parsed.is_null(), reasons[col.type]))
        elif col.codes is not None:
            checks.append((col.name, present & ~x.is_in(list(col.codes)), UNKNOWN_CODE))
    for start, end in entity.intervals:
        s, t = pl.col(f"__t_{start}"), pl.col(f"__t_{end}")
        checks.append((end, s.is_not_null() & t.is_not_null() & (t < s), END_BEFORE_START))

    chk = [f"_chk{i}" for i in range(len(checks))]
    flagged = df.with_columns(
        pl.when(cond).then(pl.lit(reason)).alias(c) for c, (_, cond, reason) in zip(chk, checks, strict=True))
    bad_mask = flagged.select(pl.any_horizontal(pl.col(chk).is_not_null())).to_series()
    # one reject record per failing (line, column); the value is kept masked, a CPR never
    cpr_cols = {c.name for c in entity.columns if c.type == CPR}
    bad = flagged.filter(bad_mask)
    rejects = pl.concat([
        bad.select("_line", column=pl.lit(column), reason=pl.col(c),
                   value=pl.lit(None, pl.String) if column in cpr_cols else _mask(pl.col(column)))
        .filter(pl.col("reason").is_not_null())
        for c, (column, _, _) in zip(chk, checks, strict=True)
    ]).sort("_line", "column")

    good = flagged.filter(~bad_mask)
    extras = [c for c in raw.columns if c not in names and c != "_line"]
    extra_expr = (pl.struct(extras).struct.json_encode() if extras else pl.lit(None, pl.String)).alias("_extra")
    out = good.select(pl.col("_line"), *[pl.col(f"__t_{k}").alias(k) for k in typed], extra_expr)
    for col in cpr_cols:
        digits = out[f"_{col}_digits"]
        out = out.with_columns(pseudonymise(digits, key).alias(f"{col}_pseudonym")).drop(f"_{col}_digits")
    return out, rejects


def read_landing_file(path: Path, source: str, key: bytes) -> ParsedFile:
    """Parse and validate one landing file. Never raises for bad content: it reports it."""
    data = path.read_bytes()
    pf = ParsedFile(path=path, source=source, entity=None, extract_date=None,
                    sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    entity_name, extract, problem = file_identity(path, source)
    if problem:
        pf.error, pf.error_detail = UNKNOWN_ENTITY, problem
        return pf
    pf.entity, pf.extract_date = entity_name, extract
    entity = ENTITIES[entity_name]
    if not data.strip():
        pf.error, pf.error_detail = EMPTY, "the file is empty"
        return pf
    if _looks_binary(data):
        pf.error, pf.error_detail = UNREADABLE, "binary content (a spreadsheet or archive, not CSV text)"
        return pf
    text, _encoding = decode(data)
    header_line = text.split("\n", 1)[0].rstrip("\r")
    sep = sniff_separator(header_line)
    header = [h.strip().strip('"').lower() for h in header_line.split(sep)]
    missing = [c.name for c in entity.columns if c.required and c.name not in header]
    if missing:
        pf.error = MISSING_COLUMNS
        pf.error_detail = f"header lacks required column(s) {', '.join(missing)} (line 1)"
        return pf
    if not text.endswith("\n"):
        last = text.rsplit("\n", 1)[-1]
        if last.count(sep) < len(header) - 1 or last.count('"') % 2:
            n_lines = text.count("\n") + 1
            pf.error = TRUNCATED
            pf.error_detail = f"the file ends inside line {n_lines}: the transfer was cut short"
            return pf
    try:
        utf8 = data if _encoding == "utf-8" else text.encode("utf-8")
        raw = pl.read_csv(
            io.BytesIO(utf8), separator=sep, infer_schema=False,
            new_columns=header, truncate_ragged_lines=True, row_index_name="_line",
            row_index_offset=2, quote_char='"', raise_if_empty=False,
        )
    except Exception as exc:  # noqa: BLE001 - polars raises several error types for broken CSV
        pf.error, pf.error_detail = UNREADABLE, f"not readable as CSV: {str(exc).splitlines()[0][:200]}"
        return pf
    raw = raw.with_columns(pl.col("_line").cast(pl.Int64))
    for col in entity.column_names:
        if col not in raw.columns:
            raw = raw.with_columns(pl.lit(None, pl.String).alias(col))
    pf.extra_columns = [c for c in header if c not in entity.column_names]
    pf.rows_read = raw.height
    pf.rows, pf.rejects = validate(entity, raw, key)
    if pf.rejects.height:
        lines = pl.read_csv(io.BytesIO(text.encode("utf-8")), has_header=False, separator="\x1f",
                            quote_char=None, infer_schema=False, new_columns=["raw"],
                            skip_rows=1, raise_if_empty=False)["raw"]
        wanted = pf.rejects["_line"].unique().sort()
        pf.raw_lines = pl.DataFrame({"_line": wanted, "raw": lines.gather(wanted - 2)})
    return pf
