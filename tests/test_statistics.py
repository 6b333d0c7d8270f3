"""The statistics macros (dbt_project/macros/statistics.sql) against exact arithmetic and the
reference implementations: Kaplan–Meier and its Greenwood bands against lifelines, Wilson and
Newcombe intervals against statsmodels, KM quantiles against exact fractions.

The macros are compiled by dbt itself (`dbt compile --inline`) and run by DuckDB on random
censored data, so what is tested is exactly the SQL the marts run."""

from __future__ import annotations

import json
import os
from fractions import Fraction

import duckdb
import numpy as np
import pytest

from tests.conftest import REPO

TOL = 1e-12


def compile_inline(sql: str, tmp_path) -> str:
    """The SQL dbt compiles from `sql` (macros expanded) in the project's own context."""
    from dbt.cli.main import dbtRunner

    cwd = os.getcwd()
    os.chdir(REPO / "dbt_project")
    try:
        res = dbtRunner().invoke(["compile", "--quiet", "--profiles-dir", ".", "--inline", sql,
                                  "--vars", json.dumps({"warehouse_path": str(tmp_path / "compile.duckdb")}),
                                  "--target-path", str(tmp_path / "target")])
    finally:
        os.chdir(cwd)
    assert res.success, res.exception
    return res.result.results[0].node.compiled_code


@pytest.fixture(scope="module")
def macros(tmp_path_factory):
    """Compiled SQL of the KM curve, its quantiles, Wilson and Newcombe, over tables `obs`
    (g, d, e) and `shares` (x1, n1, x2, n2)."""
    tmp = tmp_path_factory.mktemp("macros")
    km = compile_inline("select * from {{ kaplan_meier('obs', ['g'], 'd', 'e') }}", tmp)
    quantiles = compile_inline(
        "select g, {{ km_quantile(0.5) }} as median, {{ km_quantile(0.1) }} as p90 "
        "from {{ kaplan_meier('obs', ['g'], 'd', 'e') }} group by g", tmp)
    shares = compile_inline(
        "select *, {{ wilson_low('x1', 'n1') }} as l1, {{ wilson_high('x1', 'n1') }} as u1, "
        "{{ wilson_low('x2', 'n2') }} as l2, {{ wilson_high('x2', 'n2') }} as u2, "
        "{{ newcombe_low('x1 / n1', wilson_low('x1', 'n1'), 'x2 / n2', wilson_high('x2', 'n2')) }} as d_low, "
        "{{ newcombe_high('x1 / n1', wilson_high('x1', 'n1'), 'x2 / n2', wilson_low('x2', 'n2')) }} as d_high "
        "from shares", tmp)
    return {"km": km, "quantiles": quantiles, "shares": shares}


def random_censored(rng, groups: int) -> list[tuple[int, int, bool]]:
    rows = []
    for g in range(groups):
        n = int(rng.integers(5, 400))
        # coarse days, so that ties of events and censorings at one day are common
        days = rng.integers(0, int(rng.integers(5, 200)), n)
        events = rng.random(n) < rng.uniform(0.2, 0.95)
        rows += [(g, int(d), bool(e)) for d, e in zip(days, events, strict=True)]
    return rows


def run(sql: str, obs=None, shares=None) -> list[tuple]:
    con = duckdb.connect()
    if obs is not None:
        con.execute("create table obs (g integer, d integer, e boolean)")
        con.executemany("insert into obs values (?, ?, ?)", obs)
    if shares is not None:
        con.execute("create table shares (x1 double, n1 double, x2 double, n2 double)")
        con.executemany("insert into shares values (?, ?, ?, ?)", shares)
    return con.execute(sql).fetchall()


def exact_km(durations, events) -> list[tuple[int, Fraction]]:
    """(t, S(t)) at every distinct time, as exact fractions."""
    s, out = Fraction(1), []
    for t in sorted(set(durations)):
        n = sum(1 for d in durations if d >= t)
        d = sum(1 for d_, e in zip(durations, events, strict=True) if d_ == t and e)
        s *= Fraction(n - d, n)
        out.append((t, s))
    return out


