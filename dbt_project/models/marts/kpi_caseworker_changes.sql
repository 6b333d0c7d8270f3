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
        sum(exposure_days) / {{ days_per_year() }} as spell_years,
        count(*) filter (where changes >= 2) as spells_with_2_or_more
    from per_spell
    group by {{ dimension_sets('reference_date', dims) }}
),

{{ dated_mart_tail('cells', 'spells', ['changes', 'spells_with_2_or_more'], dims,
                   [('spells', 's.spells'), ('changes', 's.changes'),
                    ('changes_per_spell_year', 's.changes / nullif(s.spell_years, 0)'),
                    ('share_with_2_or_more', 's.spells_with_2_or_more / s.spells')]) }}
