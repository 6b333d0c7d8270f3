"""The publication step: the finished warehouse, handed to the dashboard atomically."""


import time

import dagster as dg

from orchestration import progress
from orchestration.assets.dbt import dbt_models
from orchestration.assets.landing import entity_assets, unrecognised_files
from orchestration.resources import WarehouseResource
from transforms.publication import publish


@dg.asset(
    key="published_warehouse", group_name="publish",
    deps=[*[a.key for a in entity_assets], unrecognised_files.key, *dbt_models.keys],
    description="A read-only copy of the finished warehouse for the dashboard. Runs only when "
                "every upstream asset and blocking check succeeded; otherwise the previous "
                "publication stays current.",
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    p = warehouse.paths
    t0 = time.perf_counter()
    build = publish(p.warehouse, p.published, run_id=context.run.run_id)
    context.log.info(f"published build {build.build_id}")
    progress.line("publish", seconds=time.perf_counter() - t0, note=f"build {build.build_id}")
    return dg.MaterializeResult(metadata={"build_id": build.build_id, "built_at": build.built_at,
                                          "path": str(p.published / build.path)})
