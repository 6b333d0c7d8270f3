"""One asset per landing entity: new files of that entity into the raw layer, with checks.

Checks run in the same step, on the same connection, right after the load:
- quarantine_rate (blocking): no file of the entity is blocked, i.e. had more than
  max_quarantine_rate of its rows rejected, in this load or any earlier one, and was neither
  superseded by a corrected file nor accepted (`make accept FILE=… BY=…`) since. So a blocked file
  fails every refresh until someone acts, not only the one that met it;
- rows_match_ledger (blocking): the history table holds exactly the rows the ledger says loaded
  (rows of loaded files plus the deletions their full snapshots made);
- keys_unique (blocking): the current table has one row per key;
- files_readable (warning): no file of the entity was quarantined whole (unreadable or
  conflicting) in this load.
A failed blocking check stops everything downstream, publication included.
"""


import time

import dagster as dg
import duckdb

from orchestration import progress
from orchestration.resources import WarehouseResource
from transforms.contract import ENTITIES, Entity
from transforms.ingestion.load import UNRECOGNISED, LoadResult, raw_key

BLOCKING = ("quarantine_rate", "rows_match_ledger", "keys_unique")


def _checks(entity: Entity, con: duckdb.DuckDBPyConnection, results: list[LoadResult],
            max_rate: float, key: dg.AssetKey):
    loaded = [r for r in results if r.status == "loaded"]
    blocked = con.execute("select path, rows_quarantined, rows_read from ops.ledger where status = 'blocked' "
                          "and entity = ? order by file_id", [entity.name]).fetchall()
    yield dg.AssetCheckResult(
        asset_key=key, check_name="quarantine_rate", passed=not blocked,
        description=("; ".join(f"{p}: blocked, {bad} of {read} rows rejected (over {max_rate:.0%}); deliver a "
                               f"corrected file or run make accept FILE={p} BY=<name>" for p, bad, read in blocked)
                     or "no blocked files"),
        metadata={"blocked_files": len(blocked), "threshold": max_rate, "files_loaded": len(loaded)},
    )
    history = con.execute(f"select count(*) from raw.{entity.name}__history").fetchone()[0]
    ledger = con.execute("select coalesce(sum(rows_loaded + coalesce(keys_deleted, 0)), 0) from ops.ledger "
                         "where entity = ? and status = 'loaded'", [entity.name]).fetchone()[0]
    yield dg.AssetCheckResult(
        asset_key=key, check_name="rows_match_ledger", passed=history == ledger,
        metadata={"history_rows": history, "ledger_rows_loaded": int(ledger)},
    )
    keys = ", ".join(raw_key(entity))
    dupes = con.execute(f"select count(*) from (select {keys} from raw.{entity.name} "
                        f"group by all having count(*) > 1)").fetchone()[0]
    yield dg.AssetCheckResult(asset_key=key, check_name="keys_unique", passed=dupes == 0,
                              metadata={"duplicate_keys": dupes})
    whole = [r for r in results if r.status in ("quarantined_file", "conflicting_file")]
    yield dg.AssetCheckResult(
        asset_key=key, check_name="files_readable", passed=not whole,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(f"{r.path}: {r.reason} ({r.detail})" for r in whole) or "all readable",
    )


def _entity_asset(entity: Entity) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", entity.name])
    specs = [dg.AssetCheckSpec(name, asset=key, blocking=True) for name in BLOCKING]
    specs.append(dg.AssetCheckSpec("files_readable", asset=key))

    @dg.asset(
        key=key, group_name=entity.source, check_specs=specs, kinds={"duckdb", "polars"},
        description=f"`{entity.name}` exports from {entity.source}/ loaded into raw.{entity.name} "
                    f"(current rows) and raw.{entity.name}__history (every version).",
    )
    def _load(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        t0 = time.perf_counter()
        loader = warehouse.loader()
        results = loader.load([entity.name], warehouse.landed_files(context.log.info),
                              progress=progress.Bar if progress.enabled() else None, label=f"raw.{entity.name}")
        for r in results:
            if r.status != "skipped":
                context.log.info(f"{r.path}: {r.status}, {r.rows_loaded} loaded, "
                                 f"{r.rows_quarantined} quarantined {r.reason} {r.detail}".strip())
        with loader.connect() as con:
            rows = con.execute(f"select count(*) from raw.{entity.name}").fetchone()[0]
            yield from _checks(entity, con, results, warehouse.max_quarantine_rate, key)
        taken = [r for r in results if r.status != "skipped"]
        unusual = sorted({r.status for r in taken} - {"loaded", "duplicate"})
        progress.line(f"raw.{entity.name}", files=len(taken), rows=sum(r.rows_loaded for r in results),
                      quarantined=sum(r.rows_quarantined for r in results), seconds=time.perf_counter() - t0,
                      note=", ".join(f"{sum(r.status == u for r in taken)} {u}" for u in unusual))
        yield dg.MaterializeResult(metadata={
            "files_loaded": sum(r.status == "loaded" for r in results),
            "files_quarantined": sum(r.status == "quarantined_file" for r in results),
            "rows_loaded": sum(r.rows_loaded for r in results),
            "rows_quarantined": sum(r.rows_quarantined for r in results),
            "current_rows": rows,
        })

    return _load


entity_assets = [_entity_asset(e) for e in ENTITIES.values()]


@dg.asset(
    key=dg.AssetKey(["raw", "unrecognised_files"]), group_name="landing",
    check_specs=[dg.AssetCheckSpec("files_recognised", asset=dg.AssetKey(["raw", "unrecognised_files"]))],
    description="Files in the landing zone that match no entity of the contract: quarantined whole "
                "with a reason, so that nothing that arrived goes unnoticed.",
)
def unrecognised_files(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    t0 = time.perf_counter()
    scanned = warehouse.landed_files(context.log.info)
    results = [r for r in warehouse.loader().load([UNRECOGNISED], scanned) if r.status != "skipped"]
    for r in results:
        context.log.warning(f"{r.path}: {r.detail}")
    if results:
        progress.line("unrecognised files", files=len(results), seconds=time.perf_counter() - t0,
                      note="quarantined whole: " + ", ".join(r.path for r in results)[:200])
    yield dg.AssetCheckResult(
        check_name="files_recognised", passed=not results, severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(f"{r.path}: {r.detail}" for r in results) or "none",
    )
    yield dg.MaterializeResult(metadata={"files_quarantined": len(results)})
