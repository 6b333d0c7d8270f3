-- A Kaplan–Meier curve starts at day 0, never goes up, and its band always contains it.
with curves as (
    select 'housing' as curve,
           reference_date || '|' || municipality_code || '|' || dimension || '|' || dimension_value as grp,
           t, survival, survival_low, survival_high
    from {{ ref('int_housing_retention_km') }}
    union all
    select 'intervention', reference_date || '|' || cohort || '|' || event || '|' || municipality_code || '|' || dimension || '|' || dimension_value,
           t, survival, survival_low, survival_high
    from {{ ref('int_time_to_intervention_km') }}
),

stepped as (
    select *,
        lag(survival) over (partition by curve, grp order by t) as previous,
        min(t) over (partition by curve, grp) as first_t
    from curves
)

select * from stepped
where first_t <> 0
   or survival > previous + 1e-12
   or survival < survival_low - 1e-12 or survival > survival_high + 1e-12
   or survival < 0 or survival > 1
