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

Returns one row per published level with spells (unsuppressed), is_suppressed and is_exposed.
"""

from __future__ import annotations

import heapq
from datetime import date

import numpy as np
import polars as pl

ALL = "ALLE"
KEY = ["period", "period_end", "municipality_code", "target_group", "level", "exit_reason", "new_target_group"]
GROUP_KINDS = ("aarsag", "maalgruppe", "kommune", "periode", "kaede")


def levels_of(cells: pl.DataFrame) -> pl.DataFrame:
    table = ["period", "period_start", "period_end", "is_current", "municipality_code", "target_group"]
    cell = cells.select(*table, pl.lit("cell").alias("level"), "exit_reason", "new_target_group", "spells")
    reason = (cells.group_by(*table, "exit_reason").agg(pl.col("spells").sum())
              .select(*table, pl.lit("reason").alias("level"), "exit_reason",
                      pl.lit(None, pl.String).alias("new_target_group"), "spells"))
    total = (cells.group_by(*table).agg(pl.col("spells").sum())
             .select(*table, pl.lit("target_group").alias("level"), pl.lit(None, pl.String).alias("exit_reason"),
                     pl.lit(None, pl.String).alias("new_target_group"), "spells"))
    out = pl.concat([cell, reason, total]).with_columns(pl.col("spells").cast(pl.Int64))
    return out.sort(KEY, nulls_last=False)


def group_edges(levels: pl.DataFrame, dates: list[date]) -> pl.DataFrame:
    """Every identity between the published rows as edges (kind, total, row): one per member, and
    one for the total itself. Kinds index GROUP_KINDS."""
    # Each key column as an integer code (equal codes, equal values; a null key is a value of its
    # own), and each series (a municipality, target group, level, reason and new target group
    # through the periods and dates) as one code: the joins below are on integers, and a window
    # meets only its own months, not every month of its series first.
    names = ["municipality_code", "target_group", "level", "exit_reason", "new_target_group"]
    rows = levels.lazy().select(
        pl.int_range(pl.len(), dtype=pl.Int32).alias("i"), "period", "period_start", "period_end",
        (pl.col("municipality_code") == ALL).alias("is_all"), pl.col("level").alias("level_name"),
        *[pl.col(c).rank("dense").fill_null(0).cast(pl.UInt32) for c in names],
        pl.struct(names).rank("dense").cast(pl.UInt32).alias("series")).collect().lazy()
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
    edges = pl.concat(edges)
    return pl.concat([edges, edges.select("kind", "total", pl.col("total").alias("row")).unique()])


def suppress(levels: pl.DataFrame, dates: list[date], min_cell: int) -> tuple[np.ndarray, np.ndarray]:
    spells = levels["spells"].to_numpy()
    day = {d: k for k, d in enumerate(dates)}
    when = levels.select(pl.col("period_end").replace_strict(day, return_dtype=pl.Int32)).to_series().to_numpy()
    order = levels.select(pl.struct(KEY).rank("ordinal")).to_series().to_numpy()  # the row's key, for ties
    hidden = spells < min_cell
    nonzero = spells > 0
    e = group_edges(levels, dates).sort("kind", "total")
    kind, total, row = (e[c].to_numpy() for c in ("kind", "total", "row"))
    # a group is a run of edges with the same (kind, total)
    new_group = np.r_[True, (kind[1:] != kind[:-1]) | (total[1:] != total[:-1])]
    start = np.flatnonzero(new_group)
    g_of_edge = np.cumsum(new_group) - 1
    g_kind, g_total = kind[start], total[start]
    g_day = when[g_total]
    g_ptr = np.r_[start, len(row)]
    by_row = np.argsort(row, kind="stable")
    r_ptr = np.searchsorted(row[by_row], np.arange(len(spells) + 1))
    r_groups = g_of_edge[by_row]
    # hidden members that are not 0: a group with exactly one gives it back
    open_count = np.bincount(g_of_edge, weights=(hidden & nonzero)[row], minlength=len(start)).astype(np.int64)
    first_open = np.flatnonzero(open_count == 1)
    heap = list(zip(g_day[first_open].tolist(), g_kind[first_open].tolist(), order[g_total[first_open]].tolist(),
                    first_open.tolist(), strict=True))
    heapq.heapify(heap)
    exposed = np.zeros(len(spells), dtype=bool)

    def members(g: int) -> np.ndarray:
        return row[g_ptr[g]:g_ptr[g + 1]]

    def groups_of(r: int) -> np.ndarray:
        return r_groups[r_ptr[r]:r_ptr[r + 1]]

    while heap:
        today, _, _, g = heapq.heappop(heap)
        if open_count[g] != 1:
            continue
        rows = members(g)
        candidates = rows[~hidden[rows] & nonzero[rows] & (when[rows] == today)].tolist()
        if not candidates:
            # every row of today that could close it is hidden or 0: its one hidden row follows from
            # the past, which never changes; flagged (exposed) for the warning test in _intermediate.yml
            exposed[rows[hidden[rows] & nonzero[rows]]] = True
            continue

        def cost(r: int, today: int = today, g: int = g) -> tuple:
            mine = groups_of(r)
            here = mine[g_day[mine] == today]
            closes = int((open_count[here] == 1).sum())
            stuck = False  # hiding r would open a group of today that nothing of today is left to close
            for h in here[open_count[here] == 0].tolist():
                others = members(h)
                if not (~hidden[others] & nonzero[others] & (when[others] == today) & (others != r)).any():
                    stuck = True
                    break
            return (stuck, r == g_total[g], -closes, int(spells[r]), int(order[r]))

        pick = min(candidates, key=cost)
        hidden[pick] = True
        mine = groups_of(pick)
        open_count[mine] += 1
        for h in mine[open_count[mine] == 1].tolist():
            heapq.heappush(heap, (int(g_day[h]), int(g_kind[h]), int(order[g_total[h]]), h))
    return hidden, exposed


def model(dbt, session):
    dbt.config(materialized="table")
    min_cell = int(dbt.config.get("min_cell_size"))
    cells = dbt.ref("int_exit_reason_cells").pl()
    reference_dates = dbt.ref("int_reference_dates").pl()
    dates = sorted(reference_dates["reference_date"].to_list())
    levels = levels_of(cells)
    if levels.height == 0:
        return levels.with_columns(pl.lit(False).alias("is_suppressed"), pl.lit(False).alias("is_exposed"))
    hidden, exposed = suppress(levels, dates, min_cell)
    return levels.with_columns(pl.Series("is_suppressed", hidden), pl.Series("is_exposed", exposed))
