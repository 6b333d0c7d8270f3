"""Single sign-on: the mapping of token claims to scope, a full OpenID Connect code flow against a
small provider on 127.0.0.1 (tests.oidc_provider, standing in for Entra ID), and the trusted
header from a reverse proxy — each against the dashboard served by gunicorn in that mode."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests

from dashboards import sso
from tests.conftest import serve
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

EXAMPLE = Path(sso.__file__).with_name("sso.example.toml")


@pytest.fixture(scope="module")
def mapping(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sso") / "sso.toml"
    shutil.copy(EXAMPLE, path)
    return path


def test_the_example_mapping_gives_each_grant_its_role_and_municipalities(mapping):
    m = sso.load_mapping(mapping)
    leder = sso.scope_from_claims({"preferred_username": "jens@varde.dk", "name": "Jens",
                                   "roles": ["Noegletal.Leder.Varde"]}, m)
    assert (leder.user, leder.role, leder.municipalities, leder.display_name) == (
        "jens@varde.dk", "leder", frozenset({"573"}), "Jens")
    by_group = sso.scope_from_claims({"preferred_username": "a", "groups": ["00000000-0000-0000-0000-000000000573"]}, m)
    assert by_group.role == "leder" and by_group.municipalities == {"573"}
    team = sso.scope_from_claims({"preferred_username": "t", "roles": ["Noegletal.Teamleder.Varde.Job"]}, m)
    assert team.role == "teamleder" and team.teams == {"Team Job"}
    assert sso.scope_from_claims({"preferred_username": "x", "roles": ["Noget.Andet"]}, m) is None
    assert sso.scope_from_claims({"roles": ["Noegletal.Admin"]}, m) is None  # nobody named: no access


def test_the_most_capable_role_wins_but_brings_only_its_own_municipalities(mapping):
    m = sso.load_mapping(mapping)
    both = sso.scope_from_claims({"preferred_username": "p", "roles": ["Noegletal.Leder.Varde",
                                                                       "Noegletal.Analytiker.Netvaerk"]}, m)
    assert both.role == "analytiker" and both.municipalities == {"573", "185"}
    admin = sso.scope_from_claims({"preferred_username": "p", "roles": ["Noegletal.Leder.Varde", "Noegletal.Admin"]},
                                  m)
    assert admin.role == "admin" and admin.everywhere


def test_a_broken_mapping_is_refused_with_a_clear_error(tmp_path):
    bad = tmp_path / "sso.toml"
    bad.write_text('[[grant]]\nroles = ["x"]\nrole = "chef"\nmunicipalities = ["573"]\n')
    with pytest.raises(sso.MappingError, match="rollen 'chef'"):
        sso.load_mapping(bad)
    bad.write_text('[[grant]]\nrole = "leder"\nmunicipalities = ["573"]\n')
    with pytest.raises(sso.MappingError, match="gælder ingen"):
        sso.load_mapping(bad)
    with pytest.raises(sso.MappingError, match="findes ikke"):
        sso.load_mapping(tmp_path / "mangler.toml")


def test_an_entra_group_overage_is_recognised():
    assert sso.has_group_overage({"_claim_names": {"groups": "src1"}})
    assert not sso.has_group_overage({"groups": ["a"]})


# --- a full OpenID Connect code flow ---------------------------------------------------------------

@pytest.fixture(scope="module")
def oidc(served_dashboard, mapping):
    with Provider() as provider:
        env = {"KPI_AUTH": "oidc", "KPI_OIDC_METADATA_URL": provider.metadata_url, "KPI_OIDC_CLIENT_ID": CLIENT_ID,
               "KPI_OIDC_CLIENT_SECRET": CLIENT_SECRET, "KPI_SSO_MAPPING": str(mapping),
               "AUTHLIB_INSECURE_TRANSPORT": "1"}  # the test provider speaks plain HTTP on loopback
        with serve(served_dashboard["data"], env) as served:
            yield provider, served


def test_signing_in_with_openid_connect_gives_the_mapped_scope(oidc):
    provider, served = oidc
    provider.next_claims = {"preferred_username": "jens@varde.dk", "name": "Jens Jensen",
                            "roles": ["Noegletal.Leder.Varde"]}
    http = requests.Session()
    r = http.get(served["url"] + "/passive", timeout=30)  # -> /login -> provider -> /auth/callback -> /passive
    assert r.status_code == 200 and r.url == served["url"] + "/passive"
    assert [h.url.split("?")[0] for h in r.history] == [served["url"] + "/passive", served["url"] + "/login",
                                                        provider.url + "/authorize", served["url"] + "/auth/callback"]
    layout = http.get(served["url"] + "/_dash-layout", timeout=30)
    assert layout.status_code == 200
    assert "Jens Jensen · Leder" in layout.text
    assert '"value":"573"' in layout.text and '"value":"185"' not in layout.text
    # the session is the dashboard's own: the callback payload still cannot widen the scope
    from tests.test_access import page_body

    http.headers["Origin"] = served["url"]
    assert http.post(served["url"] + "/_dash-update-component", json=page_body("/", "185"),
                     timeout=30).status_code == 403


def test_a_person_the_mapping_does_not_name_is_refused_after_signing_in(oidc):
    provider, served = oidc
    provider.next_claims = {"preferred_username": "ukendt@varde.dk", "roles": ["Noget.Andet"]}
    http = requests.Session()
    r = http.get(served["url"] + "/", timeout=30)
    assert r.status_code == 403 and "Du har ikke adgang til dashboardet" in r.text
    assert http.get(served["url"] + "/_dash-layout", timeout=30).status_code == 401


def test_an_id_token_signed_with_another_key_is_refused(oidc):
    provider, served = oidc
    provider.next_claims = {"preferred_username": "jens@varde.dk", "roles": ["Noegletal.Admin"]}
    provider.sign_with_rogue_key = True
    try:
        http = requests.Session()
        r = http.get(served["url"] + "/", timeout=30)
        assert r.status_code == 401 and "Log ind mislykkedes" in r.text
        assert http.get(served["url"] + "/_dash-layout", timeout=30).status_code == 401
    finally:
        provider.sign_with_rogue_key = False


def test_a_callback_with_a_forged_state_is_refused(oidc):
    _, served = oidc
    r = requests.get(served["url"] + "/auth/callback", params={"code": "x", "state": "forged"}, timeout=30)
    assert r.status_code == 401


# --- the trusted header --------------------------------------------------------------------------

HEADERS = {"X-Forwarded-User": "jens@varde.dk", "X-Forwarded-Groups": "00000000-0000-0000-0000-000000000573,andet"}


def test_the_trusted_header_signs_in_only_from_a_trusted_proxy(served_dashboard, mapping):
    env = {"KPI_AUTH": "header", "KPI_SSO_MAPPING": str(mapping), "KPI_PROXY_HOPS": "1"}
    with serve(served_dashboard["data"], env) as served:
        layout = requests.get(served["url"] + "/_dash-layout", headers=HEADERS, timeout=30)
        assert layout.status_code == 200 and '"value":"573"' in layout.text and '"value":"185"' not in layout.text
        assert "Secure" not in layout.headers["Set-Cookie"]
        # behind the TLS-terminating proxy the cookie is Secure
        https = requests.get(served["url"] + "/_dash-layout", headers={**HEADERS, "X-Forwarded-Proto": "https"},
                             timeout=30)
        assert "; Secure" in https.headers["Set-Cookie"] and "HttpOnly" in https.headers["Set-Cookie"]
        assert https.headers["Strict-Transport-Security"].startswith("max-age=")
        assert requests.get(served["url"] + "/_dash-layout", timeout=30).status_code == 401
        unmapped = {**HEADERS, "X-Forwarded-Groups": "andet"}
        assert requests.get(served["url"] + "/_dash-layout", headers=unmapped, timeout=30).status_code == 401
    # the same headers from an address that is not the proxy count for nothing
    with serve(served_dashboard["data"], {**env, "KPI_TRUSTED_PROXIES": "10.9.8.7"}) as served:
        assert requests.get(served["url"] + "/_dash-layout", headers=HEADERS, timeout=30).status_code == 401


def test_the_header_mode_is_off_unless_chosen(served_dashboard):
    # the default (local accounts) ignores the header entirely
    r = requests.get(served_dashboard["url"] + "/_dash-layout", headers=HEADERS, timeout=30)
    assert r.status_code == 401
