-- SAGSSTAMME (kpis.md §5): ongoing cases per caseworker on each reference date.
with cells as (
    select * from {{ ref('int_caseload_cells') }}
),

dates as (
    select * from {{ ref('int_reference_dates') }}
)

select
    c.reference_date,
    d.is_current,
    c.municipality_code,
    c.team_name,
    c.caseworker_id,
    c.initials,
    c.fte,
    case when {{ is_small('c.cases') }} then null else c.cases end as cases,
    case when {{ is_small('c.cases') }} then null else c.cases_per_fte end as cases_per_fte,
    c.at_or_under_cap,
    {{ var('caseload_cap') }} as caseload_cap,
    {{ is_small('c.cases') }} as is_suppressed
from cells as c
inner join dates as d using (reference_date)
