"""Render the synthetic truth as the source systems would export it on an extract date.

A *view* at date D holds what a source system knows on D: rows that exist by then, end dates and
outcomes only once they have happened, planned meetings as PLANLAGT, and `opdateret` = the time of
the row's latest change. A delta for day d is the rows of the view at d whose latest change falls
on d, plus a `slettet = J` row for each row deleted on d. Loading a snapshot and its deltas
therefore gives exactly the snapshot at the last delta's date.

Each entity is written in its own dialect (encoding, separator, date format, decimal comma,
booleans, column order, an extra column), as different municipal systems do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from transforms.contract import BOOL, CPR, DATE, DECIMAL, MONTH, TIMESTAMP, Entity


@dataclass(frozen=True)
class Dialect:
    encoding: str = "utf-8"  # utf-8, utf-8-sig (with BOM) or cp1252
    separator: str = ";"
    date_format: str = "%d-%m-%Y"
    timestamp_format: str = "%d-%m-%Y %H:%M:%S"
    decimal_comma: bool = True
    thousands: bool = False
    booleans: tuple[str, str] = ("J", "N")
    cpr_dash: bool = True
    column_order: tuple[str, ...] | None = None
    extra_columns: dict[str, str] = field(default_factory=dict)


DIALECTS: dict[str, Dialect] = {
    "sagsbehandlere": Dialect(encoding="cp1252", timestamp_format="%d-%m-%Y %H:%M"),
    "forloeb": Dialect(encoding="utf-8-sig"),
    "tildelinger": Dialect(date_format="%d.%m.%Y", timestamp_format="%d.%m.%Y %H:%M"),
    "indsatser": Dialect(booleans=("Ja", "Nej"), column_order=(
        "indsats_id", "indsatstype", "startdato", "slutdato", "beskaeftigelsesrettet", "cpr",
        "forloeb_id", "opdateret", "slettet")),
    "samtaler": Dialect(separator=",", date_format="%Y-%m-%d", timestamp_format="%Y-%m-%d %H:%M:%S",
                        decimal_comma=False, cpr_dash=False),
    "planer": Dialect(separator="\t", extra_columns={"journalnotat_id": "JN"}),
    "beskaeftigelse": Dialect(booleans=("1", "0"), cpr_dash=False),
    "boligforloeb": Dialect(encoding="cp1252", thousands=True),
    "bostoette": Dialect(encoding="cp1252", date_format="%d.%m.%Y"),
    "forsoeg": Dialect(encoding="cp1252"),
    "forsoeg_maal": Dialect(),
    "deltagere": Dialect(encoding="utf-8-sig", extra_columns={"projektleder_note": ""}),
}


@dataclass(frozen=True)
class ViewRule:
    visible_from: pl.Expr
    reveal: dict[str, str] = field(default_factory=dict)  # column -> date that reveals it
    events: tuple[pl.Expr, ...] = ()


def _c(name):
    return pl.col(name)


VIEW_RULES: dict[str, ViewRule] = {
    "sagsbehandlere": ViewRule(_c("oprettet"), events=(_c("oprettet"),)),
    "forloeb": ViewRule(
        _c("startdato"),
        {"slutdato": "slutdato", "afslutningsaarsag": "slutdato", "ny_maalgruppe": "slutdato"},
        (_c("startdato"), _c("slutdato"), _c("tildelt_fra")),
    ),
    "tildelinger": ViewRule(_c("fra"), {"til": "til"}, (_c("fra"), _c("til"))),
    "indsatser": ViewRule(_c("startdato"), {"slutdato": "slutdato"},
                          (_c("startdato"), _c("slutdato"))),
    "samtaler": ViewRule(_c("dato") - pl.duration(days=14), {},
                         (_c("dato") - pl.duration(days=14), _c("dato"))),
    "planer": ViewRule(_c("oprettet"), events=(_c("oprettet"),)),
    "beskaeftigelse": ViewRule(_c("published"), events=(_c("published"),)),
    "boligforloeb": ViewRule(
        _c("indflytning"), {"fraflytning": "fraflytning", "fraflytningsaarsag": "fraflytning"},
        (_c("indflytning"), _c("fraflytning")),
    ),
    "bostoette": ViewRule(_c("startdato"), {"slutdato": "slutdato"},
                          (_c("startdato"), _c("slutdato"))),
    "forsoeg": ViewRule(_c("oprettet"), events=(_c("oprettet"),)),
    "forsoeg_maal": ViewRule(_c("oprettet"), events=(_c("oprettet"),)),
    "deltagere": ViewRule(_c("indskrevet"), {"udskrevet": "udskrevet"},
                          (_c("indskrevet"), _c("udskrevet"))),
}


def _with_current_caseworker(forloeb: pl.DataFrame, tildelinger: pl.DataFrame, d) -> pl.DataFrame:
    current = (tildelinger.filter(_c("fra") <= d).sort("fra")
               .group_by("forloeb_id").agg(_c("sagsbehandler_id").last(), tildelt_fra=_c("fra").last()))
    return forloeb.join(current, on="forloeb_id", how="left")


def view(entity: str, truth: dict[str, pl.DataFrame], d, delta: bool = False) -> pl.DataFrame:
    """The export of `entity` on date d: a full snapshot, or (delta=True) that day's changes."""
    rule = VIEW_RULES[entity]
    df = truth[entity]
    if entity == "forloeb":
        df = _with_current_caseworker(df, truth["tildelinger"], d)
    df = df.filter(rule.visible_from <= d)
    tomb = df.filter(_c("deleted_on") == d) if delta else None
    df = df.filter(_c("deleted_on").is_null() | (_c("deleted_on") > d))
    # hide what is not known yet
    hidden = {col: pl.when(_c(by) <= d).then(_c(col)) for col, by in rule.reveal.items()}
    if entity == "samtaler":
        hidden["status"] = pl.when(_c("dato") <= d).then(_c("status")).otherwise(pl.lit("PLANLAGT"))
    changed = pl.max_horizontal([pl.when(e <= d).then(e) for e in rule.events])
    df = df.with_columns(_changed=changed).with_columns(**hidden)
    if delta:
        df = df.filter(_c("_changed") == d)
        df = df.with_columns(slettet=pl.lit(False))
        if tomb is not None and tomb.height:
            tomb = tomb.with_columns(**hidden).with_columns(_changed=pl.lit(d), slettet=pl.lit(True))
            df = pl.concat([df, tomb.select(df.columns)])
    else:
        df = df.with_columns(slettet=pl.lit(False))
    return df.with_columns(
        opdateret=_c("_changed").cast(pl.Datetime("us")) + pl.duration(seconds=_c("tod"))
    )


