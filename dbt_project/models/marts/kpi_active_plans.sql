-- AKTIV_PLAN_ANDEL (kpis.md §11): of the spells ongoing on each reference date, the share with a
-- plan made by then.
{% set dims = ['target_group', 'team_name', 'caseworker_id'] %}

with ongoing as (
    select * from {{ ref('int_ongoing_spells') }}
),

first_plan as (
    select spell_id, min(created_date) as first_plan_date
    from {{ ref('stg_jobcenter__planer') }}
    group by spell_id
),

flagged as (
    select o.*, coalesce(p.first_plan_date <= o.reference_date, false) as has_plan
    from ongoing as o
    left join first_plan as p using (spell_id)
),

cells as (
    select
        reference_date,
        {{ dimension_columns(dims) }},
        count(*) as spells,
        count(*) filter (where has_plan) as spells_with_plan
    from flagged
    group by {{ dimension_sets('reference_date', dims) }}
),

{{ dated_mart_tail('cells', 'spells', ['spells_with_plan'], dims,
                   [('spells', 's.spells'), ('spells_with_plan', 's.spells_with_plan')]
                   + share_measures('plan_share', 's.spells_with_plan', 's.spells')) }}
