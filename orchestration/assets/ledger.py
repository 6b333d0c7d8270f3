"""The ingestion records dbt reads, as assets: `ops/ledger` (every landed file, its counts and
status) and `ops/quarantine` (every rejected file, line, column and reason).

The loads write both tables row by row as they take files in; this step comes after every load
of the run, so the graph shows what is true: the reference date (int_reference_dates), the
data-quality marts and through them every KPI depend on the loads. It records what the run left
in the ledger as metadata and changes nothing.
"""

import dagster as dg

from orchestration.assets.landing import entity_assets, unrecognised_files
from orchestration.resources import WarehouseResource

LEDGER = dg.AssetKey(["ops", "ledger"])
QUARANTINE = dg.AssetKey(["ops", "quarantine"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(LEDGER, group_name="landing", kinds={"duckdb"},
                     deps=[*[a.key for a in entity_assets], unrecognised_files.key],
                     description="ops.ledger: every landed file by its SHA-256, with rows read, loaded and "
                                 "quarantined, and its status (loaded, blocked, superseded, …)."),
        dg.AssetSpec(QUARANTINE, group_name="landing", kinds={"duckdb"},
                     deps=[*[a.key for a in entity_assets], unrecognised_files.key],
                     description="ops.quarantine: every rejected (file, line, column, reason), "
                                 "CPR-shaped values masked."),
    ],
)
def ingestion_records(warehouse: WarehouseResource):
    with warehouse.loader().connect() as con:
        statuses = dict(con.execute("select status, count(*) from ops.ledger group by all order by all").fetchall())
        rejected = con.execute("select count(*) from ops.quarantine").fetchone()[0]
    yield dg.MaterializeResult(asset_key=LEDGER, metadata={
        "files": sum(statuses.values()), **{f"files_{s}": n for s, n in statuses.items()}})
    yield dg.MaterializeResult(asset_key=QUARANTINE, metadata={"rejected_values": rejected})
