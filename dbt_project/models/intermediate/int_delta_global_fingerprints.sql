-- The inputs about everyone that the person_delta models (macros/person_delta.sql) read, one
-- fingerprint each: a model that names one of them is rebuilt whole when it changes.
--   target_groups      the target groups (seed ref_maalgrupper)
-- A view, like int_delta_fingerprints: always that of the tables the model reads.
{{ config(materialized='view') }}
select 'target_groups' as input, cast(coalesce(sum(hash(g)), 0) as varchar) as fingerprint
from {{ ref('ref_maalgrupper') }} as g
