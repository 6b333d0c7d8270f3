"""The committee report (dashboards.report): rendered from real publications — generated demo data
and the Varde reference set — by the same command `make report` runs, read back with pdftotext
and compared with the marts it is made from. Page images (pdftoppm) land in test-output/report/
for a person to look at. The dashboard's route is tested on the served dashboard, signed in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date

import pytest

from dashboards.report import Publication, fmt
from dashboards.scope import Forbidden, Scope
from orchestration.assets.reports import quarter_due
from orchestration.resources import WarehouseResource
from tests.conftest import OUTPUT, REPO, run_job, signed_in
from tests.reference import varde_2017
from transforms.publication import current_build, open_build

pytestmark = pytest.mark.slow
QUARTER_END = date(2026, 9, 30)  # the demo data's last complete quarter (extract 31-10-2026)


def make_report(data_dir, *args) -> subprocess.CompletedProcess:
    """`make report KOMMUNE=… KVARTAL=…|DATO=…`: the module the Makefile runs, on data_dir."""
    env = {**os.environ, "KPI_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "dashboards.report", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def pdf_text(path) -> str:
    """The PDF's text as pdftotext lays it out, with every run of white space one space per line."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "\n".join(re.sub(r"\s+", " ", line.replace("\u00a0", " ")).strip() for line in out.splitlines())


def page_images(path, name: str) -> list:
    out = OUTPUT / "report"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(path), str(out / name)], check=True)
    return sorted(out.glob(f"{name}-*.png"))


def row(*cells) -> re.Pattern:
    """A table row: the cells in order on one line, with anything between them."""
    return re.compile(r"(^|\s)" + r"\s.*?".join(re.escape(c.replace("\u00a0", " ")) for c in cells) + r"(\s|$)",
                      re.M)


def rows_of(con, sql, params=()) -> list[dict]:
    res = con.execute(sql, list(params))
    names = [d[0] for d in res.description]
    return [dict(zip(names, r, strict=True)) for r in res.fetchall()]


@pytest.fixture(scope="module")
def demo(served_dashboard):
    """The served demo (Varde and Tårnby, one real refresh), and 573's report for 2026K3."""
    data = served_dashboard["data"]
    con = open_build(current_build(data / "warehouse" / "published")[1])
    paths = WarehouseResource(data_dir=str(data)).paths
    # the refresh itself renders no report; the sensor then asks for the new quarter's reports
    assert not (data / "reports").exists() or not any((data / "reports").iterdir())
    assert quarter_due(paths) == "2026K3"
    run_job("quarterly_reports", data)
    assert quarter_due(paths) is None  # made once: the sensor asks no more this quarter
    pdf = data / "reports" / "573_2026K3.pdf"
    by_asset = pdf_text(pdf)  # the Dagster asset committee_reports made it
    run = make_report(data, "--kommune", "573", "--kvartal", "2026K3")
    assert run.returncode == 0, run.stderr[-2000:]
    yield {"data": data, "con": con, "pdf": pdf, "text": pdf_text(pdf), "by_asset": by_asset}
    con.close()


@pytest.fixture(scope="module")
def varde(varde_builds):
    """The Varde reference set after the October and November extracts: reference date 30-11-2017."""
    _, november, data = varde_builds
    return data, november


