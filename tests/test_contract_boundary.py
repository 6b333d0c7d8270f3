"""The data contract (transforms/contract.py) and the dbt project agree, fact by fact.

contract.py is the one origin of the code lists and the entity list; the dbt project keeps its own
copies where dbt needs them at build time (seeds, `_sources.yml`, `accepted_values`). Each test
here compares a copy with its origin, so a code added to one and not the other fails the suite,
not a night's refresh. The KPI registry (var `kpis` in dbt_project.yml) is the origin of the KPI
codes; the contract's list (what `forsoeg_maal.kpi` may hold) names codes of the registry.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml

from transforms import contract

DBT = Path(__file__).resolve().parent.parent / "dbt_project"


def _seed(name: str) -> pl.DataFrame:
    return pl.read_csv(DBT / "seeds" / f"{name}.csv", infer_schema_length=0)  # every column as text


def _yaml(path: str) -> dict:
    return yaml.safe_load((DBT / path).read_text(encoding="utf-8"))


def registry() -> dict:
    return _yaml("dbt_project.yml")["vars"]["kpis"]


# (seed, code column, name column, the contract's code list)
CODE_LISTS = [
    ("ref_maalgrupper", "target_group", "name_da", contract.MAALGRUPPER),
    ("ref_afslutningsaarsager", "exit_reason", "name_da", contract.AFSLUTNINGSAARSAGER),
    ("ref_indsatstyper", "offer_type", "name_da", contract.INDSATSTYPER),
    ("ref_boligtyper", "housing_type", "name_da", contract.BOLIGTYPER),
    ("ref_fraflytningsaarsager", "move_out_reason", "name_da", contract.FRAFLYTNINGSAARSAGER),
    ("ref_stoettemetoder", "method", "name_da", contract.STOETTEMETODER),
    ("ref_kommuner", "municipality_code", "name", contract.KOMMUNER),
]


@pytest.mark.parametrize(("seed", "code", "name", "codes"), CODE_LISTS, ids=[c[0] for c in CODE_LISTS])
def test_every_code_seed_holds_exactly_the_contracts_codes_and_names(seed, code, name, codes):
    rows = dict(_seed(seed).select(code, name).iter_rows())
    assert rows == dict(codes)


def test_every_kpi_code_the_contract_allows_is_in_the_registry():
    """An experiment's target (forsoeg_maal.kpi) must be a KPI the marts compute. The registry may
    hold more: a new KPI is added there first, and the contract lists it once experiments may target it."""
    assert set(contract.KPI_CODES) <= set(registry())
    assert list(registry())[:len(contract.KPI_CODES)] == list(contract.KPI_CODES)  # the same order


def test_every_kpi_in_the_registry_says_everything_the_dashboard_and_the_marts_need():
    for code, k in registry().items():
        missing = {"name_da", "unit", "better", "page", "mart", "value", "base"} - set(k)
        assert not missing, (code, missing)
        assert k["better"] in ("lower", "higher", "none"), code
        assert ("operator" in k) == ("target" in k or "deadline" in k), code  # a target has its operator
        assert k.get("operator") in (None, *contract.OPERATORER), code
        assert (DBT / "models" / "marts" / f"{k['mart']}.sql").exists(), (code, k["mart"])
        assert k["page"].startswith("/"), code
        if "headline" not in k:
            assert k.get("population_da"), code  # the card's label


def test_the_raw_sources_are_the_contracts_entities():
    sources = {s["name"]: [t["name"] for t in s["tables"]] for s in _yaml("models/staging/_sources.yml")["sources"]}
    assert sorted(sources["raw"]) == sorted(contract.ENTITIES)


def test_every_raw_source_has_its_staging_model():
    for entity in contract.ENTITIES.values():
        assert (DBT / "models" / "staging" / entity.source / f"stg_{entity.source}__{entity.name}.sql").exists()


def _accepted(path: str, model: str, column: str) -> list[str]:
    for m in _yaml(path)["models"]:
        if m["name"] == model:
            for c in m["columns"]:
                if c["name"] == column:
                    for t in c.get("data_tests", []):
                        if isinstance(t, dict) and "accepted_values" in t:
                            return t["accepted_values"]["arguments"]["values"]
    raise AssertionError(f"no accepted_values test on {model}.{column} in {path}")


def test_the_hand_written_accepted_values_are_the_contracts_and_the_registrys():
    assert _accepted("models/staging/_staging.yml", "stg_jobcenter__samtaler", "status") == list(
        contract.SAMTALESTATUS)
    assert _accepted("models/staging/_staging.yml", "stg_jobcenter__planer", "plan_type") == list(contract.PLANTYPER)
    assert _accepted("models/marts/kpi_paid_hours.yml", "kpi_paid_hours", "arm") == list(contract.GRUPPER)
    assert _accepted("models/intermediate/_intermediate.yml", "int_spell_events", "event") == [
        k["event"] for k in registry().values() if "event" in k]


def _constant_macro(name: str) -> str:
    """The body of a constant macro in macros/sentinels.sql: `{% macro name() -%} body {%- endmacro %}`."""
    import re

    text = (DBT / "macros" / "sentinels.sql").read_text(encoding="utf-8")
    found = re.search(r"\{%\s*macro\s+" + name + r"\(\)\s*-%\}\s*(.*?)\s*\{%-\s*endmacro", text)
    assert found, f"no constant macro {name}() in macros/sentinels.sql"
    return found.group(1)


def test_the_dashboards_copies_of_the_marts_conventions_are_the_macros():
    """The dashboard names two of the marts' conventions in Python: the all-municipality code and
    the length of a month in days (the housing curves are drawn in months)."""
    from dashboards import components, scope

    assert _constant_macro("all_municipalities") == repr(scope.ALLE)
    assert float(_constant_macro("days_per_month")) == components.DAYS_PER_MONTH
