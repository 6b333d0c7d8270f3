"""A nightly delta builds the person_delta models (dbt_project/macros/person_delta.sql) by
recomputing only the citizens whose inputs changed; after any sequence of deltas every model and
mart must equal a full rebuild, row for row.

The sequence is random but seeded: generated extracts are delivered one or two days a night, each
entity as a delta or as a full snapshot, sometimes with a file held back to the next night (a
partial delivery), sometimes with late corrections (an old spell, register month, offer or meeting
changed, another deleted).
After every night the real refresh job runs, and the incremental models are compared with a copy
of the warehouse that rebuilt them from scratch (`dbt run --full-refresh`); after the last night,
every model and mart is.
"""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb

from tests.conftest import EXTRACT, make_landing, run_dbt, run_job

DELTA_MODELS = ("int_ongoing_spells", "int_self_sufficiency_months")
# decides again only the month ends from the first whose rows changed (int_exit_reason_suppression.py)
RESUMED = "int_exit_reason_suppression"
DAYS = 4


def _tables(con: duckdb.DuckDBPyConnection, db: str) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? "
        "and schema_name in ('intermediate', 'marts') and table_name not like '%\\_\\_delta\\_%' escape '\\' "
        "order by 1, 2", [db]).fetchall()


def _differences(working: Path, rebuilt: Path, only=()) -> dict[str, tuple[int, int, int]]:
    """Per table that differs: (rows only in the incremental build, rows only in the rebuild, rows)."""
    con = duckdb.connect()
    con.execute(f"attach '{working}' as inc (read_only)")
    con.execute(f"attach '{rebuilt}' as reb (read_only)")
    tables = _tables(con, "inc")
    assert tables == _tables(con, "reb")
    assert ("intermediate", "int_ongoing_spells") in tables and len(tables) > 40
    if only:
        tables = [t for t in tables if t[1] in only]
    out = {}
    for schema, table in tables:
        cols = con.execute("select column_name, data_type from duckdb_columns() where database_name = 'inc' "
                           "and schema_name = ? and table_name = ? order by column_index", [schema, table]).fetchall()
        # a sum of doubles may differ in its last bits with the order of the rows; nothing else may
        select = ", ".join(f'round("{c}", 9)' if t in ("DOUBLE", "FLOAT") else f'"{c}"' for c, t in cols)
        a, b = (f'select {select} from {db}."{schema}"."{table}"' for db in ("inc", "reb"))
        only_inc = con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
        only_reb = con.execute(f"select count(*) from ({b} except all {a})").fetchone()[0]
        if only_inc or only_reb:
            out[f"{schema}.{table}"] = (only_inc, only_reb, con.execute(f"select count(*) from ({a})").fetchone()[0])
    con.close()
    return out


def _state(working: Path) -> dict[str, tuple]:
    with duckdb.connect(str(working), read_only=True) as con:
        return {m: con.execute(f"select full_rebuild, persons_recomputed, dates_recomputed "
                               f"from intermediate.{m}__delta_state").fetchone() for m in DELTA_MODELS}


def _resumed(working: Path) -> tuple[bool, int, int]:
    """The suppression's last build: (decided every date, dates decided, dates in all)."""
    with duckdb.connect(str(working), read_only=True) as con:
        full, recomputed = con.execute(f"select full_rebuild, dates_recomputed from intermediate.{RESUMED}__delta_state"
                                       ).fetchone()
        return full, recomputed, con.execute("select count(*) from intermediate.int_reference_dates").fetchone()[0]


def _date(text: str) -> date:
    """A date as forloeb writes it, dd-mm-yyyy."""
    d, m, y = (int(p) for p in text.split("-"))
    return date(y, m, d)


def _year(text: str) -> int:
    return int(text[:4] if text[4] == "-" else text[-4:])


def _month(text: str) -> tuple[int, int]:
    day = _date(text)
    return day.year, day.month


def _old_spell_corrected(row: dict) -> bool:
    """forloeb: an old ended spell, whose start the source moves 10 days earlier."""
    if not row["slutdato"] or row["slutdato"][-4:] > "2023":
        return False
    row["startdato"] = f"{_date(row['startdato']) - timedelta(days=10):%d-%m-%Y}"
    return True


