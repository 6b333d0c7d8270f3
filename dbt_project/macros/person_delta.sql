{#
  The person_delta materialization: a table that a nightly delta brings up to date by recomputing
  only the citizens whose inputs changed (and, for a model by reference date, the reference dates
  that are new), instead of rebuilding it whole. After any sequence of deltas it holds exactly
  what a full rebuild would (tests/test_incremental.py compares the two row for row).

  A model opts in with
      {{ config(materialized='person_delta', person_inputs=['spells', ...],
                global_inputs=['target_groups'], by_reference_date=true) }}
      -- depends_on: {{ ref('int_delta_fingerprints') }}, {{ ref('int_delta_global_fingerprints') }}
  and marks where its rows are selected with {{ delta_rows('<person_id column>'[, '<dates alias>']) }}
  (in a where clause; true on a full build).

  What counts as a change (int_delta_fingerprints and int_delta_global_fingerprints hold them):
  - person_inputs: per citizen, a hash of each input's rows about them (int_delta_fingerprints,
    a view: only the inputs named are computed). A citizen whose hashes of the listed inputs
    differ from the ones the table was last built with (new, changed, removed) has all their rows
    deleted and recomputed. Every column the model reads about a citizen must be in one of its
    inputs.
  - global_inputs: inputs about everyone (a seed). A change of any of them, of the model's
    compiled SQL (its code and the vars it uses), or dbt's --full-refresh rebuilds it whole.
  - by_reference_date: the model has a row per reference date (int_reference_dates). Rows of a
    reference date that is no longer one (or no longer the current one) are deleted, and a new
    date is computed for everyone.
  The fingerprints the table was built with are kept beside it (<model>__delta_state*), and are
  written in the same transaction as the table, so a failed run leaves both as they were.
#}
{% macro delta_relation(suffix) -%}
    {{- return(this.incorporate(path={'identifier': this.identifier ~ '__delta_' ~ suffix}, type='table')) -}}
{%- endmacro %}

{% macro delta_rows(person, dates=none) -%}
    {%- if model.resource_type == 'unit_test' or config.get('materialized') != 'person_delta' -%}
        true
    {%- else -%}
        /*delta_rows*/((select everything from {{ delta_relation('all') }})
         or {{ person }} in (select person_id from {{ delta_relation('persons') }})
        {%- if dates %}
         or exists (select 1 from {{ delta_relation('dates') }} as delta_dates
                    where delta_dates.reference_date = {{ dates }}.reference_date
                      and delta_dates.is_current = {{ dates }}.is_current)
        {%- endif %})/*end delta_rows*/
    {%- endif -%}
{%- endmacro %}