def test_the_demo_report_shows_the_marts_headlines_caseloads_and_exit_tables(demo):
    con, text = demo["con"], demo["text"]
    assert page_images(demo["pdf"], "demo_573_2026K3")
    # front page: municipality by name and code, the period, the date and the build
    build_id = current_build(demo["data"] / "warehouse" / "published")[0].build_id
    for expected in ("Varde (kommunekode 573)", "3. kvartal 2026", "01-07-2026 – 30-09-2026", build_id):
        assert expected in text, expected
    # every headline of the quarter end, with its base, as kpi_overview_history has it
    headlines = rows_of(con, "select * from marts.kpi_overview_history where municipality_code = '573' "
                             "and reference_date = ?", [QUARTER_END])
    assert len(headlines) >= 7
    for h in headlines:
        value, base = fmt.value(h["value"], h["unit"], h["is_suppressed"]), fmt.count(h["base"], h["is_suppressed"])
        assert row(value, base).search(text), (h["kpi_code"], value, base)
    # the KPIs measured on the reference date only are named as such, not shown with another date's value
    assert "Opgøres kun på opgørelsesdatoen (31-10-2026)" in text
    # the caseload of every caseworker on the quarter end
    caseloads = rows_of(con, "select * from marts.kpi_caseload where municipality_code = '573' "
                             "and reference_date = ?", [QUARTER_END])
    assert caseloads
    for c in caseloads:
        assert row(c["initials"], fmt.number(c["fte"], 2), fmt.count(c["cases"], c["is_suppressed"])).search(text), c
    # the exit table of the quarter and of the year to date, reason by reason
    for period in ("kvartal", "aar_til_dato"):
        exits = rows_of(con, """
            select coalesce(r.name_da, e.exit_reason) as reason_da, e.* from marts.kpi_exit_reasons as e
            left join reference.ref_afslutningsaarsager as r using (exit_reason)
            where municipality_code = '573' and target_group = '2.11' and period = ? and period_end = ?""",
                        [period, QUARTER_END])
        assert exits
        for e in exits:
            shown = fmt.count(e["reason_spells"], e["reason_spells"] is None)
            assert row(e["reason_da"], shown).search(text), (period, e)
        assert row("Afsluttede forløb i alt", fmt.count(exits[0]["ended_spells"], True)).search(text)
    # the passive share, both variants, from kpi_passive_citizens
    for p in rows_of(con, "select * from marts.kpi_passive_citizens where municipality_code = '573' "
                          "and reference_date = ? and dimension = 'i_alt'", [QUARTER_END]):
        assert row(fmt.count(p["passive"], p["is_suppressed"]), fmt.count(p["population"], p["is_suppressed"]),
                   fmt.value(p["passive_share"], "andel", p["is_suppressed"])).search(text), p


def test_the_report_is_danish_and_shows_no_codes_or_column_names(demo):
    text = demo["text"]
    assert not re.search(r"\b[A-Z]{2,}_[A-Z_]+\b", text)  # PASSIV_ANDEL, FOERTIDSPENSION, …
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text)  # kpi_caseload, is_suppressed, …
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)  # dates are dd-mm-yyyy
    assert not re.search(r"\d\.\d+ ?%", text)  # decimal commas
    assert "Side 1 af" in text and "Afslutningsårsager" in text and "Bilag B. Definitioner" in text


def test_a_suppressed_exit_count_is_printed_as_hidden_and_its_value_nowhere(demo):
    con, text = demo["con"], demo["text"]
    hidden = rows_of(con, """
        select coalesce(r.name_da, e.exit_reason) as reason_da from marts.kpi_exit_reasons as e
        left join reference.ref_afslutningsaarsager as r using (exit_reason)
        where municipality_code = '573' and target_group = '2.11' and period = 'aar_til_dato' and period_end = ?
          and reason_spells is null""", [QUARTER_END])
    assert hidden, "the demo data should have a suppressed exit reason to show"
    for h in hidden:
        assert row(h["reason_da"], "skjult", "skjult").search(text)


