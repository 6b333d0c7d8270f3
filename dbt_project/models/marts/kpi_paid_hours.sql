-- LOENTIMER_ANDEL (kpis.md §7): share of each experiment arm with a month of paid hours or
-- education since enrolment, and the grant payout tier that share implies for the INDSATS arm
-- (Tårnby's "Flere skal med 2", var payout_tiers); as of every month end of the history and the
-- reference date.
with cells as (
    select *, with_hours_or_education / participants as share from {{ ref('int_paid_hours_cells') }}
),

suppressed as (
    select * from {{ with_suppression('cells', ['reference_date', 'experiment_id', 'arm'], 'participants', ['with_hours_or_education']) }}
)

select
    reference_date,
    is_current,
    experiment_id,
    arm,
    {{ suppressed('participants') }} as participants,
    {{ suppressed('with_hours_or_education') }} as with_hours_or_education,
    {{ suppressed('share') }} as share,
    {{ suppressed(wilson_low('with_hours_or_education', 'participants')) }} as share_low,
    {{ suppressed(wilson_high('with_hours_or_education', 'participants')) }} as share_high,
    case
        when arm <> 'INDSATS' or is_suppressed then null
        {%- for tier in var('payout_tiers') %}
        when share >= {{ tier.share }} then '{{ tier.payout_da }}'
        {%- endfor %}
        else 'Ingen udbetaling'
    end as payout_tier,
    is_suppressed
from suppressed
