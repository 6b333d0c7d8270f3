-- The Kaplan–Meier curves behind kpi_housing_retention, for survival charts. A curve stops where
-- fewer than min_cell_size citizens are still followed.
select
    municipality_code,
    dimension,
    dimension_value,
    t as days,
    n_at_risk as at_risk,
    events as lost_home,
    survival as retention,
    survival_low as retention_low,
    survival_high as retention_high
from {{ ref('int_housing_retention_km') }}
where coalesce(n_at_risk, {{ var('min_cell_size') }}) >= {{ var('min_cell_size') }}
