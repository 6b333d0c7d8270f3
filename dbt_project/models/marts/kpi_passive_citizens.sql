-- PASSIV_ANDEL (kpis.md §1), with small cells suppressed.
{% set dims = ['team_name', 'caseworker_id', 'experiment_arm'] %}

with cells as (
    select * from {{ ref('int_passive_cells') }}
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

{{ dated_mart_tail('variant_pairs', 'population', ['passive'], dims,
                   [('population', 's.population'), ('passive', 's.passive')]
                   + share_measures('passive_share', 's.passive', 's.population'),
                   keys=['variant', 'reference_date'], primary='small_complement') }}
