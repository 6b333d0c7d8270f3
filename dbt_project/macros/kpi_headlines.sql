{#
  Headlines that are not one row of their mart (the registry's `headline`). Each selects the
  columns of kpi_headline(): kpi_code, municipality_code, value, base, population_da, period_da,
  is_suppressed.
#}

{# AFSLUTNINGSAARSAG: the Afslutningsårsager page's default, målgruppe 2.11 (ressourceforløb), year to
   date; the KPI's name says "år til dato". Where the reference date's year to date is hidden (with
   small months it is, every other month end, or the month between two would follow), the latest
   month end of the same year that publishes it, which period_da names. #}
{% macro exit_reasons_headline(code, k) -%}
    select '{{ code }}' as kpi_code, municipality_code,
           arg_max(value, period_end) filter (where value is not null) as value,
           arg_max(base, period_end) filter (where value is not null) as base,
           'målgruppe 2.11, forløb på mindst ' || max(min_duration_days) || ' dage' as population_da,
           case when not bool_or(is_current and value is not null) and count(value) > 0
               then 'år til dato pr. ' || strftime(max(period_end) filter (where value is not null), '%d-%m-%Y')
           end as period_da,
           count(value) = 0 as is_suppressed
    from (
        select municipality_code, period_end, bool_or(is_current) as is_current, max({{ k.value }}) as value,
               max({{ k.base }}) as base, max(min_duration_days) as min_duration_days
        from {{ ref(k.mart) }}
        where {{ exit_reasons_rows() }}
          and year(period_end) = year(({{ current_reference_date() }}))
        group by municipality_code, period_end
    ) as by_date
    group by municipality_code
{%- endmacro %}

{# ... and as of every month end (period_end) and the reference date #}
{% macro exit_reasons_history(code, k) -%}
    select '{{ code }}' as kpi_code, municipality_code, period_end as reference_date, max({{ k.value }}) as value,
           max({{ k.base }}) as base, max({{ k.value }}) is null as is_suppressed
    from {{ ref(k.mart) }}
    where {{ exit_reasons_rows() }}
    group by municipality_code, period_end
{%- endmacro %}

{% macro exit_reasons_rows() -%} period = 'aar_til_dato' and target_group = '2.11' {%- endmacro %}

{# LOENTIMER_ANDEL: the INDSATS arm of the experiment whose grant is paid on it (Flere skal med 2);
   the first by id should several have that target. #}
{% macro paid_hours_headline(code, k) -%}
    select '{{ code }}' as kpi_code, {{ all_municipalities() }} as municipality_code, p.{{ k.value }} as value,
           p.{{ k.base }} as base, 'indsatsgruppen i ' || f.title as population_da, null as period_da,
           p.is_suppressed
    from {{ ref(k.mart) }} as p
    inner join {{ ref('stg_forsoeg__forsoeg') }} as f using (experiment_id)
    where p.is_current and {{ paid_hours_rows(code) }}
{%- endmacro %}

{% macro paid_hours_history(code, k) -%}
    select '{{ code }}' as kpi_code, {{ all_municipalities() }} as municipality_code, p.reference_date,
           p.{{ k.value }} as value, p.{{ k.base }} as base, p.is_suppressed
    from {{ ref(k.mart) }} as p
    where {{ paid_hours_rows(code) }}
{%- endmacro %}

{% macro paid_hours_rows(code) -%}
    p.arm = 'INDSATS'
      and p.experiment_id = (select min(experiment_id) from {{ ref('stg_forsoeg__forsoeg_maal') }}
                             where kpi_code = '{{ code }}')
{%- endmacro %}

{# SELVFORSOERGELSE: the latest cohort whose 6-month follow-up has passed and can be shown. #}
{% macro self_sufficiency_headline(code, k) -%}
    select '{{ code }}' as kpi_code, municipality_code, arg_max({{ k.value }}, cohort) as value,
           arg_max({{ k.base }}, cohort) as base,
           'forløb afsluttet i ' || {{ month_da("strptime(max(cohort), '%Y-%m')") }} as population_da,
           'den seneste målbare måned' as period_da, false as is_suppressed
    from {{ ref(k.mart) }}
    where {{ kpi_rows(k) }} and measurable_6m and {{ k.value }} is not null
    group by municipality_code
{%- endmacro %}
