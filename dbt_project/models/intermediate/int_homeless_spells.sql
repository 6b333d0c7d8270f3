-- Homelessness spells for §4: from the start of a shelter (§ 110) or street stay that does not
-- follow another homeless stay, to the next move into a home of one's own (or censored at the
-- reference date).
with stays as (
    select
        b.*,
        t.is_own_home,
        t.is_homeless_stay,
        lag(t.is_homeless_stay) over (partition by b.person_id order by b.move_in_date, b.stay_id) as prev_homeless
    from {{ ref('stg_bolig__boligforloeb') }} as b
    inner join {{ ref('ref_boligtyper') }} as t using (housing_type)
),

starts as (
    select * from stays
    where housing_type in ('FORSORGSHJEM_110', 'GADE') and not coalesce(prev_homeless, false)
),

reference as (
    {{ current_reference_date() }}
),

housed as (
    select s.stay_id, min(h.move_in_date) as housed_date
    from starts as s
    cross join reference as r
    inner join stays as h
        on h.person_id = s.person_id and h.is_own_home and h.move_in_date >= s.move_in_date
        and h.move_in_date <= r.reference_date
    group by s.stay_id
)

select
    s.stay_id as homeless_spell_id,
    s.person_id,
    s.municipality_code,
    s.housing_type as first_stay_type,
    s.move_in_date as start_date,
    cast(date_part('year', s.move_in_date) as varchar) as cohort_year,
    h.housed_date,
    h.housed_date is not null as housed,
    coalesce(h.housed_date, r.reference_date) - s.move_in_date as days
from starts as s
cross join reference as r
left join housed as h using (stay_id)
where s.move_in_date <= r.reference_date
