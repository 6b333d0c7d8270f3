-- §5 ongoing spells per caseworker on each reference date, unsuppressed.
with ongoing as (
    select * from {{ ref('int_ongoing_spells') }}
),

caseworkers as (
    select * from {{ ref('stg_jobcenter__sagsbehandlere') }}
)

select
    o.reference_date,
    coalesce(c.municipality_code, any_value(o.municipality_code)) as municipality_code,
    o.caseworker_id,
    coalesce(c.initials, o.caseworker_id) as initials,
    coalesce(c.team_name, 'ukendt team') as team_name,
    coalesce(c.fte, 1.0) as fte,
    count(*) as cases,
    count(*) / coalesce(nullif(c.fte, 0), 1.0) as cases_per_fte,
    count(*) <= {{ var('caseload_cap') }} as at_or_under_cap
from ongoing as o
left join caseworkers as c using (caseworker_id)
where o.caseworker_id is not null
group by o.reference_date, o.caseworker_id, c.municipality_code, c.initials, c.team_name, c.fte
