-- §1 passive citizens in ressourceforløb, unsuppressed, per reference date and breakdown.
-- Passive: no employment-oriented offer and no mentor overlapping
-- [max(start, D - passive_lookback_days), D].
{% set dims = ['team_name', 'caseworker_id', 'experiment_arm'] %}

with ongoing as (
    select * from {{ ref('int_ongoing_spells') }}
    where target_group = '2.11'
),

offers as (
    select * from {{ ref('int_passivity_offers') }}
),

not_passive as (
    select distinct o.reference_date, o.spell_id
    from ongoing as o
    inner join offers as a
        on a.spell_id = o.spell_id
        and a.start_date <= o.reference_date
        and coalesce(a.end_date, o.reference_date)
            >= greatest(o.start_date, o.reference_date - interval {{ var('passive_lookback_days') }} day)
),

flagged as (
    select o.*, n.spell_id is null as is_passive
    from ongoing as o
    left join not_passive as n using (reference_date, spell_id)
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
