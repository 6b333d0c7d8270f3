-- §3 Kaplan–Meier curves of staying housed, per breakdown: support method, rent subsidy,
-- cohort year and experiment arm, for each municipality and all.
with episodes as (
    select * from {{ ref('int_housing_episodes') }}
),

stacked as (
    select municipality_code, dimension, dimension_value, days, failed
    from episodes,
    lateral (select * from (values
        ({{ total_dimension() }}, {{ total_value() }}),
        ('support_method', episodes.support_method),
        ('rent_subsidy', case when episodes.has_rent_subsidy then 'Med huslejetilskud' else 'Uden huslejetilskud' end),
        ('cohort_year', episodes.cohort_year),
        ('experiment_arm', episodes.experiment_arm)
    ) as v(dimension, dimension_value))
),

both_levels as (
    select * from stacked
    union all
    select {{ all_municipalities() }} as municipality_code, dimension, dimension_value, days, failed from stacked
)

select * from {{ kaplan_meier('both_levels', ['municipality_code', 'dimension', 'dimension_value'], 'days', 'failed') }}