def test_kaplan_meier_and_greenwood_bands_equal_lifelines_on_random_censored_data(macros):
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(20261201)
    obs = random_censored(rng, 40)
    rows = run(macros["km"], obs=obs)
    by_group: dict[int, dict[int, tuple]] = {}
    for g, t, _n, _d, _c, s, low, high, _ in rows:
        by_group.setdefault(g, {})[t] = (s, low, high)
    compared = 0
    for g, curve in by_group.items():
        d = np.array([o[1] for o in obs if o[0] == g])
        e = np.array([o[2] for o in obs if o[0] == g])
        kmf = KaplanMeierFitter(alpha=0.05).fit(d, e)
        sf = kmf.survival_function_["KM_estimate"]
        ci = kmf.confidence_interval_
        for t, (s, low, high) in curve.items():
            assert abs(s - sf.loc[t]) < TOL, (g, t, s, sf.loc[t])
            if 0 < s < 1:
                assert abs(low - ci.iloc[:, 0].loc[t]) < TOL, (g, t, low, ci.loc[t])
                assert abs(high - ci.iloc[:, 1].loc[t]) < TOL, (g, t, high, ci.loc[t])
            compared += 1
    assert compared > 1000


def test_wilson_and_newcombe_intervals_equal_statsmodels(macros):
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

    rng = np.random.default_rng(7)
    shares = []
    for _ in range(300):
        n1, n2 = int(rng.integers(1, 2000)), int(rng.integers(1, 2000))
        shares.append((float(rng.integers(0, n1 + 1)), float(n1), float(rng.integers(0, n2 + 1)), float(n2)))
    shares += [(0.0, 10.0, 10.0, 10.0), (5.0, 5.0, 0.0, 7.0), (1.0, 1.0, 0.0, 1.0)]
    for x1, n1, x2, n2, l1, u1, l2, u2, d_low, d_high in run(macros["shares"], shares=shares):
        ref_l1, ref_u1 = proportion_confint(x1, n1, alpha=0.05, method="wilson")
        assert abs(l1 - ref_l1) < TOL and abs(u1 - ref_u1) < TOL, (x1, n1, l1, ref_l1, u1, ref_u1)
        ref_l2, ref_u2 = proportion_confint(x2, n2, alpha=0.05, method="wilson")
        assert abs(l2 - ref_l2) < TOL and abs(u2 - ref_u2) < TOL, (x2, n2, l2, ref_l2, u2, ref_u2)
        ref_low, ref_high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff",
                                                       alpha=0.05)
        assert abs(d_low - ref_low) < TOL and abs(d_high - ref_high) < TOL, (x1, n1, x2, n2, d_low, ref_low)


