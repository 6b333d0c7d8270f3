-- SAGSSTAMME (kpis.md §5): ongoing cases per caseworker on each reference date; which are
-- suppressed is decided with the team totals (int_caseload_suppression).
with cells as (
    select * from {{ ref('int_caseload_cells') }}
),

dates as (
    select * from {{ ref('int_reference_dates') }}
),

flags as (
    select * from {{ ref('int_caseload_suppression') }} where dimension = 'caseworker_id'
)

select
    c.reference_date,
    d.is_current,
    c.municipality_code,
    c.team_name,
    c.caseworker_id,
    c.initials,
    c.fte,
    {{ suppressed('c.cases', 'f.is_suppressed') }} as cases,
    {{ suppressed('c.cases_per_fte', 'f.is_suppressed') }} as cases_per_fte,
    c.at_or_under_cap,
    {{ var('caseload_cap') }} as caseload_cap,
    f.is_suppressed
from cells as c
inner join dates as d using (reference_date)
inner join flags as f
    on f.reference_date = c.reference_date and f.municipality_code = c.municipality_code
    and f.dimension_value = c.caseworker_id
