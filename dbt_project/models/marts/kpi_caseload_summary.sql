-- SAGSSTAMME (kpis.md §5) per municipality and team: caseworkers, cases, average caseload and
-- the share of caseworkers at or under the cap. Cases (and the averages that give them back) are
-- suppressed as int_caseload_suppression decides, together with the caseworkers' own figures.
{% set dims = ['team_name'] %}

with cells as (
    select * from {{ ref('int_caseload_cells') }}
),

dates as (
    select * from {{ ref('int_reference_dates') }}
),

summary as (
    select
        reference_date,
        {{ dimension_columns(dims) }},
        count(*) as caseworkers,
        sum(cases) as cases,
        cast(sum(cast(fte as decimal(18, 4))) as double) as fte,  -- exact: the same in every build
        count(*) filter (where at_or_under_cap) as caseworkers_at_or_under_cap
    from cells
    group by {{ dimension_sets('reference_date', dims) }}
),

flags as (
    select * from {{ ref('int_caseload_suppression') }} where dimension <> 'caseworker_id'
)

select
    s.reference_date,
    d.is_current,
    s.municipality_code,
    s.dimension,
    s.dimension_value,
    s.caseworkers,
    {{ suppressed('s.cases', 'f.is_suppressed') }} as cases,
    s.fte,
    {{ suppressed('s.cases / s.caseworkers', 'f.is_suppressed') }} as avg_cases_per_caseworker,
    {{ suppressed('s.cases / nullif(s.fte, 0)', 'f.is_suppressed') }} as avg_cases_per_fte,
    s.caseworkers_at_or_under_cap / s.caseworkers as share_at_or_under_cap,
    {{ var('caseload_cap') }} as caseload_cap,
    f.is_suppressed
from summary as s
inner join dates as d using (reference_date)
inner join flags as f
    on f.reference_date = s.reference_date and f.municipality_code = s.municipality_code
    and f.dimension = s.dimension and f.dimension_value = s.dimension_value
