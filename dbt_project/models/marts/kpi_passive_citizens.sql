-- PASSIV_ANDEL (kpis.md §1), with small cells suppressed.
{% set dims = ['team_name', 'caseworker_id', 'experiment_arm'] %}

with cells as (
    select * from {{ ref('int_passive_cells') }}
),

dates as (
    select * from {{ ref('int_reference_dates') }}
),

variant_pairs as (
    -- one variant minus the other (kpis.md): the seniority variant's spells are some of all the
    -- spells, so all durations minus seniority gives the spells under a year, a cell no row
    -- publishes. Where its population or passive count is 1..min_cell_size-1, the seniority row
    -- is hidden (the smaller of the two), and the complementary rule goes on from there.
    select c.*,
        a.population is not null
        and ({{ is_small('a.population - c.population') }} or {{ is_small('a.passive - c.passive') }}) as small_complement
    from cells as c
    left join cells as a
        on c.variant = 'anciennitet_1_aar' and a.variant = 'alle_varigheder' and a.reference_date = c.reference_date
        and a.municipality_code = c.municipality_code and a.dimension = c.dimension
        and a.dimension_value = c.dimension_value
),

suppressed as (
    select * from {{ with_suppression('variant_pairs', ['variant', 'reference_date', 'municipality_code', 'dimension', 'dimension_value'],
                                      'population', ['passive'],
                                      breakdown_groups(['variant', 'reference_date'], dims),
                                      primary='small_complement') }}
)

select
    s.variant,
    s.reference_date,
    d.is_current,
    s.municipality_code,
    s.dimension,
    s.dimension_value,
    {{ suppressed('s.population') }} as population,
    {{ suppressed('s.passive') }} as passive,
    {{ suppressed('s.passive / s.population') }} as passive_share,
    {{ suppressed(wilson_low('s.passive', 's.population')) }} as passive_share_low,
    {{ suppressed(wilson_high('s.passive', 's.population')) }} as passive_share_high,
    s.is_suppressed
from suppressed as s
inner join dates as d using (reference_date)
