"""Sign-in, sessions and the security headers of the dashboard's Flask server.

`install(app)` puts a gate in front of every route: only `/helse`, the sign-in routes and the
stylesheet answer without a signed-in person. A page asked for without one redirects to
`/login`; Dash's own endpoints (`/_dash-layout`, `/_dash-dependencies`,
`/_dash-update-component`, …) answer 401 with no data. The person's scope (dashboards.scope) is
made here, on the server, for each request, and dashboards.data reads it from there.

Modes (`KPI_AUTH`):
- `local` (default): accounts from `python -m dashboards.users`, a Danish login form.
- `oidc`: OpenID Connect against Entra ID (dashboards.sso), scope from the mapping file.
- `header`: the reverse proxy's trusted header (dashboards.sso), only when chosen explicitly.

Session cookie: Flask's signed cookie `kpi_session`, HttpOnly, SameSite=Lax, Secure when the
request came over HTTPS (behind a proxy: set `KPI_PROXY_HOPS=1` so its X-Forwarded-Proto
counts) or when `KPI_SECURE_COOKIE=1`. It carries only a random session id and the CSRF token;
the session itself lives server-side (dashboards.users), so logout and idle expiry are real.

CSRF: the login and logout forms carry a token from the session, compared in constant time.
Dash's POSTs carry no token, so every POST must come with an Origin (or, failing that, a
Referer) naming this host — browsers send Origin on every cross-site POST and scripts on another
site cannot forge it — and Dash's endpoints accept only `application/json`, which another site
cannot send without a CORS preflight that this server never grants. SameSite=Lax keeps the
cookie off cross-site POSTs in the first place; the checks hold even where it does not.

Headers: a Content-Security-Policy that allows scripts only from this server plus the hashes
of Dash's own inline scripts (`app.csp_hashes()`); styles may be inline, because Dash's and
Plotly's components set style attributes and Plotly injects its stylesheet. frame-ancestors
'none' (and X-Frame-Options), Referrer-Policy same-origin, nosniff, no-store on everything but
static files, HSTS over HTTPS. The Server banner is removed in dashboards/gunicorn_conf.py.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from html import escape
from urllib.parse import quote, urlsplit

from flask import Response, g, jsonify, redirect, request, session
from flask.sessions import SecureCookieSessionInterface

from dashboards import audit, sso
from dashboards.scope import Forbidden, NotSignedIn, Scope
from dashboards.users import AccountLockedError, Accounts, BadLoginError, auth_dir, private_dir

OPEN_PATHS = {"/login", "/auth/callback", "/helse"}
OPEN_PREFIXES = ("/assets/", "/_favicon.ico")  # the stylesheet and icon of the login page: no data
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

_accounts: dict[tuple, Accounts] = {}


def mode() -> str:
    m = os.environ.get("KPI_AUTH", "local")
    if m not in ("local", "oidc", "header"):
        raise ValueError(f"KPI_AUTH={m!r}: vælg local, oidc eller header")
    return m


def accounts() -> Accounts:
    key = (os.environ.get("KPI_AUTH_DIR"), os.environ.get("KPI_DATA_DIR"))  # cheaper than resolving the path
    found = _accounts.get(key)
    if found is None:
        found = _accounts[key] = Accounts(auth_dir())
    return found


def _secret_key() -> bytes:
    if os.environ.get("KPI_SESSION_SECRET"):
        return os.environ["KPI_SESSION_SECRET"].encode()
    path = private_dir(auth_dir()) / "session.key"
    if not path.exists():  # the first worker writes it whole, then links it in; the others read that one
        tmp = path.with_name(f".session.key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip().encode()


class _SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


# --- the gate ------------------------------------------------------------------------------------

def _peer() -> str:
    """The address that connected to us (before ProxyFix rewrote it)."""
    orig = request.environ.get("werkzeug.proxy_fix.orig", {})
    return orig.get("REMOTE_ADDR") or request.remote_addr or ""


def resolve() -> Scope | None:
    if mode() == "header":
        return sso.scope_from_headers(request.headers, _peer())
    sid = session.get("sid")
    return accounts().session_scope(sid) if sid else None


def _same_origin() -> bool:
    source = request.headers.get("Origin")
    if not source or source == "null":
        source = request.headers.get("Referer")
    return bool(source) and urlsplit(source).netloc == request.host


def _gate():
    g.scope = None
    path = request.path
    if request.method not in SAFE_METHODS:
        if not _same_origin():
            return _refuse(403, "Forespørgslen kom ikke fra dashboardets egen side.")
        if path.startswith("/_dash") and not request.is_json:
            return _refuse(415, "Forkert indholdstype.")
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return None
    scope = resolve()
    if scope is None:
        if request.method == "GET" and not path.startswith("/_") and mode() != "header":
            return redirect("/login" + (f"?next={quote(path)}" if path != "/" else ""))
        return _refuse(401, NotSignedIn.description)
    g.scope = scope
    return None


def _refuse(status: int, text: str):
    if request.path.startswith("/_") or request.accept_mimetypes.best == "application/json":
        return jsonify({"fejl": text}), status
    return Response(_page("Ingen adgang", f'<p class="alert bad" id="refused">{escape(text)}</p>'
                          '<p><a href="/">Til forsiden</a></p>'), status, mimetype="text/html")


# --- headers -------------------------------------------------------------------------------------

def _policy(app) -> str:
    policy = getattr(app, "_kpi_csp", None)
    if policy is None:
        policy = "; ".join([
            "default-src 'self'", "script-src 'self' " + " ".join(app.csp_hashes()),
            "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:", "font-src 'self' data:",
            "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
            "frame-ancestors 'none'"])
        if all(app._got_first_request.get(k) for k in ("setup_server", "pages")):  # all inline scripts known
            app._kpi_csp = policy
    return policy


def _headers(app, response: Response) -> Response:
    h = response.headers
    h["Content-Security-Policy"] = _policy(app)
    h["X-Frame-Options"] = "DENY"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    if not request.path.startswith(STATIC_PREFIXES):
        h["Cache-Control"] = "no-store"
    if request.is_secure:
        h["Strict-Transport-Security"] = "max-age=31536000"
    h.pop("Server", None)
    return response


# --- pages of our own ----------------------------------------------------------------------------

def _page(title: str, body: str) -> str:
    return ("<!doctype html><html lang=\"da\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)} – Nøgletal</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head>"
            f"<body><main class=\"login\"><h1>Nøgletal for beskæftigelse og bolig</h1>{body}</main></body></html>")


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _csrf_ok() -> bool:
    sent, kept = request.form.get("csrf", ""), session.get("csrf", "")
    return bool(kept) and hmac.compare_digest(sent, kept)


def _next() -> str:
    target = request.values.get("next", "/")
    # only a path on this site: never another host, never a scheme-relative //host
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


def _login_form(error: str = "", name: str = "", status: int = 200):
    msg = f'<p class="alert bad" id="login-error" role="alert">{escape(error)}</p>' if error else ""
    body = (f'<form method="post" action="/login" id="login-form" class="login-form">'
            f'<input type="hidden" name="csrf" value="{escape(csrf_token())}">'
            f'<input type="hidden" name="next" value="{escape(_next())}">'
            f'<label>Brugernavn <input name="brugernavn" id="login-user" autocomplete="username" '
            f'value="{escape(name)}" required autofocus></label>'
            '<label>Adgangskode <input type="password" name="adgangskode" id="login-password" '
            'autocomplete="current-password" required></label>'
            f'{msg}<button type="submit" id="login-submit">Log ind</button></form>')
    if request.args.get("ud"):
        body = '<p id="logged-out">Du er logget ud.</p>' + body
    return Response(_page("Log ind", body), status, mimetype="text/html")


def _start_session(scope: Scope):
    sid = accounts().open_session(scope)
    session.clear()
    session["sid"] = sid
    session["csrf"] = secrets.token_urlsafe(32)


def login():
    if mode() == "header":
        return redirect("/") if resolve() else _refuse(401, "Log ind via kommunens portal.")
    if request.method == "GET":
        if resolve() is not None:
            return redirect(_next())
        if mode() == "oidc":
            if request.args.get("ud"):
                return Response(_page("Logget ud", '<p id="logged-out">Du er logget ud.</p><p><a href="/login" '
                                      'id="login-again">Log ind igen</a></p>'), mimetype="text/html")
            session["next"] = _next()
            uri = os.environ.get("KPI_OIDC_REDIRECT_URI") or request.host_url.rstrip("/") + "/auth/callback"
            return _oidc().authorize_redirect(uri)
        return _login_form()
    if mode() != "local":
        return _refuse(405, "Log ind med kommunens konto.")
    name, password = request.form.get("brugernavn", "").strip(), request.form.get("adgangskode", "")
    if not _csrf_ok():
        return _login_form("Formularen var udløbet. Prøv igen.", name, 400)
    try:
        scope = accounts().authenticate(name, password)
    except AccountLockedError:
        return _login_form("For mange forkerte forsøg: kontoen er låst i 15 minutter.", name, 429)
    except BadLoginError:
        return _login_form("Forkert brugernavn eller adgangskode.", name, 401)
    _start_session(scope)
    return redirect(_next())


def oidc_callback():
    if mode() != "oidc":
        return _refuse(404, "Ikke fundet.")
    try:
        token = _oidc().authorize_access_token()
    except Exception as exc:  # a bad state, code, signature, issuer, audience, nonce or expiry: all a refusal
        logging.getLogger(__name__).warning("OIDC sign-in refused: %s: %s", type(exc).__name__, exc)
        return _refuse(401, "Log ind mislykkedes. Prøv igen.")
    claims = token.get("userinfo") or {}
    scope = sso.scope_from_claims(dict(claims), sso.load_mapping())
    if scope is None:
        hint = (" Du er medlem af for mange grupper til, at de står i dit login; bed om en app-rolle i stedet."
                if sso.has_group_overage(claims) else "")
        return _refuse(403, "Du har ikke adgang til dashboardet. Kontakt dashboardets administrator." + hint)
    target = session.pop("next", "/")
    _start_session(scope)
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")


def logout():
    if not _csrf_ok():
        return _refuse(400, "Formularen var udløbet. Prøv igen.")
    sid = session.get("sid")
    if sid:
        accounts().close_session(sid)
    session.clear()
    if mode() == "header" and os.environ.get("KPI_LOGOUT_URL"):
        return redirect(os.environ["KPI_LOGOUT_URL"])
    return redirect("/login?ud=1")


_oidc_client = None


def _oidc():
    if _oidc_client is None:
        raise RuntimeError("OIDC er ikke sat op")
    return _oidc_client


def _on_refused(exc):
    scope = g.get("scope")
    if isinstance(exc, Forbidden) and scope is not None:
        audit.record(scope, "-", {"sti": request.path, "årsag": exc.description}, 0, action="afvist")
    return _refuse(exc.code, exc.description)


def install(app) -> None:
    """Sign-in, the gate and the headers, on the Dash app's Flask server."""
    global _oidc_client
    server = app.server
    hops = int(os.environ.get("KPI_PROXY_HOPS", "0"))
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    server.secret_key = _secret_key()
    server.session_interface = _SessionInterface()
    server.config.update(SESSION_COOKIE_NAME="kpi_session", SESSION_COOKIE_HTTPONLY=True,
                         SESSION_COOKIE_SAMESITE="Lax",
                         SESSION_COOKIE_SECURE=os.environ.get("KPI_SECURE_COOKIE") == "1")
    if mode() == "oidc":
        _oidc_client = sso.register_oidc(server)
        sso.load_mapping()  # a missing or broken mapping stops the start, not the first sign-in
    elif mode() == "header":
        sso.load_mapping()
    # after Dash's own first-request hooks (its setup, and the pages router), whoever asks first: they
    # register the callbacks and the inline scripts whose hashes the CSP lists, so a refused first
    # request must not skip them; they read no data (app.layout answers the setup's check with an
    # empty skeleton when nobody is signed in)
    server.before_request(_gate)
    server.after_request(lambda response: _headers(app, response))
    server.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout, methods=["POST"])
    server.add_url_rule("/auth/callback", "oidc_callback", oidc_callback)
    server.register_error_handler(Forbidden, _on_refused)
    server.register_error_handler(NotSignedIn, _on_refused)
