"""Local accounts and sign-in sessions of the dashboard, and the command that manages them.

    python -m dashboards.users add NAME --role ROLE --municipality CODE[,CODE] [--team TEAM]
    python -m dashboards.users passwd NAME
    python -m dashboards.users remove NAME
    python -m dashboards.users list

The password is read from standard input (asked for twice on a terminal) or from
`KPI_NEW_PASSWORD`. `--municipality '*'` means every municipality; `--team` may be repeated or
comma-separated (a teamleder's own teams, whose action lists they see).

Everything lives in one SQLite file, `accounts.sqlite`, in the dashboard's own secrets folder
(`$KPI_DATA_DIR/secrets/dashboard/`, or `KPI_AUTH_DIR`), created owner-only (700/600) and outside
the warehouse, so the published build never holds a password hash. Passwords are hashed with
Argon2id (argon2-cffi's defaults). SQLite because the gunicorn workers are separate processes that
must agree on sessions and lockouts; WAL lets them read while one writes.

- Sessions: the browser's cookie carries a random session id; only its SHA-256 is stored, so a
  copy of this file gives nobody a live session. A session ends on logout, after
  `KPI_SESSION_IDLE_HOURS` (8) without a request, and when its account is removed or its password
  changed. A local account's role and municipalities are read at every request, so a change
  applies at once; an SSO session keeps the scope its token gave at sign-in.
- Lockout: 5 failed attempts on a name within 15 minutes lock it for 15 minutes, whether the name
  exists or not (so the answer never tells which names exist); a correct password during the lock
  is refused too.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import os
import secrets
import sqlite3
import sys
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dashboards.scope import ALL, ROLES, Scope

MAX_FAILURES, WINDOW_S, LOCK_S = 5, 15 * 60, 15 * 60
MIN_PASSWORD = 12
SEEN_EVERY_S = 60  # a session's last-seen time is written at most once a minute

_hasher = PasswordHasher()
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))  # verified for unknown names, so timing tells nothing


class AccountLockedError(Exception):
    pass


class BadLoginError(Exception):
    pass


def auth_dir() -> Path:
    from transforms.publication import DataPaths

    default = DataPaths.from_env().root / "secrets" / "dashboard"
    return Path(os.environ.get("KPI_AUTH_DIR", default)).resolve()


def idle_seconds() -> float:
    return float(os.environ.get("KPI_SESSION_IDLE_HOURS", "8")) * 3600


def private_dir(path: Path) -> Path:
    """A folder only its owner can enter (the parent secrets folder too)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    if path.parent.name == "secrets":
        os.chmod(path.parent, 0o700)
    return path


SCHEMA = """
create table if not exists users (
    name text primary key, role text not null, municipalities text not null, teams text not null,
    hash text not null, created_at text not null, changed_at text not null);
create table if not exists failures (name text not null, at real not null);
create index if not exists failures_name on failures (name, at);
create table if not exists locks (name text primary key, until real not null);
create table if not exists sessions (
    id_hash text primary key, name text not null, method text not null, scope text,
    created real not null, seen real not null);
"""


