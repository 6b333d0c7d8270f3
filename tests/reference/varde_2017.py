"""Varde's ressourceforløb on 30 November 2017, as landing exports (kpis.md, reference figures).

Encodes what the "Håndholdt indsats i ressourceforløb" application reports:
- 233 ongoing ressourceforløb; of the 122 with at least a year's seniority, 49 passive (40 %);
- the six caseworkers' caseloads: A 74, L 45, J 48, G 67, E 52, K 59 (ressourceforløb and
  aktivitetsparate cases together);
- 28 ressourceforløb over one year ended January–October 2017: moved 5, disability pension 12,
  change of target group 9 (2 ledighedsydelse, 5 fleksjob, 1 jobparat kontanthjælp,
  1 aktivitetsparat uddannelseshjælp), ordinary education 1, pension 1.
Around those figures it adds what must not change them: passive citizens with offers that do not
count (social, or ended the day before the window), active ones with only a mentor, young spells,
short spells that ended, and the new spells after a change of target group held elsewhere.

It is delivered as the municipality delivers: a complete extract on 31 October 2017 (`write`),
then a complete November delta on 30 November (`write_november`) in which further ressourceforløb
over one year end (NOVEMBER_EXITS). Those must not change the table for January–October, and
they are not among the 233 ongoing on 30 November. Entities with nothing to report come as
header-only files, as the data contract asks.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

OCTOBER = date(2017, 10, 31)
EXTRACT = date(2017, 11, 30)  # the November extract: the reference date of the figures
CASELOADS = {"A": 74, "L": 45, "J": 48, "G": 67, "E": 52, "K": 59}
EXITS = ([("FLYTTET", "")] * 5 + [("FOERTIDSPENSION", "")] * 12
         + [("MAALGRUPPESKIFT", "2.7")] * 2 + [("MAALGRUPPESKIFT", "2.8")] * 5
         + [("MAALGRUPPESKIFT", "2.2"), ("MAALGRUPPESKIFT", "2.13")]
         + [("ORDINAER_UDDANNELSE", ""), ("PENSION", "")])
# The month each reason's exits fall in. Varde's table gives only the ten months' totals; these months
# keep every month's count per reason at 0 or at least 5 where the table shows the reason, so that
# no month end's year to date has to be hidden to protect a small month (kpis.md: no period minus
# another). Spread one every ten days instead, the year to date of 31 October would hide "Skift af
# målgruppe 9": 9 - 6 (the year to date of 31 August) gives back September and October's 3.
EXIT_MONTH = {"FLYTTET": 3, "FOERTIDSPENSION": 6}  # the rest end in September
# ressourceforløb over one year that end in November 2017, delivered in the November extract
NOVEMBER_EXITS = [("FLYTTET", date(2017, 11, 6)), ("FOERTIDSPENSION", date(2017, 11, 13)),
                  ("FOERTIDSPENSION", date(2017, 11, 20)), ("PENSION", date(2017, 11, 27))]
HEADERS = {
    "jobcenter/sagsbehandlere": "sagsbehandler_id;initialer;navn_team;kommunekode;aarsvaerk;opdateret;slettet",
    "jobcenter/forloeb": "forloeb_id;cpr;kommunekode;maalgruppe;startdato;slutdato;afslutningsaarsag;"
                         "ny_maalgruppe;sagsbehandler_id;opdateret;slettet",
    "jobcenter/indsatser": "indsats_id;forloeb_id;cpr;indsatstype;beskaeftigelsesrettet;startdato;slutdato;"
                           "opdateret;slettet",
    "jobcenter/samtaler": "samtale_id;forloeb_id;cpr;dato;samtaletype;status;opdateret;slettet",
    "jobcenter/planer": "plan_id;forloeb_id;cpr;plantype;oprettet;opdateret;slettet",
    "jobcenter/beskaeftigelse": "cpr;maaned;loentimer;uddannelse;opdateret;slettet",
}


def _d(x: date) -> str:
    return x.strftime("%d-%m-%Y")


def _cpr(i: int) -> str:
    """A valid, unique CPR number of someone born 1965–1997."""
    born = date(1965, 1, 1) + timedelta(days=(i * 37) % 12000)
    return f"{born:%d%m%y}-{(i % 1000) * 2 + 1:04d}"


def _put(landing: Path, extract: date, rows: dict[str, list[str]]) -> None:
    """One complete jobcenter extract: every entity's file, header-only where it has no rows."""
    for name, header in HEADERS.items():
        path = landing / f"{name}_{extract:%Y%m%d}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = rows.get(name, [])
        path.write_text(header + "\n" + "".join(f"{r}\n" for r in lines), encoding="utf-8")


