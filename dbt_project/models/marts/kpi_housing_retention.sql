-- BOLIGFASTHOLDELSE_12M, BOLIGFASTHOLDELSE_24M (kpis.md §3): the Kaplan–Meier share still in a
-- home of their own 6, 12 and 24 months after moving in, with 95 % bands (Greenwood, log-log).
-- On the reference date (is_current) and as known on each month end of the last var
-- time_to_event_history_months before it (int_housing_retention_km).

with curve as (
    select * from {{ ref('int_housing_retention_km') }}
),

at_month as (
    select
        reference_date, municipality_code, dimension, dimension_value,
        max(n_at_risk) as citizens,
        sum(events) as lost_home,
        {% for m in [6, 12, 24] %}{% set d = months_as_days(m) %}
        arg_max(survival, t) filter (where t <= {{ d }}) as retention_{{ m }}m,
        arg_max(survival_low, t) filter (where t <= {{ d }}) as retention_{{ m }}m_low,
        arg_max(survival_high, t) filter (where t <= {{ d }}) as retention_{{ m }}m_high,
        -- still followed at that point (at risk); fewer than min_cell_size: not shown
        coalesce(arg_min(n_at_risk, t) filter (where t >= {{ d }}), 0) as at_risk_{{ m }}m{{ "," if not loop.last }}
        {% endfor %}
    from curve
    group by all
),

dated as (
    select a.*, d.is_current
    from at_month as a
    inner join {{ ref('int_reference_dates') }} as d using (reference_date)
),

current_cells as (
    select * from dated where is_current
),

suppressed_current as (
    select * from {{ with_suppression('current_cells', ['reference_date', 'municipality_code', 'dimension', 'dimension_value'],
                                      'citizens', ['lost_home'],
                                      breakdown_groups(['reference_date'], ['support_method', 'rent_subsidy', 'cohort_year', 'experiment_arm'])) }}
),

past_cells as (
    -- a row the reference date hides is hidden at every month end too (no cohort years there:
    -- int_housing_retention_km)
    {{ past_rows_hidden_as_now('dated', 'suppressed_current') }}
),

suppressed_past as (
    select * exclude (now_hidden)
    from {{ with_suppression('past_cells', ['reference_date', 'municipality_code', 'dimension', 'dimension_value'],
                             'citizens', ['lost_home'],
                             breakdown_groups(['reference_date'], ['support_method', 'rent_subsidy', 'experiment_arm']),
                             primary='now_hidden') }}
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
    {{ suppressed('citizens') }} as citizens,
    {{ suppressed('lost_home') }} as lost_home,
    {% for m in [6, 12, 24] %}
    case when is_suppressed or at_risk_{{ m }}m < {{ var('min_cell_size') }} then null else retention_{{ m }}m end as retention_{{ m }}m,
    case when is_suppressed or at_risk_{{ m }}m < {{ var('min_cell_size') }} then null else retention_{{ m }}m_low end as retention_{{ m }}m_low,
    case when is_suppressed or at_risk_{{ m }}m < {{ var('min_cell_size') }} then null else retention_{{ m }}m_high end as retention_{{ m }}m_high,
    {% endfor %}
    is_suppressed
from suppressed
