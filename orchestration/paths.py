"""Where the product keeps its data. One place, read from the environment, no Dagster import.

KPI_DATA_DIR    the data folder (default: <repo>/data)
KPI_LANDING_DIR where exports arrive (default: $KPI_DATA_DIR/landing); point it at the folder
                the municipality's source systems drop their files into.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DataPaths:
    root: Path
    landing: Path

    @classmethod
    def from_env(cls) -> DataPaths:
        root = Path(os.environ.get("KPI_DATA_DIR", REPO / "data")).resolve()
        landing = Path(os.environ.get("KPI_LANDING_DIR", root / "landing")).resolve()
        return cls(root, landing)

    @property
    def warehouse(self) -> Path:
        """The working warehouse the pipeline writes; never read by the dashboard."""
        return self.root / "warehouse" / "working.duckdb"

    @property
    def published(self) -> Path:
        """Finished, read-only builds for the dashboard, and the pointer to the current one."""
        return self.root / "warehouse" / "published"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def key_file(self) -> Path:
        return self.root / "secrets" / "pseudonym.key"

    @property
    def reports(self) -> Path:
        """The committee reports (dashboards.report), one PDF per municipality and quarter."""
        return self.root / "reports"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"
