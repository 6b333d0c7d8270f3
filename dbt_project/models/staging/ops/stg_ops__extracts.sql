-- The extracts (data contract, "Extracts"): one row per source and extract date, with the
-- entities that arrived, the ones still missing, and whether the extract is complete.
-- A file counts as delivered only when it loaded. The one exception is a header-only file that
-- the loader recorded as a duplicate because an earlier header-only file had the same bytes: an
-- empty delta has no content to tell it apart, so its name (entity and date) is the delivery; and
-- likewise a full snapshot (`_fuld`) with the bytes of an earlier loaded snapshot of its entity,
-- or of its entity's first loaded file (the first extract holds everything there was): nothing
-- changed in between (a source that writes full extracts does so for an unchanged entity).
-- An entity not required in every extract (tildelinger) is expected from the first extract of
-- its source that delivered it.
-- The reference date (kpis.md) is the latest extract date on which every source that had
-- delivered anything by then delivered a complete extract, or the var reference_date. It lives
-- here, in staging, because the staging views read each entity as of that date.
with ledger as (
    select * from {{ source('ops', 'ledger') }}
),

entities as (
    select * from {{ ref('ref_entiteter') }}
),

header_only as (
    select distinct sha256 from ledger where status = 'loaded' and rows_read = 0
),

unchanged_snapshot as (
    select distinct entity, sha256 from ledger where status = 'loaded' and is_snapshot
    union
    select entity, sha256 from ledger
    where status = 'loaded' and extract_date is not null
    qualify extract_date = min(extract_date) over (partition by entity)
),

delivered as (
    select l.source, l.extract_date, l.entity, count(*) as files
    from ledger as l
    inner join entities as e on e.source = l.source and e.entity = l.entity
    where l.extract_date is not null
      and (l.status = 'loaded'
           or (l.status = 'duplicate' and l.sha256 in (select sha256 from header_only))
           or (l.status = 'duplicate' and l.is_snapshot
               and exists (select 1 from unchanged_snapshot as u where u.entity = l.entity and u.sha256 = l.sha256)))
    group by all
),

extracts as (
    select source, extract_date, cast(sum(files) as bigint) as files
    from delivered
    group by all
),

first_delivery as (
    select source, entity, min(extract_date) as first_extract_date
    from delivered
    group by all
),

expected as (
    select x.source, x.extract_date, e.entity
    from extracts as x
    inner join entities as e on e.source = x.source
    left join first_delivery as f on f.source = e.source and f.entity = e.entity
    where e.required_in_every_extract or x.extract_date >= f.first_extract_date
),

per_extract as (
    select
        x.source,
        x.extract_date,
        x.files,
        (select string_agg(d.entity, ', ' order by d.entity) from delivered as d
         where d.source = x.source and d.extract_date = x.extract_date) as entities_delivered,
        (select string_agg(e.entity, ', ' order by e.entity) from expected as e
         where e.source = x.source and e.extract_date = x.extract_date
           and not exists (select 1 from delivered as d where d.source = e.source
                           and d.extract_date = e.extract_date and d.entity = e.entity)) as entities_missing
    from extracts as x
),

sources_by_date as (
    -- per extract date: the sources that had delivered anything by then, and how many of them
    -- delivered a complete extract on that date
    select
        dates.extract_date,
        count(distinct firsts.source) as sources_delivering,
        count(distinct p.source) filter (where p.entities_missing is null) as sources_complete
    from (select distinct extract_date from extracts) as dates
    inner join (select source, min(extract_date) as first_date from extracts group by source) as firsts
        on firsts.first_date <= dates.extract_date
    left join per_extract as p on p.extract_date = dates.extract_date and p.source = firsts.source
    group by dates.extract_date
),

reference as (
    select
        {% if var('reference_date') %}
        date '{{ var("reference_date") }}'
        {% else %}
        max(extract_date) filter (where sources_complete = sources_delivering)
        {% endif %} as reference_date
    from sources_by_date
)

select
    p.source,
    p.extract_date,
    p.files,
    p.entities_delivered,
    coalesce(p.entities_missing, '') as entities_missing,
    p.entities_missing is null as is_complete,
    s.sources_complete = s.sources_delivering as all_sources_complete,
    p.extract_date = r.reference_date as is_reference_date,
    r.reference_date
from per_extract as p
inner join sources_by_date as s using (extract_date)
cross join reference as r
