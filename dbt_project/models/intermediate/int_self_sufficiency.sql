-- §12 per ended spell (not a change of target group): for the months after the exit month,
-- whether the citizen was self-sufficient: no public-benefit spell that month (fleksjob does not
-- count as benefit) and paid hours or education in the income register. Every month 1-12 after
-- the exit is listed; a month the register does not cover yet (is_observed false) has
-- self_sufficient null: not known, never "not self-sufficient". A view: the months are
-- int_self_sufficiency_months, and what the register covers moves with the reference date.
{{ config(materialized='view') }}
with register as (
    select * from {{ ref('stg_jobcenter__beskaeftigelse') }}
),

reference as (
    -- the income register lags: a month counts as followed only when it is at least two months
    -- before the reference month and the register already holds it
    select reference_date,
        least(cast(date_trunc('month', reference_date) - interval 2 month as date),
              (select max(month) from register)) as last_complete_month
    from {{ ref('int_reference_dates') }} where is_current
)

select
    m.* exclude (self_sufficient_if_followed),
    r.last_complete_month,
    m.month <= r.last_complete_month as is_observed,
    -- null where the month is not followed yet: not known, rather than not self-sufficient
    case when m.month <= r.last_complete_month then m.self_sufficient_if_followed end as self_sufficient
from {{ ref('int_self_sufficiency_months') }} as m
cross join reference as r
