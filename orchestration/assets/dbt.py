"""The dbt project as Dagster assets: every seed and model an asset, every dbt test a check.

The manifest is made when the project is installed (`make install` runs `dbt parse`), not at
import. dbt runs as a subprocess with the venv's own `dbt` executable, building in the pipeline's
working warehouse, whose path it is given as the var `warehouse_path` that profiles.yml reads
(never through this process's environment).
"""

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.paths import REPO
from orchestration.resources import WarehouseResource

DBT_DIR = REPO / "dbt_project"
dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)

if not dbt_project.manifest_path.exists():
    raise RuntimeError(f"{dbt_project.manifest_path} is missing: run `make install`, which runs `dbt parse`")


def dbt_executable() -> str:
    """The dbt next to this Python (the venv's), whatever PATH says."""
    here = Path(sys.executable).parent / "dbt"
    return str(here) if here.exists() else "dbt"


class Translator(DagsterDbtTranslator):
    """Groups follow the dbt folders: staging, intermediate, marts; seeds are 'reference'."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_DIR), dbt_executable=dbt_executable())


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=Translator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    yield from dbt.cli(["build", *warehouse_vars(warehouse)], context=context).stream()


def warehouse_vars(warehouse: WarehouseResource) -> list[str]:
    """The run's working warehouse for the dbt profile (profiles.yml: var warehouse_path)."""
    return ["--vars", json.dumps({"warehouse_path": str(warehouse.paths.warehouse)})]
