"""Read one landing file: decode, sniff the dialect, validate every row against the contract.

The result is typed rows ready for the raw layer (CPR replaced by its pseudonym, birth year and
sex derived first), the rejected rows with line, column and reason, or a reason why the whole
file cannot be read. Nothing here touches the warehouse, and nothing here raises for bad content.

Why the file is split into lines before the CSV reader sees it: a CSV reader that meets a stray
quote either fails on the whole file or swallows the lines after it into one field, and a reader
that "truncates ragged lines" drops fields without a word. So every physical line is first checked
for its shape (its field count, outside quotes, equals the header's; its quotes are balanced; no
carriage return inside it). A line that fails is a bad row; only the lines that pass go to the
reader, which then cannot misread them. Line numbers are physical lines, the header being line 1.
A file that ends inside its last line (no line end, and the line is malformed) was cut short in
transfer: that line is a bad row, `truncated_line`, with the field the cut fell in, and the rest
of the file loads, as for any other bad row (data contract, "CSV dialect"); a full snapshot cut
short is quarantined whole (`truncated`), because it would delete the keys of its lost tail.

Every text this module produces about a file (a reason, a detail, a rejected value, a file name)
has CPR-shaped values masked (`mask_cpr`): such texts end up in the warehouse, the quarantine
folder, logs and the dashboard, none of which may hold a CPR number.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
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
    OPTIONAL_COLUMNS,
    SOURCES,
    TEXT,
    TIMESTAMP,
    Entity,
)
from transforms.ingestion.pseudonymise import pseudonymise

BATCH_LINES = 500_000  # lines of a file read and checked at a time
FILE_NAME = re.compile(r"^(?P<entity>[a-z_]+)_(?P<date>\d{8})(?P<fuld>_fuld)?\.csv$", re.IGNORECASE)
TRUE_WORDS = ("j", "ja", "1", "true", "y", "yes")
FALSE_WORDS = ("n", "nej", "0", "false", "no")

# Row-level quarantine reasons
MISSING_KEY = "missing_key"
MISSING_VALUE = "missing_value"
INVALID_DATE = "invalid_date"
DATE_OUT_OF_RANGE = "date_out_of_range"
UPDATED_IN_FUTURE = "opdateret_in_future"
INVALID_DECIMAL = "invalid_decimal"
OUT_OF_RANGE = "out_of_range"
INVALID_BOOL = "invalid_bool"
INVALID_INT = "invalid_int"
INVALID_CPR = "invalid_cpr"
CPR_OUTSIDE = "cpr_outside_cpr_column"
UNKNOWN_CODE = "unknown_code"
END_BEFORE_START = "end_before_start"
DUPLICATE_KEY = "duplicate_key_in_file"
DUPLICATE_ROW = "duplicate_row_in_file"
TOO_FEW_FIELDS = "too_few_fields"
TOO_MANY_FIELDS = "too_many_fields"
UNCLOSED_QUOTE = "unclosed_quote"
STRAY_CR = "stray_carriage_return"
TRUNCATED_LINE = "truncated_line"
ROW_REASONS = (MISSING_KEY, MISSING_VALUE, INVALID_DATE, DATE_OUT_OF_RANGE, UPDATED_IN_FUTURE,
               INVALID_DECIMAL, OUT_OF_RANGE, INVALID_BOOL, INVALID_INT, INVALID_CPR, CPR_OUTSIDE,
               UNKNOWN_CODE, END_BEFORE_START, DUPLICATE_KEY, DUPLICATE_ROW, TOO_FEW_FIELDS,
               TOO_MANY_FIELDS, UNCLOSED_QUOTE, STRAY_CR, TRUNCATED_LINE)
# Whole-file reasons
UNKNOWN_ENTITY = "unknown_entity"
NOT_IN_SOURCE_FOLDER = "not_in_source_folder"
CPR_IN_FILE_NAME = "cpr_in_file_name"
UNREADABLE = "unreadable"
BAD_ENCODING = "bad_encoding"
TRUNCATED = "truncated"
MISSING_COLUMNS = "missing_columns"
DUPLICATE_COLUMN = "duplicate_column"
EMPTY = "empty"
READ_ERROR = "read_error"
FILE_REASONS = (UNKNOWN_ENTITY, NOT_IN_SOURCE_FOLDER, CPR_IN_FILE_NAME, UNREADABLE, BAD_ENCODING,
                TRUNCATED, MISSING_COLUMNS, DUPLICATE_COLUMN, EMPTY, READ_ERROR)

# CPR-shaped: ddmmyy-ssss, ddmmyyssss, ddmmyy ssss, ddmmyy/ssss, dd.mm.yy-ssss. Detection wants
# no digit either side (so longer numbers are not CPR numbers); masking masks any such run.
_CPR_BODY = r"\d{6}[-/ ]?\d{4}|\d{2}\.\d{2}\.\d{2}[-/ ]?\d{4}"
CPR_SHAPED = rf"(^|\D)({_CPR_BODY})(\D|$)"
_CPR_MASK = re.compile(_CPR_BODY)
_CPR_FIND = re.compile(CPR_SHAPED)


def mask_cpr(text: str) -> str:
    """A text with every CPR-shaped run of digits, in every spelling, replaced by `<cpr>`."""
    return _CPR_MASK.sub("<cpr>", text) if text else text


def has_cpr(text: str) -> bool:
    return bool(text) and _CPR_FIND.search(text) is not None


@dataclass
class ParsedFile:
    path: Path
    source: str
    entity: str | None
    extract_date: date | None
    sha256: str
    size: int
    is_snapshot: bool = False
    rows_read: int = 0
    rows: pl.DataFrame | None = None  # valid rows, typed, with _line
    rejects: pl.DataFrame | None = None  # _line, column, reason, value (masked, a CPR never)
    error: str | None = None  # reason code when the whole file is quarantined
    error_detail: str = ""  # masked
    raw_lines: pl.DataFrame | None = None  # _line, raw (masked) of the rejected lines
    extra_columns: list[str] = field(default_factory=list)  # names only, masked

    @property
    def rejected_lines(self) -> int:
        return 0 if self.rejects is None or not self.rejects.height else self.rejects["_line"].n_unique()


@dataclass(frozen=True)
class Identity:
    entity: str | None
    extract_date: date | None
    is_snapshot: bool
    reason: str  # "" when recognised
    problem: str  # why not, masked


def file_identity(path: Path, source: str, direct_child: bool = True) -> Identity:
    """Entity, extract date and snapshot flag from `<entity>_<YYYYMMDD>[_fuld].csv` in a source folder."""
    name = path.name
    if has_cpr(name) or has_cpr(str(path.parent)):
        return Identity(None, None, False, CPR_IN_FILE_NAME,
                        f"the file name {mask_cpr(name)!r} holds a CPR number; rename the file")
    if not source or source not in SOURCES:
        return Identity(None, None, False, NOT_IN_SOURCE_FOLDER,
                        f"{name!r} is not inside a source folder ({', '.join(SOURCES)})")
    if not direct_child:
        return Identity(None, None, False, NOT_IN_SOURCE_FOLDER,
                        f"{name!r} lies in a subfolder of {source}/; only files directly in it are read")
    m = FILE_NAME.match(name)
    if not m:
        return Identity(None, None, False, UNKNOWN_ENTITY,
                        f"file name {name!r} is not <entity>_<YYYYMMDD>.csv or <entity>_<YYYYMMDD>_fuld.csv")
    entity = m["entity"].lower()
    if entity not in SOURCES[source]:
        return Identity(None, None, False, UNKNOWN_ENTITY,
                        f"{entity!r} is not an entity of source {source!r} (known: {', '.join(SOURCES[source])})")
    try:
        d = date(int(m["date"][:4]), int(m["date"][4:6]), int(m["date"][6:]))
    except ValueError:
        return Identity(None, None, False, UNKNOWN_ENTITY, f"{m['date']!r} in the file name is not a date")
    return Identity(entity, d, bool(m["fuld"]), "", "")


class EncodingError(ValueError):
    pass


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), else Windows-1252, else Latin-1.

    A byte-order mark declares UTF-8: a file that has one and then other bytes is refused rather
    than guessed at.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise EncodingError(f"the file declares UTF-8 (byte-order mark) but byte {exc.start} (line {line}) "
                                  "is not UTF-8; export it again as UTF-8, or as Windows-1252 without the mark"
                                  ) from None
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


# --- column parsers --------------------------------------------------------------------------------

_DATE_SHAPE = r"(\d{2}-\d{2}-\d{4}|\d{2}\.\d{2}\.\d{4}|\d{4}-\d{2}-\d{2})"


def _parse_date(x: pl.Expr, with_time: bool) -> pl.Expr:
    """dd-mm-yyyy, dd.mm.yyyy or yyyy-mm-dd (timestamps may add HH:MM[:SS]); null if not exactly that.

    One regular expression checks the whole shape (nothing before or after); the text is then
    rearranged to ISO by where its separators stand and parsed once (a strptime per accepted format
    would parse every value three times).
    """
    shape = f"^{_DATE_SHAPE}( \\d{{2}}:\\d{{2}}(:\\d{{2}})?)?$" if with_time else f"^{_DATE_SHAPE}$"
    day_first = x.str.slice(4, 1) != "-"
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
    return pl.when(x.str.contains(shape)).then(parsed)


def _parse_month(x: pl.Expr) -> pl.Expr:
    parsed = pl.concat_str(x, pl.lit("-01")).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    return pl.when(x.str.contains(r"^\d{4}-\d{2}$")).then(parsed)


# A decimal-comma file may group thousands with points (4.250,00; 4.250); a decimal-point file may not.
_COMMA_DECIMAL = r"^[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$"
_POINT_DECIMAL = r"^[-+]?\d+(\.\d+)?$"


def _parse_decimal(x: pl.Expr, comma_file: bool) -> pl.Expr:
    """A finite decimal in the file's own notation; null for anything else (NaN and inf included)."""
    x = x.str.replace_all(r"\s", "")
    if comma_file:
        value = x.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
        return pl.when(x.str.contains(_COMMA_DECIMAL)).then(value).cast(pl.Float64, strict=False)
    return pl.when(x.str.contains(_POINT_DECIMAL)).then(x).cast(pl.Float64, strict=False)


