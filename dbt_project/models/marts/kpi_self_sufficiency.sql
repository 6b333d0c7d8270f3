-- SELVFORSOERGELSE (kpis.md §12): of citizens whose spell ended in a cohort month, the share
-- self-sufficient 3, 6 and 12 months later, and the share self-sufficient for lasting_months
-- consecutive months right after the exit.
{% set dims = ['target_group'] %}

with months as (
    select * from {{ ref('int_self_sufficiency') }}
),

per_spell as (
    select
        spell_id, municipality_code, target_group, exit_month,
        bool_or(self_sufficient) filter (where k = 3) as at_3,
        bool_or(self_sufficient) filter (where k = 6) as at_6,
        bool_or(self_sufficient) filter (where k = 12) as at_12,
        count(*) filter (where k <= {{ var('lasting_months') }}) as months_observed,
        count(*) filter (where k <= {{ var('lasting_months') }} and self_sufficient) as months_self_sufficient
    from months
    group by all
),

cells as (
    select
        strftime(exit_month, '%Y-%m') as cohort,
        {{ dimension_columns(dims) }},
        count(*) filter (where at_3 is not null) as followed_3m,
        count(*) filter (where at_3) as self_sufficient_3m,
        count(*) filter (where at_6 is not null) as followed_6m,
        count(*) filter (where at_6) as self_sufficient_6m,
        count(*) filter (where at_12 is not null) as followed_12m,
        count(*) filter (where at_12) as self_sufficient_12m,
        count(*) filter (where months_observed = {{ var('lasting_months') }}) as followed_lasting,
        count(*) filter (where months_self_sufficient = {{ var('lasting_months') }}) as lasting
    from per_spell
    group by {{ dimension_sets("strftime(exit_month, '%Y-%m')", dims) }}
),

suppressed as (
    select * from {{ with_suppression('cells', ['cohort', 'municipality_code', 'dimension'], 'followed_3m') }}
)

select
    cohort,
    municipality_code,
    dimension,
    dimension_value,
    {{ suppressed('followed_3m') }} as ended_spells,
    {% for m in ['3m', '6m', '12m'] %}
    case when is_suppressed or followed_{{ m }} < {{ var('min_cell_size') }} then null
         else self_sufficient_{{ m }} / followed_{{ m }} end as self_sufficient_share_{{ m }},
    {% endfor %}
    case when is_suppressed or followed_lasting < {{ var('min_cell_size') }} then null
         else lasting / followed_lasting end as lasting_share,
    is_suppressed
from suppressed
