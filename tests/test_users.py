"""Local accounts: the `python -m dashboards.users` command, Argon2 hashes in an owner-only file,
sessions that end, and the lock after five failed attempts — on a real SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from dashboards import users
from dashboards.scope import Forbidden, Scope
from tests.conftest import REPO

PASSWORD = "en-lang-nok-adgangskode"


def cli(auth_dir, *args, password: str | None = None, stdin: str | None = None):
    env = {**os.environ, "KPI_AUTH_DIR": str(auth_dir)}
    env.pop("KPI_NEW_PASSWORD", None)
    if password is not None:
        env["KPI_NEW_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "dashboards.users", *args], cwd=REPO, env=env, input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_users_are_added_listed_changed_and_removed_from_the_command_line(tmp_path):
    folder = tmp_path / "secrets" / "dashboard"
    r = cli(folder, "add", "mette", "--role", "teamleder", "--municipality", "573", "--team", "Team Job",
            "--team", "Team Unge", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert cli(folder, "add", "ole", "--role", "leder", "--municipality", "573,185", password=PASSWORD).returncode == 0
    listed = cli(folder, "list").stdout
    assert "mette" in listed and "teams: Team Job,Team Unge" in listed and "kommuner: 185,573" in listed
    accounts = users.Accounts(folder)
    assert accounts.authenticate("mette", PASSWORD).teams == {"Team Job", "Team Unge"}
    stored = sqlite3.connect(folder / "accounts.sqlite").execute("select hash from users where name='ole'").fetchone()
    assert stored[0].startswith("$argon2id$") and PASSWORD not in stored[0]
    assert cli(folder, "passwd", "ole", password="helt-ny-adgangskode").returncode == 0
    with pytest.raises(users.BadLoginError):
        accounts.authenticate("ole", PASSWORD)
    assert accounts.authenticate("ole", "helt-ny-adgangskode").role == "leder"
    assert cli(folder, "remove", "ole").returncode == 0
    assert "ole" not in cli(folder, "list").stdout
    # owner-only, outside the warehouse
    assert (folder.stat().st_mode & 0o777, (folder / "accounts.sqlite").stat().st_mode & 0o777) == (0o700, 0o600)
    assert (folder.parent.stat().st_mode & 0o777) == 0o700


def test_bad_input_to_the_users_command_gets_a_clear_error(tmp_path):
    folder = tmp_path / "auth"
    short = cli(folder, "add", "x", "--role", "leder", "--municipality", "573", password="kort")
    assert short.returncode == 2 and "mindst 12 tegn" in short.stderr
    no_team = cli(folder, "add", "x", "--role", "teamleder", "--municipality", "573", password=PASSWORD)
    assert no_team.returncode == 2 and "mindst ét team" in no_team.stderr
    bad_role = cli(folder, "add", "x", "--role", "chef", "--municipality", "573", password=PASSWORD)
    assert bad_role.returncode == 2 and "invalid choice" in bad_role.stderr
    assert cli(folder, "add", "x", "--role", "leder", "--municipality", "573", password=PASSWORD).returncode == 0
    again = cli(folder, "add", "x", "--role", "leder", "--municipality", "573", password=PASSWORD)
    assert again.returncode == 2 and "findes allerede" in again.stderr
    assert "findes ikke" in cli(folder, "remove", "nogen").stderr


def test_the_demo_user_is_created_once_and_its_password_printed_once(tmp_path):
    first = cli(tmp_path, "demo")
    password = first.stdout.split("adgangskoden: ")[1].split()[0]
    assert users.Accounts(tmp_path).authenticate("demo", password).is_admin
    second = cli(tmp_path, "demo")
    assert second.returncode == 0 and password not in second.stdout and "passwd demo" in second.stdout


def _fail_four_times(accounts, name: str) -> None:
    """Four wrong passwords for `name`, each refused as a bad login (one short of the lock)."""
    for _ in range(4):
        with pytest.raises(users.BadLoginError):
            accounts.authenticate(name, "forkert")


def test_five_failed_attempts_lock_an_account_for_fifteen_minutes(tmp_path):
    accounts = users.Accounts(tmp_path)
    accounts.add("ida", "leder", ["573"], [], PASSWORD)
    _fail_four_times(accounts, "ida")
    with pytest.raises(users.AccountLockedError) as locked:
        accounts.authenticate("ida", "forkert")
    assert locked.value.args[0] == pytest.approx(time.time() + 15 * 60, abs=5)
    with pytest.raises(users.AccountLockedError):
        accounts.authenticate("ida", PASSWORD)  # the right password does not open a locked account
    # a name that does not exist locks the same way, so the answer never tells which names exist
    _fail_four_times(accounts, "findes-ikke")
    with pytest.raises(users.AccountLockedError):
        accounts.authenticate("findes-ikke", "forkert")
    # 15 minutes later the lock has run out
    with sqlite3.connect(tmp_path / "accounts.sqlite") as db:
        db.execute("update locks set until = ? where name = 'ida'", [time.time() - 1])
    assert accounts.authenticate("ida", PASSWORD).user == "ida"


def test_failures_older_than_fifteen_minutes_do_not_count(tmp_path):
    accounts = users.Accounts(tmp_path)
    accounts.add("ida", "leder", ["573"], [], PASSWORD)
    _fail_four_times(accounts, "ida")
    with sqlite3.connect(tmp_path / "accounts.sqlite") as db:
        db.execute("update failures set at = at - 16 * 60")
    with pytest.raises(users.BadLoginError):  # the fifth, but the first four are too old to count
        accounts.authenticate("ida", "forkert")


def test_a_session_ends_after_the_idle_time_on_logout_and_when_the_account_goes(tmp_path, monkeypatch):
    accounts = users.Accounts(tmp_path)
    accounts.add("ida", "leder", ["573"], [], PASSWORD)
    scope = accounts.authenticate("ida", PASSWORD)
    sid = accounts.open_session(scope)
    assert accounts.session_scope(sid) == scope
    monkeypatch.setenv("KPI_SESSION_IDLE_HOURS", "1")
    with sqlite3.connect(tmp_path / "accounts.sqlite") as db:
        stored = db.execute("select id_hash from sessions").fetchone()[0]
        assert sid not in stored  # only the hash is kept
        db.execute("update sessions set seen = seen - 3601")
    assert accounts.session_scope(sid) is None
    sid = accounts.open_session(scope)
    accounts.close_session(sid)
    assert accounts.session_scope(sid) is None
    sid = accounts.open_session(scope)
    accounts.remove("ida")
    assert accounts.session_scope(sid) is None


def test_a_role_change_applies_to_a_live_session(tmp_path):
    accounts = users.Accounts(tmp_path)
    accounts.add("ida", "admin", ["*"], [], PASSWORD)
    sid = accounts.open_session(accounts.authenticate("ida", PASSWORD))
    with sqlite3.connect(tmp_path / "accounts.sqlite") as db:
        db.execute("""update users set role = 'leder', municipalities = '["573"]' where name = 'ida'""")
    assert accounts.session_scope(sid).role == "leder"


def test_the_scope_refuses_what_lies_outside_it():
    present = {"573", "185"}
    leder = Scope("l", "leder", frozenset({"573"}))
    leder.require_municipality("573", present)
    for other in ("185", "ALLE"):
        with pytest.raises(Forbidden):
            leder.require_municipality(other, present)
    with pytest.raises(Forbidden):
        leder.list_teams(None)
    team = Scope("t", "teamleder", frozenset({"573"}), frozenset({"Team Job"}))
    assert team.list_teams(None) == ["Team Job"] and team.list_teams("Team Job") == ["Team Job"]
    with pytest.raises(Forbidden):
        team.list_teams("Team Unge")
    assert Scope("b", "leder", frozenset({"573", "185"})).covers_all(present)
    assert Scope("a", "admin", frozenset({"*"})).list_teams(None) is None
    with pytest.raises(ValueError, match="Ukendt rolle"):
        Scope("x", "chef", frozenset({"573"}))