def _parse_bool(x: pl.Expr) -> pl.Expr:
    low = x.str.to_lowercase()
    return pl.when(low.is_in(TRUE_WORDS)).then(True).when(low.is_in(FALSE_WORDS)).then(False)


def _cpr_number(x: pl.Expr) -> pl.Expr:
    """A CPR number's ten digits as one integer (null if not ddmmyy[-]ssss): its parts are then
    plain arithmetic, several times cheaper on millions of rows than slicing and parsing text."""
    return pl.when(x.str.contains(r"^\d{6}-?\d{4}$")).then(x.str.replace("-", "", literal=True)) \
        .cast(pl.Int64, strict=False)


def _cpr_parts(x: pl.Expr, n: pl.Expr) -> dict[str, pl.Expr]:
    """Digits, birth year (century from the 7th digit) and sex of a CPR number; null if invalid.

    `n` is `_cpr_number(x)`. Valid means a real calendar date (29 February only in leap years).
    """
    dd, mm, yy, d7 = n // 100_000_000, n // 1_000_000 % 100, n // 10_000 % 100, n // 1_000 % 10
    century = (pl.when(d7 <= 3).then(1900)
               .when(d7.is_in([4, 9])).then(pl.when(yy <= 36).then(2000).otherwise(1900))
               .otherwise(pl.when(yy <= 57).then(2000).otherwise(1800)))
    year = century + yy
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = (pl.when(mm == 2).then(pl.when(leap).then(29).otherwise(28))
            .when(mm.is_in([4, 6, 9, 11])).then(30).otherwise(31))
    valid = mm.is_between(1, 12) & dd.is_between(1, days)
    return {
        "digits": pl.when(valid).then(x.str.replace("-", "", literal=True)),
        "foedselsaar": pl.when(valid).then(year).cast(pl.Int16),
        "koen": pl.when(valid).then(pl.when(n % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("K"))),
    }


