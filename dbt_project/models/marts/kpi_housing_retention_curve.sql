-- The Kaplan–Meier curves behind kpi_housing_retention, for survival charts, as disclosure control
-- allows them (kpis.md, suppression): a curve is published only where its table row is
-- (kpi_housing_retention, primary and complementary rule alike), and only at points a month apart
-- (day floor(k * 30.4375), k = 0..24: 6, 12 and 24 months are the table's 182, 365 and 730 days).
-- A raw curve would give every small count back: each step's drop is d / n. So between two
-- published points, the number who lost their home and the number who left the follow-up are
-- each 0 or at least min_cell_size; a point that would break this is skipped and the next point
-- is measured from the last published one. The curve stops where fewer than min_cell_size
-- citizens are still followed. On the reference date only: the history of int_housing_retention_km
-- and kpi_housing_retention is not drawn as curves.
{% set points = range(0, 25) %}
{% set n = var('min_cell_size') %}

with curve as (
    select * exclude (reference_date) from {{ ref('int_housing_retention_km') }}
    where reference_date = ({{ current_reference_date() }})
),

published_groups as (
    select municipality_code, dimension, dimension_value, citizens
    from {{ ref('kpi_housing_retention') }}
    where is_current and not is_suppressed
),

grid as (
    select g.*, k, cast(floor(k * {{ days_per_month() }}) as bigint) as days
    from published_groups as g, range(0, 25) as r(k)
),

at_points as (
    -- at each point g: S(g) and its band (the last step at or before g), and the three parts the
    -- citizens fall into on day g: lost their home by then, left the follow-up still housed by
    -- then (censored), and still followed after g
    select
        g.municipality_code, g.dimension, g.dimension_value, g.k, g.days,
        arg_max(c.survival, c.t) filter (where c.t <= g.days) as retention,
        arg_max(c.survival_low, c.t) filter (where c.t <= g.days) as retention_low,
        arg_max(c.survival_high, c.t) filter (where c.t <= g.days) as retention_high,
        coalesce(sum(c.events) filter (where c.t <= g.days), 0) as lost_so_far,
        coalesce(sum(c.censored) filter (where c.t <= g.days), 0) as censored_so_far,
        any_value(g.citizens) - coalesce(sum(c.events + c.censored) filter (where c.t <= g.days), 0) as at_risk
    from grid as g
    inner join curve as c using (municipality_code, dimension, dimension_value)
    group by all
),

wide as (
    select municipality_code, dimension, dimension_value,
        {% for k in points %}
        any_value(lost_so_far) filter (where k = {{ k }}) as lost_{{ k }},
        any_value(censored_so_far) filter (where k = {{ k }}) as censored_{{ k }},
        any_value(at_risk) filter (where k = {{ k }}) as at_risk_{{ k }}{{ ',' if not loop.last }}
        {% endfor %}
    from at_points
    group by all
),

-- walk the points in order, from the start (nobody lost or censored), keeping the counts of the
-- last published point: a point is published when at least min_cell_size are still followed and,
-- since the last published point, 0 or at least min_cell_size lost their home and 0 or at least
-- min_cell_size left the follow-up still housed
step_start as (
    select *, 0 as last_lost, 0 as last_censored from wide
),
{% for k in points %}
{% set prev = 'start' if k == 0 else (k - 1) %}
step_{{ k }} as (
    select * exclude (last_lost, last_censored),
        case when published_{{ k }} then lost_{{ k }} else last_lost end as last_lost,
        case when published_{{ k }} then censored_{{ k }} else last_censored end as last_censored
    from (
        select *,
            at_risk_{{ k }} >= {{ n }}
            and (lost_{{ k }} = last_lost or lost_{{ k }} - last_lost >= {{ n }})
            and (censored_{{ k }} = last_censored or censored_{{ k }} - last_censored >= {{ n }}) as published_{{ k }}
        from step_{{ prev }}
    )
),
{% endfor %}

chain as (
    select * from step_{{ points | list | last }}
),

published_points as (
    select municipality_code, dimension, dimension_value, k
    from chain,
    lateral (select * from (values
        {% for k in points %}({{ k }}, published_{{ k }}){{ ',' if not loop.last }}{% endfor %}
    ) as v(k, published))
    where published
),

counted as (
    select p.*, a.days, a.at_risk, a.retention, a.retention_low, a.retention_high,
        a.lost_so_far - coalesce(lag(a.lost_so_far) over (
            partition by p.municipality_code, p.dimension, p.dimension_value order by p.k), 0) as lost_home
    from published_points as p
    inner join at_points as a using (municipality_code, dimension, dimension_value, k)
)

select
    municipality_code,
    dimension,
    dimension_value,
    days,
    cast(at_risk as hugeint) as at_risk,
    cast(lost_home as hugeint) as lost_home,
    retention,
    retention_low,
    retention_high,
    false as is_suppressed
from counted
union all
-- a group its table hides: one row, every figure null
select municipality_code, dimension, dimension_value, 0, null, null, null, null, null, true
from {{ ref('kpi_housing_retention') }}
where is_current and is_suppressed
