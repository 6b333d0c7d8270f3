"""Keyed pseudonyms for CPR numbers, applied at the ingestion boundary.

A CPR number is replaced by HMAC-SHA256(key, the 10 digits), hex. The key comes from the
environment variable KPI_PSEUDONYM_KEY or from a key file (default data/secrets/pseudonym.key),
created with owner-only permissions on first use. The same key always gives the same pseudonym,
so citizens can be followed across files and nights; the warehouse records the key's fingerprint
and refuses to load with a different key (which would split every citizen in two).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

import polars as pl

ENV_VAR = "KPI_PSEUDONYM_KEY"


class PseudonymKeyError(RuntimeError):
    pass


def load_key(key_file: Path) -> bytes:
    """The pseudonymisation key: from $KPI_PSEUDONYM_KEY, else the key file (made if missing)."""
    env = os.environ.get(ENV_VAR)
    if env:
        if len(env) < 32:
            raise PseudonymKeyError(f"{ENV_VAR} must be at least 32 characters long")
        return env.encode()
    key_file = Path(key_file)
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(key_file.parent, 0o700)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    mode = key_file.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PseudonymKeyError(
            f"{key_file} can be read by others (mode {stat.filemode(mode)}); run: chmod 600 {key_file}")
    key = key_file.read_text().strip()
    if len(key) < 32:
        raise PseudonymKeyError(f"{key_file} must hold a key of at least 32 characters")
    return key.encode()


def fingerprint(key: bytes) -> str:
    """Identifies a key without revealing it."""
    return hmac.new(key, b"kommune-kpi key fingerprint", hashlib.sha256).hexdigest()[:16]


# Pseudonyms already computed in this process, per key: one citizen is in most files of an extract,
# and the HMAC is the dearest step of a national load. Only in memory, for the life of the process.
_KNOWN: dict[bytes, pl.DataFrame] = {}
_KNOWN_MAX = 5_000_000  # rows kept before the memo starts afresh (about 0.5 GB)


def pseudonymise(digits: pl.Series, key: bytes) -> pl.Series:
    """Pseudonyms for a column of 10-digit CPR strings (nulls stay null); hashes each value once."""
    uniq = pl.DataFrame({"d": digits.drop_nulls().unique()})
    known = _KNOWN.get(key)
    new = uniq if known is None else uniq.join(known, on="d", how="anti")
    fresh = pl.DataFrame({"d": new["d"],
                          "p": [hmac.digest(key, v.encode(), "sha256").hex() for v in new["d"].to_list()]},
                         schema={"d": pl.String, "p": pl.String})
    known = fresh if known is None or known.height + fresh.height > _KNOWN_MAX else pl.concat([known, fresh])
    _KNOWN[key] = known
    return (pl.DataFrame({"d": digits}).join(known, on="d", how="left", maintain_order="left")
            ["p"].alias(digits.name))