# --- formatting ----------------------------------------------------------------------------

def _fmt_decimal(col: str, dialect: Dialect) -> pl.Expr:
    x = _c(col)
    if dialect.thousands:
        whole = x.floor().cast(pl.Int64)
        cents = ((x - x.floor()) * 100).round(0).cast(pl.Int64).cast(pl.String).str.zfill(2)
        thousands = whole // 1000
        head = pl.when(thousands > 0).then(
            pl.concat_str(thousands.cast(pl.String), pl.lit("."),
                          (whole % 1000).cast(pl.String).str.zfill(3))
        ).otherwise(whole.cast(pl.String))
        return pl.when(x.is_null()).then(None).otherwise(pl.concat_str(head, pl.lit(","), cents))
    s = x.cast(pl.String)
    return s.str.replace(".", ",", literal=True) if dialect.decimal_comma else s


def format_view(entity: Entity, df: pl.DataFrame, dialect: Dialect) -> pl.DataFrame:
    """All columns as the text the source system writes, in the dialect's column order."""
    exprs = []
    for col in entity.columns:
        name = col.name
        if name not in df.columns:
            exprs.append(pl.lit(None, pl.String).alias(name))
            continue
        x = _c(name)
        if col.type == DATE:
            e = x.dt.strftime(dialect.date_format)
        elif col.type == MONTH:
            e = x.dt.strftime("%Y-%m")
        elif col.type == TIMESTAMP:
            e = x.dt.strftime(dialect.timestamp_format)
        elif col.type == DECIMAL:
            e = _fmt_decimal(name, dialect)
        elif col.type == BOOL:
            yes, no = dialect.booleans
            e = pl.when(x.is_null()).then(None).when(x).then(pl.lit(yes)).otherwise(pl.lit(no))
        elif col.type == CPR and not dialect.cpr_dash:
            e = x.str.replace("-", "", literal=True)
        else:
            e = x.cast(pl.String)
        exprs.append(e.alias(name))
    for name, value in dialect.extra_columns.items():
        exprs.append(pl.lit(value or None, pl.String).alias(name))
    out = df.select(exprs)
    if dialect.column_order:
        rest = [c for c in out.columns if c not in dialect.column_order]
        out = out.select(*dialect.column_order, *rest)
    return out


