-- §1 passive citizens in ressourceforløb, unsuppressed, per reference date and breakdown
-- (int_passive_spells says who is passive).
{% set dims = ['team_name', 'caseworker_id', 'experiment_arm'] %}

with flagged as (
    select * from {{ ref('int_passive_spells') }}
),

variants as (
    select *, 'anciennitet_1_aar' as variant
    from flagged
    where seniority_days >= {{ var('passive_seniority_days') }}
    union all
    select *, 'alle_varigheder' as variant
    from flagged
)

select
    variant,
    reference_date,
    {{ dimension_columns(dims) }},
    count(*) as population,
    count(*) filter (where is_passive) as passive
from variants
group by variant, {{ dimension_sets('reference_date', dims) }}
