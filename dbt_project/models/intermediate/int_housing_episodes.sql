-- Own-home housing episodes (kpis.md §3). An episode starts when a citizen moves into a home of
-- their own after a shelter, street, temporary or § 107/108 stay, or with housing support. It
-- continues across a move to another own home when the move-out reason is one of the var
-- housing_continuing_reasons and the next own home starts within rehousing_gap_days. It fails on
-- eviction, re-admission to a shelter, a move to a shelter, street or temporary housing, or a
-- longer gap; death, and the reference date for ongoing episodes, censor it.
{% set continuing = "('" ~ var('housing_continuing_reasons') | join("', '") ~ "')" %}

with stays as (
    select
        b.*,
        t.is_own_home,
        t.is_homeless_stay,
        r.outcome as move_out_outcome,
        lag(b.housing_type) over w as prev_type,
        lag(t.is_own_home) over w as prev_is_own_home,
        lag(t.is_homeless_stay) over w as prev_is_homeless,
        lag(b.move_out_date) over w as prev_move_out,
        lag(b.move_out_reason) over w as prev_reason,
        lead(t.is_own_home) over w as next_is_own_home,
        lead(b.move_in_date) over w as next_move_in
    from {{ ref('stg_bolig__boligforloeb') }} as b
    inner join {{ ref('ref_boligtyper') }} as t using (housing_type)
    left join {{ ref('ref_fraflytningsaarsager') }} as r using (move_out_reason)
    window w as (partition by b.person_id order by b.move_in_date, b.stay_id)
),

own_homes as (
    select *,
        coalesce(prev_is_own_home, false)
            and prev_reason in {{ continuing }}
            and move_in_date - prev_move_out between 0 and {{ var('rehousing_gap_days') }} as continues_previous
    from stays
    where is_own_home
),

chained as (
    select *,
        sum(case when continues_previous then 0 else 1 end)
            over (partition by person_id order by move_in_date, stay_id) as chain_no
    from own_homes
),

reference as (
    {{ current_reference_date() }}
),

episodes as (
    select
        person_id,
        chain_no,
        arg_min(stay_id, move_in_date) as first_stay_id,
        arg_min(municipality_code, move_in_date) as municipality_code,
        min(move_in_date) as start_date,
        arg_min(coalesce(prev_is_homeless, false), move_in_date) as after_homeless_stay,
        arg_min(coalesce(rent_subsidy_dkk_month, 0) > 0, move_in_date) as has_rent_subsidy,
        count(*) as homes,
        -- arg_max_null: the last home's move-out is null while the citizen still lives there
        arg_max_null(move_out_date, move_in_date) as last_move_out,
        arg_max_null(move_out_reason, move_in_date) as last_reason,
        arg_max_null(move_out_outcome, move_in_date) as last_outcome,
        arg_max_null(next_is_own_home, move_in_date) as next_is_own_home,
        arg_max_null(next_move_in, move_in_date) as next_move_in,
        -- each home of the episode, for its status as of a past month end (int_housing_retention_km)
        list({'move_in': move_in_date, 'move_out': move_out_date,
              'continuing': coalesce(move_out_reason in {{ continuing }}, false),
              'censored': coalesce(move_out_outcome = 'censored', false), 'next_move_in': next_move_in}
             order by move_in_date, stay_id) as homes_list
    from chained
    group by person_id, chain_no
),

support as (
    select e.person_id, e.chain_no, arg_min(s.method, s.start_date) as support_method
    from episodes as e
    inner join {{ ref('stg_bolig__bostoette') }} as s
        on s.person_id = e.person_id
        and s.start_date <= e.start_date + interval 30 day
        and coalesce(s.end_date, date '9999-12-31') >= e.start_date - interval 30 day
    group by e.person_id, e.chain_no
),

housing_experiments as (
    select d.person_id, d.experiment_id, d.arm, d.enrolled_date
    from {{ ref('stg_forsoeg__deltagere') }} as d
    inner join {{ ref('stg_forsoeg__forsoeg') }} as f using (experiment_id)
    where f.target_group is null
),

classified as (
    select
        e.*,
        s.support_method,
        x.experiment_id,
        x.arm,
        r.reference_date,
        case
            when e.last_move_out is null or e.last_move_out > r.reference_date then 'ongoing'
            when e.last_outcome = 'censored' then 'censored'
            when e.last_reason in {{ continuing }}
                 and e.next_move_in is null
                 and r.reference_date - e.last_move_out <= {{ var('rehousing_gap_days') }} then 'pending'
            else 'failed'
        end as status
    from episodes as e
    cross join reference as r
    left join support as s using (person_id, chain_no)
    left join housing_experiments as x
        on x.person_id = e.person_id
        and x.enrolled_date between e.start_date - interval 30 day and e.start_date + interval 30 day
    where e.start_date <= r.reference_date
    qualify row_number() over (partition by e.person_id, e.chain_no order by x.enrolled_date) = 1
)

select
    person_id || '-' || chain_no as episode_id,
    person_id,
    municipality_code,
    start_date,
    cast(date_trunc('month', start_date) as date) as cohort_month,
    cast(date_part('year', start_date) as varchar) as cohort_year,
    homes,
    coalesce(support_method, 'INGEN') as support_method,
    has_rent_subsidy,
    coalesce(experiment_id || ':' || arm, 'ikke i forsøg') as experiment_arm,
    experiment_id,
    arm,
    status,
    status = 'failed' as failed,
    case when status in ('ongoing', 'pending') then reference_date - start_date
         else last_move_out - start_date end as days,
    homes_list
from classified
where after_homeless_stay or support_method is not null
