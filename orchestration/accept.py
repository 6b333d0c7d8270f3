"""Accept a blocked file on an operator's word: `make accept FILE=jobcenter/x_20261031.csv BY=initialer`.

A file with more than 5 % of its rows rejected is blocked: none of its rows is published and
every refresh fails until a corrected file for the same entity and extract date arrives, or an
operator accepts the file as it is. Accepting loads the file's valid rows from the archived copy
(the rejected rows stay in quarantine) and records who accepted it and when in `ops.ledger`; the
next refresh then publishes. Exit codes: 0 accepted, 1 not a blocked file, 75 a refresh is running.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from orchestration.lock import BUSY_EXIT, RefreshBusyError, refresh_lock
    from transforms.ingestion.load import AcceptError, Loader
    from transforms.ingestion.parse import mask_cpr
    from transforms.ingestion.pseudonymise import load_key
    from transforms.publication import DataPaths

    p = argparse.ArgumentParser(prog="python -m orchestration.accept", description=__doc__.splitlines()[0])
    p.add_argument("file", help="the blocked file as the data-quality page names it (source/name), or its file id")
    p.add_argument("--by", required=True, help="who accepts it (name or initials), recorded in the ledger")
    args = p.parse_args(argv)
    paths = DataPaths.from_env()
    try:
        with refresh_lock(paths, f"accept {mask_cpr(args.file)}"):
            loader = Loader(paths.warehouse, paths.landing, paths.quarantine, paths.archive, load_key(paths.key_file))
            result = loader.accept(args.file, args.by)
    except RefreshBusyError as exc:
        print(exc, file=sys.stderr)
        return BUSY_EXIT
    except AcceptError as exc:
        print(f"not accepted: {exc}", file=sys.stderr)
        return 1
    print(f"{result.path}: accepted by {mask_cpr(args.by.strip())}; {result.rows_loaded} rows loaded, "
          f"{result.rows_quarantined} of {result.rows_read} stay rejected. Run make refresh to publish.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
