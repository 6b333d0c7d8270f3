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
  the months it spans; a team and its caseworkers). A group with exactly one hidden member gives
  it back by subtraction, and (var suppression_all_ones) so does a group whose hidden cells are
  all 1 (their sum equals their number); such a group hides one more member, the smallest visible cell (a total only when no
  cell is left), ties broken by the row's key so every build hides the same cells. Hiding a
  member can leave another group with a single hidden member, so the rule is applied round after
  round (var suppression_rounds) until nothing changes. tests/test_disclosure.py attacks the result
  with every identity at once: subtraction chains and linear systems recover nothing; interval
  reasoning (bounds) still pins some hidden counts, mostly zeros (a strict xfail there).

  with_suppression(relation, keys, population, counts, groups)
    keys       the columns that identify a row (for the deterministic tie-break)
    population the row's size: the smallest visible member is hidden first
    counts     further counts the row publishes (each under the primary rule)
    groups     an SQL expression giving the row's groups as a list of
               struct(g varchar, total boolean): the group's id and whether the row is its total;
               breakdown_groups() gives the usual ones; an element with g null is no group
    primary    an extra SQL condition that also suppresses a row (e.g. a source mart's flag)
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

{% macro with_suppression(relation, keys, population, counts=[], groups=none, primary=none) %}
{%- set rounds = var('suppression_rounds') -%}
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
        select _row, _size, _group.g as _g, _group.total as _total
        from (select _row, _size, unnest({{ groups }}) as _group from _base)
        where _group.g is not null
    ),
    _hidden_0 as (
        select _row, _primary as _hidden from _base
    ),
    {%- for i in range(rounds) %}
    _state_{{ i }} as (
        select m.*, h._hidden from _members as m inner join _hidden_{{ i }} as h using (_row)
    ),
    _open_{{ i }} as (
        -- groups that give a hidden member back: exactly one hidden, or hidden cells that are all 1
        select _g
        from _state_{{ i }}
        group by _g
        having count(*) filter (where _hidden) = 1
            or ({{ var('suppression_all_ones') }} and count(*) filter (where _hidden and not _total) >= 2
                and bool_or(_total and not _hidden)
                and sum(_size) filter (where _hidden and not _total) = count(*) filter (where _hidden and not _total))
    ),
    _pick_{{ i }} as (
        select arg_min(_row, [_total::int, _size, _row]) as _row
        from _state_{{ i }}
        inner join _open_{{ i }} using (_g)
        where not _hidden and _size > 0
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
