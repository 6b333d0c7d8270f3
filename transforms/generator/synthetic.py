"""A synthetic municipality: the true history of its citizens, caseworkers and experiments.

The simulation works on one chunk of citizens at a time (vectorised NumPy, memory bounded by the
chunk size) and produces *truth* tables: every spell, offer, meeting, plan, housing stay, with the
dates on which each fact happens. `landing_render` turns the truth into what a source system
would export on a given extract date (a snapshot or a one-day delta).

Calibration (../shared/spec/kpis.md):
- about 40 % of ressourceforløb spells with a year's seniority are passive without intervention;
- around 60 ongoing cases per caseworker (30 in the "håndholdt" experiment team);
- exit reasons of ressourceforløb follow Varde's 2017 table;
- first meetings mostly within two weeks (about 78 %), job plans mostly within a month;
- rehoused homeless citizens keep their home at about 90 % after two years with housing support
  (Danish Housing First evaluations) and markedly less without it.
Every experiment effect is a `Config` field, so that the KPI models can be checked to recover it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

EPOCH = date(1970, 1, 1)
YEAR = 365.25


def day(d: date) -> int:
    return (d - EPOCH).days


@dataclass(frozen=True)
class Config:
    municipalities: tuple[str, ...]
    citizens: int
    seed: int
    extract_date: date
    deltas: int = 0
    history_years: int = 6
    chunk_size: int = 50_000
    # calibration
    caseload_per_worker: float = 60.0
    caseload_haandholdt: float = 30.0
    passive_share: float = 0.40  # share of ressourceforløb spells that get no active offer
    first_meeting_scale: float = 4.5  # gamma(2, scale) days after start: ~78 % within 14 days
    plan_median_days: float = 21.0
    homeless_share_vulnerable: float = 0.08  # of citizens with an aktivitetsparat/RF spell
    housing_fail_rate_supported: float = 0.05  # failures per year in an own home, with support
    housing_fail_rate_unsupported: float = 0.30
    paid_hours_share: float = 0.06  # share of spells with some paid hours during the spell
    # experiment effects (INDSATS arm)
    effect_passive_share: float = 0.16
    effect_first_meeting_scale: float = 2.0
    effect_housing_fail_rate: float = 0.035
    effect_paid_hours_share: float = 0.22

    @property
    def E(self) -> int:  # noqa: N802 - the extract date as a day number
        return day(self.extract_date)

    @property
    def H(self) -> int:  # noqa: N802 - the simulation horizon: the last delta's date
        return self.E + self.deltas

    @property
    def T0(self) -> int:  # noqa: N802 - the first day of the exported history
        return self.E - int(self.history_years * YEAR)


@dataclass(frozen=True)
class Chunk:
    index: int  # global chunk number
    kommunekode: str
    part: int  # chunk number within the municipality
    offset: int  # global index of the chunk's first citizen
    size: int


def plan_chunks(cfg: Config) -> list[Chunk]:
    """Split the citizens evenly over municipalities, then into chunks of at most chunk_size."""
    n_m = len(cfg.municipalities)
    base, extra = divmod(cfg.citizens, n_m)
    chunks, offset = [], 0
    for m, code in enumerate(cfg.municipalities):
        n = base + (1 if m < extra else 0)
        parts = max(1, -(-n // cfg.chunk_size))
        for p in range(parts):
            size = n // parts + (1 if p < n % parts else 0)
            chunks.append(Chunk(len(chunks), code, p, offset, size))
            offset += size
    return chunks


# --- experiments --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Experiment:
    forsoeg_id: str
    titel: str
    netvaerk: str
    maalgruppe: str
    start_offset: int  # days before the extract date
    length: int  # days; the end lies at most a year after the extract date (data contract)
    enrol_share: float
    targets: tuple[tuple[str, str, float], ...] = field(default=())


EXPERIMENTS = (
    Experiment(
        "HAANDHOLDT_RF", "Håndholdt indsats i ressourceforløb",
        "Frikommunenetværket om færre regler og flere i job", "2.11", 730, 1095, 0.5,
        (("PASSIV_ANDEL", "<=", 0.20), ("TID_FOERSTE_SAMTALE", "<=", 14.0),
         ("TID_JOBRETTET_PLAN", "<=", 30.0), ("SAGSSTAMME", "<=", 30.0)),
    ),
    Experiment(
        "FLERE_SKAL_MED_2", "Flere skal med 2", "Satspulje (STAR)", "2.3", 540, 730, 0.3,
        (("LOENTIMER_ANDEL", ">=", 0.15), ("TID_AKTIV_INDSATS", "<=", 90.0)),
    ),
    Experiment(
        "HOUSING_FIRST_HLT", "Housing First med midlertidigt huslejetilskud",
        "Frikommunenetværket om billige boliger og fleksible boligløsninger", "", 900, 1265, 0.6,
        (("BOLIGFASTHOLDELSE_12M", ">=", 0.90), ("BOLIGFASTHOLDELSE_24M", ">=", 0.85)),
    ),
)


def experiment_window(cfg: Config, exp: Experiment) -> tuple[int, int]:
    start = cfg.E - exp.start_offset
    return start, start + exp.length


# --- code distributions ---------------------------------------------------------------------

# Target-group mix of a citizen's first spell and of re-entries.
MG_MIX = {"2.1": 0.15, "2.2": 0.12, "2.3": 0.15, "2.6": 0.20, "2.7": 0.05, "2.8": 0.04,
          "2.10": 0.04, "2.11": 0.12, "2.12": 0.06, "2.13": 0.07}
# Median spell length in days (lognormal, sigma 0.8).
MG_MEDIAN_DAYS = {"2.1": 120, "2.2": 180, "2.3": 540, "2.6": 90, "2.7": 365, "2.8": 1460,
                  "2.10": 365, "2.11": 900, "2.12": 240, "2.13": 540}
# Exit reasons per target group; ressourceforløb follows Varde's 2017 table (28 spells).
MG_EXITS = {
    "2.11": {"FLYTTET": 5, "FOERTIDSPENSION": 12, "MAALGRUPPESKIFT": 9,
             "ORDINAER_UDDANNELSE": 1, "PENSION": 1},
    "2.1": {"ORDINAER_BESKAEFTIGELSE": 70, "MAALGRUPPESKIFT": 10, "FLYTTET": 8, "ANDET": 12},
    "2.2": {"ORDINAER_BESKAEFTIGELSE": 50, "ORDINAER_UDDANNELSE": 10, "MAALGRUPPESKIFT": 15,
            "FLYTTET": 10, "ANDET": 15},
    "2.3": {"ORDINAER_BESKAEFTIGELSE": 18, "MAALGRUPPESKIFT": 32, "FOERTIDSPENSION": 12,
            "FLYTTET": 15, "ORDINAER_UDDANNELSE": 5, "ANDET": 16, "DOED": 2},
    "2.6": {"ORDINAER_BESKAEFTIGELSE": 72, "MAALGRUPPESKIFT": 14, "ANDET": 12, "DOED": 2},
    "2.7": {"FLEKSJOB": 70, "FLYTTET": 10, "PENSION": 10, "ANDET": 10},
    "2.8": {"MAALGRUPPESKIFT": 30, "PENSION": 40, "FLYTTET": 15, "ANDET": 15},
    "2.10": {"ORDINAER_BESKAEFTIGELSE": 30, "MAALGRUPPESKIFT": 45, "FOERTIDSPENSION": 10,
             "ANDET": 15},
    "2.12": {"ORDINAER_UDDANNELSE": 55, "ORDINAER_BESKAEFTIGELSE": 20, "MAALGRUPPESKIFT": 10,
             "FLYTTET": 5, "ANDET": 10},
    "2.13": {"ORDINAER_UDDANNELSE": 25, "MAALGRUPPESKIFT": 35, "FLYTTET": 15, "ANDET": 25},
}
# New target group on MAALGRUPPESKIFT; ressourceforløb per Varde (2 / 5 / 1 / 1).
MG_NEXT = {
    "2.11": {"2.7": 2, "2.8": 5, "2.2": 1, "2.13": 1},
    "2.1": {"2.2": 1},
    "2.2": {"2.3": 1},
    "2.3": {"2.11": 5, "2.2": 3, "2.7": 2},
    "2.6": {"2.10": 6, "2.11": 2, "2.2": 2},
    "2.8": {"2.7": 1},
    "2.10": {"2.11": 6, "2.6": 2, "2.3": 2},
    "2.12": {"2.13": 1},
    "2.13": {"2.12": 4, "2.11": 3, "2.3": 3},
}
# Meeting interval in days and share of spells that get offers at all.
MG_MEETING_INTERVAL = {"2.1": 60, "2.2": 60, "2.3": 75, "2.6": 28, "2.7": 90, "2.8": 180,
                       "2.10": 60, "2.11": 75, "2.12": 45, "2.13": 75}
MG_OFFER_SHARE = {"2.1": 0.7, "2.2": 0.8, "2.3": 0.7, "2.6": 0.4, "2.7": 0.6, "2.8": 0.05,
                  "2.10": 0.6, "2.12": 0.8, "2.13": 0.7}
TEAMS = {
    "2.1": "Team Job", "2.2": "Team Job", "2.12": "Team Unge", "2.13": "Team Unge",
    "2.3": "Team Aktivitetsparate", "2.6": "Team Sygedagpenge", "2.10": "Team Sygedagpenge",
    "2.7": "Team Fleksjob og ledighedsydelse", "2.8": "Team Fleksjob og ledighedsydelse",
    "2.11": "Team Ressourceforløb",
}
TEAM_HAANDHOLDT = "Team Håndholdt ressourceforløb"
ACTIVE_OFFERS = {"VIRKSOMHEDSPRAKTIK": 27, "LOENTILSKUD": 8, "VEJLEDNING_OPKVALIFICERING": 30,
                 "NYTTEINDSATS": 10, "MENTOR": 15, "ANDET": 10}
PASSIVE_OFFERS = {"SOCIAL": 6, "SUNDHED": 4}
EMPLOYMENT_ORIENTED = {"VIRKSOMHEDSPRAKTIK", "LOENTILSKUD", "VEJLEDNING_OPKVALIFICERING",
                       "NYTTEINDSATS"}
FIRST_NAMES = "Anne Bo Birgitte Christian Dorthe Erik Gitte Hans Jørgen Kirsten Lars Lene " \
              "Mette Niels Pia Søren Tove Åse Ørjan Ærthe".split()
LAST_NAMES = "Andersen Bæk Christensen Damgaard Frølund Hansen Jensen Kjær Larsen Møller " \
             "Nielsen Østergaard Pedersen Sørensen Thomsen Vestergaard Aagaard".split()


def _pick(rng: np.random.Generator, mix: dict, n: int) -> np.ndarray:
    keys = np.array(list(mix))
    p = np.array(list(mix.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _pick_by(rng: np.random.Generator, groups: np.ndarray, table: dict, default: str = "") -> np.ndarray:
    """For each element of `groups`, draw from table[group] (a weight dict)."""
    width = max(len(k) for mix in table.values() for k in mix)
    out = np.full(len(groups), default, dtype=f"<U{max(width, len(default))}")
    for g, mix in table.items():
        m = groups == g
        if m.any():
            out[m] = _pick(rng, mix, int(m.sum()))
    return out


def _map(groups: np.ndarray, table: dict, default=0.0) -> np.ndarray:
    out = np.full(len(groups), default, dtype=float)
    for g, v in table.items():
        out[groups == g] = v
    return out


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row index of each parent repeated `counts` times, and the position within its group."""
    counts = counts.astype(np.int64)
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    pos = np.arange(len(parent)) - np.repeat(starts, counts)
    return parent, pos


