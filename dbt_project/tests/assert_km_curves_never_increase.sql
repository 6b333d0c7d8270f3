-- A Kaplan–Meier curve starts at day 0, never goes up, and its band always contains it.
{% set all_keys = ['reference_date', 'cohort', 'event', 'municipality_code', 'dimension', 'dimension_value'] %}
{% set curves = [
    ('housing', 'int_housing_retention_km', ['reference_date', 'municipality_code', 'dimension', 'dimension_value']),
    ('intervention', 'int_time_to_intervention_km', all_keys),
] %}

with
{% for name, model, keys in curves %}
{{ name }} as (
    -- each curve partitioned by its own columns (faster than by one text key for both)
    select '{{ name }}' as curve,
        {% for k in all_keys %}{{ k if k in keys else 'null' }} as {{ k }}, {% endfor %}
        t, survival, survival_low, survival_high,
        lag(survival) over (partition by {{ keys | join(', ') }} order by t) as previous,
        min(t) over (partition by {{ keys | join(', ') }}) as first_t
    from {{ ref(model) }}
),
{% endfor %}

stepped as (
    {% for name, _, _ in curves %}select * from {{ name }}{% if not loop.last %} union all {% endif %}{% endfor %}
)

select * from stepped
where first_t <> 0
   or survival > previous + 1e-12
   or survival < survival_low - 1e-12 or survival > survival_high + 1e-12
   or survival < 0 or survival > 1