def _followed_months(forloeb_lines: list[str]) -> set[tuple[str, str]]:
    """(CPR without dash, YYYY-MM): the months 1-12 after an old spell's end that no spell of the
    citizen covers: §12 counts the citizen as self-sufficient there exactly when the register
    shows paid hours or education."""
    spells = [dict(zip(FORLOEB_COLUMNS, ln.split(";"), strict=True)) for ln in forloeb_lines]
    covered: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    for row in spells:
        end = _month(row["slutdato"]) if row["slutdato"] else (9999, 12)
        covered.setdefault(row["cpr"], []).append((_month(row["startdato"]), end))
    out = set()
    for row in spells:
        if row["slutdato"] and row["slutdato"][-4:] <= "2024":
            y, m = _month(row["slutdato"])
            for k in range(1, 13):
                month = (y + (m - 1 + k) // 12, (m - 1 + k) % 12 + 1)
                if not any(a <= month <= b for a, b in covered[row["cpr"]]):
                    out.add((row["cpr"].replace("-", ""), f"{month[0]}-{month[1]:02d}"))
    return out


def _followed_month_corrected(followed: set[tuple[str, str]]):
    """beskaeftigelse: such a month, which the register corrects from self-sufficient to not, or
    the other way round."""
    def correct(row: dict) -> bool:
        if (row["cpr"], row["maaned"]) not in followed:
            return False
        if row["loentimer"] not in ("", "0,0") or row["uddannelse"] == "1":
            row["loentimer"], row["uddannelse"] = "0,0", "0"
        else:
            row["loentimer"] = "37,0"
        return True
    return correct


FORLOEB_COLUMNS = ("forloeb_id", "cpr", "kommunekode", "maalgruppe", "startdato", "slutdato", "afslutningsaarsag",
                   "ny_maalgruppe", "sagsbehandler_id", "opdateret", "slettet")
def _sole(snapshots: dict, entity: str, keep, first: str | None = None) -> dict[str, str]:
    """Per id of an entity's row, its spell's target group, for the rows `keep` accepts that are
    the only such row of a spell still ongoing (or, with `first`, a date column, the earliest):
    taking that row away changes the spell's history."""
    def rows(e):
        header, lines = snapshots[e]
        sep = _separator(header)
        return [dict(zip(header.split(sep), ln.split(sep), strict=True)) for ln in lines]
    ongoing = {r["forloeb_id"]: r["maalgruppe"] for r in rows("forloeb") if not r["slutdato"]}
    kept = [r for r in rows(entity) if r["forloeb_id"] in ongoing and keep(r)]
    per_spell: dict[str, int] = {}
    for r in kept:
        per_spell[r["forloeb_id"]] = per_spell.get(r["forloeb_id"], 0) + 1
    key = KEYS[entity][0]
    if first:
        earliest: dict[str, tuple] = {}
        for r in kept:
            day = _date(r[first]) if r[first][4] != "-" else date.fromisoformat(r[first])
            earliest[r["forloeb_id"]] = min(earliest.get(r["forloeb_id"], (day, r[key])), (day, r[key]))
        return {ident: ongoing[spell] for spell, (_, ident) in earliest.items()}
    return {r[key]: ongoing[r["forloeb_id"]] for r in kept if per_spell[r["forloeb_id"]] == 1}


PASSIVITY_GROUPS = {"2.11"}  # int_passive_spells
OFFER_RULE_GROUPS = {"2.2", "2.3", "2.12", "2.13"}  # int_timeliness: first_offer (ref_rettidighed_regler)
MEETING_RULE_GROUPS = {"2.6"}  # int_timeliness: first_followup


def _set(sole: dict[str, str], key: str, groups: set[str], column: str, value: str):
    """A correction of a row of `sole` whose spell is in one of `groups`: `column` set to `value`."""
    def correct(row: dict) -> bool:
        if sole.get(row[key]) not in groups:
            return False
        row[column] = value
        return True
    return correct


def _offer_corrections(snapshots: dict):
    """indsatser: a spell's only active offer, started in the history, that the source corrects
    to not employment-oriented, and another such offer deleted: a 2.11 citizen becomes passive at
    the month ends it covered; another spell loses its first offer (int_timeliness)."""
    def active(r):
        return r["beskaeftigelsesrettet"].lower() in ("ja", "j", "1", "true") and r["indsatstype"] != "MENTOR" \
            and 2024 <= _year(r["startdato"]) <= 2025
    sole = _sole(snapshots, "indsatser", active)
    return (_set(sole, "indsats_id", PASSIVITY_GROUPS, "beskaeftigelsesrettet", "Nej"),
            lambda row: sole.get(row["indsats_id"]) in OFFER_RULE_GROUPS)


def _meeting_corrections(snapshots: dict):
    """samtaler: a 2.6 spell's first meeting held, in the history, that the source corrects to
    cancelled, and another such meeting deleted: the spell's first follow-up moves (int_timeliness)."""
    sole = _sole(snapshots, "samtaler", lambda r: r["status"] == "AFHOLDT" and 2024 <= _year(r["dato"]) <= 2025,
                 first="dato")
    return (_set(sole, "samtale_id", MEETING_RULE_GROUPS, "status", "AFLYST"),
            lambda row: sole.get(row["samtale_id"]) in MEETING_RULE_GROUPS)


KEYS = {"forloeb": ("forloeb_id",), "beskaeftigelse": ("cpr", "maaned"), "indsatser": ("indsats_id",),
        "samtaler": ("samtale_id",)}
DELETED = {"forloeb": "J", "beskaeftigelse": "1", "indsatser": "Ja", "samtaler": "J"}  # slettet for "deleted"


def _separator(header: str) -> str:
    return ";" if header.count(";") >= header.count(",") else ","


def _correct_late(path: Path, day: date, rng: random.Random, snapshot: tuple[str, list[str]], correct,
                  deletable=None) -> int:
    """A late correction of one old row and the deletion of another, as the source would send
    them in the file `path` on `day` (a delta gets two more rows, a full snapshot has the corrected
    row instead and the deleted one no more); returns how many rows it touched."""
    entity = path.name.split(f"_{day:%Y%m%d}")[0]
    key, deleted_flag = KEYS[entity], DELETED[entity]
    data = path.read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    header, *lines = data.decode("utf-8-sig").rstrip("\n").split("\n")
    sep = _separator(header)
    cols = header.split(sep)
    assert entity != "forloeb" or tuple(cols) == FORLOEB_COLUMNS
    old_header, old_lines = snapshot
    old_sep = _separator(old_header)
    old = [dict(zip(old_header.split(old_sep), ln.split(old_sep), strict=True)) for ln in old_lines]
    rng.shuffle(old)
    corrected = next(r for r in old if correct(r))
    deleted = next(r for r in old if r is not corrected and (deletable is None or deletable(r)))
    stamp = f"{day:%d-%m-%Y} 12:00:00"
    corrected["opdateret"] = deleted["opdateret"] = stamp
    deleted["slettet"] = deleted_flag
    touched = {tuple(r[k] for k in key) for r in (corrected, deleted)}
    if path.name.endswith("_fuld.csv"):
        lines = [ln for ln in lines
                 if tuple(dict(zip(cols, ln.split(sep), strict=True))[k] for k in key) not in touched]
        lines.append(sep.join(corrected[c] for c in cols))
    else:
        lines += [sep.join(corrected[c] for c in cols), sep.join(deleted[c] for c in cols)]
    path.write_bytes(("\ufeff" if bom else "").encode() + ("\n".join([header, *lines]) + "\n").encode("utf-8"))
    return 2


def _rebuild(working: Path, tmp: Path, *select: str, vars_: dict | None = None) -> Path:
    """A copy of the warehouse with `select` (or every model) rebuilt from scratch."""
    rebuilt = tmp / "rebuilt.duckdb"
    shutil.copy(working, rebuilt)
    run_dbt("run", "--full-refresh", "--quiet", *(("--select", *select) if select else ()), warehouse=rebuilt,
            target=tmp / "dbt", vars_=vars_)
    return rebuilt


def test_after_a_random_sequence_of_deltas_and_snapshots_the_incremental_build_equals_a_full_rebuild(tmp_path):
    rng = random.Random(11)
    # the same history twice, as deltas and as full snapshots: each night, each entity comes as one or the other
    kinds = {}
    for snapshots in (False, True):
        kinds[snapshots] = tmp_path / f"generated_{snapshots}"
        make_landing(kinds[snapshots], 1200, seed=11, deltas=DAYS, full_extracts=snapshots)
    data = tmp_path / "data"
    landing = data / "landing"
    working = data / "warehouse" / "working.duckdb"

    def files(day: date, snapshots: bool) -> list[Path]:
        return sorted(kinds[snapshots].glob(f"*/*_{day:%Y%m%d}*.csv"))

    snapshots = {}  # per entity the first extract's header and lines, where old rows are corrected from
    for e in KEYS:
        header, *lines = (kinds[False] / "jobcenter" / f"{e}_{EXTRACT:%Y%m%d}.csv").read_bytes() \
            .decode("utf-8-sig").rstrip("\n").split("\n")
        snapshots[e] = (header, lines)
    # per entity: which old row the source corrects, and which it deletes (None: any other)
    corrections = {"forloeb": (_old_spell_corrected, None),
                   "beskaeftigelse": (_followed_month_corrected(_followed_months(snapshots["forloeb"][1])), None),
                   "indsatser": _offer_corrections(snapshots), "samtaler": _meeting_corrections(snapshots)}

    def deliver(paths):
        for f in paths:
            (landing / f.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(f, landing / f.parent.name / f.name)

    deliver(files(EXTRACT, False))
    run_job("refresh", data)
    assert all(full for full, _, _ in _state(working).values())

    days = [EXTRACT + timedelta(days=i) for i in range(1, DAYS + 1)]
    held: list[Path] = []
    corrected: set[str] = set()
    seen = {"nights": 0, "corrections": 0, "partial": 0, "snapshots": 0, "deltas": 0, "resumed": 0}
    while days:
        take = min(len(days), rng.choice((1, 1, 2)))
        tonight, days = days[:take], days[take:]
        paths = list(held)
        for day in tonight:
            by_entity = {}
            for kind in (False, True):
                for f in files(day, kind):
                    by_entity.setdefault(f.name.split(f"_{day:%Y%m%d}")[0], {})[kind] = f
            for versions in by_entity.values():
                kind = rng.random() < 0.4
                paths.append(versions[kind])
                seen["snapshots" if kind else "deltas"] += 1
        held = []
        if days and rng.random() < 0.5:  # one file of the last day comes a night late
            late = rng.choice([f for f in paths if tonight[-1].strftime("%Y%m%d") in f.name
                               and not f.name.startswith("forloeb_")])
            paths.remove(late)
            held = [late]
            seen["partial"] += 1
        deliver(paths)
        for entity, (correct, deletable) in corrections.items():
            f = next((f for f in paths if f.name.startswith(f"{entity}_{tonight[-1]:%Y%m%d}")), None)
            if f and rng.random() < 0.6:
                corrected.add(entity)
                seen["corrections"] += _correct_late(landing / "jobcenter" / f.name, tonight[-1], rng,
                                                     snapshots[entity], correct, deletable)
        run_job("refresh", data)
        seen["nights"] += 1
        state = _state(working)
        # the night was a delta: not a rebuild, and far from every citizen recomputed
        for model, (full, persons, _) in state.items():
            assert not full, (model, seen)
            assert persons < 200, (model, seen, persons)
        # the suppression decided only the dates from the first that changed on, or (a new month,
        # so the history lost its first month end) every date
        full, recomputed, dates = _resumed(working)
        assert full == (recomputed == dates) and recomputed >= 1, (full, recomputed, dates)
        seen["resumed"] += not full
        # each incremental model equals its own rebuild from the same inputs, night by night
        rebuilt = _rebuild(working, tmp_path, *DELTA_MODELS, RESUMED)
        assert _resumed(rebuilt)[0]
        assert _differences(working, rebuilt, (*DELTA_MODELS, RESUMED)) == {}, (seen, tonight, state)
    assert seen["nights"] >= 2 and seen["partial"] and seen["snapshots"] and seen["deltas"] and seen["resumed"]
    assert corrected == set(corrections), (corrected, seen)  # every kind of late correction came
    # every extract is complete in the end, unchanged snapshots included: the last day is measured
    with duckdb.connect(str(working), read_only=True) as con:
        assert con.execute("select reference_date from intermediate.int_reference_dates where is_current"
                           ).fetchone()[0] == EXTRACT + timedelta(days=DAYS)

    # ... and after the sequence, every model and mart equals a full rebuild
    assert _differences(working, _rebuild(working, tmp_path)) == {}

    # a parameter changed by hand (dbt run --vars) reaches the incremental models too
    params = {"history_months": 24, "min_cell_size": 3}
    run_dbt("run", "--quiet", warehouse=working, target=tmp_path / "dbt", vars_=params)
    assert _differences(working, _rebuild(working, tmp_path, vars_=params)) == {}
