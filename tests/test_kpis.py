"""The KPI marts: the Varde reference figures reproduced exactly, and a known experiment effect
recovered, each through the real pipeline (load, dbt build, publish) on a real DuckDB file."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from dashboards.scope import Scope
from tests.conftest import EXTRACT, build, make_landing
from tests.reference import varde_2017
from transforms.publication import DataPaths

ADMIN = Scope("test", "admin", frozenset({"*"}))  # the dashboard's queries read as a signed-in person


@pytest.fixture(scope="module")
def varde_build(varde_builds):
    """The Varde publication after November's extract, and its data folder."""
    return varde_builds[1], varde_builds[2]


@pytest.fixture(scope="module")
def varde(varde_build):
    return varde_build[0]


def test_varde_49_passive_of_122_with_a_years_seniority_is_40_percent(varde):
    row = varde.execute("""
        select population, passive, passive_share from marts.kpi_passive_citizens
        where variant = 'anciennitet_1_aar' and reference_date = date '2017-11-30'
          and municipality_code = '573' and dimension = 'i_alt'""").fetchone()
    assert row[:2] == (122, 49)
    assert round(row[2] * 100) == 40
    total = varde.execute("""
        select population from marts.kpi_passive_citizens
        where variant = 'alle_varigheder' and is_current and municipality_code = '573' and dimension = 'i_alt'
    """).fetchone()
    assert total == (233,)


def test_dbt_docs_generate_documents_the_marts(varde_build, tmp_path):
    from orchestration.assets.dbt import DBT_DIR, dbt_executable

    working = varde_build[1] / "warehouse" / "working.duckdb"  # docs read the catalog of the built warehouse
    run = subprocess.run([dbt_executable(), "docs", "generate", "--profiles-dir", str(DBT_DIR),
                          "--vars", json.dumps({"warehouse_path": str(working)}),
                          "--target-path", str(tmp_path / "docs")], cwd=DBT_DIR, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-2000:]
    catalog = json.loads((tmp_path / "docs" / "catalog.json").read_text())
    marts = {n["metadata"]["name"] for n in catalog["nodes"].values() if n["metadata"]["schema"] == "marts"}
    assert {"kpi_passive_citizens", "kpi_housing_retention", "kpi_experiment_evaluation"} <= marts


def test_varde_caseloads_per_caseworker(varde):
    rows = dict(varde.execute("""
        select initials, cases from marts.kpi_caseload
        where reference_date = date '2017-11-30' and team_name = 'Team Ressourceforløb'""").fetchall())
    assert rows == varde_2017.CASELOADS
    cap = varde.execute("""
        select share_at_or_under_cap, avg_cases_per_caseworker from marts.kpi_caseload_summary
        where is_current and municipality_code = '573' and dimension = 'team_name'
          and dimension_value = 'Team Ressourceforløb'""").fetchone()
    assert cap == (0.0, 345 / 6)


JANUARY_TO_OCTOBER = "period = 'aar_til_dato' and period_end = date '2017-10-31'"