{% materialization person_delta, adapter='duckdb' %}
    {%- set target = this.incorporate(type='table') -%}
    {%- set existing = load_cached_relation(this) -%}
    {%- set intermediate = make_intermediate_relation(target) -%}
    {%- set backup = make_backup_relation(target, 'table') -%}
    {%- set person_inputs = config.require('person_inputs') -%}
    {%- set global_inputs = config.get('global_inputs', []) -%}
    {%- set by_date = config.get('by_reference_date', false) -%}
    {%- set persons_fp = ref('int_delta_fingerprints') -%}
    {%- set global_fp = ref('int_delta_global_fingerprints') -%}
    {%- set dates_rel = ref('int_reference_dates') -%}
    {%- set state = delta_relation('state') -%}
    {%- set state_persons = delta_relation('state_persons') -%}
    {%- set state_dates = delta_relation('state_dates') -%}

    {{ drop_relation_if_exists(load_cached_relation(intermediate)) }}
    {{ drop_relation_if_exists(load_cached_relation(backup)) }}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- for names, node in [(person_inputs, 'int_delta_fingerprints'), (global_inputs, 'int_delta_global_fingerprints')] -%}
        {%- set code = graph.nodes['model.' ~ project_name ~ '.' ~ node].raw_code -%}
        {%- for name in names if ("'" ~ name ~ "'") not in code -%}
            {{ exceptions.raise_compiler_error(this.identifier ~ ": the input '" ~ name ~ "' is not one of " ~ node ~ "'s") }}
        {%- endfor -%}
    {%- endfor -%}
    {#- what the table is built from, besides the citizens' own inputs -#}
    {%- set globals = run_query("select coalesce(string_agg(input || '=' || fingerprint, ';' order by input), '') from "
                                ~ global_fp ~ " where input in ('" ~ (global_inputs | join("', '")) ~ "')") -%}
    {%- set params = local_md5(compiled_code ~ '|' ~ (person_inputs | join(',')) ~ '|' ~ globals.columns[0].values()[0] ~ '|' ~ by_date) -%}
    {%- set full = existing is none or should_full_refresh() or load_cached_relation(state) is none
                   or run_query("select any_value(params) from " ~ state).columns[0].values()[0] != params -%}

    {%- call statement('delta_scope') -%}
        create or replace table {{ delta_relation('current') }} as
        select person_id, sum(hash(input, fingerprint)) as fingerprint from {{ persons_fp }}
        where input in ('{{ person_inputs | join("', '") }}')
        group by person_id;
        create or replace table {{ delta_relation('all') }} as select {{ full }} as everything;
        create or replace table {{ delta_relation('persons') }} as
        {%- if full %}
        select null::varchar as person_id where false;
        {%- else %}
        select person_id
        from {{ delta_relation('current') }} as now
        full outer join {{ state_persons }} as was using (person_id)
        where now.fingerprint is distinct from was.fingerprint;
        {%- endif %}
        {%- if by_date %}
        create or replace table {{ delta_relation('dates') }} as
        select reference_date, is_current from {{ dates_rel }}
        {%- if not full %}
        except
        select reference_date, is_current from {{ state_dates }}
        {%- endif %};
        {%- endif %}
    {%- endcall -%}

    {%- if full -%}
        {#- every row: without the filter, which would test each row against the changed citizens -#}
        {%- set everything = modules.re.sub('/\\*delta_rows\\*/.*?/\\*end delta_rows\\*/', 'true', compiled_code,
                                            flags=modules.re.DOTALL) -%}
        {%- call statement('main') -%}
            {{ create_table_as(False, intermediate, everything) }}
        {%- endcall -%}
        {%- if existing is not none -%}
            {{ adapter.rename_relation(existing, backup) }}
        {%- endif -%}
        {{ adapter.rename_relation(intermediate, target) }}
    {%- else -%}
        {%- call statement('main') -%}
            delete from {{ target }}
            where person_id in (select person_id from {{ delta_relation('persons') }})
            {%- if by_date %}
               or not exists (select 1 from {{ dates_rel }} as d
                              where d.reference_date = {{ target }}.reference_date and d.is_current = {{ target }}.is_current)
            {%- endif %};
            insert into {{ target }} by name
            {{ compiled_code }}
        {%- endcall -%}
    {%- endif -%}

    {%- call statement('delta_state') -%}
        create or replace table {{ state_persons }} as select * from {{ delta_relation('current') }};
        {%- if by_date %}
        create or replace table {{ state_dates }} as select reference_date, is_current from {{ dates_rel }};
        {%- endif %}
        create or replace table {{ state }} as
        select '{{ params }}' as params, {{ full }} as full_rebuild,
            (select count(*) from {{ delta_relation('persons') }}) as persons_recomputed,
            {%- if by_date %}
            (select count(*) from {{ delta_relation('dates') }})
            {%- else %} 0 {%- endif %} as dates_recomputed,
            current_timestamp as built_at;
        drop table {{ delta_relation('current') }};
    {%- endcall -%}

    {% do persist_docs(target, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do adapter.commit() %}
    {{ drop_relation_if_exists(backup) }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target]}) }}
{% endmaterialization %}
