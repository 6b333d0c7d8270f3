-- The breakdown by experiment arm partitions the population: arms (and 'not in an experiment')
-- add up to the total, for every variant, date and municipality.
with cells as (
    select * from {{ ref('int_passive_cells') }}
),

totals as (
    select variant, reference_date, municipality_code, population, passive
    from cells where dimension = {{ total_dimension() }}
),

arms as (
    select variant, reference_date, municipality_code, sum(population) as population, sum(passive) as passive
    from cells where dimension = 'experiment_arm'
    group by all
)

select * from totals as t
full join arms as a using (variant, reference_date, municipality_code)
where t.population is distinct from a.population or t.passive is distinct from a.passive
