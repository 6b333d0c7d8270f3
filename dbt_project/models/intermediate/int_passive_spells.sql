-- §1 per ongoing ressourceforløb and reference date: is the citizen passive? Passive means no
-- employment-oriented offer and no mentor overlapping the window
-- [max(start_date, reference_date - passive_lookback_days), reference_date].
with ongoing as (
    select * from {{ ref('int_ongoing_spells') }}
    where target_group = '2.11'
),

offers as (
    select * from {{ ref('int_passivity_offers') }}
),

not_passive as (
    select distinct o.reference_date, o.spell_id
    from ongoing as o
    inner join offers as a
        on a.spell_id = o.spell_id
        and a.start_date <= o.reference_date
        and coalesce(a.end_date, o.reference_date)
            >= greatest(o.start_date, o.reference_date - interval {{ var('passive_lookback_days') }} day)
)

select o.*, n.spell_id is null as is_passive
from ongoing as o
left join not_passive as n using (reference_date, spell_id)