def test_varde_exit_reasons_of_january_to_october_2017_after_a_november_extract_with_further_exits(varde_build):
    # the committee's table (kpis.md §6) is the year to date as of the October month end; the
    # exits of November, delivered later, belong to November's figures only
    varde, data = varde_build
    # the unsuppressed cells live only in the working warehouse (the publication holds marts and reference)
    with duckdb.connect(str(data / "warehouse" / "working.duckdb"), read_only=True) as working:
        cells = working.execute(f"""
            select exit_reason, new_target_group, spells from intermediate.int_exit_reason_cells
            where {JANUARY_TO_OCTOBER} and municipality_code = '573' and target_group = '2.11'
              and spells > 0 order by 1, 2""").fetchall()
    assert cells == [("FLYTTET", "", 5), ("FOERTIDSPENSION", "", 12), ("MAALGRUPPESKIFT", "2.13", 1),
                     ("MAALGRUPPESKIFT", "2.2", 1), ("MAALGRUPPESKIFT", "2.7", 2), ("MAALGRUPPESKIFT", "2.8", 5),
                     ("ORDINAER_UDDANNELSE", "", 1), ("PENSION", "", 1)]
    published = varde.execute(f"""
        select distinct exit_reason, reason_spells, ended_spells, round(reason_share * 100, 2)
        from marts.kpi_exit_reasons
        where {JANUARY_TO_OCTOBER} and municipality_code = '573' and target_group = '2.11'
          and reason_share is not null order by 1""").fetchall()
    assert published == [("FLYTTET", 5, 28, 17.86), ("FOERTIDSPENSION", 12, 28, 42.86),
                         ("MAALGRUPPESKIFT", 9, 28, 32.14)]
    # November's own exits are there too: in the year to date of 30 November and in its month ...
    with duckdb.connect(str(data / "warehouse" / "working.duckdb"), read_only=True) as working:
        counted = dict(working.execute("""
            select period, sum(spells) from intermediate.int_exit_reason_cells
            where period_end = date '2017-11-30' and municipality_code = '573' and target_group = '2.11'
              and period in ('aar_til_dato', 'maaned') group by 1""").fetchall())
    assert counted == {"aar_til_dato": 28 + len(varde_2017.NOVEMBER_EXITS), "maaned": len(varde_2017.NOVEMBER_EXITS)}
    # ... but the month's 4 < 5 is hidden, and so is the year to date: 32 - 28 would give it back
    november = dict(varde.execute("""
        select period, max(ended_spells) from marts.kpi_exit_reasons
        where period_end = date '2017-11-30' and is_current and municipality_code = '573'
          and target_group = '2.11' and period in ('aar_til_dato', 'maaned') group by 1""").fetchall())
    assert november == {"aar_til_dato": None, "maaned": None}
    # what is about fewer than five citizens does not leave the warehouse
    hidden = varde.execute(f"""
        select exit_reason, new_target_group, spells, reason_share, is_suppressed from marts.kpi_exit_reasons
        where {JANUARY_TO_OCTOBER} and municipality_code = '573'
          and exit_reason in ('PENSION', 'ORDINAER_UDDANNELSE')
    """).fetchall()
    assert hidden and all(r[2] is None and r[3] is None and r[4] for r in hidden)


def test_a_past_month_ends_exit_table_is_the_same_before_and_after_a_later_extract(varde_builds):
    october, november, _ = varde_builds
    query = """select period, period_start, exit_reason, new_target_group, spells, reason_spells, ended_spells,
                      reason_share, is_suppressed
               from marts.kpi_exit_reasons where period_end = date '2017-10-31' order by all"""
    before, after = october.execute(query).fetchall(), november.execute(query).fetchall()
    assert before and before == after
    # the October publication was measured on October's extract, the November one on November's
    assert october.execute("select distinct reference_date from marts.kpi_overview").fetchall() == [
        (varde_2017.OCTOBER,)]
    assert november.execute("select distinct reference_date from marts.kpi_overview").fetchall() == [
        (varde_2017.EXTRACT,)]


@pytest.fixture(scope="module")
def effect_builds(tmp_path_factory):
    """The same municipality twice: with the 'Håndholdt indsats' effect, and without any."""
    cons = {}
    for name, effect in (("effect", 0.16), ("none", 0.40)):
        data = tmp_path_factory.mktemp(name)
        make_landing(data / "landing", 12_000, seed=21, effect_passive_share=effect)
        cons[name] = build(data)
    yield cons
    for con in cons.values():
        con.close()


def test_caseworker_changes_are_the_assignments_after_a_spell_s_first_in_the_12_months_before(effect_builds):
    """kpis.md §10, counted again here from the staged assignments and the spells ongoing on the
    reference date, for all municipalities (a row too large to be suppressed)."""
    con = effect_builds["none"]
    published = Path(con.execute("select path from duckdb_databases() where database_name = current_database()"
                                 ).fetchone()[0])
    data = next(p.parent for p in published.parents if p.name == "warehouse")
    with duckdb.connect(str(DataPaths(data, data / "landing").warehouse), read_only=True) as w:
        day = w.execute("select reference_date from intermediate.int_reference_dates where is_current").fetchone()[0]
        ongoing = [s for (s,) in w.execute(
            "select spell_id from intermediate.int_ongoing_spells where reference_date = ?", [day]).fetchall()]
        handed: dict[str, list] = {}
        for spell, valid_from in w.execute("select spell_id, valid_from from staging.stg_jobcenter__tildelinger"
                                           ).fetchall():
            handed.setdefault(spell, []).append(valid_from)
    changes = [sum(day - timedelta(days=365) < d <= day for d in sorted(handed.get(s, []))[1:]) for s in ongoing]
    assert sum(changes) > 100 and sum(c >= 2 for c in changes) > 10
    row = con.execute("""select spells, changes, share_with_2_or_more from marts.kpi_caseworker_changes
                         where is_current and municipality_code = 'ALLE' and dimension = 'i_alt'""").fetchone()
    assert row[:2] == (len(ongoing), sum(changes))
    assert row[2] == pytest.approx(sum(c >= 2 for c in changes) / len(ongoing))