def _mask(x: pl.Expr) -> pl.Expr:
    """A rejected value as kept in the warehouse: any CPR-shaped run of digits masked, at most 80 characters."""
    return x.str.replace_all(_CPR_BODY, "<cpr>").str.slice(0, 80)


def validate(entity: Entity, raw: pl.DataFrame, key: bytes, extract_date: date | None = None,
             extras: list[str] | None = None, comma_file: bool | None = None,
             duplicates: bool = True) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed valid rows and the rejects (_line, column, reason, value) of a text frame.

    Each column is stripped and parsed once; the checks then compare the text with its parsed value.
    Dates must lie between 1900 and a year after the extract date, `opdateret` no later than the end
    of the day after it. Extra columns are only searched for CPR numbers; they are not kept.
    A part of a file is validated with the file's `comma_file` (`is_comma_file`) and
    `duplicates=False`; `drop_duplicate_keys` then runs once over the whole file's rows.
    """
    names = entity.column_names
    extras = [c for c in (extras if extras is not None else raw.columns) if c not in names and c != "_line"]
    raw = raw.with_columns(pl.col(n).str.strip_chars() for n in names)
    cpr_columns = [c.name for c in entity.columns if c.type == CPR]
    if cpr_columns:
        raw = raw.with_columns(**{f"__n_{c}": _cpr_number(pl.col(c)) for c in cpr_columns})
    extract_date = extract_date or date.today()

    def latest_date(col) -> date:
        return date(extract_date.year + col.years_ahead, extract_date.month, min(extract_date.day, 28)) \
            if extract_date.month == 2 else extract_date.replace(year=extract_date.year + col.years_ahead)

    latest_update = datetime.combine(extract_date + timedelta(days=2), datetime.min.time())
    if comma_file is None:
        comma_file = is_comma_file(entity, raw)

    typed, checks = {}, []
    for col in entity.columns:
        x = pl.col(col.name)
        if col.type == DATE:
            typed[col.name] = _parse_date(x, with_time=False)
        elif col.type == TIMESTAMP:
            typed[col.name] = _parse_date(x, with_time=True)
        elif col.type == MONTH:
            typed[col.name] = _parse_month(x)
        elif col.type == DECIMAL:
            typed[col.name] = _parse_decimal(x, comma_file)
        elif col.type == BOOL:
            typed[col.name] = _parse_bool(x)
        elif col.type == INT:
            typed[col.name] = x.cast(pl.Int64, strict=False)
        elif col.type == CPR:
            parts = _cpr_parts(x, pl.col(f"__n_{col.name}"))
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
        if col.type == TEXT and col.codes is None:
            checks.append((col.name, x.str.contains(CPR_SHAPED).fill_null(False), CPR_OUTSIDE))
        if col.type in (DATE, MONTH):
            checks.append((col.name, (parsed.dt.year() < 1900) | (parsed > latest_date(col)), DATE_OUT_OF_RANGE))
        if col.type == TIMESTAMP:
            checks.append((col.name, parsed.dt.year() < 1900, DATE_OUT_OF_RANGE))
            if col.name == "opdateret":
                checks.append((col.name, parsed >= latest_update, UPDATED_IN_FUTURE))
            else:
                checks.append((col.name, parsed.dt.date() > latest_date(col), DATE_OUT_OF_RANGE))
        if col.type == DECIMAL and (col.low is not None or col.high is not None):
            low = (parsed <= col.low if col.low_open else parsed < col.low) if col.low is not None else pl.lit(False)
            high = parsed > col.high if col.high is not None else pl.lit(False)
            checks.append((col.name, low | high, OUT_OF_RANGE))
    for extra in extras:
        checks.append((extra, pl.col(extra).str.contains(CPR_SHAPED).fill_null(False), CPR_OUTSIDE))
    for start, end in entity.intervals:
        s, t = pl.col(f"__t_{start}"), pl.col(f"__t_{end}")
        checks.append((end, s.is_not_null() & t.is_not_null() & (t < s), END_BEFORE_START))

    chk = [f"_chk{i}" for i in range(len(checks))]
    flagged = df.with_columns(
        pl.when(cond.fill_null(False)).then(pl.lit(reason)).alias(c)
        for c, (_, cond, reason) in zip(chk, checks, strict=True))
    bad_mask = flagged.select(pl.any_horizontal(pl.col(chk).is_not_null())).to_series()
    # one reject record per failing (line, column); the value is kept masked, a CPR never
    cpr_cols = {c.name for c in entity.columns if c.type == CPR}
    bad = flagged.filter(bad_mask)
    parts = [
        bad.select("_line", column=pl.lit(column), reason=pl.col(c),
                   value=pl.lit(None, pl.String) if column in cpr_cols else pl.col(column))
        .filter(pl.col("reason").is_not_null())
        for c, (column, _, _) in zip(chk, checks, strict=True)
    ]
    good = flagged.filter(~bad_mask)
    rejects = _finish_rejects(pl.concat(parts))
    if rejects.height:  # every reject so far is a line of `bad`
        good = good.join(rejects.select("_line").unique(), on="_line", how="anti")

    out = good.select(pl.col("_line"), *[pl.col(f"__t_{k}").alias(k) for k in typed])
    for col in cpr_cols:
        digits = out[f"_{col}_digits"]
        out = out.with_columns(pseudonymise(digits, key).alias(f"{col}_pseudonym")).drop(f"_{col}_digits")
    if duplicates:
        out, rejects = drop_duplicate_keys(entity, out, rejects)
    return out, rejects


def is_comma_file(entity: Entity, raw: pl.DataFrame) -> bool:
    """Whether a file writes decimal commas: any decimal column of it holds a comma."""
    if not any(c.type == DECIMAL for c in entity.columns):
        return False
    return bool(raw.select(pl.any_horizontal(
        pl.col(c.name).str.contains(",", literal=True).any() for c in entity.columns if c.type == DECIMAL
    ).fill_null(False)).item())


def _finish_rejects(rejects: pl.DataFrame) -> pl.DataFrame:
    """Rejects as stored: a CPR number where a date, a code or a number should be is named as what
    it is, every value masked, one record per (line, column, reason), in line order."""
    return rejects.with_columns(
        reason=pl.when(pl.col("value").str.contains(CPR_SHAPED).fill_null(False))
        .then(pl.lit(CPR_OUTSIDE)).otherwise(pl.col("reason")),
        value=_mask(pl.col("value")),
    ).unique(["_line", "column", "reason"], keep="first").sort("_line", "column")


def drop_duplicate_keys(entity: Entity, out: pl.DataFrame, rejects: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The valid rows of a whole file without the keys it holds twice, and the rejects with them."""
    dupes = _duplicate_keys(entity, out)
    if not dupes.height:
        return out, rejects
    return (out.join(dupes.select("_line").unique(), on="_line", how="anti"),
            _finish_rejects(pl.concat([rejects, dupes])))


