"""Dagster resources: the warehouse and its folders, configured in one place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from transforms.ingestion.load import LandedFile, Loader, scan_landing
from transforms.ingestion.pseudonymise import load_key
from transforms.publication import DataPaths


class WarehouseResource(dg.ConfigurableResource):
    """The data folder: landing zone, working and published warehouse, quarantine, archive.

    Empty strings mean the defaults from transforms.publication (KPI_DATA_DIR, KPI_LANDING_DIR).
    """

    data_dir: str = ""
    landing_dir: str = ""
    max_quarantine_rate: float = 0.05
    _scanned: list[LandedFile] | None = PrivateAttr(default=None)

    @property
    def paths(self) -> DataPaths:
        base = DataPaths.from_env()
        root = Path(self.data_dir).resolve() if self.data_dir else base.root
        landing = Path(self.landing_dir).resolve() if self.landing_dir else (
            base.landing if not self.data_dir else root / "landing")
        return DataPaths(root, landing)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        """Hold the refresh lock for the whole run (one writer at a time, see orchestration.lock)."""
        from orchestration.lock import refresh_lock, wait_seconds

        run_id = context.run.run_id[:8] if context.run else "a run"
        with refresh_lock(self.paths, f"refresh run {run_id}", wait_seconds()):
            self._scanned = None
            yield self

    def landed_files(self, log=None) -> list[LandedFile]:
        """The landing zone as this run found it: scanned once, at the first load asset, and
        shared by every load of the run (a file that arrives later is the next run's). `log`
        hears of the scan (a Dagster logger's info)."""
        if self._scanned is None:
            self._scanned = scan_landing(self.paths.landing)
            if log:
                log(f"landing zone scanned: {len(self._scanned)} files")
        return self._scanned

    def loader(self) -> Loader:
        p = self.paths
        return Loader(p.warehouse, p.landing, p.quarantine, p.archive, load_key(p.key_file),
                      max_rate=self.max_quarantine_rate)