def test_a_known_experiment_effect_is_recovered_within_its_interval(effect_builds):
    query = """select indsats_value, kontrol_value, difference, difference_low, difference_high, indsats_n, kontrol_n
               from marts.kpi_experiment_evaluation
               where experiment_id = 'HAANDHOLDT_RF' and kpi_code = 'PASSIV_ANDEL' and is_current"""
    i, k, diff, low, high, n_i, n_k = effect_builds["effect"].execute(query).fetchone()
    assert n_i > 150 and n_k > 150
    assert low <= 0.16 - 0.40 <= high  # the configured effect lies within the interval
    assert high < 0  # and the interval excludes no effect
    i0, k0, diff0, low0, high0, *_ = effect_builds["none"].execute(query).fetchone()
    assert low0 <= 0 <= high0  # no effect configured: none found


def test_an_experiment_arm_s_interval_is_the_one_its_figure_has_elsewhere(effect_builds):
    """kpi_experiment_evaluation's own interval of the INDSATS arm, which says whether a target is met
    with certainty: for a share the Wilson interval of its counts (statsmodels), for survival the
    band Boligfastholdelse publishes for that arm on the same date, and none for medians and means."""
    from statsmodels.stats.proportion import proportion_confint

    con = effect_builds["effect"]
    rows = con.execute("""
        select e.period_end, e.experiment_id, e.kpi_code, e.kind, e.indsats_n, e.indsats_value, e.indsats_low,
               e.indsats_high, e.is_suppressed,
               case e.kpi_code when 'BOLIGFASTHOLDELSE_12M' then h.retention_12m_low
                               when 'BOLIGFASTHOLDELSE_24M' then h.retention_24m_low end,
               case e.kpi_code when 'BOLIGFASTHOLDELSE_12M' then h.retention_12m_high
                               when 'BOLIGFASTHOLDELSE_24M' then h.retention_24m_high end
        from marts.kpi_experiment_evaluation as e
        left join marts.kpi_housing_retention as h
          on h.reference_date = e.period_end and h.municipality_code = 'ALLE' and h.dimension = 'experiment_arm'
         and h.dimension_value = e.experiment_id || ':INDSATS'
        order by all""").fetchall()
    kinds, hidden = {}, {}
    for period, experiment, code, kind, n, value, low, high, suppressed, band_low, band_high in rows:
        key = (period, experiment, code)
        if suppressed:
            assert low is None and high is None, key
            hidden[kind] = hidden.get(kind, 0) + 1
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == "share":
            x = round(value * n)
            assert abs(x - value * n) < 1e-9, key
            ref_low, ref_high = proportion_confint(x, n, alpha=0.05, method="wilson")
            assert abs(low - ref_low) < 1e-12 and abs(high - ref_high) < 1e-12, (key, low, ref_low, high, ref_high)
        elif kind == "survival":
            assert (low, high) == (band_low, band_high) and low <= value <= high, (key, low, band_low, high, band_high)
        else:
            assert low is None and high is None, key
    # 12,000 citizens give the housing experiment's arms too few citizens for a published survival
    # figure; at 1,000,000 all 10 survival rows are published (the closing note of issue 15 compares them)
    assert kinds.get("share", 0) > 10 and kinds.get("mean", 0) and kinds.get("median", 0), (kinds, hidden)


