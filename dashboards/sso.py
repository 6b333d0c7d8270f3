"""Single sign-on: OpenID Connect against Microsoft Entra ID, or a trusted header from the proxy.

Which one is chosen by `KPI_AUTH` (dashboards.auth): `local` (the default: accounts made with
`python -m dashboards.users`), `oidc` or `header`. Both SSO modes say who the person is; the
mapping file says what they may see. The file (`KPI_SSO_MAPPING`, default
`$KPI_AUTH_DIR/sso.toml`; an example is `dashboards/sso.example.toml`) lists grants:

    [claims]
    user = "preferred_username"     # the claim that names the person (Entra: preferred_username or upn)
    name = "name"

    [[grant]]
    roles = ["Noegletal.Leder.Varde"]   # Entra app roles (the token's `roles` claim) ...
    groups = ["<group object id>"]      # ... or security groups (the `groups` claim) ...
    users = ["jens@varde.dk"]           # ... or named people
    role = "leder"
    municipalities = ["573"]            # "*" for every municipality
    teams = []                          # a teamleder's own teams

A grant applies when any one of its roles, groups or users matches. When several apply, the most
capable role wins (admin > analytiker > teamleder > leder) and the person gets the municipalities
and teams of the grants with that role only, so being leder in one municipality and admin in
another never makes anyone admin of both. No grant, no access.

OIDC (authlib, authorization code flow with PKCE, state and nonce, the ID token's signature,
issuer, audience and expiry checked against the provider's published keys):

    KPI_OIDC_TENANT        the Entra tenant id (gives the metadata URL), or
    KPI_OIDC_METADATA_URL  any provider's .well-known/openid-configuration
    KPI_OIDC_CLIENT_ID, KPI_OIDC_CLIENT_SECRET   the app registration
    KPI_OIDC_REDIRECT_URI  optional; default https://<host>/auth/callback as the request arrived
    KPI_OIDC_SCOPES        default "openid profile email"

Trusted header: the proxy authenticates and sends the person's name (`KPI_AUTH_USER_HEADER`,
default `X-Forwarded-User`) and groups (`KPI_AUTH_GROUPS_HEADER`, default `X-Forwarded-Groups`,
comma-separated). The headers are believed only from the addresses in `KPI_TRUSTED_PROXIES`
(default the loopback addresses), because anyone else could send them too.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

from dashboards.scope import RANK, ROLES, Scope

ENTRA_METADATA = "https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration"


class MappingError(ValueError):
    pass


def mapping_path() -> Path:
    from dashboards.users import auth_dir

    return Path(os.environ.get("KPI_SSO_MAPPING", auth_dir() / "sso.toml"))


def load_mapping(path: Path | None = None) -> dict:
    path = path or mapping_path()
    if not path.exists():
        raise MappingError(f"Rollefilen {path} findes ikke (se dashboards/sso.example.toml)")
    return _parse(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _parse(path: Path, _mtime: int) -> dict:
    with path.open("rb") as f:
        doc = tomllib.load(f)
    grants = doc.get("grant", [])
    for i, g in enumerate(grants, 1):
        if g.get("role") not in ROLES:
            raise MappingError(f"{path}: grant nr. {i} har rollen {g.get('role')!r}; vælg en af {', '.join(ROLES)}")
        if not g.get("municipalities"):
            raise MappingError(f"{path}: grant nr. {i} mangler municipalities")
        if not any(g.get(k) for k in ("roles", "groups", "users")):
            raise MappingError(f"{path}: grant nr. {i} gælder ingen (angiv roles, groups eller users)")
        g["municipalities"] = [str(m) for m in g["municipalities"]]
    claims = {"user": "preferred_username", "name": "name", **doc.get("claims", {})}
    return {"claims": claims, "grants": grants}


def scope_from_claims(claims: dict, mapping: dict, method: str = "oidc") -> Scope | None:
    """The scope a token's (or the proxy's) claims give under the mapping, or None for no access."""
    user = claims.get(mapping["claims"]["user"]) or claims.get("upn") or claims.get("email") or claims.get("sub")
    if not user:
        return None
    roles, groups = set(_as_list(claims.get("roles"))), set(_as_list(claims.get("groups")))
    matching = [g for g in mapping["grants"]
                if roles & set(g.get("roles", [])) or groups & set(g.get("groups", []))
                or user in g.get("users", [])]
    if not matching:
        return None
    role = max((g["role"] for g in matching), key=RANK.__getitem__)
    chosen = [g for g in matching if g["role"] == role]
    munis = frozenset(m for g in chosen for m in g["municipalities"])
    teams = frozenset(t for g in chosen for t in g.get("teams", []))
    if role == "teamleder" and not teams:
        return None
    name = claims.get(mapping["claims"]["name"]) or user
    return Scope(str(user), role, munis, teams, str(name), method)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def has_group_overage(claims: dict) -> bool:
    """Entra leaves `groups` out when a person is in more than 200: map app roles instead."""
    return "groups" in (claims.get("_claim_names") or {})


# --- OpenID Connect ------------------------------------------------------------------------------

def oidc_settings() -> dict:
    metadata = os.environ.get("KPI_OIDC_METADATA_URL")
    if not metadata and os.environ.get("KPI_OIDC_TENANT"):
        metadata = ENTRA_METADATA.format(tenant=os.environ["KPI_OIDC_TENANT"])
    missing = [n for n, v in (("KPI_OIDC_TENANT eller KPI_OIDC_METADATA_URL", metadata),
                              ("KPI_OIDC_CLIENT_ID", os.environ.get("KPI_OIDC_CLIENT_ID")),
                              ("KPI_OIDC_CLIENT_SECRET", os.environ.get("KPI_OIDC_CLIENT_SECRET"))) if not v]
    if missing:
        raise MappingError("KPI_AUTH=oidc kræver " + ", ".join(missing))
    return {"server_metadata_url": metadata, "client_id": os.environ["KPI_OIDC_CLIENT_ID"],
            "client_secret": os.environ["KPI_OIDC_CLIENT_SECRET"],
            "client_kwargs": {"scope": os.environ.get("KPI_OIDC_SCOPES", "openid profile email"),
                              "code_challenge_method": "S256"}}


def register_oidc(server):
    """The authlib client for the configured provider, registered on the Flask app."""
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(server)
    return oauth.register("entra", **oidc_settings())


# --- trusted header ------------------------------------------------------------------------------

def trusted_proxies() -> set[str]:
    return {a.strip() for a in os.environ.get("KPI_TRUSTED_PROXIES", "127.0.0.1,::1").split(",") if a.strip()}


def scope_from_headers(headers, peer: str) -> Scope | None:
    """The proxy's word on who this is, if the request came from a trusted proxy."""
    if peer not in trusted_proxies():
        return None
    user = headers.get(os.environ.get("KPI_AUTH_USER_HEADER", "X-Forwarded-User"), "").strip()
    if not user:
        return None
    groups = headers.get(os.environ.get("KPI_AUTH_GROUPS_HEADER", "X-Forwarded-Groups"), "")
    mapping = load_mapping()
    return scope_from_claims({mapping["claims"]["user"]: user, "groups": groups}, mapping, method="header")