def test_the_all_municipality_report_has_the_experiment_arms_and_the_grant_payout_tier(demo):
    data, con = demo["data"], demo["con"]
    run = make_report(data, "--kommune", "ALLE", "--kvartal", "2026K3")
    assert run.returncode == 0, run.stderr
    pdf = data / "reports" / "ALLE_2026K3.pdf"
    page_images(pdf, "demo_ALLE_2026K3")
    text = pdf_text(pdf)
    payout = rows_of(con, "select e.experiment_title, p.* from marts.kpi_paid_hours as p inner join "
                          "(select distinct experiment_id, experiment_title from marts.kpi_experiment_evaluation) "
                          "as e using (experiment_id) where arm = 'INDSATS' and reference_date = ?", [QUARTER_END])
    assert payout
    for p in payout:
        tier = p["payout_tier"] or "–"
        assert row(fmt.count(p["participants"], p["is_suppressed"]), fmt.value(p["share"], "andel", p["is_suppressed"]),
                   tier).search(text), p
        assert p["experiment_title"] in text
    arms = rows_of(con, "select * from marts.kpi_experiment_evaluation where period_end = ? and kind = 'share'",
                   [QUARTER_END])
    assert arms
    for a in arms:
        if not a["is_suppressed"]:
            assert row(fmt.count(a["indsats_n"]), fmt.pct(a["indsats_value"]), fmt.count(a["kontrol_n"]),
                       fmt.pct(a["kontrol_value"]), fmt.difference(a["difference"], "share")).search(text), a
    # time to intervention and housing retention as of the quarter's end too, not the reference date
    timed = rows_of(con, """
        select e.*, k.name_da from marts.kpi_experiment_evaluation as e
        left join reference.ref_kpi as k using (kpi_code)
        where e.kind in ('median', 'survival')""")
    assert {r["period_end"] for r in timed} > {QUARTER_END}
    shown = [r for r in timed if r["period_end"] == QUARTER_END]
    assert {r["kpi_code"] for r in shown} == {"TID_FOERSTE_SAMTALE", "TID_JOBRETTET_PLAN", "TID_AKTIV_INDSATS",
                                              "BOLIGFASTHOLDELSE_12M", "BOLIGFASTHOLDELSE_24M"}
    for r in shown:  # the name's first words (the table wraps it) and the quarter's end beside it
        assert row(" ".join(r["name_da"].split()[:3]), fmt.day(QUARTER_END)).search(text), r
    assert "opgøres kun på opgørelsesdatoen" not in text
    # a single municipality's report has none of them: they are computed across both municipalities
    assert "Flere skal med 2" not in demo["text"]


def test_the_dagster_asset_made_the_last_quarter_s_report_for_every_municipality(demo):
    reports = demo["data"] / "reports"
    assert (reports / "573_2026K3.pdf").exists() and (reports / "185_2026K3.pdf").exists()
    assert "Tårnby (kommunekode 185)" in pdf_text(reports / "185_2026K3.pdf")
    # the asset's report and the command's are the same report, from the same build
    assert demo["by_asset"] == demo["text"]


def test_a_quarter_or_date_without_figures_is_refused_with_a_danish_message(demo):
    data = demo["data"]
    for args, message in ((["--kvartal", "2031K1"], "Der er ingen tal for 1. kvartal 2031"),
                          (["--kvartal", "2026-3"], "Kvartalet skal skrives som ÅÅÅÅKn"),
                          (["--dato", "2026-09-15"], "Der er ingen tal for 15-09-2026")):
        run = make_report(data, "--kommune", "573", *args)
        assert run.returncode == 2 and message in run.stderr, (args, run.stderr)


def test_the_report_s_scope_refuses_another_municipality_and_the_all_municipality_report(demo):
    with Publication(demo["data"] / "warehouse" / "published") as pub:
        leder = Scope("ole", "leder", frozenset({"573"}))
        pub.check(leder, "573")
        for other in ("185", "ALLE", "999"):
            with pytest.raises(Forbidden):
                pub.check(leder, other)