# Pins the bug of issue 12: S = exp(sum(ln(1 - d/n))) lands 1e-16 above an exact 0.5 or 0.1, so
# `survival <= 0.5` skipped that step and the median came out days too late.
@pytest.mark.parametrize("n", [10, 20, 30, 40, 50, 70, 100, 250, 1000, 5000])
def test_a_curve_that_hits_one_half_and_one_tenth_exactly_has_its_median_and_90th_percentile_there(macros, n):
    # one event per day for n days: S(k) = 1 - k/n, exactly 0.5 at n/2 and 0.1 at 0.9 n
    obs = [(1, day, True) for day in range(1, n + 1)]
    # and a second group with censorings between, still hitting 0.5 exactly: n at risk, n/2 events
    # on day 1, then the rest censored
    obs += [(2, 1, True)] * (n // 2) + [(2, 2, False)] * (n - n // 2)
    got = {g: (median, p90) for g, median, p90 in run(macros["quantiles"], obs=obs)}
    assert got[1] == (n // 2, n * 9 // 10)
    assert got[2] == (1, None)


def test_km_quantiles_equal_the_exact_ones_on_random_censored_data(macros):
    rng = np.random.default_rng(11)
    obs = random_censored(rng, 60)
    # groups built to land on 0.5 and 0.1 exactly after censorings: 20 at risk, 2 censored at day 1,
    # then events; S = 1 - k/18 hits 0.5 at k = 9
    obs += [(100, 1, False)] * 2 + [(100, 1 + k, True) for k in range(1, 19)]
    got = {g: (median, p90) for g, median, p90 in run(macros["quantiles"], obs=obs)}
    for g in got:
        curve = exact_km([o[1] for o in obs if o[0] == g], [o[2] for o in obs if o[0] == g])
        median = next((t for t, s in curve if s <= Fraction(1, 2)), None)
        p90 = next((t for t, s in curve if s <= Fraction(1, 10)), None)
        assert got[g] == (median, p90), (g, got[g], (median, p90))
    assert got[100][0] == 10


def test_every_published_median_and_90th_percentile_equals_the_exact_one(demo_publication):
    """On a demo build: every published median and 90th percentile of time to intervention equals
    the one computed with exact fractions from the counts of the same curve."""
    con = demo_publication
    checks = [
        ("int_time_to_intervention_km", ["reference_date", "cohort", "event", "municipality_code", "dimension",
                                         "dimension_value"],
         "kpi_time_to_intervention", ["median_days", "p90_days"]),
    ]
    compared = 0
    for curve_table, keys, mart, cols in checks:
        curves: dict[tuple, list] = {}
        for row in con.execute(f"select {', '.join(keys)}, t, n_at_risk, events from intermediate.{curve_table} "
                               f"where n_at_risk is not null order by all").fetchall():
            curves.setdefault(row[:len(keys)], []).append(row[len(keys):])
        published = con.execute(f"select {', '.join(keys)}, {', '.join(cols)} from marts.{mart} "
                                f"where not is_suppressed").fetchall()
        for row in published:
            s, median, p90 = Fraction(1), None, None
            for t, n, d in curves[row[:len(keys)]]:
                s *= Fraction(int(n) - int(d), int(n))
                if median is None and s <= Fraction(1, 2):
                    median = t
                if p90 is None and s <= Fraction(1, 10):
                    p90 = t
            assert tuple(row[len(keys):]) == (median, p90), (row, median, p90)
            compared += 1
    assert compared > 100


# --- history of the Kaplan–Meier marts: a past month end is what was known on it ---------------------

def _km_summary(obs: list[tuple[int, bool]], deadline: int | None = None) -> dict:
    """Exact KM of (days, event) pairs: size, events, median, 90th percentile, S at the deadline."""
    curve = exact_km([d for d, _ in obs], [e for _, e in obs])
    at = [s for t, s in curve if deadline is not None and t <= deadline]
    return {"n": len(obs), "events": sum(e for _, e in obs),
            "median": next((t for t, s in curve if s <= Fraction(1, 2)), None),
            "p90": next((t for t, s in curve if s <= Fraction(1, 10)), None),
            "curve": curve, "s_deadline": at[-1] if at else Fraction(1)}


def _history_dates(con, mart: str) -> list:
    return [r[0] for r in con.execute(f"select distinct reference_date from marts.{mart} where not is_current "
                                      "order by 1").fetchall()]


def _reference_date(con):
    return con.execute("select reference_date from intermediate.int_reference_dates where is_current").fetchone()[0]


def _last_12_months_as_of(con, d, is_current: bool) -> list[tuple]:
    """The spells started in the 12 months up to d, each step as known on d: (event, municipality,
    target group, experiment arm, days, has the step, deadline, the step came after d)."""
    out = []
    for event, muni, group, arm, start, end, when, deadline, days_now, has_now in con.execute("""
            select event, municipality_code, target_group, experiment_arm, start_date, end_date, event_date,
                deadline_days, days, has_event
            from intermediate.int_spell_events
            where start_date <= ?::date and start_date > ?::date - interval 12 month""", [d, d]).fetchall():
        seen_until = min(end or d, d)
        has = when is not None and when <= seen_until
        days = (when - start).days if has else (seen_until - start).days
        if is_current:  # on the reference date the history's rule is int_spell_events' own
            assert (days, has) == (days_now, has_now)
        out.append((event, muni, group, arm, days, has, deadline, when is not None and when > d))
    return out


def check_time_to_intervention_history(con) -> int:
    """Each past month end's 'seneste_12_mdr' curve (ALLE and each municipality, in total) equals
    the exact Kaplan–Meier of the spells started in the 12 months up to it, with their steps up to
    it and censored on it or at their end; the published figures are that curve's."""
    dates = _history_dates(con, "kpi_time_to_intervention")
    assert len(dates) == 12, dates  # var time_to_event_history_months
    current = _reference_date(con)
    compared, later_steps = 0, 0
    for d in [dates[0], dates[len(dates) // 2], dates[-1], current]:
        groups: dict[tuple, list] = {}
        for event, muni, _, _, days, has, deadline, later in _last_12_months_as_of(con, d, d == current):
            later_steps += later
            for m in (muni, "ALLE"):
                groups.setdefault((event, m), []).append((days, has, deadline))
        for (event, muni), obs in groups.items():
            deadline = obs[0][2]
            exact = _km_summary([(o[0], o[1]) for o in obs], deadline)
            curve = con.execute("""
                select t, survival, n_at_risk from intermediate.int_time_to_intervention_km
                where reference_date = ? and cohort = 'seneste_12_mdr' and event = ? and municipality_code = ?
                  and dimension = 'i_alt' order by t""", [d, event, muni]).fetchall()
            got = {t: s for t, s, _ in curve}
            assert max(n for _, _, n in curve if n is not None) == exact["n"]
            for t, s in exact["curve"]:
                assert got[t] == pytest.approx(float(s), abs=1e-12), (d, event, muni, t)
            row = con.execute("""
                select cohort_size, events, median_days, p90_days, on_time_share, is_current, is_suppressed
                from marts.kpi_time_to_intervention
                where reference_date = ? and cohort = 'seneste_12_mdr' and event = ? and municipality_code = ?
                  and dimension = 'i_alt'""", [d, event, muni]).fetchone()
            assert row[5] == (d == current)
            if not row[6]:
                assert row[:4] == (exact["n"], exact["events"], exact["median"], exact["p90"]), (d, event, muni)
                assert row[4] == pytest.approx(float(1 - exact["s_deadline"]), abs=1e-12)
            compared += 1
    # the check means something: steps after a past month end are left out of it
    assert later_steps > 100
    return compared


def test_each_target_group_s_and_experiment_arm_s_curve_is_that_of_its_own_spells(demo_publication):
    """int_time_to_intervention_km counts its breakdowns together (grouping sets): on the reference
    date and a past month end, the last 12 months' curve of every target group and experiment arm,
    per municipality and for ALLE, is the exact Kaplan–Meier of that group's spells alone, and
    there are no other breakdown curves."""
    con = demo_publication
    current = _reference_date(con)
    compared = 0
    for d in (_history_dates(con, "kpi_time_to_intervention")[-1], current):
        groups: dict[tuple, list] = {}
        for event, muni, group, arm, days, has, _, _ in _last_12_months_as_of(con, d, d == current):
            for m in (muni, "ALLE"):
                groups.setdefault((event, m, "target_group", group), []).append((days, has))
                groups.setdefault((event, m, "experiment_arm", arm), []).append((days, has))
        curves: dict[tuple, dict] = {}
        for *key, t, s, n in con.execute("""
                select event, municipality_code, dimension, dimension_value, t, survival, n_at_risk
                from intermediate.int_time_to_intervention_km
                where reference_date = ? and cohort = 'seneste_12_mdr' and dimension <> 'i_alt'""", [d]).fetchall():
            curves.setdefault(tuple(key), {})[t] = (s, n)
        assert set(curves) == set(groups), d
        for key, obs in groups.items():
            exact = _km_summary(obs)
            assert max(n for _, n in curves[key].values() if n is not None) == exact["n"], (d, key)
            for t, s in exact["curve"]:
                assert curves[key][t][0] == pytest.approx(float(s), abs=1e-12), (d, key, t)
            compared += 1
    assert len({key[3] for key in groups if key[2] == "target_group"}) >= 3
    assert len({key[3] for key in groups if key[2] == "experiment_arm"}) >= 2
    assert compared > 50


def check_housing_retention_history(con) -> int:
    """Each past month end's retention curve (in total) equals the exact Kaplan–Meier of the
    episodes started by then, each with the status its home on that day gave it."""
    gap = 30  # var rehousing_gap_days
    compared, changed = 0, 0
    for d in _history_dates(con, "kpi_housing_retention")[::4]:
        groups: dict[str, list] = {}
        for muni, start, homes, status_now in con.execute("""
                select municipality_code, start_date, homes_list, status from intermediate.int_housing_episodes
                where start_date <= ?""", [d]).fetchall():
            home = [h for h in homes if h["move_in"] <= d][-1]
            if home["move_out"] is None or home["move_out"] > d:
                status = "ongoing"
            elif home["censored"]:
                status = "censored"
            elif home["continuing"] and (home["next_move_in"] is None or home["next_move_in"] > d) \
                    and (d - home["move_out"]).days <= gap:
                status = "pending"
            else:
                status = "failed"
            changed += status != status_now
            days = (d - start).days if status in ("ongoing", "pending") else (home["move_out"] - start).days
            for m in (muni, "ALLE"):
                groups.setdefault(m, []).append((days, status == "failed"))
        for muni, obs in groups.items():
            exact = _km_summary(obs)
            got = dict(con.execute("""
                select t, survival from intermediate.int_housing_retention_km
                where reference_date = ? and municipality_code = ? and dimension = 'i_alt'""", [d, muni]).fetchall())
            for t, s in exact["curve"]:
                assert got[t] == pytest.approx(float(s), abs=1e-12), (d, muni, t)
            at_365 = [s for t, s in exact["curve"] if t <= 365]
            row = con.execute("""
                select citizens, lost_home, retention_12m, is_suppressed from marts.kpi_housing_retention
                where reference_date = ? and municipality_code = ? and dimension = 'i_alt'""", [d, muni]).fetchone()
            if not row[3]:
                assert row[:2] == (exact["n"], exact["events"])
                if row[2] is not None:
                    assert row[2] == pytest.approx(float(at_365[-1] if at_365 else 1), abs=1e-12)
            compared += 1
    assert changed > 0  # some episode's status then is not its status now
    return compared


def check_time_to_housing_history(con) -> int:
    """Each past month end's time to housing (in total) is the exact Kaplan–Meier median of the
    stays started by then, housed by then or censored on that day."""
    compared = 0
    for d in _history_dates(con, "kpi_time_to_housing")[::3]:
        groups: dict[str, list] = {}
        for muni, start, housed in con.execute("""
                select municipality_code, start_date, housed_date from intermediate.int_homeless_spells
                where start_date <= ?""", [d]).fetchall():
            has = housed is not None and housed <= d
            for m in (muni, "ALLE"):
                groups.setdefault(m, []).append((((housed if has else d) - start).days, has))
        for muni, obs in groups.items():
            exact = _km_summary(obs, 120)  # var time_to_housing_days
            row = con.execute("""
                select citizens, housed, median_days, housed_within_share, is_suppressed from marts.kpi_time_to_housing
                where reference_date = ? and municipality_code = ? and dimension = 'i_alt'""", [d, muni]).fetchone()
            assert row is not None
            if not row[4]:
                assert row[:3] == (exact["n"], exact["events"], exact["median"]), (d, muni)
                assert row[3] == pytest.approx(float(1 - exact["s_deadline"]), abs=1e-12)
                compared += 1
    return compared


def test_a_past_month_end_s_kaplan_meier_figures_are_those_of_the_data_known_on_it(demo_publication):
    assert check_time_to_intervention_history(demo_publication) >= 4 * 3 * 3
    assert check_housing_retention_history(demo_publication) >= 3 * 3
    check_time_to_housing_history(demo_publication)
