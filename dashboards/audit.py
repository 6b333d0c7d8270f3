"""The audit log: every view and download of a citizen-level list, and every refused request.

An entry says who (name, role, sign-in method), when (UTC), what (`vist`, `hentet` or
`afvist`), which list, the filters and how many rows left the server. dashboards.data writes the
entry in the same function that runs the list's query, so no route — page, download or a
hand-made callback — fetches a list without one.

Append-only: the log is its own SQLite file, `audit.sqlite`, beside the accounts in the
dashboard's secrets folder (owner-only, outside the warehouse), and triggers refuse every UPDATE
and DELETE, so the dashboard cannot rewrite its own history. (Whoever owns the file can still
delete it; ship it to the municipality's log server for tamper evidence beyond that.)
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

from dashboards.scope import Scope

SCHEMA = """
create table if not exists entries (
    id integer primary key autoincrement, at text not null, user text not null, role text not null,
    method text not null, action text not null, list text not null, filters text not null,
    rows integer not null, path text);
create trigger if not exists entries_no_update before update on entries
    begin select raise(abort, 'the audit log is append-only'); end;
create trigger if not exists entries_no_delete before delete on entries
    begin select raise(abort, 'the audit log is append-only'); end;
"""

_action: ContextVar[str] = ContextVar("audit_action", default="vist")
_ready: set[Path] = set()


def _path() -> Path:
    from dashboards.users import auth_dir, private_dir

    return private_dir(auth_dir()) / "audit.sqlite"


@contextmanager
def _db():
    path = _path()
    with closing(sqlite3.connect(path, timeout=10, isolation_level=None)) as db:
        if path not in _ready:
            db.execute("pragma journal_mode = wal")
            db.executescript(SCHEMA)
            os.chmod(path, 0o600)
            _ready.add(path)
        yield db


@contextmanager
def downloading():
    """Marks the list queries inside as a download (`hentet`) rather than a view."""
    token = _action.set("hentet")
    try:
        yield
    finally:
        _action.reset(token)


def record(scope: Scope, list_name: str, filters: dict, rows: int, action: str | None = None) -> None:
    from flask import has_request_context, request

    path = request.path if has_request_context() else None
    with _db() as db:
        db.execute("insert into entries (at, user, role, method, action, list, filters, rows, path) "
                   "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [datetime.now(UTC).isoformat(timespec="milliseconds"), scope.user, scope.role, scope.method,
                    action or _action.get(), list_name, json.dumps(filters, ensure_ascii=False, default=str),
                    rows, path])


def entries(scope: Scope, limit: int = 1000) -> list[dict]:
    """The newest entries first; for administrators only."""
    scope.require_admin()
    with _db() as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("select * from entries order by id desc limit ?", [limit]).fetchall()
    return [dict(r) for r in rows]
