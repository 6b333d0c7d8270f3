"""The exit reasons' disclosure control decides a nightly build again only from the first date
whose rows changed (dbt_project/models/intermediate/int_exit_reason_suppression.py): kept
decisions plus the dates decided again must be exactly what deciding every date gives.

On small random exit counts, sparse enough that some groups cannot be closed (exposed rows), the
decisions are compared with and without resuming, from every date; and after a late correction of
one month, resumed from that month on the decisions made before the correction. tests/
test_incremental.py checks the same through real dbt runs night by night."""

from __future__ import annotations

import importlib.util
import random
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest

MODEL = Path(__file__).parents[1] / "dbt_project" / "models" / "intermediate" / "int_exit_reason_suppression.py"
MIN_CELL = 5
REFERENCE = date(2026, 3, 10)
# every month end of the history (14 months) and the reference date
DATES = [date(2025 + m // 12, m % 12 + 1, 1) - timedelta(days=1) for m in range(1, 15)] + [REFERENCE]


@pytest.fixture(scope="module")
def model():
    spec = importlib.util.spec_from_file_location("int_exit_reason_suppression", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cells(con, exits: list[tuple]) -> duckdb.DuckDBPyRelation:
    """The cells of int_exit_reason_cells for exits (exit month, municipality, target group,
    reason, spells): each period as of each date, per municipality and 'ALLE'."""
    con.execute("create or replace table by_month (exit_month date, municipality_code varchar, "
                "target_group varchar, exit_reason varchar, spells bigint)")
    con.executemany("insert into by_month values (?, ?, ?, ?, ?)", exits)
    con.execute("create or replace table dates (reference_date date)")
    con.executemany("insert into dates values (?)", [(d,) for d in DATES])
    return con.sql(f"""
        with periods as (
            select d.reference_date as period_end, d.reference_date = date '{REFERENCE}' as is_current, p.period,
                cast(case p.period
                    when 'maaned' then date_trunc('month', d.reference_date)
                    when 'kvartal' then date_trunc('quarter', d.reference_date)
                    when 'aar_til_dato' then date_trunc('year', d.reference_date)
                    else date_trunc('month', d.reference_date) - interval 11 month end as date) as period_start
            from dates as d
            cross join (values ('maaned'), ('kvartal'), ('aar_til_dato'), ('seneste_12_mdr')) as p(period)
        )
        select p.period, p.period_start, p.period_end, p.is_current,
            case when grouping(m.municipality_code) = 0 then m.municipality_code else 'ALLE' end
                as municipality_code,
            m.target_group, m.exit_reason, '' as new_target_group, cast(sum(m.spells) as bigint) as spells
        from by_month as m
        inner join periods as p
            on m.exit_month between p.period_start and cast(date_trunc('month', p.period_end) as date)
        group by grouping sets (
            (p.period, p.period_start, p.period_end, p.is_current, m.municipality_code, m.target_group, m.exit_reason),
            (p.period, p.period_start, p.period_end, p.is_current, m.target_group, m.exit_reason))""")


def _exits(seed: int) -> list[tuple]:
    """Sparse small counts: most months of a series have none, and a 0 is written now and then."""
    rng = random.Random(seed)
    months = [date(2025, m, 1) for m in range(1, 13)] + [date(2026, m, 1) for m in range(1, 4)]
    out = []
    for month in months:
        for muni in ("101", "147", "185"):
            for group in ("2.1", "2.10"):
                for reason in ("JOB", "UDDANNELSE", "ANDET"):
                    if rng.random() < 0.35:
                        out.append((month, muni, group, reason, rng.choice((0, 1, 1, 2, 3, 4, 6, 9))))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_resuming_from_any_date_gives_the_decisions_of_deciding_every_date(model, seed):
    with duckdb.connect() as con:
        levels = model.levels_of(_cells(con, _exits(seed)))
    hidden, exposed = model.suppress(levels, DATES, MIN_CELL)
    assert hidden.any() and not hidden.all()
    for first in range(1, len(DATES) + 1):
        again, again_exposed = model.suppress(levels, DATES, MIN_CELL, first, hidden, exposed)
        assert np.array_equal(again, hidden), first
        assert np.array_equal(again_exposed, exposed), first


def test_some_random_history_exposes_rows_and_resuming_keeps_the_dates_that_expose_them(model):
    """Rows a group of a date after the resumed one exposes are found again; those an earlier
    date exposed are kept."""
    found = 0
    for seed in range(40):
        with duckdb.connect() as con:
            levels = model.levels_of(_cells(con, _exits(seed)))
        hidden, exposed = model.suppress(levels, DATES, MIN_CELL)
        if not (exposed >= 0).any():
            continue
        found += 1
        for first in sorted({int(k) for k in exposed[exposed >= 0]} | {int(k) + 1 for k in exposed[exposed >= 0]}):
            if 0 < first <= len(DATES):
                again, again_exposed = model.suppress(levels, DATES, MIN_CELL, first, hidden, exposed)
                assert np.array_equal(again, hidden) and np.array_equal(again_exposed, exposed), (seed, first)
    assert found >= 3, found


@pytest.mark.parametrize("seed", [4, 6, 7])
def test_after_a_late_correction_of_a_month_resuming_from_it_gives_a_full_rebuild(model, seed):
    exits = _exits(seed)
    with duckdb.connect() as con:
        before = model.levels_of(_cells(con, exits))
        hidden, exposed = model.suppress(before, DATES, MIN_CELL)
        # the source corrects a small month a year back: 20 exits, not 1 to 4
        k = next(i for i, e in enumerate(exits) if e[0] == date(2025, 3, 1) and 0 < e[4] < MIN_CELL)
        exits[k] = (*exits[k][:4], 20)
        after = model.levels_of(_cells(con, exits))
    # the same rows in the same order (every key is kept); the spells differ from March 2025 on
    assert after.drop("spells").equals(before.drop("spells"))
    changed = after["period_end"].filter(after["spells"] != before["spells"])
    first = DATES.index(changed.min())
    assert DATES[first] == date(2025, 3, 31)
    full, full_exposed = model.suppress(after, DATES, MIN_CELL)
    again, again_exposed = model.suppress(after, DATES, MIN_CELL, first, hidden, exposed)
    assert np.array_equal(again, full) and np.array_equal(again_exposed, full_exposed)
    # ... and decisions kept from after the corrected month would not be (the test can fail)
    later, _ = model.suppress(after, DATES, MIN_CELL, first + 1, hidden, exposed)
    assert not np.array_equal(later, full)