def test_every_kpi_of_the_spec_has_a_value_on_generated_data(effect_builds):
    rows = dict(effect_builds["effect"].execute(
        "select kpi_code, value from marts.kpi_overview where municipality_code = 'ALLE'").fetchall())
    spec = {"PASSIV_ANDEL", "TID_FOERSTE_SAMTALE", "TID_JOBRETTET_PLAN", "TID_AKTIV_INDSATS",
            "BOLIGFASTHOLDELSE_12M", "BOLIGFASTHOLDELSE_24M", "TID_TIL_BOLIG", "SAGSSTAMME", "AFSLUTNINGSAARSAG",
            "LOENTIMER_ANDEL", "RETTIDIGHED", "SAGSBEHANDLERSKIFT", "VIRKSOMHEDSRETTET_ANDEL", "AKTIV_PLAN_ANDEL",
            "SELVFORSOERGELSE"}
    assert set(rows) == spec
    assert all(v is not None for v in rows.values()), {k: v for k, v in rows.items() if v is None}
    # the definitions managers read are the documented ones, persisted into the warehouse
    comment = effect_builds["effect"].execute(
        "select comment from duckdb_tables() where table_name = 'kpi_passive_citizens'").fetchone()[0]
    assert comment.startswith("Passive borgere i ressourceforløb: andelen af de igangværende ressourceforløb")
    assert "PASSIV_ANDEL" not in comment and "is_suppressed" not in comment  # written for managers, no codes


# --- the reference date follows complete extracts (kpis.md "Reference date, periods and follow-up") ----

def _header_only(landing, day) -> None:
    """A complete extract of every source dated `day` with nothing to report: header-only files,
    each in its entity's own dialect (the snapshot's first line, BOM included)."""
    for snapshot in sorted(landing.glob(f"*/*_{EXTRACT:%Y%m%d}.csv")):
        target = snapshot.with_name(snapshot.name.replace(f"{EXTRACT:%Y%m%d}", f"{day:%Y%m%d}"))
        if not target.exists():
            target.write_bytes(snapshot.read_bytes().split(b"\n", 1)[0] + b"\n")


def _marts(con) -> dict:
    return {name: con.execute(f"select * from marts.{name} order by all").fetchall()
            for name in ("kpi_overview", "kpi_time_to_intervention", "kpi_waiting_list", "kpi_passive_citizens")}


def _changed(before: dict, after: dict) -> dict:
    """The rows of each mart that differ, for a readable failure."""
    return {name: (sorted(set(before[name]) - set(after[name]))[:5], sorted(set(after[name]) - set(before[name]))[:5])
            for name in before if before[name] != after[name]}


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory):
    """The demo municipality built four times through the real job: as delivered; after a lone
    header-only samtaler file for the next day; after a lone samtaler file with rows for the day
    after (meetings held in the past recorded as cancelled), and an unreadable file; and after the
    rest of both extracts arrived."""
    data = tmp_path_factory.mktemp("deliveries")
    landing = data / "landing"
    make_landing(landing, 2000, seed=5)
    day1, day2 = EXTRACT + timedelta(days=1), EXTRACT + timedelta(days=2)
    steps = {"delivered": build(data)}

    snapshot = (landing / "jobcenter" / f"samtaler_{EXTRACT:%Y%m%d}.csv").read_text(encoding="utf-8").splitlines()
    header, rows = snapshot[0], snapshot[1:]
    (landing / "jobcenter" / f"samtaler_{day1:%Y%m%d}.csv").write_text(header + "\n", encoding="utf-8")
    steps["header_only"] = build(data)

    recent = f"{EXTRACT - timedelta(days=300):%Y-%m-%d}"
    held = [r.split(",") for r in rows if ",FOERSTE,AFHOLDT," in r and r.split(",")[3] >= recent][:150]
    cancelled = [",".join([*r[:5], "AFLYST", f"{day2:%Y-%m-%d} 10:00:00", "N"]) for r in held]
    assert len(cancelled) == 150
    (landing / "jobcenter" / f"samtaler_{day2:%Y%m%d}.csv").write_text(
        header + "\n" + "\n".join(cancelled) + "\n", encoding="utf-8")
    (landing / "jobcenter" / f"planer_{day2 + timedelta(days=3):%Y%m%d}.csv").write_bytes(b"PK\x03\x04\x00\x00")
    steps["with_rows"] = build(data)

    _header_only(landing, day1)
    _header_only(landing, day2)
    steps["complete"] = build(data)
    yield steps, data
    for con in steps.values():
        con.close()


