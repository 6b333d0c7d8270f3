-- No published figure is about 1 to min_cell_size - 1 citizens.
{% set checks = [
    ('kpi_passive_citizens', 'population'), ('kpi_passive_citizens', 'passive'),
    ('kpi_time_to_intervention', 'cohort_size'), ('kpi_housing_retention', 'citizens'),
    ('kpi_time_to_housing', 'citizens'), ('kpi_exit_reasons', 'spells'), ('kpi_exit_reasons', 'reason_spells'),
    ('kpi_paid_hours', 'participants'), ('kpi_paid_hours', 'with_hours_or_education'),
    ('kpi_timeliness', 'spells'), ('kpi_caseworker_changes', 'spells'), ('kpi_employer_based_offers', 'active_offers'),
    ('kpi_active_plans', 'spells'), ('kpi_self_sufficiency', 'ended_spells'), ('kpi_caseload', 'cases'),
    ('kpi_experiment_evaluation', 'indsats_n'), ('kpi_experiment_evaluation', 'kontrol_n'),
] %}
{% for model, column in checks %}
select '{{ model }}.{{ column }}' as figure, {{ column }} as value
from {{ ref(model) }}
where {{ column }} between 1 and {{ var('min_cell_size') }} - 1
{% if not loop.last %}union all{% endif %}
{% endfor %}
