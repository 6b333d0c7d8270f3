"""Disclosure control of the exit reasons (kpis.md, the suppression paragraph; §6).

The exit-reason tables are published at three levels (each cell of a reason and new target group,
each reason, each target group's total), for every municipality and 'ALLE', and for four periods
(month, quarter to date, year to date, last 12 months) as of every month end of the history. Every
published number is linked to others by identities a reader can subtract along; each identity is
a *group*, a total and the members that add up to it:

- aarsag      a reason is the sum of its cells (new target groups);
- maalgruppe  a target group's total is the sum of its reasons;
- kommune     'ALLE' is the sum of the municipalities;
- periode     a quarter, year to date or last 12 months is the sum of its months (where the
              history publishes them all);
- kaede       a quarter or year to date is the same period a month earlier plus the month between
              them; the last 12 months are the last 12 months a month earlier, plus the new month,
              minus the month that left the window.

A row that is absent is 0, and known to be: int_exit_reason_cells writes a row for every reason
of a table that exists, and a table that does not exist had nothing ended.

Primary rule: a row with fewer than min_cell_size spells is hidden, 0 included, so that a hidden
row may be 0 and no reader can bound it from below.

Complementary rule, worst case: a reader is assumed to know every hidden 0. A group then gives a
member back when exactly one of its hidden members (the total counted) is not 0. Such a group
hides one more member that is not 0.

Past figures never change (kpis.md, "Reference date, periods and follow-up"): a group belongs to
the newest date among its rows (its total's) and may hide only rows of that date. The groups are
decided date by date, oldest first, so a month end's figures depend on nothing after it. Within a
date, each open group hides a visible row: one whose hiding opens no group that today's rows
cannot close, then a member before the total, then the one that closes the most open groups of
that date, then the smallest, then by the row's key, so every build hides the same rows.

Rarely a group cannot be closed: every row of its date that could be hidden is hidden or 0 (say a
last 12 months hidden to close another group, equal to the one a month earlier because nothing
entered or left the window). Its hidden row then follows from past figures, which never change.
Such rows are flagged is_exposed, and a warning test counts them (none on the demo build).

A nightly build decides again only from the first date whose rows (key and spells) changed since
the previous build, and keeps the previous decisions of the dates before it: by the rule above
they are what deciding them again would give. A late correction of an old spell moves that first
date back; a new month, whose history has lost its first month end, decides every date; so do a
change of this code or of min_cell_size (the fingerprint built_with) and dbt's --full-refresh.
tests/test_incremental.py compares the result with a rebuild night by night.

Returns one row per published level with spells (unsuppressed), is_suppressed, is_exposed and
built_with.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
from datetime import date

import numpy as np
import polars as pl

ALL = "ALLE"
KEY = ["period", "period_end", "municipality_code", "target_group", "level", "exit_reason", "new_target_group"]
GROUP_KINDS = ("aarsag", "maalgruppe", "kommune", "periode", "kaede")


LEVELS = f"""
    select period, period_start, period_end, is_current, municipality_code, target_group,
        case when grouping(exit_reason) = 1 then 'target_group'
             when grouping(new_target_group) = 1 then 'reason' else 'cell' end as level,
        exit_reason, new_target_group, cast(sum(spells) as bigint) as spells
    from cells
    group by grouping sets (
        (period, period_start, period_end, is_current, municipality_code, target_group, exit_reason, new_target_group),
        (period, period_start, period_end, is_current, municipality_code, target_group, exit_reason),
        (period, period_start, period_end, is_current, municipality_code, target_group))
    order by {", ".join(f"{k} nulls first" for k in KEY)}