def test_varde_s_report_as_of_30_november_2017_has_49_of_122_passive_and_the_six_caseloads(varde):
    data, con = varde
    run = make_report(data, "--kommune", "573", "--dato", "2017-11-30")
    assert run.returncode == 0, run.stderr[-2000:]
    pdf = data / "reports" / "573_2017-11-30.pdf"
    page_images(pdf, "varde_2017-11-30")
    text = pdf_text(pdf)
    assert "49 af 122 borgere i ressourceforløb med mindst et års anciennitet er passive: 40 %." in text
    assert row("Mindst 1 års anciennitet (projektets baseline)", "49", "122", "40,2 %").search(text)
    assert row("Alle forløbsvarigheder (projektets mål)", "233").search(text)
    for initials, cases in varde_2017.CASELOADS.items():
        assert row("Team Ressourceforløb", initials, "1,00", str(cases)).search(text), initials
    assert row("Team Ressourceforløb", "6", "345", "57,5").search(text)  # 345 cases on six, none under the cap
    # the year to date as of 30 November, exactly as the mart has it: its total 32 is hidden, since
    # 32 - 28 (31 October's) would give November's 4 back
    ytd = rows_of(con, """
        select coalesce(r.name_da, e.exit_reason) as reason_da, e.* from marts.kpi_exit_reasons as e
        left join reference.ref_afslutningsaarsager as r using (exit_reason)
        where municipality_code = '573' and target_group = '2.11' and period = 'aar_til_dato'
          and period_end = date '2017-11-30'""")
    assert ytd and all(e["ended_spells"] is None for e in ytd)
    assert row("Afsluttede forløb i alt", "skjult").search(text)
    for e in ytd:
        assert row(e["reason_da"], fmt.count(e["reason_spells"], True)).search(text), e


def test_varde_s_report_as_of_october_2017_has_the_committee_s_exit_table(varde):
    data, _ = varde
    run = make_report(data, "--kommune", "573", "--dato", "2017-10-31")
    assert run.returncode == 0, run.stderr[-2000:]
    pdf = data / "reports" / "573_2017-10-31.pdf"
    page_images(pdf, "varde_2017-10-31")
    text = pdf_text(pdf)
    start = text.index("År til dato: 01-01-2017 – 31-10-2017")
    table = text[start:text.index("Afsluttede forløb i alt", start) + 40]
    assert row("Førtidspension", "12", "42,9 %").search(table)
    assert row("Skift af målgruppe", "9", "32,1 %").search(table)
    assert row("heraf til 2.8", "5").search(table)  # 5 in fleksjob; the others are under five
    assert row("Flyttet", "5", "17,9 %").search(table)
    assert row("Ordinær uddannelse", "skjult", "skjult").search(table)
    assert row("Pension", "skjult", "skjult").search(table)
    assert row("Afsluttede forløb i alt", "28", "100,0 %").search(table)


@pytest.fixture(scope="module")
def served(served_dashboard):
    return served_dashboard


def test_the_dashboard_gives_the_signed_in_person_their_own_municipality_s_report_and_nothing_else(served):
    leder = signed_in(served, "leder573")
    r = leder.get(served["url"] + "/rapport", params={"kommune": "573"}, timeout=120)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf", r.text[:300]
    assert r.content.startswith(b"%PDF") and 'filename="573_' in r.headers["Content-Disposition"]
    # another municipality, or all of them, by editing the request: refused, and no PDF
    for params in ({"kommune": "185"}, {"kommune": "ALLE"}, {"kommune": "185", "kvartal": "2026K3"}):
        r = leder.get(served["url"] + "/rapport", params=params, timeout=60)
        assert r.status_code == 403 and not r.content.startswith(b"%PDF"), params
    # unknown or malformed arguments
    for params in ({"kommune": "573", "rolle": "admin"}, {}, {"kommune": "573", "dato": "30-09-2026"},
                   {"kommune": "573", "kvartal": "2026Q3"}):
        r = leder.get(served["url"] + "/rapport", params=params, timeout=60)
        assert r.status_code == 400 and not r.content.startswith(b"%PDF"), params
    # nobody signed in: the login page
    import requests

    r = requests.get(served["url"] + "/rapport?kommune=573", allow_redirects=False, timeout=10)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    # someone scoped to both may have the all-municipality report
    assert signed_in(served, "begge").get(served["url"] + "/rapport", params={"kommune": "ALLE"},
                                          timeout=120).status_code == 200
