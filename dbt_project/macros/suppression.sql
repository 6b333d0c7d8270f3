{#
  Small-cell suppression (kpis.md: figures about fewer than min_cell_size citizens never leave
  the warehouse, and no hidden cell may be recovered by subtraction from what is published).

  A mart's row is the unit: when a row is suppressed, every count and every figure derived from
  its counts (shares, intervals, medians) is null, and is_suppressed is true. Never null.

  Primary rule: a row is suppressed when its population or any other count of citizens or events
  it publishes is 1..min_cell_size-1 (is_small).

  Complementary rule: a published number is often the sum of others, an identity a reader can
  subtract along. Each such identity is a *group*: a total and the cells that add up to it (the
  'i_alt' row and the values of one breakdown; the 'ALLE' row and each municipality; a period and
  the months it spans; a team and its caseworkers). A group gives a hidden member back
  - by subtraction, when it has exactly one hidden member;
  - by bounds (var suppression_intervals), when its total is published and, for some count, the
    hidden cells add up to the least they can: 0 for a count of events (each hidden one is then
    0: "none of these 3 citizens waits past the deadline"), or one per hidden cell for a
    population, whose row exists (each is then 1). The reader knows that sum exactly (the total
    minus the published cells), so the count of each hidden cell is pinned.
  Such a group hides one more member: by subtraction, the smallest visible cell (a total only
  when no cell is left); by bounds, the smallest visible cell whose pinned count is above its
  least value (so the hidden sum is no longer the least), or else the total. Ties are broken by
  the row's key so every build hides the same cells. Hiding a member can open another group, so
  the rule is applied round after round (var suppression_rounds) until nothing changes.
  tests/test_disclosure.py attacks the result with every identity at once: subtraction chains,
  linear systems and interval reasoning (bounds) recover nothing.

  with_suppression(relation, keys, population, counts, groups)
    keys       the columns that identify a row (for the deterministic tie-break)
    population the row's size: the smallest visible member is hidden first
    counts     further counts the row publishes (each under the primary rule)
    groups     an SQL expression giving the row's groups as a list of
               struct(g varchar, total boolean): the group's id and whether the row is its total;
               breakdown_groups() gives the usual ones; an element with g null is no group
    primary    an extra SQL condition that also suppresses a row (e.g. a source mart's flag)
    population_low  the least a hidden row's population can be: 1 where a row exists only for a
               population of at least one (the default); 0 where zero rows are published too
    bounds     false: the rule by bounds is not applied (kpi_exit_reasons, see there)
    not_summed {group id prefix: [counts]}: counts whose total in such groups is no sum of the
               cells (kpi_time_to_intervention: those waiting now in the last 12 months' cohorts),
               so bounds say nothing there
  Returns `relation` with is_suppressed.

  is_small(count) -> boolean expression, never null; suppressed(value, flag) -> value or null.
#}
{% macro is_small(count) -%}
    coalesce(({{ count }}) between 1 and {{ var('min_cell_size') }} - 1, false)
{%- endmacro %}

{% macro suppressed(value, flag='is_suppressed') -%}
    case when {{ flag }} then null else {{ value }} end
{%- endmacro %}

{#
  The groups of a mart shaped by dimension_columns(): within each period and municipality, the
  'i_alt' row is the total of every breakdown's values; within each period and breakdown value,
  'ALLE' is the total of the municipalities. `period` lists the columns that tell periods (and
  variants) apart.
#}
{% macro group_id(parts) -%}
    concat_ws('|', {% for p in parts %}coalesce(cast({{ p }} as varchar), '∅'){{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro breakdown_groups(period, dims) -%}
    (
    {%- if dims %}
    case when dimension = {{ total_dimension() }} then [
        {%- for d in dims %}
        {'g': {{ group_id(["'dim'"] + period + ['municipality_code', "'" ~ d ~ "'"]) }}, 'total': true}{{ ',' if not loop.last }}
        {%- endfor %}]
    else [{'g': {{ group_id(["'dim'"] + period + ['municipality_code', 'dimension']) }}, 'total': false}] end
    ||
    {%- endif %}
    [{'g': {{ group_id(["'muni'"] + period + ['dimension', 'dimension_value']) }}, 'total': municipality_code = {{ all_municipalities() }}}]
    )
{%- endmacro %}

{% macro with_suppression(relation, keys, population, counts=[], groups=none, primary=none, population_low=1,
                          bounds=true, not_summed={}) %}
{%- set rounds = var('suppression_rounds') -%}
{%- set intervals = var('suppression_intervals') and bounds -%}
{#- every count the rule watches, population first, and the least value a hidden one can take -#}
{%- set watched = [population] + counts -%}
{%- set lows = [population_low] + [0] * (counts | length) -%}
(
    with _base as (
        select *,
            row_number() over (order by {{ keys | join(', ') }}) as _row,
            coalesce({{ population }}, 0) as _size,
            (
                {{ is_small(population) }}
                {%- for c in counts %} or {{ is_small(c) }}{% endfor %}
                {%- if primary %} or coalesce({{ primary }}, false){% endif %}
            ) as _primary
        from {{ relation }}
    ),
    {%- if groups %}
    _members as (
        select _row, _size, _group.g as _g, _group.total as _total{% for c in watched %}, _c{{ loop.index0 }}{% endfor %}
        from (
            select _row, _size, unnest({{ groups }}) as _group
                {%- for c in watched %}, coalesce({{ c }}, 0) as _c{{ loop.index0 }}{% endfor %}
            from _base
        )
        where _group.g is not null
    ),
    _hidden_0 as (
        select _row, _primary as _hidden from _base
    ),
    {%- for i in range(rounds) %}
    _state_{{ i }} as (
        select m.*, h._hidden from _members as m inner join _hidden_{{ i }} as h using (_row)
    ),
    _groups_{{ i }} as (
        select _g,
            count(*) filter (where _hidden) = 1 as _single
            {%- for c in watched %},
            {% if intervals -%}
            {%- set c = watched[loop.index0] %}
            {%- for prefix, cols in not_summed.items() if c in cols %}not starts_with(_g, '{{ prefix }}|') and {% endfor -%}
            count(*) filter (where _hidden and not _total) >= 2 and bool_or(_total and not _hidden)
                and sum(_c{{ loop.index0 }}) filter (where _hidden and not _total)
                    = {{ lows[loop.index0] }} * count(*) filter (where _hidden and not _total)
            {%- else %}false{% endif %} as _pin{{ loop.index0 }}
            {%- endfor %}
        from _state_{{ i }}
        group by _g
    ),
    _open_{{ i }} as (
        -- groups that give a hidden member back: by subtraction (one hidden) or by bounds (pinned)
        select * from _groups_{{ i }}
        where _single{% for c in watched %} or _pin{{ loop.index0 }}{% endfor %}
    ),
    _pick_{{ i }} as (
        select arg_min(s._row, [s._total::int, -_breaks, s._size, s._row]) as _row
        from (
            select s.*, o._single,
                0{% for c in watched %} + (o._pin{{ loop.index0 }} and s._c{{ loop.index0 }} > {{ lows[loop.index0] }})::int{% endfor %} as _breaks
            from _state_{{ i }} as s
            inner join _open_{{ i }} as o using (_g)
            where not s._hidden
        ) as s
        -- by subtraction any visible cell will do; by bounds only one that lifts the hidden sum, or the total
        where (_single and _size > 0) or (not _single and (_breaks > 0 or _total))
        group by _g
    ),
    _hidden_{{ i + 1 }} as (
        select h._row, h._hidden or p._row is not null as _hidden
        from _hidden_{{ i }} as h
        left join (select distinct _row from _pick_{{ i }}) as p using (_row)
    ),
    {%- endfor %}
    _final as (
        select _row, _hidden as is_suppressed from _hidden_{{ rounds }}
    )
    {%- else %}
    _final as (
        select _row, _primary as is_suppressed from _base
    )
    {%- endif %}
    select b.* exclude (_row, _size, _primary), f.is_suppressed
    from _base as b
    inner join _final as f using (_row)
)
{% endmacro %}


{#
  The past month ends of a dated mart (rows of `dated` with is_current false), each with
  now_hidden: whether the reference date hides the same municipality, dimension and value (or
  does not publish it), for with_suppression(..., primary='now_hidden'), so that a month end's
  row gives back nothing the current rows hide.
#}
{% macro past_rows_hidden_as_now(dated, suppressed_current) %}
    select p.*, coalesce(c.is_suppressed, true) as now_hidden
    from {{ dated }} as p
    left join {{ suppressed_current }} as c using (municipality_code, dimension, dimension_value)
    where not p.is_current
{% endmacro %}
