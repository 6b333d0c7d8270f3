-- TID_TIL_BOLIG (kpis.md §4): days from the start of a shelter (§ 110) or street stay to moving
-- into a home of one's own: Kaplan–Meier median and share housed within time_to_housing_days.
with spells as (
    select * from {{ ref('int_homeless_spells') }}
),

stacked as (
    select municipality_code, dimension, dimension_value, days, housed
    from spells,
    lateral (select * from (values
        ({{ total_dimension() }}, {{ total_value() }}), ('first_stay_type', spells.first_stay_type), ('cohort_year', spells.cohort_year)
    ) as v(dimension, dimension_value))
),

both_levels as (
    select * from stacked
    union all
    select {{ all_municipalities() }} as municipality_code, dimension, dimension_value, days, housed from stacked
),

curve as (
    select * from {{ kaplan_meier('both_levels', ['municipality_code', 'dimension', 'dimension_value'], 'days', 'housed') }}
),

summary as (
    select
        municipality_code, dimension, dimension_value,
        max(n_at_risk) as citizens,
        sum(events) as housed,
        {{ km_quantile(0.5) }} as median_days,
        1 - arg_max(survival, t) filter (where t <= {{ var('time_to_housing_days') }}) as housed_within_share,
        1 - arg_max(survival_high, t) filter (where t <= {{ var('time_to_housing_days') }}) as housed_within_share_low,
        1 - arg_max(survival_low, t) filter (where t <= {{ var('time_to_housing_days') }}) as housed_within_share_high
    from curve
    group by all
),

suppressed as (
    select * from {{ with_suppression('summary', ['municipality_code', 'dimension', 'dimension_value'], 'citizens', ['housed'],
                                      breakdown_groups([], ['first_stay_type', 'cohort_year'])) }}
)

select
    municipality_code,
    dimension,
    dimension_value,
    {{ var('time_to_housing_days') }} as within_days,
    {{ suppressed('citizens') }} as citizens,
    {{ suppressed('housed') }} as housed,
    {{ suppressed('median_days') }} as median_days,
    {{ suppressed('housed_within_share') }} as housed_within_share,
    {{ suppressed('housed_within_share_low') }} as housed_within_share_low,
    {{ suppressed('housed_within_share_high') }} as housed_within_share_high,
    is_suppressed
from suppressed
