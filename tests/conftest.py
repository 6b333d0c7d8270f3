"""Shared fixtures: generated landing data sets, built once per test session."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from transforms.generate import generate
from transforms.parse import read_landing_file
from transforms.synthetic import Config

REPO = Path(__file__).resolve().parent.parent
TEST_KEY = b"test-key-" + b"0" * 32
EXTRACT = date(2026, 10, 31)
# Test artefacts a person may want to look at (screenshots) go here.
OUTPUT = Path(os.environ.get("KPI_TEST_OUTPUT", REPO / "test-output"))


def make_landing(out: Path, citizens: int, *, seed: int = 7, deltas: int = 0, bad_rate: float = 0.0,
                 bad_files: bool = False, full_extracts: bool = False,
                 municipalities=("573", "185"), **effects) -> dict:
    cfg = Config(municipalities=tuple(municipalities), citizens=citizens, seed=seed,
                 extract_date=EXTRACT, deltas=deltas, **effects)
    return generate(cfg, out, bad_rate=bad_rate, bad_files=bad_files, full_extracts=full_extracts, log=None)


def read_entity(landing: Path, entity: str, extract: date = EXTRACT) -> pl.DataFrame:
    """The typed, valid rows of one landing file, read through the contract's parser."""
    from transforms.contract import ENTITIES

    source = ENTITIES[entity].source
    pf = read_landing_file(landing / source / f"{entity}_{extract:%Y%m%d}.csv", source, TEST_KEY)
    assert pf.error is None, pf.error_detail
    return pf.rows


@pytest.fixture(scope="session")
def calibration_landing(tmp_path_factory) -> Path:
    """A clean, larger data set (20,000 citizens) for calibration measurements."""
    out = tmp_path_factory.mktemp("calibration") / "landing"
    make_landing(out, 20_000)
    return out


@pytest.fixture(scope="session")
def messy_landing(tmp_path_factory) -> tuple[Path, dict]:
    """5,000 citizens, two delta days, bad rows at 0.5 % and every kind of damaged file."""
    out = tmp_path_factory.mktemp("messy") / "landing"
    manifest = make_landing(out, 5_000, deltas=2, bad_rate=0.005, bad_files=True)
    return out, manifest
