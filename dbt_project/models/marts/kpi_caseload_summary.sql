-- SAGSSTAMME (kpis.md §5) per municipality and team: caseworkers, cases, average caseload and
-- the share of caseworkers at or under the cap.
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
)

select
    s.reference_date,
    d.is_current,
    s.municipality_code,
    s.dimension,
    s.dimension_value,
    s.caseworkers,
    s.cases,
    s.fte,
    s.cases / s.caseworkers as avg_cases_per_caseworker,
    s.cases / nullif(s.fte, 0) as avg_cases_per_fte,
    s.caseworkers_at_or_under_cap / s.caseworkers as share_at_or_under_cap,
    {{ var('caseload_cap') }} as caseload_cap
from summary as s
inner join dates as d using (reference_date)
