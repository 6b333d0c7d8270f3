-- SELVFORSOERGELSE (kpis.md §12): of citizens whose spell ended in a cohort month, the share
-- self-sufficient 3, 6 and 12 months later, and the share self-sufficient for lasting_months
-- consecutive months right after the exit; by target group and experiment arm. A window that
-- has not passed yet for a cohort (the income register does not cover it) is flagged as not
-- measurable, with the reason, and its share is null: never 0 %.
{% set dims = ['target_group', 'experiment_arm'] %}
{% set windows = [('3m', 3), ('6m', 6), ('12m', 12), ('lasting', var('lasting_months'))] %}
{#- the counts behind each share that is shown (a measurable window): each falls under the primary rule -#}
{% set shown_counts = [] %}
{% for name, k in windows %}
    {% do shown_counts.append('case when measurable_' ~ name ~ ' then followed_' ~ name ~ ' end') %}
    {% do shown_counts.append('case when measurable_' ~ name ~ ' then ' ~ ('lasting' if name == 'lasting' else 'self_sufficient_' ~ name) ~ ' end') %}
{% endfor %}

with months as (
    select * from {{ ref('int_self_sufficiency') }}
),

per_spell as (
    select
        spell_id, municipality_code, target_group, experiment_arm, exit_month,
        any_value(last_complete_month) as last_complete_month,
        bool_or(self_sufficient) filter (where k = 3) as at_3,
        bool_or(self_sufficient) filter (where k = 6) as at_6,
        bool_or(self_sufficient) filter (where k = 12) as at_12,
        count(*) filter (where k <= {{ var('lasting_months') }} and is_observed) as months_observed,
        count(*) filter (where k <= {{ var('lasting_months') }} and self_sufficient) as months_self_sufficient
    from months
    group by all
),

cells as (
    select
        strftime(exit_month, '%Y-%m') as cohort,
        {{ dimension_columns(dims) }},
        any_value(exit_month) as exit_month,
        any_value(last_complete_month) as last_complete_month,
        count(*) as ended_spells,
        count(*) filter (where at_3 is not null) as followed_3m,
        count(*) filter (where at_3) as self_sufficient_3m,
        count(*) filter (where at_6 is not null) as followed_6m,
        count(*) filter (where at_6) as self_sufficient_6m,
        count(*) filter (where at_12 is not null) as followed_12m,
        count(*) filter (where at_12) as self_sufficient_12m,
        count(*) filter (where months_observed = {{ var('lasting_months') }}) as followed_lasting,
        count(*) filter (where months_self_sufficient = {{ var('lasting_months') }}) as lasting
    from per_spell
    group by {{ dimension_sets("strftime(exit_month, '%Y-%m')", dims) }}
),

measurable as (
    select *,
        {% for name, k in windows %}
        exit_month + to_months({{ k }}) <= last_complete_month as measurable_{{ name }},
        {% endfor %}
        strftime(last_complete_month, '%m-%Y') as register_until
    from cells
),

suppressed as (
    select * from {{ with_suppression('measurable', ['cohort', 'municipality_code', 'dimension', 'dimension_value'], 'ended_spells',
                                      shown_counts,
                                      breakdown_groups(['cohort'], dims)) }}
)

select
    cohort,
    municipality_code,
    dimension,
    dimension_value,
    {{ suppressed('ended_spells') }} as ended_spells,
    {% for name, k in windows %}
    measurable_{{ name }},
    case when is_suppressed or not measurable_{{ name }} or followed_{{ name }} < {{ var('min_cell_size') }} then null
         else {{ 'lasting' if name == 'lasting' else 'self_sufficient_' ~ name }} / followed_{{ name }}
    end as {{ 'lasting_share' if name == 'lasting' else 'self_sufficient_share_' ~ name }},
    {% endfor %}
    case
        {% for name, k in windows if name != 'lasting' %}
        when not measurable_{{ name }} then
            'Endnu ikke målbar: {{ k }} måneder efter afslutningen er ikke gået, eller indkomstregistret dækker kun til og med '
            || register_until
        {% endfor %}
    end as not_measurable_reason,
    is_suppressed
from suppressed
