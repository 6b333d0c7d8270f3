{#
  as_of_reference_date(entity, key)

  The current row of each key of raw.<entity> as the source knew it on the reference date
  (stg_ops__extracts): rows delivered in a later, incomplete extract do not count yet, so a
  partial delivery loads but changes no figure until its extract is complete. Where a key's
  current row came later, its latest version from an extract on or before the reference date
  is taken from raw.<entity>__history, by the loader's own order (latest opdateret, then the
  later extract, file and line). Tombstones are kept; the staging model drops them.
  The history is read only when some row is newer than the reference date (checked when the
  model runs), so a normal nightly build costs nothing extra.
#}
{% macro as_of_reference_date(entity, key) %}
{%- set current = source('raw', entity) -%}
{#- raw.<entity>__history is written by the same load as raw.<entity> (one Dagster asset), so it is
    addressed next to it rather than declared as a source of its own -#}
{%- set history = current.incorporate(path={'identifier': entity ~ '__history'}) -%}
{%- set cutoff = "(select max(reference_date) from " ~ ref('stg_ops__extracts') ~ ")" -%}
{%- set keys = key | join(', ') -%}
{%- set later = [false] -%}
{%- if execute -%}
    {%- set found = run_query("select count(*) from " ~ current ~ " where _extract_date > " ~ cutoff) -%}
    {%- if found.columns[0].values()[0] > 0 -%}{%- do later.append(true) -%}{%- endif -%}
{%- endif -%}
(
    select * from {{ current }} where _extract_date <= {{ cutoff }}
    {%- if later[-1] %}
    union all
    select h.* from {{ history }} as h
    where h._extract_date <= {{ cutoff }}
      and ({{ keys }}) in (select ({{ keys }}) from {{ current }} where _extract_date > {{ cutoff }})
    qualify row_number() over (partition by {{ keys }}
                               order by opdateret desc nulls last, _extract_date desc, _file_id desc, _line desc) = 1
    {%- endif %}
)
{% endmacro %}