def _duplicate_keys(entity: Entity, good: pl.DataFrame) -> pl.DataFrame:
    """Rejects for keys that come twice in one file's valid (typed, pseudonymised) rows: both rows
    if they differ, the repeats if not."""
    empty = pl.DataFrame(schema={"_line": pl.Int64, "column": pl.String, "reason": pl.String, "value": pl.String})
    keys = [f"{k}_pseudonym" if entity.column(k).type == CPR else k for k in entity.key]
    if good.height < 2:
        return empty
    # a hash first (cheap on millions of rows), the exact key only where two hashes meet
    candidate = good.select(pl.struct(keys).hash().is_duplicated()).to_series()
    if not candidate.any():
        return empty
    good = good.filter(candidate)
    dup = good.select(pl.struct(keys).is_duplicated()).to_series()
    if not dup.any():
        return empty
    typed = [c for c in good.columns if c != "_line"]
    rows = good.filter(dup).select("_line", *typed).with_columns(
        _content=pl.struct([c for c in typed if c not in keys]).hash())
    rows = rows.with_columns(
        _variants=pl.col("_content").n_unique().over(keys),
        _first=pl.col("_line").min().over(keys))
    key_name = "+".join(entity.key)
    cpr_key = any(entity.column(k).type == CPR for k in entity.key)
    value = pl.lit(None, pl.String) if cpr_key else pl.concat_str(keys, separator="+")
    return (rows.filter((pl.col("_variants") > 1) | (pl.col("_line") != pl.col("_first")))
            .select(pl.col("_line").cast(pl.Int64), column=pl.lit(key_name),
                    reason=pl.when(pl.col("_variants") > 1).then(pl.lit(DUPLICATE_KEY))
                    .otherwise(pl.lit(DUPLICATE_ROW)),
                    value=value.cast(pl.String)))