def group_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Cumulative sum of `values` restarting at each group of `counts` consecutive rows."""
    cs = np.cumsum(values)
    prefix = np.concatenate(([0], cs))
    starts = np.cumsum(counts) - counts
    return cs - np.repeat(prefix[starts], counts)


def _dates(a: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(a, dtype=np.int32)).cast(pl.Date)


def make_ids(prefix: str, chunk: Chunk, n: int) -> pl.Series:
    """Row ids unique across chunks: prefix, chunk number, row number."""
    return pl.Series(np.arange(n)).cast(pl.String).str.zfill(7).str.replace(
        r"^", f"{prefix}{chunk.index:03d}-")


def _text(a: np.ndarray) -> pl.Series:
    """A NumPy unicode array as a string column, "" as null."""
    s = pl.Series(a).cast(pl.String)
    return s.set(s == "", None) if (s == "").any() else s


# --- the simulation -------------------------------------------------------------------------

def simulate_chunk(cfg: Config, chunk: Chunk) -> dict[str, pl.DataFrame]:
    """The true history of one chunk of citizens, as one frame per landing entity.

    Date columns hold the day each fact happens, even after the horizon; the renderer hides
    what an extract on a given date cannot know yet. `tod` is the time of day (seconds) of the
    row's changes, `deleted_on` the day a row is deleted in the source (null for most rows).
    """
    rng = np.random.default_rng([cfg.seed, chunk.index])
    E, H, T0 = cfg.E, cfg.H, cfg.T0
    n = chunk.size
    out: dict[str, pl.DataFrame] = {}

    # citizens: a CPR number unique across all chunks (the global index fixes day and serial)
    g = chunk.offset + np.arange(n, dtype=np.int64)
    span = 48 * 365
    day_idx = (g * 7919) % span
    slot = g // span
    birth = E - 66 * 365 + day_idx
    sex = rng.integers(0, 2, n)  # 1 = male (odd last digit)
    serial3 = ((slot * 37 + day_idx) % 500) * 2 + sex
    birth_years = _dates(birth).dt.year().to_numpy()
    digit7 = np.where(birth_years >= 2000, 4, rng.integers(0, 4, n))
    cpr = pl.select(pl.concat_str(
        _dates(birth).dt.strftime("%d%m%y"), pl.lit("-"),
        pl.Series(digit7 * 1000 + serial3).cast(pl.String).str.zfill(4),
    )).to_series()

    # spells: chains of up to five per citizen, starting 3 years before the history so that
    # the caseload at the start of the history is already in steady state
    max_k = 5
    cur_start = rng.integers(T0 - 3 * 365, H + 1, n)
    cur_mg = _pick(rng, MG_MIX, n)
    alive = np.ones(n, dtype=bool)
    rows = []
    for _ in range(max_k):
        idx = np.nonzero(alive & (cur_start <= H))[0]
        if len(idx) == 0:
            break
        mg = cur_mg[idx]
        med = _map(mg, MG_MEDIAN_DAYS, 180.0)
        dur = np.maximum(7, np.exp(np.log(med) + 0.8 * rng.standard_normal(len(idx)))).astype(np.int64)
        start = cur_start[idx]
        end = start + dur
        reason = _pick_by(rng, mg, MG_EXITS, "ANDET")
        nxt = _pick_by(rng, mg, MG_NEXT)
        reason = np.where((reason == "MAALGRUPPESKIFT") & (nxt == ""), "ANDET", reason)
        nxt = np.where(reason == "MAALGRUPPESKIFT", nxt, "")
        rows.append((idx, mg, start, end, reason, nxt))
        # the next spell: straight into the new target group, or a re-entry after a gap
        switch = reason == "MAALGRUPPESKIFT"
        gap = rng.exponential(400, len(idx)).astype(np.int64) + 30
        reentry = rng.random(len(idx)) < np.where(
            np.isin(reason, ["FOERTIDSPENSION", "PENSION", "DOED", "FLYTTET"]), 0.0, 0.35)
        cur_start[idx] = np.where(switch, end + 1, end + gap)
        cur_mg[idx] = np.where(switch, nxt, _pick(rng, MG_MIX, len(idx)))
        alive[idx] = switch | reentry
    cit = np.concatenate([r[0] for r in rows])
    sp_mg = np.concatenate([r[1] for r in rows])
    sp_start = np.concatenate([r[2] for r in rows])
    sp_end = np.concatenate([r[3] for r in rows])
    sp_reason = np.concatenate([r[4] for r in rows])
    sp_next = np.concatenate([r[5] for r in rows])
    keep = sp_end >= T0
    order = np.lexsort((sp_start[keep], cit[keep]))
    cit, sp_mg, sp_start, sp_end = (a[keep][order] for a in (cit, sp_mg, sp_start, sp_end))
    sp_reason, sp_next = sp_reason[keep][order], sp_next[keep][order]
    ns = len(cit)
    sp_id = make_ids("F", chunk, ns)
    sp_cpr = cpr.gather(cit)

    # experiments: enrolment per citizen (first eligible spell), arms 50/50
    arm = np.full(ns, "", dtype="<U40")  # "<experiment>:<arm>" of the spell, if enrolled
    enrolled = np.full(ns, np.iinfo(np.int64).max)  # enrolment day, if any
    deltagere = []
    for exp in EXPERIMENTS[:2]:
        f_start, f_end = experiment_window(cfg, exp)
        elig = (sp_mg == exp.maalgruppe) & (sp_end >= f_start) & (sp_start <= min(H, f_end))
        elig_idx = np.nonzero(elig)[0]
        _, first = np.unique(cit[elig_idx], return_index=True)
        cand = elig_idx[first]
        cand = cand[rng.random(len(cand)) < exp.enrol_share]
        a = np.where(rng.random(len(cand)) < 0.5, "INDSATS", "KONTROL")
        ind = np.maximum(sp_start[cand], f_start) + rng.integers(0, 15, len(cand))
        ok = (ind <= H) & (ind <= sp_end[cand])
        cand, a, ind = cand[ok], a[ok], ind[ok]
        arm[cand] = np.char.add(f"{exp.forsoeg_id}:", a)
        enrolled[cand] = ind
        deltagere.append(pl.DataFrame({
            "forsoeg_id": [exp.forsoeg_id] * len(cand), "cpr": sp_cpr.gather(cand), "gruppe": a,
            "indskrevet": _dates(ind), "udskrevet": _dates(np.minimum(sp_end[cand], f_end)),
        }))
    hh = arm == "HAANDHOLDT_RF:INDSATS"
    fsm = arm == "FLERE_SKAL_MED_2:INDSATS"

    # caseworker assignments: segments split at changes (0.6 a year) and, in the håndholdt arm,
    # at enrolment, when the case moves to the experiment's team
    last_day = np.minimum(sp_end, H)
    n_changes = rng.poisson(0.6 * np.maximum(0, last_day - sp_start) / YEAR)
    n_changes = np.minimum(n_changes, 6)
    seg_counts = 1 + n_changes + hh
    seg_sp, seg_pos = expand(seg_counts)
    span_days = np.maximum(1, last_day - sp_start)[seg_sp]
    cut = sp_start[seg_sp] + (rng.random(len(seg_sp)) * span_days).astype(np.int64)
    cut = np.where(seg_pos == 0, sp_start[seg_sp], cut)
    is_enrol_cut = hh[seg_sp] & (seg_pos == seg_counts[seg_sp] - 1)
    cut = np.where(is_enrol_cut, enrolled[seg_sp], cut)
    order = np.lexsort((cut, seg_sp))
    seg_sp, cut = seg_sp[order], cut[order]
    seg_from = cut
    nxt_from = np.concatenate((cut[1:], [0]))
    same_next = np.concatenate((seg_sp[1:] == seg_sp[:-1], [False]))
    seg_to = np.where(same_next, nxt_from, sp_end[seg_sp])
    keep = seg_to > seg_from
    keep |= ~same_next  # a spell keeps at least its last segment
    seg_sp, seg_from, seg_to = seg_sp[keep], seg_from[keep], seg_to[keep]
    seg_team = np.full(len(seg_sp), "", dtype="<U40")
    for mg_code, team in TEAMS.items():
        seg_team[sp_mg[seg_sp] == mg_code] = team
    seg_team[hh[seg_sp] & (seg_from >= enrolled[seg_sp])] = TEAM_HAANDHOLDT
    # size each team's pool to its caseload on the extract date
    covers_e = (seg_from <= E) & (seg_to > E)
    workers, seg_worker, n_workers = [], np.zeros(len(seg_sp), dtype=np.int64), 0
    for t_i, team in enumerate(sorted(set(TEAMS.values()) | {TEAM_HAANDHOLDT})):
        in_team = seg_team == team
        if not in_team.any():
            continue
        per = cfg.caseload_haandholdt if team == TEAM_HAANDHOLDT else cfg.caseload_per_worker
        k = max(1, int(round(covers_e[in_team].sum() / per)))
        ids = [f"SB{chunk.kommunekode}{chunk.part:02d}{t_i}{j:02d}" for j in range(k)]
        w = rng.gamma(8.0, 1.0, k)
        seg_worker[in_team] = n_workers + rng.choice(k, int(in_team.sum()), p=w / w.sum())
        n_workers += k
        fte = rng.choice([1.0, 1.0, 1.0, 0.9, 0.8, 0.5], k)
        first = rng.choice(FIRST_NAMES, k)
        last = rng.choice(LAST_NAMES, k)
        workers.append(pl.DataFrame({
            "sagsbehandler_id": ids,
            "initialer": [f"{a[0]}{b[0]}{b[1].upper()}" for a, b in zip(first, last, strict=False)],
            "navn_team": [team] * k, "aarsvaerk": fte,
            "oprettet": _dates(np.full(k, T0 if team != TEAM_HAANDHOLDT else
                                       experiment_window(cfg, EXPERIMENTS[0])[0] - 30)),
        }))
    out["sagsbehandlere"] = pl.concat(workers).with_columns(
        kommunekode=pl.lit(chunk.kommunekode), tod=pl.lit(8 * 3600), deleted_on=pl.lit(None, pl.Date))
    n_seg = len(seg_sp)
    out["tildelinger"] = pl.DataFrame({
        "tildeling_id": make_ids("T", chunk, n_seg), "forloeb_id": sp_id.gather(seg_sp),
        "sagsbehandler_id": out["sagsbehandlere"]["sagsbehandler_id"].gather(seg_worker),
        "fra": _dates(seg_from), "til": _dates(seg_to),
        "tod": rng.integers(7 * 3600, 17 * 3600, n_seg),
        "deleted_on": pl.Series([None] * n_seg, dtype=pl.Date),
    })

    out["forloeb"] = pl.DataFrame({
        "forloeb_id": sp_id, "cpr": sp_cpr, "kommunekode": [chunk.kommunekode] * ns,
        "maalgruppe": sp_mg, "startdato": _dates(sp_start), "slutdato": _dates(sp_end),
        "afslutningsaarsag": sp_reason.astype(str), "ny_maalgruppe": _text(sp_next),
        "tod": rng.integers(7 * 3600, 17 * 3600, ns), "deleted_on": pl.Series([None] * ns, dtype=pl.Date),
    })

    # meetings: the first one after a gamma delay (faster in the håndholdt arm for spells that
    # start during the experiment), then follow-ups at the target group's interval
    new_in_exp = hh & (enrolled <= sp_start + 14)
    scale = np.where(new_in_exp, cfg.effect_first_meeting_scale, cfg.first_meeting_scale)
    first = sp_start + 1 + rng.gamma(2.0, scale).astype(np.int64)
    missed = rng.random(ns) < 0.08  # the first booked meeting is missed or cancelled
    interval = _map(sp_mg, MG_MEETING_INTERVAL, 60)
    stop = np.minimum(sp_end, H + 14)
    n_follow = np.clip(((stop - first) / interval).astype(np.int64), 0, 80)
    counts = 1 + missed + np.where(first <= stop, n_follow, 0)
    m_sp, m_pos = expand(counts)
    step = interval[m_sp] * rng.uniform(0.7, 1.3, len(m_sp))
    step = np.where(m_pos == 0, 0, step)
    # a missed first meeting is re-booked 5–12 days later
    step = np.where(missed[m_sp] & (m_pos == 1), rng.integers(5, 13, len(m_sp)), step)
    m_date = first[m_sp] + group_cumsum(step, counts).astype(np.int64)
    is_first = (m_pos == 0) | (missed[m_sp] & (m_pos == 1))
    status = _pick(rng, {"AFHOLDT": 85, "AFLYST": 8, "UDEBLEVET": 7}, len(m_sp))
    status = np.where(is_first, "AFHOLDT", status)
    status = np.where(missed[m_sp] & (m_pos == 0), _pick(rng, {"UDEBLEVET": 6, "AFLYST": 4},
                                                         len(m_sp)), status)
    follow_type = np.where(np.isin(sp_mg[m_sp], ["2.6", "2.10"]), "OPFOELGNING",
                           np.where(np.isin(sp_mg[m_sp], ["2.11"]) & (rng.random(len(m_sp)) < 0.3),
                                    "REHABILITERING", "JOBSAMTALE"))
    m_type = np.where(is_first, "FOERSTE", follow_type)
    ok = m_date <= np.minimum(sp_end, H + 14)[m_sp]
    ok |= m_pos == 0
    nm = int(ok.sum())
    deleted = rng.random(nm) < 0.003
    out["samtaler"] = pl.DataFrame({
        "samtale_id": make_ids("S", chunk, nm), "forloeb_id": sp_id.gather(m_sp[ok]),
        "cpr": sp_cpr.gather(m_sp[ok]), "dato": _dates(m_date[ok]), "samtaletype": m_type[ok],
        "status": status[ok], "tod": rng.integers(7 * 3600, 17 * 3600, nm),
        "deleted_on": pl.Series(np.where(deleted, m_date[ok] + rng.integers(-10, 20, nm), 0)),
    }).with_columns(
        deleted_on=pl.when(pl.Series(deleted)).then(pl.col("deleted_on").cast(pl.Int32).cast(pl.Date))
    )

    # plans: a job plan for most spells (median 3 weeks), a rehabilitation plan in ressourceforløb
    has_plan = rng.random(ns) < np.where(sp_mg == "2.8", 0.2, 0.88)
    plan_scale = np.where(hh, cfg.plan_median_days * 0.5, cfg.plan_median_days) / np.log(2)
    plan_day = sp_start + 1 + rng.exponential(plan_scale).astype(np.int64)
    p_sp = np.nonzero(has_plan & (plan_day <= np.minimum(sp_end, H)))[0]
    p_type = np.full(len(p_sp), "JOBRETTET_PLAN", dtype="<U14")
    p_type[rng.random(len(p_sp)) < 0.1] = "MIN_PLAN"
    rf = np.nonzero((sp_mg == "2.11") & (sp_start + 45 <= np.minimum(sp_end, H)))[0]
    p_sp = np.concatenate((p_sp, rf))
    p_type = np.concatenate((p_type, np.full(len(rf), "INDSATSPLAN")))
    p_day = np.concatenate((plan_day[p_sp[: len(p_sp) - len(rf)]], sp_start[rf] + rng.integers(20, 45, len(rf))))
    npl = len(p_sp)
    out["planer"] = pl.DataFrame({
        "plan_id": make_ids("P", chunk, npl), "forloeb_id": sp_id.gather(p_sp), "cpr": sp_cpr.gather(p_sp),
        "plantype": p_type.astype(str), "oprettet": _dates(p_day),
        "tod": rng.integers(7 * 3600, 17 * 3600, npl), "deleted_on": pl.Series([None] * npl, dtype=pl.Date),
    })

    # offers: a chain of offers along the spell; in ressourceforløb a spell is passive (no active
    # offer, no mentor) with probability passive_share, re-drawn at enrolment in the håndholdt arm
    is_rf = sp_mg == "2.11"
    passive_pre = is_rf & (rng.random(ns) < cfg.passive_share)
    passive_post = np.where(hh, rng.random(ns) < cfg.effect_passive_share, passive_pre)
    gets_offers = np.where(is_rf, True, rng.random(ns) < _map(sp_mg, MG_OFFER_SHARE, 0.5))
    first_offer = sp_start + 7 + rng.exponential(40, ns).astype(np.int64)
    o_stop = np.minimum(sp_end, H)
    n_cand = np.where(gets_offers & (first_offer <= o_stop),
                      np.clip((o_stop - first_offer) // 75 + 1, 1, 60), 0)
    o_sp, o_pos = expand(n_cand)
    o_len = rng.integers(28, 121, len(o_sp))
    o_gap = rng.integers(10, 90, len(o_sp))
    step = np.concatenate(([0], (o_len + o_gap)[:-1]))
    step = np.where(o_pos == 0, 0, step)
    o_start = first_offer[o_sp] + group_cumsum(step, n_cand)
    o_end = o_start + o_len
    in_post = o_start >= enrolled[o_sp]
    passive = np.where(in_post, passive_post[o_sp], passive_pre[o_sp])
    o_type = np.where(passive, _pick(rng, PASSIVE_OFFERS, len(o_sp)),
                      _pick(rng, ACTIVE_OFFERS, len(o_sp)))
    # a passive spell's candidate offers mostly do not happen at all
    ok = (o_start <= o_stop[o_sp]) & ~(passive & (rng.random(len(o_sp)) < 0.7))
    o_end = np.minimum(o_end, sp_end[o_sp])
    no = int(ok.sum())
    o_type = o_type[ok].astype(str)
    active_flag = np.isin(o_type, list(EMPLOYMENT_ORIENTED))
    deleted = rng.random(no) < 0.002
    out["indsatser"] = pl.DataFrame({
        "indsats_id": make_ids("I", chunk, no), "forloeb_id": sp_id.gather(o_sp[ok]),
        "cpr": sp_cpr.gather(o_sp[ok]), "indsatstype": o_type, "beskaeftigelsesrettet": active_flag,
        "startdato": _dates(o_start[ok]), "slutdato": _dates(o_end[ok]),
        "tod": rng.integers(7 * 3600, 17 * 3600, no),
        "deleted_on": pl.Series(np.where(deleted, o_start[ok] + rng.integers(0, 30, no), 0)),
    }).with_columns(
        deleted_on=pl.when(pl.Series(deleted)).then(pl.col("deleted_on").cast(pl.Int32).cast(pl.Date))
    )

    # paid hours and education per month (income register), only months with something in them
    out["beskaeftigelse"] = _employment(cfg, rng, sp_cpr, sp_mg, sp_start, sp_end, sp_reason,
                                        enrolled, fsm)

    # housing: homeless citizens, their shelter or street stay, the home they move into, and
    # whether they keep it
    housing = _housing(cfg, chunk, rng, cpr, cit, sp_mg)
    out["boligforloeb"], out["bostoette"] = housing[0], housing[1]
    if len(housing[2]):
        deltagere.append(housing[2])
    out["deltagere"] = pl.concat(deltagere).with_columns(
        tod=pl.lit(9 * 3600), deleted_on=pl.lit(None, pl.Date))
    return out


def _employment(cfg, rng, sp_cpr, sp_mg, sp_start, sp_end, sp_reason, enrolled, fsm) -> pl.DataFrame:
    T0, H = cfg.T0, cfg.H
    month = lambda d: _dates(d).dt.truncate("1mo")  # noqa: E731
    parts = []
    # after an exit to work or flexjob: a run of months with hours
    for reasons, hours, edu in ((("ORDINAER_BESKAEFTIGELSE",), 140.0, False),
                                (("FLEKSJOB",), 70.0, False), (("ORDINAER_UDDANNELSE",), 15.0, True)):
        idx = np.nonzero(np.isin(sp_reason, reasons) & (sp_end <= H))[0]
        length = np.minimum(rng.geometric(1 / 14, len(idx)), 36)
        parts.append((idx, sp_end[idx] + 5, length, hours, edu))
    # during a spell: a few months of small hours (more in the Flere skal med 2 arm)
    share = np.where(fsm, cfg.effect_paid_hours_share, cfg.paid_hours_share)
    idx = np.nonzero((rng.random(len(sp_mg)) < share) & np.isin(sp_mg, ["2.2", "2.3", "2.11", "2.13", "2.12"]))[0]
    lo = np.where(fsm[idx], np.maximum(enrolled[idx], sp_start[idx]), sp_start[idx])
    hi = np.minimum(sp_end[idx], H)
    ok = hi > lo
    idx, lo, hi = idx[ok], lo[ok], hi[ok]
    at = lo + (rng.random(len(idx)) * (hi - lo)).astype(np.int64)
    parts.append((idx, at, rng.integers(1, 5, len(idx)), 20.0, False))
    frames = []
    for idx, begin, length, hours, edu in parts:
        r, pos = expand(length)
        when = begin[r] + pos * 30.44
        frames.append(pl.DataFrame({
            "cpr": sp_cpr.gather(idx[r]), "maaned": month(when.astype(np.int64)),
            "loentimer": np.round(np.maximum(1.0, rng.normal(hours, hours * 0.25, len(r))), 1),
            "uddannelse": np.full(len(r), edu),
        }))
    df = pl.concat(frames)
    # the register shows a month about 40 days after it ends
    df = (df.filter(pl.col("maaned") >= _dates([T0])[0])
          .group_by("cpr", "maaned").agg(pl.col("loentimer").sum().round(1), pl.col("uddannelse").any())
          .with_columns(published=(pl.col("maaned").dt.offset_by("1mo") + pl.duration(days=40)))
          .filter(pl.col("published") <= _dates([H])[0])
          .sort("cpr", "maaned"))
    return df.with_columns(tod=pl.lit(6 * 3600), deleted_on=pl.lit(None, pl.Date))


def _housing(cfg: Config, chunk: Chunk, rng, cpr, cit, sp_mg):
    T0, H = cfg.T0, cfg.H
    vulnerable = np.zeros(len(cpr), dtype=bool)
    vulnerable[cit[np.isin(sp_mg, ["2.3", "2.11", "2.13"])]] = True
    p = np.where(vulnerable, cfg.homeless_share_vulnerable, 0.004)
    who = np.nonzero(rng.random(len(cpr)) < p)[0]
    k = len(who)
    s1_type = _pick(rng, {"FORSORGSHJEM_110": 55, "GADE": 20, "MIDLERTIDIG_BOLIG": 15,
                          "BOTILBUD_107": 5, "BOTILBUD_108": 5}, k)
    s1_start = rng.integers(T0 - 365, H + 1, k)
    s1_len = 7 + rng.gamma(1.5, 90, k).astype(np.int64)
    h1_start = s1_start + s1_len
    # the Housing First experiment: citizens rehoused during it, half of those enrolled get
    # support and a temporary rent subsidy
    exp = EXPERIMENTS[2]
    f_start, f_end = experiment_window(cfg, exp)
    in_exp = (h1_start >= f_start) & (h1_start <= min(H, f_end)) & (rng.random(k) < exp.enrol_share)
    arm = np.where(in_exp, np.where(rng.random(k) < 0.5, "INDSATS", "KONTROL"), "")
    treat = arm == "INDSATS"
    supported = treat | (rng.random(k) < 0.55)
    method = np.where(treat, _pick(rng, {"CTI": 3, "ICM": 4, "ACT": 3}, k),
                      _pick(rng, {"CTI": 25, "ICM": 25, "ACT": 10, "SEL85": 40}, k))
    subsidy = np.where(treat, rng.integers(15, 36, k) * 100.0,
                       np.where(rng.random(k) < 0.1, rng.integers(10, 30, k) * 100.0, np.nan))
    rate = np.where(treat, cfg.effect_housing_fail_rate,
                    np.where(supported, cfg.housing_fail_rate_supported,
                             cfg.housing_fail_rate_unsupported)) / YEAR
    t_fail = rng.exponential(1 / rate).astype(np.int64) + 1
    t_move = rng.exponential(YEAR / 0.15, k).astype(np.int64) + 30
    t_death = rng.exponential(YEAR / 0.02, k).astype(np.int64) + 1
    moves = t_move < np.minimum(t_fail, t_death)
    gap = np.where(rng.random(k) < 0.85, rng.integers(0, 21, k), rng.integers(31, 91, k))
    fail_reason = _pick(rng, {"UDSAETTELSE": 40, "GENINDSKRIVNING_110": 30,
                              "FRIVILLIG_FRAFLYTNING": 10, "FAENGSEL": 8, "INDLAGT": 7,
                              "UKENDT": 5}, k)
    end_any = h1_start + np.minimum(t_fail, t_death)
    end_reason = np.where(t_death < t_fail, "DOED", fail_reason)
    home_types = {"EGEN_BOLIG": 50, "UDSLUSNINGSBOLIG": 15, "STARTBOLIG": 15, "DELEBOLIG": 20}
    h1_type, h2_type = _pick(rng, home_types, k), _pick(rng, home_types, k)
    h2_start = h1_start + t_move + gap
    # stays: s1 (before), h1 (first home), h2 (after a move), s2 (back to a shelter)
    fail_to_shelter = np.isin(end_reason, ["UDSAETTELSE", "GENINDSKRIVNING_110", "FRIVILLIG_FRAFLYTNING"])
    s2_type = np.where(end_reason == "FRIVILLIG_FRAFLYTNING", "GADE", "FORSORGSHJEM_110")
    h1_end = np.where(moves, h1_start + t_move, end_any)
    h1_reason = np.where(moves, "FLYTTET_TIL_ANDEN_BOLIG", end_reason)
    stays = [
        (np.ones(k, bool), s1_type, s1_start, h1_start,
         np.full(k, "FLYTTET_TIL_ANDEN_BOLIG"), np.full(k, np.nan)),
        (np.ones(k, bool), h1_type, h1_start, h1_end, h1_reason, subsidy),
        (moves, h2_type, h2_start, np.maximum(end_any, h2_start + 1), end_reason, subsidy),
        (fail_to_shelter, s2_type, np.maximum(end_any, np.where(moves, h2_start + 1, 0)),
         np.maximum(end_any, h2_start) + 7 + rng.gamma(1.5, 120, k).astype(np.int64),
         np.full(k, "FLYTTET_TIL_ANDEN_BOLIG"), np.full(k, np.nan)),
    ]
    frames = []
    for m, typ, start, end, reason, sub in stays:
        m = m & (start <= H)
        frames.append(pl.DataFrame({
            "cpr": cpr.gather(who[m]), "boligtype": typ[m].astype(str), "indflytning": _dates(start[m]),
            "fraflytning": _dates(end[m]), "fraflytningsaarsag": reason[m].astype(str),
            "huslejetilskud_kr_md": sub[m],
        }))
    bolig = pl.concat(frames).filter(pl.col("fraflytning") >= _dates([T0])[0]).sort("cpr", "indflytning")
    nb = bolig.height
    bolig = bolig.with_columns(
        boligforloeb_id=make_ids("B", chunk, nb), kommunekode=pl.lit(chunk.kommunekode),
        huslejetilskud_kr_md=pl.col("huslejetilskud_kr_md").fill_nan(None),
        tod=pl.Series(rng.integers(7 * 3600, 17 * 3600, nb)), deleted_on=pl.lit(None, pl.Date),
    )
    sup = np.nonzero(supported & (h1_start <= H))[0]
    months = np.where(np.isin(method[sup], ["CTI"]), 9, rng.integers(12, 37, len(sup)))
    st_start = h1_start[sup] - rng.integers(0, 15, len(sup))
    bostoette = pl.DataFrame({
        "stoette_id": make_ids("ST", chunk, len(sup)), "cpr": cpr.gather(who[sup]),
        "metode": method[sup].astype(str), "startdato": _dates(st_start),
        "slutdato": _dates(st_start + (months * 30.44).astype(np.int64)),
        "tod": rng.integers(7 * 3600, 17 * 3600, len(sup)),
        "deleted_on": pl.Series([None] * len(sup), dtype=pl.Date),
    })
    e = np.nonzero(in_exp)[0]
    deltagere = pl.DataFrame({
        "forsoeg_id": [exp.forsoeg_id] * len(e), "cpr": cpr.gather(who[e]), "gruppe": arm[e],
        "indskrevet": _dates(h1_start[e]), "udskrevet": _dates(np.minimum(h1_start[e] + 730, f_end)),
    })
    return bolig, bostoette, deltagere


def experiments_truth(cfg: Config) -> dict[str, pl.DataFrame]:
    """The experiments and their targets, for all municipalities generated."""
    codes = ",".join(cfg.municipalities)
    rows, targets = [], []
    for exp in EXPERIMENTS:
        s, e = experiment_window(cfg, exp)
        rows.append({"forsoeg_id": exp.forsoeg_id, "titel": exp.titel, "netvaerk": exp.netvaerk,
                     "kommunekoder": codes, "maalgruppe": exp.maalgruppe or None,
                     "startdato": s, "slutdato": e, "oprettet": s - 60})
        for kpi, op, val in exp.targets:
            targets.append({"forsoeg_id": exp.forsoeg_id, "kpi": kpi, "operator": op,
                            "vaerdi": val, "oprettet": s - 60})
    f = pl.DataFrame(rows).with_columns(pl.col("startdato", "slutdato", "oprettet").cast(pl.Int32).cast(pl.Date))
    t = pl.DataFrame(targets).with_columns(pl.col("oprettet").cast(pl.Int32).cast(pl.Date))
    extra = dict(tod=pl.lit(10 * 3600), deleted_on=pl.lit(None, pl.Date))
    return {"forsoeg": f.with_columns(**extra), "forsoeg_maal": t.with_columns(**extra)}


