-- TID_TIL_BOLIG (kpis.md §4): days from the start of a shelter (§ 110) or street stay to moving
-- into a home of one's own: Kaplan–Meier median and share housed within time_to_housing_days.
-- On the reference date (is_current) and as known on each month end of the last var
-- time_to_event_history_months before it: the stays started by then, housed by then or censored
-- on that day.
{% set keys = ['reference_date', 'municipality_code', 'dimension', 'dimension_value'] %}
{% set groups = breakdown_groups(['reference_date'], ['first_stay_type', 'cohort_year']) %}

with reference as (
    {{ current_reference_date() }}
),

dates as (
    {{ time_to_event_dates(with_current=true) }}
),

spells as (
    select d.reference_date, s.municipality_code, s.first_stay_type, s.cohort_year,
        case when d.is_current then s.days
             when s.housed_date <= d.reference_date then s.housed_date - s.start_date
             else d.reference_date - s.start_date end as days,
        case when d.is_current then s.housed else coalesce(s.housed_date <= d.reference_date, false) end as housed
    from {{ ref('int_homeless_spells') }} as s
    inner join dates as d on s.start_date <= d.reference_date
),

stacked as (
    select reference_date, municipality_code, dimension, dimension_value, days, housed
    from spells,
    lateral (select * from (values
        ({{ total_dimension() }}, {{ total_value() }}), ('first_stay_type', spells.first_stay_type), ('cohort_year', spells.cohort_year)
    ) as v(dimension, dimension_value))
    -- no cohort years at past month ends (as int_housing_retention_km)
    where dimension <> 'cohort_year' or spells.reference_date = (select reference_date from reference)
),

both_levels as (
    select * from stacked
    union all
    select reference_date, {{ all_municipalities() }} as municipality_code, dimension, dimension_value, days, housed
    from stacked
),

curve as (
    select * from {{ kaplan_meier('both_levels', ['reference_date', 'municipality_code', 'dimension', 'dimension_value'], 'days', 'housed') }}
),

summary as (
    select
        reference_date, municipality_code, dimension, dimension_value,
        max(n_at_risk) as citizens,
        sum(events) as housed,
        {{ km_quantile(0.5) }} as median_days,
        1 - arg_max(survival, t) filter (where t <= {{ var('time_to_housing_days') }}) as housed_within_share,
        1 - arg_max(survival_high, t) filter (where t <= {{ var('time_to_housing_days') }}) as housed_within_share_low,
        1 - arg_max(survival_low, t) filter (where t <= {{ var('time_to_housing_days') }}) as housed_within_share_high
    from curve
    group by all
),

dated as (
    select s.*, d.is_current from summary as s inner join dates as d using (reference_date)
),

current_cells as (
    select * from dated where is_current
),

suppressed_current as (
    select * from {{ with_suppression('current_cells', keys, 'citizens', ['housed'], groups) }}
),

past_cells as (
    -- a row the reference date hides is hidden at every month end too (no cohort years there)
    {{ past_rows_hidden_as_now('dated', 'suppressed_current') }}
),

suppressed_past as (
    select * exclude (now_hidden)
    from {{ with_suppression('past_cells', keys, 'citizens', ['housed'],
                             breakdown_groups(['reference_date'], ['first_stay_type']), primary='now_hidden') }}
),

suppressed as (
    select * from suppressed_current
    union all by name
    select * from suppressed_past
)

select
    reference_date,
    is_current,
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
