"""Revisionslog (administrators only): who saw or downloaded which citizen-level list, and the users."""

from __future__ import annotations

import json

import dash
import polars as pl
from dash import html

from dashboards import audit, auth
from dashboards import components as c
from dashboards import scope as access

dash.register_page(__name__, path="/revision", name="Revisionslog", title="Revisionslog", order=13, access="admin",
                   filters=(), filter_reasons=dict.fromkeys(("kommune", "dato", "maalgruppe", "team", "forsoeg"),
                                                            "Revisionsloggen viser alle hændelser, uanset filtre."))

LISTS = {"waiting_list": "Venter ud over fristen", "overdue_list": "Overskredne frister", "-": "–"}
ACTIONS = {"vist": "Vist", "hentet": "Hentet", "afvist": "Afvist"}
ROLE_NAMES = {k: v.split(":")[0] for k, v in access.ROLES.items()}
FILTERS = {"kommune": "kommune", "team": "team", "målgruppe": "målgruppe", "højst": "højst", "sti": "side",
           "årsag": "årsag"}


def layout(**_):
    access.current().require_admin()
    return html.Div(id="revision-content")


def _filters_text(raw: str) -> str:
    shown = [f"{FILTERS.get(k, k)}: {v}" for k, v in json.loads(raw).items() if v is not None]
    return ", ".join(shown) or "ingen"


@c.page_content("revision-content")
def render(f: c.Filters):
    scope = access.current()
    rows = audit.entries(scope)
    log = pl.DataFrame({
        "Tidspunkt (dansk tid)": [f"{c.local(r['at']):%d-%m-%Y %H.%M.%S}" for r in rows],
        "Bruger": [r["user"] for r in rows], "Rolle": [ROLE_NAMES.get(r["role"], r["role"]) for r in rows],
        "Handling": [ACTIONS.get(r["action"], r["action"]) for r in rows],
        "Liste": [LISTS.get(r["list"], r["list"]) for r in rows],
        "Filtre": [_filters_text(r["filters"]) for r in rows], "Rækker": [r["rows"] for r in rows],
    }, schema={"Tidspunkt (dansk tid)": pl.String, "Bruger": pl.String, "Rolle": pl.String, "Handling": pl.String,
               "Liste": pl.String, "Filtre": pl.String, "Rækker": pl.Int64})
    users = auth.accounts().list() if auth.mode() == "local" else []
    people = pl.DataFrame({
        "Bruger": [u["name"] for u in users], "Rolle": [ROLE_NAMES.get(u["role"], u["role"]) for u in users],
        "Kommuner": ["alle" if access.ALL in u["municipalities"] else ", ".join(u["municipalities"]) for u in users],
        "Teams": [", ".join(u["teams"]) for u in users], "Oprettet": [c.date_da(u["created_at"]) for u in users],
    }, schema={k: pl.String for k in ("Bruger", "Rolle", "Kommuner", "Teams", "Oprettet")})
    return html.Div([
        c.section("Revisionslog", "Hver visning og download af en handlingsliste med enkelte forløb, og hver "
                  "afvist forespørgsel: hvem, hvornår, hvilken liste, med hvilke filtre og hvor mange rækker. "
                  "Loggen kan kun udvides, ikke rettes.", c.table(log, "audit-log", page_size=25)),
        c.section("Brugere", "Brugere oprettes, ændres og slettes på serveren med "
                  "python -m dashboards.users (se README).", c.table(people, "users-table"))
        if auth.mode() == "local" else None,
    ])
