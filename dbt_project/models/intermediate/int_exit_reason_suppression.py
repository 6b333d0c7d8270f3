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

import polars as pl

ALL = "ALLE"
KEY = ["period", "period_end", "municipality_code", "target_group", "level", "exit_reason", "new_target_group"]
CHAINED = ("kvartal", "aar_til_dato", "seneste_12_mdr")
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


def _month(d: date) -> tuple[int, int]:
    return d.year, d.month


def _shift(month: tuple[int, int], by: int) -> tuple[int, int]:
    n = month[0] * 12 + month[1] - 1 + by
    return n // 12, n % 12 + 1


def _start(period: str, d: date) -> tuple[int, int]:
    if period == "kvartal":
        return d.year, (d.month - 1) // 3 * 3 + 1
    if period == "aar_til_dato":
        return d.year, 1
    if period == "seneste_12_mdr":
        return _shift(_month(d), -11)
    return _month(d)


def groups_of(levels: pl.DataFrame, dates: list[date]) -> list[tuple[int, int, list[int]]]:
    """Every identity between the published rows: (kind, total row, member rows)."""
    cols = {c: levels[c].to_list() for c in KEY + ["period_start"]}
    n = levels.height
    keys = list(zip(*(cols[c] for c in KEY), strict=True))
    index = {k: i for i, k in enumerate(keys)}
    date_of_month = {_month(d): d for d in dates}
    first_month = _month(dates[0])
    previous = dict(zip(dates[1:], dates[:-1], strict=True))
    groups: list[tuple[int, int, list[int]]] = []
    by_total: dict[tuple[int, int], list[int]] = {}

    def add(kind: int, total: int | None, member: int) -> None:
        if total is not None:
            by_total.setdefault((kind, total), []).append(member)

    def month_row(month: tuple[int, int], rest: tuple) -> int | None:
        d = date_of_month.get(month)
        return None if d is None else index.get(("maaned", d, *rest))

    for i in range(n):
        period, end, muni, tg, level, reason, ntg = keys[i]
        if level == "cell":
            add(0, index.get((period, end, muni, tg, "reason", reason, None)), i)
        elif level == "reason":
            add(1, index.get((period, end, muni, tg, "target_group", None, None)), i)
        if muni != ALL:
            add(2, index.get((period, end, ALL, tg, level, reason, ntg)), i)
        if period == "maaned":
            continue
        rest = (muni, tg, level, reason, ntg)
        start = _month(cols["period_start"][i])
        if start >= first_month:  # a window reaching further back is no sum of published months
            members, m = [], start
            while m <= _month(end):
                r = month_row(m, rest)
                if r is not None:
                    members.append(r)
                m = _shift(m, 1)
            groups.append((3, i, members))
        before = previous.get(end)
        if before is None or _month(before) != _shift(_month(end), -1):
            continue
        now = month_row(_month(end), rest)
        if period == "seneste_12_mdr":
            left = _shift(start, -1)
            if left < first_month:
                continue
            members = [index.get((period, before, *rest)), now, month_row(left, rest)]
        elif _start(period, before) == start:
            members = [index.get((period, before, *rest)), now]
        else:
            continue  # the period's first month: the periode group holds it
        groups.append((4, i, [m for m in members if m is not None]))
    groups += [(kind, total, members) for (kind, total), members in by_total.items()]
    return groups


def suppress(levels: pl.DataFrame, dates: list[date], min_cell: int) -> tuple[list[bool], list[bool]]:
    spells = levels["spells"].to_list()
    day = {d: k for k, d in enumerate(dates)}
    when = [day[d] for d in levels["period_end"].to_list()]
    order = levels.select(pl.struct(KEY).rank("ordinal")).to_series().to_list()  # the row's key, for ties
    hidden = [s < min_cell for s in spells]
    groups = groups_of(levels, dates)
    rows_of = [[total, *members] for _, total, members in groups]
    group_day = [when[total] for _, total, _ in groups]
    groups_of_row: list[list[int]] = [[] for _ in spells]
    for g, rows in enumerate(rows_of):
        for r in rows:
            groups_of_row[r].append(g)
    # hidden members that are not 0: a group with exactly one gives it back
    open_count = [sum(1 for r in rows if hidden[r] and spells[r] > 0) for rows in rows_of]
    heap = [(group_day[g], groups[g][0], order[groups[g][1]], g) for g in range(len(groups)) if open_count[g] == 1]
    heapq.heapify(heap)
    exposed: set[int] = set()
    while heap:
        today, _, _, g = heapq.heappop(heap)
        if open_count[g] != 1:
            continue
        total = groups[g][1]
        candidates = [r for r in rows_of[g] if not hidden[r] and spells[r] > 0 and when[r] == today]
        if not candidates:
            # every row of today that could close it is hidden or 0: its one hidden row follows from
            # the past, which never changes; flagged (exposed) for the warning test in _intermediate.yml
            exposed.update(r for r in rows_of[g] if hidden[r] and spells[r] > 0)
            continue


        def stuck(r: int, today: int = today) -> bool:
            # hiding r would open a group of today that nothing of today is left to close
            return any(open_count[h] == 0 and group_day[h] == today
                       and not any(s != r and not hidden[s] and spells[s] > 0 and when[s] == today
                                   for s in rows_of[h])
                       for h in groups_of_row[r])

        def cost(r: int, today: int = today, total: int = total) -> tuple:
            closes = sum(1 for h in groups_of_row[r] if group_day[h] == today and open_count[h] == 1)
            return (stuck(r), r == total, -closes, spells[r], order[r])

        pick = min(candidates, key=cost)
        hidden[pick] = True
        for h in groups_of_row[pick]:
            open_count[h] += 1
            if open_count[h] == 1:
                heapq.heappush(heap, (group_day[h], groups[h][0], order[groups[h][1]], h))
    return hidden, [r in exposed for r in range(len(spells))]


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
    return levels.with_columns(pl.Series("is_suppressed", hidden, pl.Boolean),
                               pl.Series("is_exposed", exposed, pl.Boolean))