def _november_spell(j: int) -> tuple[str, str, date]:
    return f"RV{j:04d}", _cpr(3000 + j), date(2015, 3, 1) + timedelta(days=j * 17)


def write_november(landing: Path) -> None:
    """The November delta: the further exits, and nothing else to report."""
    forloeb = [f"{fid};{cpr};573;2.11;{_d(start)};{_d(end)};{reason};;SB573A;{_d(end)} 12:00;N"
               for j, (reason, end) in enumerate(NOVEMBER_EXITS) for fid, cpr, start in [_november_spell(j)]]
    _put(landing, EXTRACT, {"jobcenter/forloeb": forloeb})


def write(landing: Path) -> None:
    """The October extract: everything as it stands on 31 October 2017."""
    stamp = f"{_d(OCTOBER)} 06:00"
    rows_sb = [f"SB573{i};{i};Team Ressourceforløb;573;1,0;{stamp};N" for i in CASELOADS]
    rows_sb.append(f"SB573X;X;Team Fleksjob;573;1,0;{stamp};N")
    # the 345 ongoing cases: 233 ressourceforløb (122 senior of which 49 passive), 112 aktivitetsparate
    slots = [cw for cw, n in CASELOADS.items() for _ in range(n)]
    kinds = (["senior_passive"] * 49 + ["senior_active"] * 73 + ["young"] * 111 + ["aktivitetsparat"] * 112)
    assert len(slots) == len(kinds) == 345
    forloeb, indsatser = [], []
    for i, (cw, kind) in enumerate(zip(slots, kinds, strict=True)):
        fid, cpr = f"RF{i:04d}", _cpr(i)
        if kind.startswith("senior"):
            start = date(2014, 1, 1) + timedelta(days=i % 1000)  # at least a year before
        elif kind == "young":
            start = date(2017, 1, 1) + timedelta(days=i % 300)
        else:
            start = date(2016, 6, 1) + timedelta(days=i % 500)
        group = "2.3" if kind == "aktivitetsparat" else "2.11"
        forloeb.append(f"{fid};{cpr};573;{group};{_d(start)};;;;SB573{cw};{stamp};N")
        o = f"{fid}-O"
        if kind == "senior_passive":
            # offers that do not break passivity: a social offer, and an active one that ended the
            # day before the 365-day window
            indsatser.append(f"{o}1;{fid};{cpr};SOCIAL;N;01-03-2017;30-06-2017;{stamp};N")
            indsatser.append(f"{o}2;{fid};{cpr};VIRKSOMHEDSPRAKTIK;J;01-09-2016;29-11-2016;{stamp};N")
        elif kind == "senior_active":
            if i % 5 == 0:  # a mentor alone is enough
                indsatser.append(f"{o}1;{fid};{cpr};MENTOR;N;01-02-2017;;{stamp};N")
            else:  # an active offer that ended on the first day of the window still counts
                end = "30-11-2016" if i % 7 == 0 else "31-05-2017"
                indsatser.append(f"{o}1;{fid};{cpr};VIRKSOMHEDSPRAKTIK;J;01-09-2016;{end};{stamp};N")
    # the 28 ended spells over one year, January to October 2017, and what followed them
    for j, (reason, new_group) in enumerate(EXITS):
        fid, cpr = f"RE{j:04d}", _cpr(1000 + j)
        start = date(2014, 6, 1) + timedelta(days=j * 11)
        end = date(2017, EXIT_MONTH.get(reason, 9), 1 + j % 28)
        forloeb.append(f"{fid};{cpr};573;2.11;{_d(start)};{_d(end)};{reason};{new_group};SB573A;{_d(end)} 12:00;N")
        if new_group:
            nxt = end + timedelta(days=1)
            forloeb.append(f"RN{j:04d};{cpr};573;{new_group};{_d(nxt)};;;;SB573X;{_d(nxt)} 12:00;N")
    # short spells that ended in 2017 are not in Varde's table (duration over one year)
    for j in range(3):
        start, end = date(2017, 1, 10), date(2017, 7, 1) + timedelta(days=j)
        forloeb.append(f"RS{j:04d};{_cpr(2000 + j)};573;2.11;{_d(start)};{_d(end)};FLYTTET;;SB573A;{_d(end)} 12:00;N")
    # the spells that end in November are ongoing (and held by A) on 31 October
    for j in range(len(NOVEMBER_EXITS)):
        fid, cpr, start = _november_spell(j)
        forloeb.append(f"{fid};{cpr};573;2.11;{_d(start)};;;;SB573A;{stamp};N")
    _put(landing, OCTOBER, {"jobcenter/sagsbehandlere": rows_sb, "jobcenter/forloeb": forloeb,
                            "jobcenter/indsatser": indsatser})