def test_a_lone_one_entity_file_for_a_later_day_changes_no_figure_and_no_date(deliveries):
    steps, _ = deliveries
    delivered = _marts(steps["delivered"])
    assert {r[6] for r in delivered["kpi_overview"]} == {EXTRACT}  # column 7: reference_date
    assert _changed(delivered, _marts(steps["header_only"])) == {}
    assert _changed(delivered, _marts(steps["with_rows"])) == {}
    # the data-quality mart names what the incomplete extract lacks
    missing = steps["with_rows"].execute("""
        select extract_date, entities_delivered, entities_missing from marts.dq_extracts
        where source = 'jobcenter' and not is_complete order by 1""").fetchall()
    lacking = "beskaeftigelse, forloeb, indsatser, planer, sagsbehandlere, tildelinger"
    assert missing == [(EXTRACT + timedelta(days=1), "samtaler", lacking),
                       (EXTRACT + timedelta(days=2), "samtaler", lacking)]


def test_when_the_rest_of_the_extract_arrives_the_reference_date_and_the_figures_move(deliveries):
    steps, _ = deliveries
    complete = steps["complete"]
    assert {r[0] for r in complete.execute("select distinct reference_date from marts.kpi_overview").fetchall()} == {
        EXTRACT + timedelta(days=2)}
    assert complete.execute("select count(*) from marts.dq_extracts where not is_complete").fetchone() == (0,)
    # the cancelled first meetings now count: more spells wait for a first meeting than before
    query = """select count(*) from marts.kpi_waiting_list where event = 'first_meeting'"""
    assert complete.execute(query).fetchone()[0] > steps["delivered"].execute(query).fetchone()[0]


def test_nyeste_udtraek_counts_only_files_that_loaded(deliveries, monkeypatch):
    # regression: an unreadable file, quarantined whole, named the newest extract on the dashboard
    from dashboards import data as dashboard_data

    steps, data_dir = deliveries
    monkeypatch.setenv("KPI_DATA_DIR", str(data_dir))
    monkeypatch.delenv("KPI_LANDING_DIR", raising=False)
    fresh = dashboard_data.freshness(scope=ADMIN)
    assert fresh["newest_extract"] == EXTRACT + timedelta(days=2)  # the quarantined planer file is dated later
    assert dashboard_data.current_date(scope=ADMIN) == EXTRACT + timedelta(days=2)
    quarantined = steps["complete"].execute(
        "select count(*) from marts.dq_files where status = 'quarantined_file'").fetchone()[0]
    loaded = steps["complete"].execute("select count(*) from marts.dq_files where status = 'loaded'").fetchone()[0]
    assert quarantined >= 1 and fresh["files"] == loaded


def test_target_groups_2_1_and_2_10_stay_apart_in_every_mart_and_filter(deliveries, monkeypatch):
    from dashboards import data as dashboard_data

    steps, data_dir = deliveries
    con = steps["complete"]
    columns = con.execute("""
        select table_name, column_name from information_schema.columns
        where table_schema = 'marts' and column_name in ('target_group', 'dimension_value')""").fetchall()
    seen = {}
    for table, column in columns:
        values = {v for (v,) in con.execute(f"select distinct {column} from marts.{table}").fetchall()}
        if {"2.1", "2.10"} & values:
            seen[table] = values
            assert {"2.1", "2.10"} <= values, table
    assert {"kpi_exit_reasons", "kpi_timeliness", "kpi_self_sufficiency"} <= set(seen) or len(seen) >= 3
    # the two exit-reason tables are each their own: their totals differ, each adds up to 100 %
    shares = dict(con.execute("""
        select target_group, sum(distinct reason_share) from (
            select distinct target_group, exit_reason, reason_share from marts.kpi_exit_reasons
            where is_current and period = 'seneste_12_mdr' and municipality_code = 'ALLE'
              and target_group in ('2.1', '2.10') and not is_suppressed)
        group by 1""").fetchall())
    assert all(s <= 1 + 1e-9 for s in shares.values()), shares
    monkeypatch.setenv("KPI_DATA_DIR", str(data_dir))
    offered = [code for code, _ in dashboard_data.filter_options(scope=ADMIN)["target_groups"]]
    assert offered.count("2.1") == 1 and offered.count("2.10") == 1
    assert offered.index("2.1") < offered.index("2.2") < offered.index("2.10")
