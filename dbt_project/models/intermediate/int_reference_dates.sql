-- The dates the KPIs are computed for: the reference date (the newest jobcenter extract, or the
-- var reference_date) and the month ends before it, for trends.
with newest as (
    select
        {% if var('reference_date') %}
        date '{{ var("reference_date") }}'
        {% else %}
        (select max(extract_date) from {{ source('ops', 'ledger') }}
         where status = 'loaded' and source = 'jobcenter')
        {% endif %} as reference_date
),

month_ends as (
    select cast(date_trunc('month', reference_date) - to_months(m) - interval 1 day as date) as reference_date
    from newest, range(0, {{ var('trend_months') }}) as r(m)
)

select reference_date, true as is_current from newest
union all
select reference_date, false as is_current from month_ends
