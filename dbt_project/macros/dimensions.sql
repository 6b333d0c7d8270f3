{#
  Breakdown columns for grouping sets. Every KPI mart reports one row per
  (period, municipality, dimension, dimension_value): municipality 'ALLE' is all municipalities,
  dimension 'i_alt' the total, otherwise the name of the column it is broken down by.

  dimension_sets(period, dims) -> the grouping sets;
  dimension_columns(dims) -> municipality_code, dimension, dimension_value.
#}
{% macro dimension_sets(period, dims) -%}
    grouping sets (
        ({{ period }}), ({{ period }}, municipality_code)
        {%- for d in dims %}, ({{ period }}, {{ d }}), ({{ period }}, municipality_code, {{ d }}){% endfor %}
    )
{%- endmacro %}

{% macro dimension_columns(dims) -%}
    case when grouping(municipality_code) = 0 then municipality_code else {{ all_municipalities() }} end as municipality_code,
    case
        {%- for d in dims %}
        when grouping({{ d }}) = 0 then '{{ d }}'
        {%- endfor %}
        else {{ total_dimension() }}
    end as dimension,
    case
        {%- for d in dims %}
        when grouping({{ d }}) = 0 then coalesce(cast({{ d }} as varchar), 'ukendt')
        {%- endfor %}
        else {{ total_value() }}
    end as dimension_value
{%- endmacro %}

{# A month as Danish text, e.g. 'marts 2026' (for labels the dashboard shows). #}
{% macro month_da(d) -%}
    (['januar', 'februar', 'marts', 'april', 'maj', 'juni', 'juli', 'august', 'september', 'oktober',
      'november', 'december'][month({{ d }})] || ' ' || year({{ d }}))
{%- endmacro %}
