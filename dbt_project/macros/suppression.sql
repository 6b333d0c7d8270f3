{#
  Small-cell suppression (kpis.md: figures about fewer than min_cell_size citizens never leave
  the warehouse). Primary: a cell whose population, or whose count, is 1..min_cell_size-1 is
  suppressed. Secondary: where exactly one cell of a breakdown is suppressed, the next smallest
  cell of that breakdown is suppressed too, so the total cannot reveal it by subtraction; among
  equally small cells the choice is fixed by the row's content, the same in every build.

  is_small(count) -> boolean expression; suppressed(value, flag) -> value or null.
#}
{% macro is_small(count) -%}
    (({{ count }}) between 1 and {{ var('min_cell_size') }} - 1)
{%- endmacro %}

{% macro suppressed(value, flag='is_suppressed') -%}
    case when {{ flag }} then null else {{ value }} end
{%- endmacro %}

{# Adds is_suppressed to `relation` by the primary and secondary rule, per breakdown. #}
{% macro with_suppression(relation, partition_by, population, count=None) %}
(
    with primary_rule as (
        select *,
            {{ is_small(population) }} {% if count %} or {{ is_small(count) }}{% endif %} as _primary
        from {{ relation }}
    ),
    ranked as (
        select *,
            count(*) filter (where _primary) over (partition by {{ partition_by | join(', ') }}) as _n_primary,
            -- ties are broken by the whole row, so every build hides the same cell
            row_number() over (partition by {{ partition_by | join(', ') }}, _primary
                               order by {{ population }}, {{ count or population }}, primary_rule) as _rank_among
        from primary_rule
    )
    select * exclude (_primary, _n_primary, _rank_among),
        _primary or (_n_primary = 1 and not _primary and _rank_among = 1
                     and {{ population }} > 0) as is_suppressed
    from ranked
)
{% endmacro %}
