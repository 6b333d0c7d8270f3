{#
  The codes every mart uses for "all" (README, "The KPIs"), as SQL literals, defined once here;
  dashboards/data.py names the same codes for the Python side.
    total_dimension()     'i_alt'            the row of a breakdown that is its total
    total_value()         'I alt'            that row's dimension_value
    all_municipalities()  'ALLE'             the sum of the municipalities
    last_12_months()      'seneste_12_mdr'   the cohort (or period) of the last 12 months
#}
{% macro total_dimension() -%} 'i_alt' {%- endmacro %}
{% macro total_value() -%} 'I alt' {%- endmacro %}
{% macro all_municipalities() -%} 'ALLE' {%- endmacro %}
{% macro last_12_months() -%} 'seneste_12_mdr' {%- endmacro %}

{# The reference date (int_reference_dates, is_current): the one date every KPI is measured on. #}
{% macro current_reference_date() -%}
    select reference_date from {{ ref('int_reference_dates') }} where is_current
{%- endmacro %}
