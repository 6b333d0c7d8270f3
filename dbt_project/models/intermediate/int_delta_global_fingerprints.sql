-- The inputs about everyone that the person_delta models (macros/person_delta.sql) read, one
-- fingerprint each: a model that names one of them is rebuilt whole when it changes.
--   target_groups      the target groups (seed ref_maalgrupper)
--   offer_types        the offer types (seed ref_indsatstyper: which break passivity)
--   timeliness_rules   the statutory deadlines (seed ref_rettidighed_regler)
-- A view, like int_delta_fingerprints: always that of the tables the model reads.
{{ config(materialized='view') }}
select 'target_groups' as input, cast(coalesce(sum(hash(g)), 0) as varchar) as fingerprint
from {{ ref('ref_maalgrupper') }} as g

union all
select 'offer_types', cast(coalesce(sum(hash(t)), 0) as varchar)
from {{ ref('ref_indsatstyper') }} as t

union all
select 'timeliness_rules', cast(coalesce(sum(hash(r)), 0) as varchar)
from {{ ref('ref_rettidighed_regler') }} as r
