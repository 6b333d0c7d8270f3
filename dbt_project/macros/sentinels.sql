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

{# The dates the Kaplan–Meier marts are measured on: the month ends of the last var
   time_to_event_history_months before the reference date, and (with_current) the reference date. #}
{% macro time_to_event_dates(with_current=false) -%}
    select d.reference_date, d.is_current
    from {{ ref('int_reference_dates') }} as d
    where {{ 'd.is_current or' if with_current else 'not d.is_current and' }}
        d.reference_date >= (select reference_date from {{ ref('int_reference_dates') }} where is_current)
                            - interval {{ var('time_to_event_history_months') }} month
{%- endmacro %}

{#
  Months as days, one convention everywhere: a month is 365.25 / 12 = 30.4375 days, and a
  follow-up of m months ends on day floor(m * 30.4375) (6, 12, 24 months: 182, 365, 730 days).
#}
{% macro days_per_month() -%} 30.4375 {%- endmacro %}
{% macro days_per_year() -%} {{ 12 * 30.4375 }} {%- endmacro %}
{% macro months_as_days(m) -%} {{ (m * 30.4375) | int }} {%- endmacro %}