# --- the file ------------------------------------------------------------------------------------

def _physical_lines(utf8: bytes, text: str) -> pl.Series:
    """Every physical line (split on LF, a trailing CR removed); null for a blank line."""
    try:
        lines = pl.read_csv(io.BytesIO(utf8), has_header=False, separator="\x00", quote_char=None,
                            infer_schema=False, new_columns=["raw"], raise_if_empty=False)["raw"]
        if len(lines) == text.count("\n") + (0 if text.endswith("\n") else 1):
            return lines
    except Exception:  # noqa: BLE001 - fall back to Python's own split below
        pass
    return pl.Series("raw", [(s[:-1] if s.endswith("\r") else s) or None
                             for s in (text[:-1] if text.endswith("\n") else text).split("\n")], pl.String)


def _line_shapes(lines: pl.DataFrame, sep: str, n_fields: int) -> pl.DataFrame:
    """_line, raw and the shape problem (null if none) of every data line.

    Lines without a quote (nearly all) are counted by their separators; only the few with quotes
    are counted again with the quoted parts taken out, and checked for an unclosed quote.
    """
    raw = pl.col("raw")
    df = lines.with_columns(_fields=raw.str.count_matches(sep, literal=True) + 1, _odd=pl.lit(False),
                            _quoted=raw.str.contains('"', literal=True))
    if df["_quoted"].any():
        quoted = df.filter(pl.col("_quoted")).select(
            "_line", _fields=raw.str.replace_all(r'"[^"]*"', "").str.count_matches(sep, literal=True) + 1,
            _odd=raw.str.count_matches('"', literal=True) % 2 == 1)
        df = df.update(quoted, on="_line")
    problem = (pl.when(raw.str.contains("\r", literal=True)).then(pl.lit(STRAY_CR))
               .when(pl.col("_odd")).then(pl.lit(UNCLOSED_QUOTE))
               .when(pl.col("_fields") < n_fields).then(pl.lit(TOO_FEW_FIELDS))
               .when(pl.col("_fields") > n_fields).then(pl.lit(TOO_MANY_FIELDS)))
    return df.select("_line", "raw", problem=problem)