# --- bad rows ------------------------------------------------------------------------------

BAD_DATES = ("31-02-2025", "2025-13-01", "00.00.0000", "i går", "01-02-2025x", "2025-02-01 10:00")
BAD_CPRS = ("320199-1234", "12345", "0101AB-1234", "311399-9999")
# CPR numbers where they do not belong, in the spellings the contract names
STRAY_CPRS = ("010190-1234", "0101901234", "010190 1234", "010190/1234", "01.01.90-1234")
BAD_AMOUNTS = {"out_of_range": ("-5", "99999"), "invalid_decimal": ("NaN", "inf")}
# Row shapes the CSV reader must not swallow. The row gets a marker in its first field here; the
# marker becomes the damage when the rows are written (to_csv_bytes), because a CSV writer would
# quote away anything that breaks a row.
SHAPE_MARKERS = {"too_many_fields": "\x01MANY\x01", "too_few_fields": "\x01FEW\x01",
                 "unclosed_quote": "\x01QUOTE\x01", "stray_carriage_return": "\x01CR\x01"}


def inject_bad_rows(entity: Entity, typed: pl.DataFrame, text: pl.DataFrame, rate: float,
                    rng: np.random.Generator, dialect: Dialect) -> tuple[pl.DataFrame, list[tuple]]:
    """Break `rate` of the rows in one of the ways the contract forbids.

    Returns the damaged text frame and (row, column, kind) for each damaged row; kinds are the
    quarantine reasons ingestion must give: invalid_date (also a date with something after it),
    unknown_code, invalid_cpr, missing_key, end_before_start, cpr_outside_cpr_column (a CPR number
    in an id or text column), out_of_range and invalid_decimal (amounts outside their range, NaN,
    infinity), opdateret_in_future, the malformed rows too_many_fields, too_few_fields,
    unclosed_quote and stray_carriage_return (column "": the row as a whole), and the same key
    twice in the file: duplicate_key_in_file (a copy of the row with another `opdateret` right
    after it; both rows are rejected) and duplicate_row_in_file (an identical copy; only the copy
    is rejected), with the key's columns joined by "+" as the column. A duplicated row keeps its
    own values valid, so the duplicate is its only fault.
    """
    n = text.height
    k = int(rng.binomial(n, rate)) if n and rate > 0 else 0
    if k == 0:
        return text, []
    rows = np.sort(rng.choice(n, size=k, replace=False))
    dates = [c.name for c in entity.columns if c.type in (DATE, MONTH) and c.required]
    codes = [c.name for c in entity.columns if c.codes and c.required]
    cprs = [c.name for c in entity.columns if c.type == CPR]
    texts = [c.name for c in entity.columns if c.type == "text" and c.codes is None and c.required]
    amounts = [c.name for c in entity.columns if c.type == DECIMAL and (c.low is not None or c.high is not None)]
    kinds = ["invalid_date"] * bool(dates) + ["unknown_code"] * bool(codes) + \
            ["invalid_cpr"] * bool(cprs) + ["missing_key"] + ["end_before_start"] * bool(entity.intervals) + \
            ["cpr_outside_cpr_column"] * bool(texts) + ["out_of_range", "invalid_decimal"] * bool(amounts) + \
            ["opdateret_in_future", *SHAPE_MARKERS, "duplicate_key_in_file", "duplicate_row_in_file"]
    choice = rng.integers(0, len(kinds), k)
    records: list[tuple] = []
    updates: dict[str, tuple[list[int], list[str]]] = {}
    first_column = text.columns[0]
    key_column = "+".join(entity.key)
    copies: list[tuple[int, str]] = []  # (row, kind): a copy of the row goes right after it

    def put(col, row, value, kind, record_column=None):
        updates.setdefault(col, ([], []))
        updates[col][0].append(int(row))
        updates[col][1].append(value)
        records.append((int(row), col if record_column is None else record_column, kind))

    def pick(values):
        return values[int(rng.integers(0, len(values)))]

    for row, ci in zip(rows, choice, strict=False):
        kind = kinds[ci]
        if kind in ("duplicate_key_in_file", "duplicate_row_in_file"):
            copies.append((int(row), kind))
            continue
        if kind == "end_before_start":
            start, end = entity.intervals[0]
            start_value = typed[start][int(row)]
            if start_value is None or typed[end][int(row)] is None:
                kind = "missing_key"  # an open interval cannot end too early
            else:
                shifted = start_value - timedelta(days=10)
                put(end, row, shifted.strftime(dialect.date_format), kind)
                continue
        if kind == "invalid_date":
            put(pick(dates), row, pick(BAD_DATES), kind)
        elif kind == "unknown_code":
            put(pick(codes), row, f"UKENDT_{int(rng.integers(10, 99))}", kind)
        elif kind == "invalid_cpr":
            put(cprs[0], row, pick(BAD_CPRS), kind)
        elif kind == "missing_key":
            put(entity.key[0], row, None, kind)
        elif kind == "cpr_outside_cpr_column":
            put(pick(texts), row, pick(STRAY_CPRS), kind)
        elif kind in BAD_AMOUNTS:
            put(pick(amounts), row, pick(BAD_AMOUNTS[kind]), kind)
        elif kind == "opdateret_in_future":
            put("opdateret", row, datetime(2099, 1, 1, 10, 0).strftime(dialect.timestamp_format), kind)
        elif kind == "too_few_fields":  # the first field and its separator go when written
            put(first_column, row, SHAPE_MARKERS[kind], kind, "")
        else:  # a malformed row: marked in its first field, damaged when written
            put(first_column, row, SHAPE_MARKERS[kind] + (text[first_column][int(row)] or ""), kind, "")
    cols = {}
    for col, (idx, values) in updates.items():
        cols[col] = text[col].scatter(idx, pl.Series(values, dtype=pl.String))
    text = text.with_columns(**cols)
    if copies:
        text, records = _insert_copies(text, typed, copies, records, key_column, dialect)
    return text, records


