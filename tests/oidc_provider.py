"""A small OpenID Connect provider for the tests, on 127.0.0.1: the parts of Entra ID the
dashboard's sign-in uses (discovery, authorization code with PKCE, token endpoint with client
secret, RS256 ID tokens, JWKS). It signs in whoever `next_claims` names, without a form."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID, CLIENT_SECRET = "noegletal-test", "hemmelighed-" + "x" * 20


class Provider:
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-1"})
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "test-1"})  # same kid, wrong key
        self.next_claims: dict = {}
        self.sign_with_rogue_key = False
        self.codes: dict[str, dict] = {}
        self.app = self._app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()

    @property
    def metadata_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    def _app(self) -> Flask:
        app = Flask("oidc-test-provider")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify({
                "issuer": self.url, "authorization_endpoint": self.url + "/authorize",
                "token_endpoint": self.url + "/token", "jwks_uri": self.url + "/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]})

        @app.get("/jwks")
        def jwks():
            return jsonify({"keys": [self.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize():
            a = request.args
            if a.get("client_id") != CLIENT_ID or a.get("response_type") != "code":
                return "bad request", 400
            if a.get("code_challenge_method") != "S256" or not a.get("code_challenge"):
                return "PKCE required", 400
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"nonce": a.get("nonce"), "challenge": a["code_challenge"],
                                "redirect_uri": a["redirect_uri"], "claims": dict(self.next_claims)}
            return redirect(a["redirect_uri"] + "?" + urlencode({"code": code, "state": a.get("state", "")}))

        @app.post("/token")
        def token():
            auth = request.authorization
            client = (auth.username, auth.password) if auth else (request.form.get("client_id"),
                                                                  request.form.get("client_secret"))
            if client != (CLIENT_ID, CLIENT_SECRET):
                return jsonify({"error": "invalid_client"}), 401
            grant = self.codes.pop(request.form.get("code", ""), None)
            verifier = request.form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if grant is None or grant["challenge"] != challenge or grant["redirect_uri"] != request.form.get(
                    "redirect_uri"):
                return jsonify({"error": "invalid_grant"}), 400
            now = int(time.time())
            claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 600, "nonce": grant["nonce"],
                      "sub": grant["claims"].get("preferred_username", "x"), **grant["claims"]}
            key = self.rogue_key if self.sign_with_rogue_key else self.key
            id_token = jwt.encode({"alg": "RS256", "kid": "test-1"}, claims, key)
            return jsonify({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 600,
                            "id_token": id_token})

        return app
