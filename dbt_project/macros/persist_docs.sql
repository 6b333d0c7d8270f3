{#
  The definitions managers read carry the current parameter values. A docs block cannot call
  var(), so _definitions.md writes a parameter as [[var_name]]; the comments dbt persists into the
  warehouse (which the dashboard shows) have each replaced by the var's value at build time:
  `dbt build --vars '{deadline_first_meeting_days: 11}'` changes the figures and the text alike.
  These override dbt-duckdb's macros of the same name (root-project macros win the dispatch).
#}
{% macro with_parameters(text) -%}
    {%- set ns = namespace(text=text or '') -%}
    {%- for name in modules.re.findall('\[\[(\w+)\]\]', ns.text) | unique -%}
        {%- set ns.text = ns.text.replace('[[' ~ name ~ ']]', parameter_da(name, var(name))) -%}
    {%- endfor -%}
    {{- return(ns.text) -}}
{%- endmacro %}

{# A var's value as Danish text: 0.15 -> '15 %' for shares, lists joined, the payout tiers spelled out. #}
{% macro parameter_da(name, value) -%}
    {%- if name == 'payout_tiers' -%}
        {%- set parts = [] -%}
        {%- for tier in value | sort(attribute='share') -%}
            {%- do parts.append(share_da(tier.share) ~ ': ' ~ tier.payout_da | lower) -%}
        {%- endfor -%}
        {{- return(parts | join(', ')) -}}
    {%- elif value is string -%} {{- return(value) -}}
    {%- elif value is iterable -%} {{- return(value | join(', ')) -}}
    {%- else -%} {{- return(value | string) -}}
    {%- endif -%}
{%- endmacro %}

{% macro share_da(x) -%}
    {{- return(((x * 100) | round(1) | string).replace('.0', '').replace('.', ',') ~ ' %') -}}
{%- endmacro %}

{% macro duckdb__alter_relation_comment(relation, comment) %}
  {% set escaped_comment = duckdb_escape_comment(with_parameters(comment)) %}
  comment on {{ relation.type }} {{ relation }} is {{ escaped_comment }};
{% endmacro %}

{% macro duckdb__alter_column_comment(relation, column_dict) %}
  {% set existing_columns = adapter.get_columns_in_relation(relation) | map(attribute="name") | list %}
  {% for column_name in column_dict if (column_name in existing_columns) %}
    {% set comment = with_parameters(column_dict[column_name]['description']) %}
    {% set escaped_comment = duckdb_escape_comment(comment) %}
    comment on column {{ relation }}.{{ adapter.quote(column_name) if column_dict[column_name]['quote'] else column_name }} is {{ escaped_comment }};
  {% endfor %}
{% endmacro %}
