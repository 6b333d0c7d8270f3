"""Who is signed in and what they may see: the role, the municipalities and the teams.

One `Scope` per request, made by the sign-in (dashboards.auth) from a local account, an Entra ID
token or the reverse proxy's header — never from anything the browser sends with a callback.
Every query in dashboards.data takes it and refuses (HTTP 403) what lies outside it.

The roles (issue 16):

- `leder`: the aggregated figures of their municipalities.
- `teamleder`: the same, plus the citizen-level action lists of their own teams.
- `analytiker`: the aggregated figures of their municipalities, and their downloads.
- `admin`: everything, plus the data-quality detail and the audit log (users are managed with
  `python -m dashboards.users`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from werkzeug.exceptions import Forbidden as _Forbidden
from werkzeug.exceptions import Unauthorized

ROLES = {
    "leder": "Leder: de samlede tal for egne kommuner",
    "teamleder": "Teamleder: som leder, plus handlingslisterne for egne teams",
    "analytiker": "Analytiker: de samlede tal for egne kommuner, og download af dem",
    "admin": "Administrator: alt, plus datakvalitet, revisionslog og brugere",
}
# When several SSO grants match one person, the most capable role wins (dashboards.sso)
RANK = {"leder": 0, "teamleder": 1, "analytiker": 2, "admin": 3}
ALL = "*"  # the municipality code that means every municipality of the installation
ALLE = "ALLE"  # the marts' code for the all-municipality figure
LISTS = ("waiting_list", "overdue_list")  # the citizen-level lists, by their download keys


class Forbidden(_Forbidden):
    """Outside the signed-in person's scope: answered with HTTP 403 and nothing of the data."""

    description = "Du har ikke adgang til det, du bad om."


class NotSignedIn(Unauthorized):
    description = "Log ind for at se dashboardet."


@dataclass(frozen=True)
class Scope:
    user: str
    role: str
    municipalities: frozenset[str]
    teams: frozenset[str] = field(default_factory=frozenset)
    display_name: str = ""
    method: str = "local"  # local, oidc or header

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"Ukendt rolle {self.role!r}; vælg en af {', '.join(ROLES)}")
        if not self.municipalities:
            raise ValueError("En bruger skal have mindst én kommune (eller * for alle)")

    @property
    def everywhere(self) -> bool:
        """Scoped to every municipality the installation holds, now and later."""
        return ALL in self.municipalities

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def may_download(self) -> bool:
        """Downloads of aggregated figures (a teamleder also downloads their own action lists)."""
        return self.role in ("analytiker", "admin")

    @property
    def may_see_lists(self) -> bool:
        return self.role in ("teamleder", "admin")

    def covers_all(self, present: frozenset[str] | set[str]) -> bool:
        """May see the all-municipality figure: scoped to every municipality in the publication."""
        return self.everywhere or set(present) <= self.municipalities

    def allowed(self, present) -> list[str]:
        """The municipality codes of the publication this person may see, in code order."""
        return sorted(present if self.everywhere else set(present) & self.municipalities)

    def require_municipality(self, municipality: str, present) -> None:
        if municipality == ALLE:
            if not self.covers_all(present):
                raise Forbidden("Tallet for alle kommuner vises kun for brugere med adgang til alle kommuner.")
        elif not (self.everywhere or municipality in self.municipalities):
            raise Forbidden("Kommunen ligger uden for din adgang.")

    def list_teams(self, team: str | None) -> list[str] | None:
        """The teams an action-list query may return (None: every team), or Forbidden."""
        if not self.may_see_lists:
            raise Forbidden("Handlingslisterne vises kun for teamledere og administratorer.")
        if self.role == "admin":
            return None if team is None else [team]
        if team is None:
            return sorted(self.teams)
        if team not in self.teams:
            raise Forbidden("Teamet ligger uden for din adgang.")
        return [team]

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("Kun for administratorer.")


def current() -> Scope:
    """The signed-in person of this request, or NotSignedIn (outside a request there is nobody)."""
    from flask import g, has_request_context

    scope = g.get("scope") if has_request_context() else None
    if scope is None:
        raise NotSignedIn()
    return scope
