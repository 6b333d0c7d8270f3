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

reassigned as (
    -- per spell, the days it went to another caseworker: every assignment after its first
    select spell_id, list(valid_from) as change_dates
    from assignments
    where nth > 1
    group by spell_id
),

per_spell as (
    -- the changes in the 12 months up to each reference date (one list per spell, not a join
    -- of every ongoing spell with its assignments and a count back)
    select
        o.reference_date, o.spell_id, o.municipality_code, o.target_group, o.team_name,
        least(o.seniority_days, 365) as exposure_days,
        coalesce(len(list_filter(r.change_dates,
                                 lambda d: d > o.reference_date - interval 365 day and d <= o.reference_date)), 0)
            as changes
    from ongoing as o
    left join reassigned as r using (spell_id)
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
