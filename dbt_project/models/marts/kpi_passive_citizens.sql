-- PASSIV_ANDEL (kpis.md §1), with small cells suppressed.
{% set dims = ['team_name', 'caseworker_id', 'experiment_arm'] %}

with cells as (
    select * from {{ ref('int_passive_cells') }}
),

{{ dated_mart_tail('cells', 'population', ['passive'], dims,
                   [('population', 's.population'), ('passive', 's.passive')]
                   + share_measures('passive_share', 's.passive', 's.population'),
                   keys=['variant', 'reference_date']) }}
