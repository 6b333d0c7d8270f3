-- The dates the KPIs are computed for: the reference date (the latest extract date on which every
-- delivering source delivered a complete extract, stg_ops__extracts; or the var reference_date),
-- and every month end before it back to history_months, for history and periods.
with reference as (
    select max(reference_date) as reference_date from {{ ref('stg_ops__extracts') }}
),

month_ends as (
    select cast(date_trunc('month', reference_date) - to_months(m) - interval 1 day as date) as reference_date
    from reference, range(0, {{ var('history_months') }}) as r(m)
    where reference_date is not null
)

select reference_date, true as is_current, reference_date = last_day(reference_date) as is_month_end
from reference
where reference_date is not null
union all
select reference_date, false as is_current, true as is_month_end
from month_ends