"""


def levels_of(cells) -> pl.DataFrame:
    """The published rows (each cell, each reason, each target group's total) of the cells, a DuckDB
    relation, in key order."""
    return cells.query("cells", LEVELS).pl()


def group_edges(levels: pl.DataFrame, dates: list[date]) -> pl.DataFrame:
    """Every identity between the published rows as edges (kind, total, row), one per member (the
    total itself is not among them). Kinds index GROUP_KINDS."""
    # Each key column as an integer code (equal codes, equal values; a null key is a value of its
    # own), and each series (a municipality, target group, level, reason and new target group
    # through the periods and dates) as one code: the joins below are on integers, and a window
    # meets only its own months, not every month of its series first.
    names = ["municipality_code", "target_group", "level", "exit_reason", "new_target_group"]
    # (a column's codes are its categories' positions, 0 for null; the series code packs them)
    codes = levels.select((pl.col(c).cast(pl.Categorical).to_physical().cast(pl.Int64) + 1).fill_null(0)
                          for c in names)
    series = pl.lit(0, pl.Int64)
    for c in names:
        series = series * (int(codes[c].max()) + 1) + pl.col(c)
    rows = pl.concat([levels.select(
        pl.int_range(pl.len(), dtype=pl.Int32).alias("i"), "period", "period_start", "period_end",
        (pl.col("municipality_code") == ALL).alias("is_all"), pl.col("level").alias("level_name")),
        codes.with_columns(series.alias("series"))], how="horizontal").lazy()
    first = date(dates[0].year, dates[0].month, 1)
    edges = []

    def edge(kind: int, frame: pl.LazyFrame, total: str, member: str) -> None:
        edges.append(frame.select(pl.lit(kind, pl.Int8).alias("kind"), pl.col(total).alias("total"),
                                  pl.col(member).alias("row")).collect())

    cell, reason, total = (rows.filter(pl.col("level_name") == lv) for lv in ("cell", "reason", "target_group"))
    table = ["period", "period_end", "municipality_code", "target_group"]
    edge(0, cell.join(reason.select(*table, "exit_reason", pl.col("i").alias("t")), on=table + ["exit_reason"]),
         "t", "i")
    edge(1, reason.join(total.select(*table, pl.col("i").alias("t")), on=table), "t", "i")
    same = ["period", "period_end", "target_group", "level", "exit_reason", "new_target_group"]
    alle = rows.filter(pl.col("is_all")).select(*same, pl.col("i").alias("t"))
    edge(2, rows.filter(~pl.col("is_all")).join(alle, on=same), "t", "i")
    months = rows.filter(pl.col("period") == "maaned").select("series", pl.col("period_start").alias("m"),
                                                               pl.col("i").alias("r"))
    windows = rows.filter(pl.col("period") != "maaned")
    spanned = (windows.filter(pl.col("period_start") >= first)
               .select("i", "series", m=pl.date_ranges("period_start", "period_end", "1mo"))
               .explode("m"))
    edge(3, spanned.join(months, on=["series", "m"]), "i", "r")
    # chains: the same period a month earlier, the month between, and for the last 12 months the
    # month that left
    prev = pl.LazyFrame({"period_end": dates[1:], "before": dates[:-1]})
    prev = prev.filter(pl.col("before").dt.offset_by("1d").dt.month_start()
                       == pl.col("period_end").dt.month_start())
    x = windows.join(prev, on="period_end").with_columns(
        now=pl.col("period_end").dt.month_start(),
        left=pl.col("period_start").dt.offset_by("-1mo"))
    x = x.filter(pl.when(pl.col("period") == "seneste_12_mdr").then(pl.col("left") >= first)
                 .otherwise(pl.col("period_start") < pl.col("now")))
    x = x.with_columns(start_before=pl.when(pl.col("period") == "seneste_12_mdr").then(pl.col("left"))
                       .otherwise(pl.col("period_start"))).collect().lazy()
    earlier = rows.select("period", pl.col("period_start").alias("start_before"), pl.col("period_end").alias("before"),
                          "series", pl.col("i").alias("r"))
    edge(4, x.join(earlier, on=["period", "start_before", "before", "series"]), "i", "r")
    edge(4, x.join(months.rename({"m": "now"}), on=["now", "series"]), "i", "r")
    edge(4, x.filter(pl.col("period") == "seneste_12_mdr").join(months.rename({"m": "left"}), on=["left", "series"]),
         "i", "r")
    # a group without members has a total of 0 (its months, or the period a month earlier and the
    # months between, are absent), so it can never give anything back
    return pl.concat(edges)


def suppress(levels: pl.DataFrame, dates: list[date], min_cell: int, resume: int = 0,
             settled: np.ndarray | None = None, exposed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Which rows are hidden, and per row the first date (its index in dates) of a group that
    exposes it, -1 for none (see the module's docstring).

    resume, settled, exposed: a later build decides only the dates from dates[resume] on. For the
    rows of the earlier dates it keeps what a previous build found (settled, True where hidden;
    exposed, as returned), aligned with levels: those rows and their groups must be the same as
    then. Each date's decisions depend only on the rows and groups of that date and earlier ones,
    so the result is the same as deciding every date again. Only the rows a group of those dates
    can hold are looked at: its own date's and those of the 12 months before."""
    if resume >= len(dates):  # nothing changed
        return settled.copy(), exposed.copy()
    n_all = levels.height
    day = {d: k for k, d in enumerate(dates)}
    when_all = levels.select(pl.col("period_end").replace_strict(day, return_dtype=pl.Int32)).to_series().to_numpy()
    hidden_all = levels["spells"].to_numpy() < min_cell
    since_all = np.full(n_all, -1, dtype=np.int32)
    if resume:
        past = when_all < resume
        hidden_all[past] = settled[past]
        # exposed by a group of an earlier date: that group is the same as then
        earlier = past & (exposed >= 0) & (exposed < resume)
        since_all[earlier] = exposed[earlier]
        reach = date(dates[resume].year, dates[resume].month, 1)
        reach = date(reach.year - 1, reach.month, 1)
        sub = np.flatnonzero(levels["period_end"].to_numpy() >= np.datetime64(reach, "D"))
        levels = levels[sub]
    else:
        sub = np.arange(n_all)
    n = levels.height
    spells = levels["spells"].to_numpy()
    when = when_all[sub]
    order = levels.select(pl.struct(KEY).rank("ordinal")).to_series().to_numpy()  # the row's key, for ties
    hidden = hidden_all[sub]
    nonzero = spells > 0
    # a group is a run of edges with the same (kind, total), its total first; only the groups of
    # the dates decided now
    e = group_edges(levels, dates)
    if resume:
        e = e.filter(pl.Series(when[e["total"].to_numpy()] >= resume))
    e = e.select(group=pl.col("kind").cast(pl.Int64) * n + pl.col("total"), row=pl.col("row")).sort("group")
    group_key, member = e["group"].to_numpy(), e["row"].to_numpy()
    del e
    start = np.flatnonzero(np.r_[True, group_key[1:] != group_key[:-1]])
    g_kind, g_total = (group_key[start] // n).astype(np.int8), (group_key[start] % n).astype(np.int32)
    del group_key
    row = np.insert(member, start, g_total)
    del member
    sizes = np.diff(np.r_[start, len(row) - len(start)]) + 1
    g_ptr = np.r_[0, np.cumsum(sizes)]
    g_of_edge = np.repeat(np.arange(len(start), dtype=np.int32), sizes)
    g_day = when[g_total]
    # per row its groups, and apart those of its own date (the groups its hiding can close today)
    same_day = g_day[g_of_edge] == when[row]
    edges = pl.DataFrame({"row": row, "group": g_of_edge, "same_day": same_day}).sort("row")
    r_ptr = np.r_[0, np.cumsum(np.bincount(row, minlength=n))]
    r_groups = edges["group"].to_numpy()
    edges = edges.filter("same_day")
    t_ptr = np.r_[0, np.cumsum(np.bincount(edges["row"].to_numpy(), minlength=n))]
    t_groups = edges["group"].to_numpy()
    del edges
    # hidden members that are not 0: a group with exactly one gives it back
    open_count = np.add.reduceat((hidden & nonzero)[row].astype(np.int64), g_ptr[:-1])
    # visible members that are not 0, of the group's own date: what is left to close it with (a row
    # is a member of a group once, so hiding one of them leaves free - 1)
    free = np.add.reduceat(((~hidden & nonzero)[row] & same_day).astype(np.int64), g_ptr[:-1])
    del same_day
    first_open = np.flatnonzero(open_count == 1)
    heap = list(zip(g_day[first_open].tolist(), g_kind[first_open].tolist(), order[g_total[first_open]].tolist(),
                    first_open.tolist(), strict=True))
    heapq.heapify(heap)

    while heap:
        today, _, _, g = heapq.heappop(heap)
        if open_count[g] != 1:
            continue
        rows = row[g_ptr[g]:g_ptr[g + 1]]
        candidates = rows[~hidden[rows] & nonzero[rows] & (when[rows] == today)].tolist()
        if not candidates:
            # every row of today that could close it is hidden or 0: it stays open (exposed, below)
            continue
        total = g_total[g]

        def cost(r: int, total: int = total) -> tuple:
            here = t_groups[t_ptr[r]:t_ptr[r + 1]]
            count = open_count[here]
            # stuck: hiding r would open a group of today that nothing of today is left to close
            stuck = bool(((count == 0) & (free[here] == 1)).any())
            return (stuck, r == total, -int((count == 1).sum()), int(spells[r]), int(order[r]))

        pick = min(candidates, key=cost)
        hidden[pick] = True
        free[t_groups[t_ptr[pick]:t_ptr[pick + 1]]] -= 1
        mine = r_groups[r_ptr[pick]:r_ptr[pick + 1]]
        open_count[mine] += 1
        for h in mine[open_count[mine] == 1].tolist():
            heapq.heappush(heap, (int(g_day[h]), int(g_kind[h]), int(order[g_total[h]]), h))
    # a group still open gives its one hidden row back, which follows from the past, which never
    # changes (no later pick can close it: a row is hidden only on its own date, and a group's rows
    # are of its date or earlier); flagged for the warning test in _intermediate.yml
    stays_open = (open_count == 1)[g_of_edge] & hidden[row] & nonzero[row]
    since = np.full(n, len(dates), dtype=np.int32)
    np.minimum.at(since, row[stays_open], g_day[g_of_edge[stays_open]])
    hidden_all[sub] = hidden
    since_all[sub] = np.where(since_all[sub] >= 0, since_all[sub], np.where(since < len(dates), since, -1))
    return hidden_all, since_all


def fingerprint(dates: list[date], min_cell: int) -> str:
    """What a build's decisions are made with besides the rows: this model's code (its rules),
    min_cell_size and where the history starts (the first date bounds the periods that are sums of
    months, and chains the second to it)."""
    with open(__file__, "rb") as f:
        code = f.read().split(b"\n# This part is user provided model code")[0]  # not dbt's part, which names the file
    return hashlib.md5(code + f"|{min_cell}|{dates[0]}".encode()).hexdigest()


def reuse(session, this, levels: pl.DataFrame, dates: list[date], built_with: str) -> tuple:
    """From which date on this build decides, and for the rows of the dates before it what the
    previous build found (hidden; the first date of a group exposing it, as an index of dates, -1
    for none): every date before the first whose rows (key and spells) differ from those the
    previous build, made with the same fingerprint, decided. (0, None, None): decide every date (no
    previous build, or dbt's --full-refresh, which the pre-hook in _intermediate.yml records)."""
    found = {t for (t,) in session.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = ? and table_name in (?, ?)",
        [this.database, this.schema, this.identifier, f"{this.identifier}__delta_state"]).fetchall()}
    if found != {this.identifier, f"{this.identifier}__delta_state"} or session.execute(
            f"select bool_or(full_refresh) from {_relation(this, '__delta_state')}").fetchall()[0][0] is not False:
        return 0, None, None
    table = _relation(this)
    if not session.execute("select count(*) from duckdb_columns() where database_name = ? and schema_name = ? "
                           "and table_name = ? and column_name = 'built_with'",
                           [this.database, this.schema, this.identifier]).fetchall()[0][0]:
        return 0, None, None
    keys = ", ".join(KEY)
    session.register("levels_now", levels.with_row_index("i"))
    try:
        # per date, a count and a sum of hashes of its rows, now and as previously decided
        def per_date(rows: str) -> str:
            return f"select period_end, count(*) as n, sum(hash({keys}, spells)) as h from {rows} group by period_end"
        changed = session.execute(f"""
            select min(period_end) from ({per_date('levels_now')}) as now
            full outer join ({per_date(f"{table} where built_with = '{built_with}'")}) as was
                using (period_end)
            where now.n is distinct from was.n or now.h is distinct from was.h""").fetchall()[0][0]
        first = len(dates) if changed is None else bisect.bisect_left(dates, changed)
        if first == 0:
            return 0, None, None
        on = " and ".join(f"n.{k} is not distinct from p.{k}" for k in KEY)
        kept = session.execute(f"""
            select n.i, p.is_suppressed, p.exposed_since from levels_now as n
            inner join {table} as p on {on}
            where n.period_end < ?""", [dates[first] if first < len(dates) else date.max]).fetchnumpy()
    finally:
        session.unregister("levels_now")
    settled = np.zeros(levels.height, dtype=bool)
    settled[kept["i"]] = kept["is_suppressed"]
    exposed = np.full(levels.height, -1, dtype=np.int32)
    since = kept["exposed_since"]
    known = ~np.ma.getmaskarray(since)
    exposed[kept["i"][known]] = np.searchsorted(np.array(dates, dtype="datetime64[D]"),
                                                np.ma.getdata(since)[known].astype("datetime64[D]"))
    return first, settled, exposed


def _relation(this, suffix: str = "") -> str:
    return f'"{this.database}"."{this.schema}"."{this.identifier}{suffix}"'


def model(dbt, session):
    dbt.config(materialized="table")
    min_cell = int(dbt.config.get("min_cell_size"))
    cells = dbt.ref("int_exit_reason_cells")
    reference_dates = dbt.ref("int_reference_dates").pl()
    dates = sorted(reference_dates["reference_date"].to_list())
    levels = levels_of(cells)
    if levels.height == 0:
        return levels.with_columns(is_suppressed=pl.lit(False), is_exposed=pl.lit(False),
                                   exposed_since=pl.lit(None, pl.Date), built_with=pl.lit(None, pl.String))
    built_with = fingerprint(dates, min_cell)
    # the previous build, read and noted on a connection of its own: dbt writes the new table
    # through another, which this model's transaction must not be ahead of
    with session.cursor() as own:
        first, settled, exposed = reuse(own, dbt.this, levels, dates, built_with)
        hidden, since = suppress(levels, dates, min_cell, first, settled, exposed)
        # what this build did, for tests/test_incremental.py
        own.execute(f"""create or replace table {_relation(dbt.this, '__delta_state')} as
            select false as full_refresh, ? as full_rebuild, ? as dates_recomputed""", [first == 0, len(dates) - first])
    exposed_since = pl.Series("exposed_since", dates, pl.Date).gather(np.maximum(since, 0))
    return levels.with_columns(pl.Series("is_suppressed", hidden), pl.Series("is_exposed", since >= 0),
                               exposed_since=pl.when(pl.Series(since >= 0)).then(exposed_since),
                               built_with=pl.lit(built_with))
