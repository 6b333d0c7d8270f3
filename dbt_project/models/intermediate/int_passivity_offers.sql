-- Offers that keep a citizen from being passive (kpis.md §1): employment-oriented offers and
-- offers of a type the reference table marks as breaking passivity (mentor).
select o.spell_id, o.offer_id, o.offer_type, o.start_date, o.end_date
from {{ ref('stg_jobcenter__indsatser') }} as o
left join {{ ref('ref_indsatstyper') }} as t using (offer_type)
where o.is_employment_oriented or coalesce(t.breaks_passivity, false)