class Accounts:
    """The accounts file. Cheap to construct: each call opens its own short connection."""

    def __init__(self, folder: Path | None = None):
        self.folder = private_dir(folder or auth_dir())
        self.path = self.folder / "accounts.sqlite"
        self._local = threading.local()
        if not self.path.exists():
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
            db.execute("pragma journal_mode = wal")  # kept in the file: every later connection uses it
            db.executescript(SCHEMA)
        os.chmod(self.path, 0o600)

    @contextmanager
    def _db(self):
        """This thread's connection (autocommit), opened once: every request checks its session here."""
        db = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = self._local.db = sqlite3.connect(self.path, timeout=10, isolation_level=None,
                                                  check_same_thread=False)
            self._local.pid = os.getpid()
        try:
            yield db
        except BaseException:
            if db.in_transaction:
                db.rollback()
            raise

    # --- accounts ---------------------------------------------------------------------------------

    def add(self, name: str, role: str, municipalities: list[str], teams: list[str], password: str) -> None:
        name = _check_name(name)
        scope = Scope(name, role, frozenset(municipalities), frozenset(teams))  # validates role and codes
        _check_password(password)
        now = _now_iso()
        with self._db() as db:
            if db.execute("select 1 from users where name = ?", [name]).fetchone():
                raise ValueError(f"Brugeren {name} findes allerede (skift adgangskode med `passwd {name}`)")
            db.execute("insert into users values (?, ?, ?, ?, ?, ?, ?)",
                       [name, scope.role, json.dumps(sorted(scope.municipalities)), json.dumps(sorted(scope.teams)),
                        _hasher.hash(password), now, now])

    def passwd(self, name: str, password: str) -> None:
        _check_password(password)
        with self._db() as db:
            changed = db.execute("update users set hash = ?, changed_at = ? where name = ?",
                                 [_hasher.hash(password), _now_iso(), name]).rowcount
            if not changed:
                raise ValueError(f"Brugeren {name} findes ikke")
            db.execute("delete from sessions where name = ? and method = 'local'", [name])
            db.execute("delete from locks where name = ?", [name])
            db.execute("delete from failures where name = ?", [name])

    def remove(self, name: str) -> None:
        with self._db() as db:
            if not db.execute("delete from users where name = ?", [name]).rowcount:
                raise ValueError(f"Brugeren {name} findes ikke")
            db.execute("delete from sessions where name = ? and method = 'local'", [name])

    def list(self) -> list[dict]:
        with self._db() as db:
            rows = db.execute("select name, role, municipalities, teams, created_at, changed_at from users "
                              "order by name").fetchall()
        return [{"name": n, "role": r, "municipalities": json.loads(m), "teams": json.loads(t),
                 "created_at": c, "changed_at": ch} for n, r, m, t, c, ch in rows]

    def exists(self, name: str) -> bool:
        with self._db() as db:
            return db.execute("select 1 from users where name = ?", [name]).fetchone() is not None

    def scope_of(self, name: str, db=None) -> Scope | None:
        if db is None:
            with self._db() as db:
                return self.scope_of(name, db)
        row = db.execute("select role, municipalities, teams from users where name = ?", [name]).fetchone()
        if row is None:
            return None
        return Scope(name, row[0], frozenset(json.loads(row[1])), frozenset(json.loads(row[2])), name, "local")

    # --- signing in -------------------------------------------------------------------------------

    def authenticate(self, name: str, password: str) -> Scope:
        """The account's scope, or BadLoginError / AccountLockedError. Every failure counts towards the lock."""
        now = time.time()
        with self._db() as db:
            lock = db.execute("select until from locks where name = ?", [name]).fetchone()
            if lock and lock[0] > now:
                raise AccountLockedError(lock[0])
            row = db.execute("select hash from users where name = ?", [name]).fetchone()
        try:
            ok = _hasher.verify(row[0] if row else _DUMMY, password) and row is not None
        except (VerificationError, InvalidHashError):
            ok = False
        with self._db() as db:
            if not ok:
                db.execute("begin immediate")
                db.execute("delete from failures where at < ?", [now - WINDOW_S])
                db.execute("insert into failures values (?, ?)", [name, now])
                count = db.execute("select count(*) from failures where name = ? and at >= ?",
                                   [name, now - WINDOW_S]).fetchone()[0]
                if count >= MAX_FAILURES:
                    db.execute("insert or replace into locks values (?, ?)", [name, now + LOCK_S])
                    db.execute("delete from failures where name = ?", [name])
                db.execute("commit")
                if count >= MAX_FAILURES:
                    raise AccountLockedError(now + LOCK_S)
                raise BadLoginError()
            db.execute("delete from failures where name = ?", [name])
            db.execute("delete from locks where name = ?", [name])
            if _hasher.check_needs_rehash(row[0]):
                db.execute("update users set hash = ? where name = ?", [_hasher.hash(password), name])
            return self.scope_of(name, db)

    # --- sessions ---------------------------------------------------------------------------------

    def open_session(self, scope: Scope) -> str:
        """A new session for a signed-in person; returns the id for the cookie (stored only hashed)."""
        sid = secrets.token_urlsafe(32)
        now = time.time()
        stored = None if scope.method == "local" else json.dumps(_scope_dict(scope))
        with self._db() as db:
            db.execute("delete from sessions where seen < ?", [now - idle_seconds()])
            db.execute("insert into sessions values (?, ?, ?, ?, ?, ?)",
                       [_hash_sid(sid), scope.user, scope.method, stored, now, now])
        return sid

    def session_scope(self, sid: str) -> Scope | None:
        """The scope of a live session, or None (unknown, ended, idle too long, account gone)."""
        now = time.time()
        key = _hash_sid(sid)
        with self._db() as db:
            row = db.execute("select name, method, scope, seen from sessions where id_hash = ?", [key]).fetchone()
            if row is None:
                return None
            name, method, stored, seen = row
            if now - seen > idle_seconds():
                db.execute("delete from sessions where id_hash = ?", [key])
                return None
            scope = self.scope_of(name, db) if method == "local" else _scope_from_dict(json.loads(stored))
            if scope is None:
                db.execute("delete from sessions where id_hash = ?", [key])
                return None
            if now - seen > SEEN_EVERY_S:
                db.execute("update sessions set seen = ? where id_hash = ?", [now, key])
            return scope

    def close_session(self, sid: str) -> None:
        with self._db() as db:
            db.execute("delete from sessions where id_hash = ?", [_hash_sid(sid)])


