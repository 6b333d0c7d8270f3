-- §5 which caseload figures are suppressed, decided once for kpi_caseload (each caseworker) and
-- kpi_caseload_summary (each team, municipality and 'ALLE'), because a reader can subtract across
-- the two: a team's cases are the sum of its caseworkers', a municipality's the sum of its teams',
-- 'ALLE' the sum of the municipalities. One row per published figure of cases, with is_suppressed.
{% set dims = ['team_name'] %}

with cells as (
    select * from {{ ref('int_caseload_cells') }}
),

summary as (
    select
        reference_date,
        {{ dimension_columns(dims) }},
        cast(null as varchar) as team_of_caseworker,
        cast(sum(cases) as bigint) as cases
    from cells
    group by {{ dimension_sets('reference_date', dims) }}
),

caseworkers as (
    select reference_date, municipality_code, 'caseworker_id' as dimension, caseworker_id as dimension_value,
           team_name as team_of_caseworker, cases
    from cells
),

rows_ as (
    select *,
        {{ breakdown_groups(['reference_date'], dims) }}
        -- a team's cases are the sum of its caseworkers' cases
        || [case when dimension = 'team_name' and municipality_code <> {{ all_municipalities() }}
                 then {'g': {{ group_id(["'team'", 'reference_date', 'municipality_code', 'dimension_value']) }}, 'total': true}
            end] as disclosure_groups
    from summary
    union all
    select *,
        [{'g': {{ group_id(["'team'", 'reference_date', 'municipality_code', 'team_of_caseworker']) }}, 'total': false}]
    from caseworkers
)

select reference_date, municipality_code, dimension, dimension_value, cases, is_suppressed
from {{ with_suppression('rows_', ['reference_date', 'municipality_code', 'dimension', 'dimension_value'], 'cases',
                         [], "list_filter(disclosure_groups, lambda x: x is not null)") }}
