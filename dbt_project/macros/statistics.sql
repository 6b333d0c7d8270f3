{#
  z95(): the one normal quantile every 95 % interval uses (Wilson, Newcombe, Greenwood bands and
  the survival difference): Φ⁻¹(0.975) = 1.959963984540054, not the rounded 1.96, so the intervals
  agree with statsmodels and lifelines to floating-point precision.
#}
{% macro z95() -%} 1.959963984540054 {%- endmacro %}

{#
  km_quantile(p): the Kaplan–Meier p-quantile of time (median: p = 0.5; 90th percentile of time to
  the event: p = 0.1), the first t with S(t) <= p. S is computed as exp(sum(ln(1 - d/n))), which
  lands about 1e-16 away from the exact product; where the exact S is p itself (e.g. 10 of 20 have
  had the event) a plain `<=` would skip that step and report a later day. S within
  km_tolerance() of p therefore counts as reached: far above the rounding of the log-sum (under
  1e-12 even over 1e5 steps), far below any real difference between two steps of a curve.
#}
{% macro km_tolerance() -%} 1e-10 {%- endmacro %}

{% macro km_quantile(p, t='t', survival='survival') -%}
    min({{ t }}) filter (where {{ survival }} <= {{ p }} + {{ km_tolerance() }})
{%- endmacro %}

{#
  Confidence intervals used by the marts, at z = z95() (95 %).
  Wilson score interval for a share x / n; Newcombe's hybrid score interval (method 10) for a
  difference of two independent shares; both are 0–1 bounded and behave at 0 and 1, unlike the
  normal approximation.
#}

{% macro wilson_low(x, n, z=none) -%}
    {%- set z = z or z95() -%}
    case when ({{ n }}) > 0 then greatest(0.0,
        (({{ x }}) / ({{ n }}) + {{ z }}^2 / (2 * ({{ n }}))
         - {{ z }} * sqrt((({{ x }}) / ({{ n }})) * (1 - ({{ x }}) / ({{ n }})) / ({{ n }}) + {{ z }}^2 / (4 * ({{ n }})^2)))
        / (1 + {{ z }}^2 / ({{ n }})))
    end
{%- endmacro %}

{% macro wilson_high(x, n, z=none) -%}
    {%- set z = z or z95() -%}
    case when ({{ n }}) > 0 then least(1.0,
        (({{ x }}) / ({{ n }}) + {{ z }}^2 / (2 * ({{ n }}))
         + {{ z }} * sqrt((({{ x }}) / ({{ n }})) * (1 - ({{ x }}) / ({{ n }})) / ({{ n }}) + {{ z }}^2 / (4 * ({{ n }})^2)))
        / (1 + {{ z }}^2 / ({{ n }})))
    end
{%- endmacro %}

{# Newcombe: difference p1 - p2 with the Wilson limits (l1, u1) and (l2, u2) of each share. #}
{% macro newcombe_low(p1, l1, p2, u2) -%}
    ({{ p1 }}) - ({{ p2 }}) - sqrt(power(({{ p1 }}) - ({{ l1 }}), 2) + power(({{ u2 }}) - ({{ p2 }}), 2))
{%- endmacro %}

{% macro newcombe_high(p1, u1, p2, l2) -%}
    ({{ p1 }}) - ({{ p2 }}) + sqrt(power(({{ u1 }}) - ({{ p1 }}), 2) + power(({{ p2 }}) - ({{ l2 }}), 2))
{%- endmacro %}


{#
  kaplan_meier(relation, group_columns, duration, event)

  The Kaplan–Meier curve of each group in `relation`: one row per group and distinct duration
  with the number at risk, events, censored, the survival S(t) and its 95 % band (z95(); Greenwood's
  variance on the log(-log) scale, which stays within 0–1). `event` is true for an event and
  false for a censored observation (still waiting, still housed at the extract date, died).
  A day-0 row with S = 1 starts every curve that has no observation at day 0.
#}
{% macro kaplan_meier(relation, group_columns, duration, event) %}
{%- set groups = group_columns | join(', ') -%}
(
    with obs as (
        select {{ groups }}, {{ duration }} as t, case when {{ event }} then 1 else 0 end as e
        from {{ relation }}
        where {{ duration }} is not null and {{ duration }} >= 0
    ),
    by_time as (
        select {{ groups }}, t, sum(e) as events, count(*) - sum(e) as censored, count(*) as leaving
        from obs
        group by all
    ),
    {{ kaplan_meier_steps(group_columns) }}
)
{% endmacro %}


{#
  kaplan_meier_from_counts(relation, group_columns)

  The same curves from observations already counted: `relation` has one row per group and duration
  t >= 0 with events, censored and leaving (events + censored). A model that counts many breakdowns
  at once (group by grouping sets) builds its curves this way, without a row per observation and
  breakdown.
#}
{% macro kaplan_meier_from_counts(relation, group_columns) %}
(
    with by_time as (
        select {{ group_columns | join(', ') }}, t, events, censored, leaving from {{ relation }}
    ),
    {{ kaplan_meier_steps(group_columns) }}
)
{% endmacro %}


{# The steps of kaplan_meier from `by_time` on (its CTEs and final select; not for models). #}
{% macro kaplan_meier_steps(group_columns) %}
{%- set groups = group_columns | join(', ') -%}
    at_risk as (
        -- at risk at t: everyone whose time is t or later (one sort order for every window)
        select *,
            sum(leaving) over (partition by {{ groups }})
            - sum(leaving) over (partition by {{ groups }} order by t rows between unbounded preceding and current row)
            + leaving as n_at_risk
        from by_time
    ),
    steps as (
        select *,
            -- S(t) as a running product of (1 - d/n); an all-event step ends the curve at 0
            max(case when events = n_at_risk then 1 else 0 end)
                over (partition by {{ groups }} order by t rows between unbounded preceding and current row)
                as reached_zero,
            sum(case when events < n_at_risk then ln(1 - events / n_at_risk) else 0 end)
                over (partition by {{ groups }} order by t rows between unbounded preceding and current row)
                as log_s,
            sum(case when events > 0 and events < n_at_risk
                     then events / (n_at_risk * (n_at_risk - events)) else 0 end)
                over (partition by {{ groups }} order by t rows between unbounded preceding and current row)
                as greenwood
        from at_risk
    ),
    curve as (
        select {{ groups }}, t, n_at_risk, events, censored, greenwood,
            case when reached_zero = 1 then 0.0 else exp(log_s) end as survival
        from steps
    )
    select {{ groups }}, t, n_at_risk, events, censored, survival,
        case when survival <= 0 or survival >= 1 then survival
             else power(survival, exp({{ z95() }} * sqrt(greenwood) / abs(ln(survival)))) end as survival_low,
        case when survival <= 0 or survival >= 1 then survival
             else power(survival, exp(-{{ z95() }} * sqrt(greenwood) / abs(ln(survival)))) end as survival_high,
        greenwood
    from curve
    union all
    -- curves whose first step is after day 0
    select {{ groups }}, 0 as t, null::bigint as n_at_risk, 0 as events, 0 as censored,
        1.0 as survival, 1.0 as survival_low, 1.0 as survival_high, 0.0 as greenwood
    from by_time
    group by all
    having min(t) > 0
{%- endmacro %}


{#
  A spell's time to an event step as it was known on date `d` (int_spell_events, kpis.md §2):
  days to the event if it came by d and before the spell ended, otherwise to the end of
  observation on d (the spell's end, if before d, or d itself). On the reference date these
  are int_spell_events' own days and has_event.
#}
{% macro time_to_event_observed_until(e, d) -%}
    least(coalesce({{ e }}.end_date, {{ d }}), {{ d }})
{%- endmacro %}

{% macro time_to_event_has_event_as_of(e, d) -%}
    coalesce({{ e }}.event_date <= {{ time_to_event_observed_until(e, d) }}, false)
{%- endmacro %}

{% macro time_to_event_days_as_of(e, d) -%}
    case when {{ time_to_event_has_event_as_of(e, d) }} then {{ e }}.event_date - {{ e }}.start_date
         else {{ time_to_event_observed_until(e, d) }} - {{ e }}.start_date end
{%- endmacro %}