def _hash_sid(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def _scope_dict(s: Scope) -> dict:
    return {"user": s.user, "role": s.role, "municipalities": sorted(s.municipalities), "teams": sorted(s.teams),
            "display_name": s.display_name, "method": s.method}


def _scope_from_dict(d: dict) -> Scope:
    return Scope(d["user"], d["role"], frozenset(d["municipalities"]), frozenset(d["teams"]),
                 d.get("display_name", ""), d.get("method", "oidc"))


def _now_iso() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100 or any(ch.isspace() for ch in name):
        raise ValueError("Brugernavnet skal være 1–100 tegn uden mellemrum")
    return name


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"Adgangskoden skal være mindst {MIN_PASSWORD} tegn")


def split_codes(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def _read_password() -> str:
    if os.environ.get("KPI_NEW_PASSWORD"):
        return os.environ["KPI_NEW_PASSWORD"]
    if sys.stdin.isatty():
        first = getpass.getpass("Adgangskode: ")
        if getpass.getpass("Gentag adgangskoden: ") != first:
            raise ValueError("De to adgangskoder er ikke ens")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def ensure_demo_user(accounts: Accounts) -> str | None:
    """The `demo` admin for `make run` on demo data: created once, its random password returned once."""
    if accounts.exists("demo"):
        return None
    password = secrets.token_urlsafe(12)
    accounts.add("demo", "admin", [ALL], [], password)
    return password


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m dashboards.users", description="Dashboardets lokale brugere.")
    sub = p.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="opret en bruger (adgangskoden læses fra stdin eller KPI_NEW_PASSWORD)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--municipality", required=True, action="append",
                     help="kommunekode(r), kommasepareret; * for alle")
    add.add_argument("--team", action="append", help="teamlederens egne teams (kan gentages)")
    sub.add_parser("passwd", help="skift en brugers adgangskode").add_argument("name")
    sub.add_parser("remove", help="slet en bruger").add_argument("name")
    sub.add_parser("list", help="vis brugerne")
    demo = sub.add_parser("demo", help="opret demo-brugeren (admin) med en tilfældig adgangskode, én gang")
    demo.add_argument("--url", default="http://127.0.0.1:8050")
    args = p.parse_args(argv)
    accounts = Accounts()
    try:
        if args.command == "add":
            teams = split_codes(args.team)
            if teams and args.role != "teamleder":
                raise ValueError("--team gælder kun rollen teamleder")
            if args.role == "teamleder" and not teams:
                raise ValueError("En teamleder skal have mindst ét team (--team)")
            accounts.add(args.name, args.role, split_codes(args.municipality), teams, _read_password())
            print(f"Brugeren {args.name} er oprettet ({args.role}).")
        elif args.command == "passwd":
            accounts.passwd(args.name, _read_password())
            print(f"Adgangskoden for {args.name} er skiftet; brugerens sessioner er afsluttet.")
        elif args.command == "remove":
            accounts.remove(args.name)
            print(f"Brugeren {args.name} er slettet.")
        elif args.command == "list":
            for u in accounts.list():
                where = "alle" if ALL in u["municipalities"] else ",".join(u["municipalities"])
                teams = f"  teams: {','.join(u['teams'])}" if u["teams"] else ""
                print(f"{u['name']:20} {u['role']:11} kommuner: {where}{teams}")
        elif args.command == "demo":
            password = ensure_demo_user(accounts)
            if password:
                print(f"\n  Log ind på {args.url} som demo med adgangskoden: {password}\n"
                      "  (vises kun denne ene gang; ny adgangskode: python -m dashboards.users passwd demo)\n")
            else:
                print(f"Log ind på {args.url} som demo (adgangskoden blev vist, da brugeren blev oprettet; "
                      "ny: .venv/bin/python -m dashboards.users passwd demo).")
    except ValueError as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
