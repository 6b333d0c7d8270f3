"""gunicorn settings for the dashboard (`gunicorn -c dashboards/gunicorn_conf.py dashboards.app:server`).

Besides the workers, it removes gunicorn's `Server:` banner: gunicorn writes that header itself,
outside the WSGI app, so the app's own header hardening (dashboards.auth) cannot reach it.
"""

from gunicorn.http import wsgi

workers = 2
threads = 4
timeout = 120

_default_headers = wsgi.Response.default_headers


def _without_banner(self):
    return [h for h in _default_headers(self) if not h.lower().startswith("server:")]


wsgi.Response.default_headers = _without_banner
