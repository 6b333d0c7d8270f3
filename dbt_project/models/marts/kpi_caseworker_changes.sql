-- SAGSBEHANDLERSKIFT (kpis.md §10): caseworker changes in the 12 months before each reference
-- date, per spell-year of exposure, and the share of spells with two or more changes.
{% set dims = ['target_group', 'team_name'] %}

with ongoing as (
    select * from {{ ref('int_ongoing_spells') }}
),

assignments as (
    select *, row_number() over (partition by spell_id order by valid_from) as nth
    from {{ ref('stg_jobcenter__tildelinger') }}
),

changes as (
    -- assignments after a spell's first, in the 12 months up to each reference date
    select o.reference_date, o.spell_id, count(*) as changes
    from ongoing as o
    inner join assignments as a
        on a.spell_id = o.spell_id
        and a.nth > 1
        and a.valid_from > o.reference_date - interval 365 day
        and a.valid_from <= o.reference_date
    group by o.reference_date, o.spell_id
),

per_spell as (
    select
        o.reference_date, o.spell_id, o.municipality_code, o.target_group, o.team_name,
        least(o.seniority_days, 365) as exposure_days,
        coalesce(c.changes, 0) as changes
    from ongoing as o
    left join changes as c using (reference_date, spell_id)
),

cells as (
    select
        reference_date,
        {{ dimension_columns(dims) }},
        count(*) as spells,
        sum(changes) as changes,
        -- summed as whole days, then divided: a double sum's order varies between runs, and a
        -- figure must not change when nothing about it changed
        sum(exposure_days) / 365.25 as spell_years,
        count(*) filter (where changes >= 2) as spells_with_2_or_more
    from per_spell
    group by {{ dimension_sets('reference_date', dims) }}
),

suppressed as (
    select * from {{ with_suppression('cells', ['reference_date', 'municipality_code', 'dimension', 'dimension_value'], 'spells', ['changes', 'spells_with_2_or_more'],
                                      breakdown_groups(['reference_date'], dims)) }}
)

select
    s.reference_date,
    d.is_current,
    s.municipality_code,
    s.dimension,
    s.dimension_value,
    {{ suppressed('s.spells') }} as spells,
    {{ suppressed('s.changes') }} as changes,
    {{ suppressed('s.changes / nullif(s.spell_years, 0)') }} as changes_per_spell_year,
    {{ suppressed('s.spells_with_2_or_more / s.spells') }} as share_with_2_or_more,
    s.is_suppressed
from suppressed as s
inner join {{ ref('int_reference_dates') }} as d using (reference_date)