def _insert_copies(text: pl.DataFrame, typed: pl.DataFrame, copies: list[tuple[int, str]],
                   records: list[tuple], key_column: str, dialect: Dialect) -> tuple[pl.DataFrame, list[tuple]]:
    """Each (row, kind) of `copies` gets a copy of itself right after it; the records follow the rows."""
    pieces, start, shift = [], 0, {}
    new_records = []
    for n, (row, kind) in enumerate(sorted(copies)):
        pieces.append(text.slice(start, row + 1 - start))
        copy = text.slice(row, 1)
        updated = typed["opdateret"][row]
        if kind == "duplicate_key_in_file" and updated is None:
            kind = "duplicate_row_in_file"
        if kind == "duplicate_key_in_file":  # other content: the row an hour earlier
            earlier = updated - timedelta(hours=1)
            copy = copy.with_columns(opdateret=pl.lit(earlier.strftime(dialect.timestamp_format), pl.String))
            new_records.append((row + n, key_column, kind))
        new_records.append((row + n + 1, key_column, kind))
        pieces.append(copy)
        start = row + 1
        shift[row] = n
    pieces.append(text.slice(start))
    inserted = sorted(shift)

    def moved(row: int) -> int:  # rows after an inserted copy move down by one per copy before them
        return row + sum(1 for r in inserted if r < row)

    return pl.concat(pieces), sorted([(moved(r), c, k) for r, c, k in records] + new_records)


def _damage_shapes(data: bytes, separator: str) -> bytes:
    """Turn the malformed-row markers of inject_bad_rows into the damage they stand for."""
    if b"\x01" not in data:
        return data
    sep = separator.encode()
    return (data.replace(SHAPE_MARKERS["too_many_fields"].encode(), b"ekstra" + sep)
            .replace(SHAPE_MARKERS["too_few_fields"].encode() + sep, b"")
            .replace(SHAPE_MARKERS["unclosed_quote"].encode(), b'"')
            .replace(SHAPE_MARKERS["stray_carriage_return"].encode(), b"\r"))


def to_csv_bytes(text: pl.DataFrame, dialect: Dialect, header: bool) -> bytes:
    data = _damage_shapes(text.write_csv(separator=dialect.separator, include_header=header,
                                         quote_style="necessary").encode("utf-8"), dialect.separator)
    if dialect.encoding == "cp1252":
        data = data.decode("utf-8").encode("cp1252")
    return data