def _read_fields(body: bytes, sep: str, header: list[str]) -> pl.DataFrame:
    """The fields of lines (UTF-8, no header) that all have the header's shape, as text columns."""
    if not body.strip():
        return pl.DataFrame(schema={h: pl.String for h in header})
    try:
        return pl.read_csv(io.BytesIO(body), separator=sep, has_header=False, infer_schema=False,
                           new_columns=header, quote_char='"', raise_if_empty=False)
    except Exception:  # noqa: BLE001 - the standard library reader, slower but never confused
        rows = list(csv.reader(io.StringIO(body.decode("utf-8")), delimiter=sep, quotechar='"'))
        return pl.DataFrame(rows, schema={h: pl.String for h in header}, orient="row")


def read_landing_file(path: Path, source: str, key: bytes, data: bytes | None = None,
                      direct_child: bool = True) -> ParsedFile:
    """Parse and validate one landing file. Never raises for bad content: it reports it."""
    data = path.read_bytes() if data is None else data
    pf = ParsedFile(path=path, source=source, entity=None, extract_date=None,
                    sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    ident = file_identity(path, source, direct_child)
    if ident.reason:
        pf.error, pf.error_detail = ident.reason, ident.problem
        return pf
    pf.entity, pf.extract_date, pf.is_snapshot = ident.entity, ident.extract_date, ident.is_snapshot
    try:
        _read(pf, data, ENTITIES[ident.entity], key)
    except Exception as exc:  # noqa: BLE001 - no file may stop the load of the others
        pf.rows = pf.rejects = pf.raw_lines = None
        pf.rows_read = 0
        pf.error = READ_ERROR
        pf.error_detail = mask_cpr(f"could not be read: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                                   if str(exc) else f"could not be read: {type(exc).__name__}")
    return pf


def _read(pf: ParsedFile, data: bytes, entity: Entity, key: bytes) -> None:
    if not data or data.isspace():
        pf.error, pf.error_detail = EMPTY, "the file is empty"
        return
    if _looks_binary(data):
        pf.error, pf.error_detail = UNREADABLE, "binary content (a spreadsheet or archive, not CSV text)"
        return
    try:
        text, encoding = decode(data)
    except EncodingError as exc:
        pf.error, pf.error_detail = BAD_ENCODING, str(exc)
        return
    text = text.lstrip("\ufeff")
    newline = text.find("\n")
    header_line = (text if newline < 0 else text[:newline]).rstrip("\r")
    sep = sniff_separator(header_line)
    header = [h.strip().strip("\ufeff").lower() for h in next(csv.reader([header_line], delimiter=sep))]
    header = [h or f"(tom kolonne {i + 1})" for i, h in enumerate(header)]
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        pf.error = DUPLICATE_COLUMN
        pf.error_detail = mask_cpr(f"the header names column(s) {', '.join(twice)} more than once (line 1)")
        return
    missing = [c for c in entity.column_names if c not in header and c not in OPTIONAL_COLUMNS]
    if missing:
        pf.error = MISSING_COLUMNS
        pf.error_detail = (f"header lacks column(s) {', '.join(missing)} (line 1); a missing column would "
                           "blank the values loaded before")
        return
    pf.extra_columns = [mask_cpr(c) for c in header if c not in entity.column_names]

    utf8 = data if encoding == "utf-8" else text.encode("utf-8")
    lines = pl.DataFrame({"raw": _physical_lines(utf8, text)}).with_row_index("_line", offset=1) \
        .with_columns(pl.col("_line").cast(pl.Int64)).slice(1)
    blank = lines["raw"].is_null()
    if blank.any():
        lines = lines.filter(~blank)
    shapes = _line_shapes(lines, sep, len(header))
    bad_shape = shapes.filter(pl.col("problem").is_not_null())
    cut_field = None
    if not text.endswith("\n") and bad_shape.height and lines.height \
            and bad_shape["_line"][-1] == lines["_line"][-1]:
        # the file ends inside its last line: the transfer was cut short in that line's field
        last = int(lines["_line"][-1])
        fields_there = len(next(csv.reader([lines["raw"][-1]], delimiter=sep, quotechar='"'), [""]))
        cut_field = header[max(0, min(fields_there, len(header)) - 1)]
        where = f"line {last}, field {mask_cpr(cut_field)}"
        if pf.is_snapshot:
            # a snapshot deletes every key it lacks: one cut short would delete the keys of its lost tail
            pf.error = TRUNCATED
            pf.error_detail = (f"the file ends inside {where}: the transfer was cut short, so rows after it "
                               "may be missing, and a snapshot deletes every key it lacks; deliver it again")
            return
        bad_shape = bad_shape.with_columns(
            problem=pl.when(pl.col("_line") == last).then(pl.lit(TRUNCATED_LINE)).otherwise(pl.col("problem")))
    pf.rows_read = lines.height
    del text  # from here on the lines are in `lines`, the bytes in `utf8`
    extras = [c for c in header if c not in entity.column_names]
    # The lines are read and checked in parts of at most BATCH_LINES, so that a national file is
    # never held as text, fields and checks all at once. What needs the whole file comes after the
    # parts: whether it writes decimal commas (before the checks) and keys it holds twice.
    clean = not (bad_shape.height or blank.any())
    parts = []
    if clean and shapes.height <= BATCH_LINES:  # the usual small file: the reader takes the bytes as they are
        cut = utf8.find(b"\n")
        parts.append((shapes, _read_fields(utf8[cut + 1:] if cut >= 0 else b"", sep, header)))
    else:
        for start in range(0, max(shapes.height, 1), BATCH_LINES):
            part = shapes.slice(start, BATCH_LINES)
            if not clean:
                part = part.filter(pl.col("problem").is_null())
            body = part["raw"].str.join("\n").item() + "\n" if part.height else ""
            parts.append((part, _read_fields(body.encode("utf-8"), sep, header)))
            del body
    del utf8
    for i, (part, fields) in enumerate(parts):
        if fields.height != part.height:  # the reader and the shape check disagree: trust neither alone
            rows = list(csv.reader(io.StringIO("\n".join(part["raw"].to_list())), delimiter=sep, quotechar='"'))
            fields = pl.DataFrame(rows, schema={h: pl.String for h in header}, orient="row")
        fields = fields.with_columns(_line=part["_line"])
        for col in entity.column_names:
            if col not in fields.columns:
                fields = fields.with_columns(pl.lit(None, pl.String).alias(col))
        parts[i] = fields
    comma_file = any(is_comma_file(entity, fields) for fields in parts)
    outs, rejected = [], []
    while parts:
        out, rej = validate(entity, parts.pop(0), key, pf.extract_date, extras, comma_file=comma_file,
                            duplicates=False)
        outs.append(out)
        rejected.append(rej)
    pf.rows, rejects = drop_duplicate_keys(entity, pl.concat(outs), pl.concat(rejected))
    shape_rejects = bad_shape.select(
        pl.col("_line"), column=pl.when(pl.col("problem") == TRUNCATED_LINE).then(pl.lit(cut_field, pl.String)),
        reason=pl.col("problem"), value=pl.lit(None, pl.String))
    pf.rejects = pl.concat([shape_rejects, rejects]).sort("_line", "column", nulls_last=False)
    if pf.rejects.height:
        wanted = pf.rejects.select("_line").unique()
        pf.raw_lines = lines.join(wanted, on="_line", how="semi").select(
            "_line", raw=pl.col("raw").str.replace_all(_CPR_BODY, "<cpr>"))
