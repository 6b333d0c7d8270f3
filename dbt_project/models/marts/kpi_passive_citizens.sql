-- PASSIV_ANDEL (kpis.md §1), with small cells suppressed.
{% set dims = ['team_name', 'caseworker_id', 'experiment_arm'] %}

with cells as (
    select * from {{ ref('int_passive_cells') }}
),

dates as (
    select * from {{ ref('int_reference_dates') }}
),

suppressed as (
    select * from {{ with_suppression('cells', ['variant', 'reference_date', 'municipality_code', 'dimension', 'dimension_value'],
                                      'population', ['passive'],
                                      breakdown_groups(['variant', 'reference_date'], dims)) }}
)

select
    s.variant,
    s.reference_date,
    d.is_current,
    s.municipality_code,
    s.dimension,
    s.dimension_value,
    {{ suppressed('s.population') }} as population,
    {{ suppressed('s.passive') }} as passive,
    {{ suppressed('s.passive / s.population') }} as passive_share,
    {{ suppressed(wilson_low('s.passive', 's.population')) }} as passive_share_low,
    {{ suppressed(wilson_high('s.passive', 's.population')) }} as passive_share_high,
    s.is_suppressed
from suppressed as s
inner join dates as d using (reference_date)
