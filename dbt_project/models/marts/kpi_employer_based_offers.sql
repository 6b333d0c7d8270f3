-- VIRKSOMHEDSRETTET_ANDEL (kpis.md §11): of the employment-oriented offers running in each month,
-- the share that are employer-based (the seed ref_indsatstyper.is_employer_based).
{% set dims = ['target_group'] %}

with months as (
    select reference_date, cast(date_trunc('month', reference_date) as date) as month_start, is_current
    from {{ ref('int_reference_dates') }}
),

offers as (
    select o.*, s.municipality_code, s.target_group, coalesce(t.is_employer_based, false) as is_employer_based
    from {{ ref('stg_jobcenter__indsatser') }} as o
    inner join {{ ref('int_spells') }} as s using (spell_id)
    left join {{ ref('ref_indsatstyper') }} as t using (offer_type)
    where o.is_employment_oriented
),

running as (
    select m.reference_date, o.*
    from offers as o
    inner join months as m
        on o.start_date <= m.reference_date and coalesce(o.end_date, m.reference_date) >= m.month_start
),

cells as (
    select
        reference_date,
        {{ dimension_columns(dims) }},
        count(*) as active_offers,
        count(*) filter (where is_employer_based) as employer_based_offers
    from running
    group by {{ dimension_sets('reference_date', dims) }}
),

suppressed as (
    select * from {{ with_suppression('cells', ['reference_date', 'municipality_code', 'dimension', 'dimension_value'], 'active_offers', ['employer_based_offers'],
                                      breakdown_groups(['reference_date'], dims)) }}
)

select
    s.reference_date,
    m.month_start as month,
    m.is_current,
    s.municipality_code,
    s.dimension,
    s.dimension_value,
    {{ suppressed('s.active_offers') }} as active_offers,
    {{ suppressed('s.employer_based_offers') }} as employer_based_offers,
    {{ suppressed('s.employer_based_offers / s.active_offers') }} as employer_based_share,
    {{ suppressed(wilson_low('s.employer_based_offers', 's.active_offers')) }} as employer_based_share_low,
    {{ suppressed(wilson_high('s.employer_based_offers', 's.active_offers')) }} as employer_based_share_high,
    s.is_suppressed
from suppressed as s
inner join months as m using (reference_date)
