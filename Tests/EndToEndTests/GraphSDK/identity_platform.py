"""A stand-in for the Microsoft identity platform's v2.0 endpoints, for `pull`/`push` sign-in tests.

It answers as Entra documents (specs/graph.md §8): the device-code flow (authorization_pending,
then slow_down, then the token; refresh tokens after), and client credentials with a client
secret or a signed JWT client assertion, which it checks with PyJWT and the app's certificate
(an implementation that is not LicenseDesk's): PS256 or RS256, the certificate's thumbprint in
the header, aud = this token endpoint, iss = sub = the client id, a jti, at most 10 minutes.

    identity_platform.py CONFIG.json

CONFIG: {"token": issued access token, "client_id": app id, "secret": expected secret,
"certificate": PEM path, "log": path of a JSON-lines log of each request}. Prints
"Listening on PORT" once it listens.
"""

import base64
import hashlib
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

config = json.load(open(sys.argv[1]))
polls = {}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


certificate = x509.load_pem_x509_certificate(open(config["certificate"], "rb").read())
der = certificate.public_bytes(Encoding.DER)
thumbprints = {"x5t#S256": b64url(hashlib.sha256(der).digest()), "x5t": b64url(hashlib.sha1(der).digest())}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def refuse(self, status, error, description):
        self.answer(status, {"error": error, "error_description": description, "error_codes": [0], "trace_id": "t", "correlation_id": "c"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        parts = self.path.strip("/").split("/")
        tenant, endpoint = parts[0], "/".join(parts[1:])
        with open(config["log"], "a") as log:
            log.write(json.dumps({"tenant": tenant, "endpoint": endpoint, "grant_type": form.get("grant_type"), "scope": form.get("scope")}) + "\n")
        if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            return self.refuse(400, "invalid_request", "AADSTS900144: the request body must be form-encoded")
        if form.get("client_id") != config["client_id"]:
            return self.refuse(400, "unauthorized_client", "AADSTS700016: Application not found in the directory")
        if tenant == "noconsent":
            return self.refuse(400, "invalid_grant", "AADSTS65001: The user or administrator has not consented to use the application.")
        if endpoint == "oauth2/v2.0/devicecode":
            # Tenant "hammer": an interval of 0 and a code that never completes (a client must
            # still wait between polls); others: Entra's usual answer, a quicker interval.
            if tenant == "hammer":
                return self.answer(200, {"device_code": "dc-hammer", "user_code": "HAMMER", "verification_uri": "https://microsoft.com/devicelogin",
                                         "expires_in": 3, "interval": 0})
            return self.answer(200, {"device_code": "dc-1", "user_code": "LDTEST42", "verification_uri": "https://microsoft.com/devicelogin",
                                     "expires_in": 900, "interval": 1, "message": "To sign in, use a web browser"})
        if endpoint != "oauth2/v2.0/token":
            return self.refuse(404, "invalid_request", "no such endpoint")
        grant = form.get("grant_type")
        issued = {"token_type": "Bearer", "expires_in": 3599, "access_token": config["token"]}
        if tenant == "badtoken":
            # A token no header can carry: it must be refused, never sent or echoed.
            return self.answer(200, dict(issued, access_token="abc\r\nX-Evil: 1"))
        if grant == "urn:ietf:params:oauth:grant-type:device_code" and form.get("device_code") == "dc-hammer":
            return self.refuse(400, "authorization_pending", "AADSTS70016: pending")
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            polls[form.get("device_code")] = polls.get(form.get("device_code"), 0) + 1
            count = polls[form.get("device_code")]
            if count == 1:
                return self.refuse(400, "authorization_pending", "AADSTS70016: pending")
            if count == 2:
                return self.refuse(400, "slow_down", "slow down")
            return self.answer(200, dict(issued, refresh_token="rt-1", scope=form.get("scope", "")))
        if grant == "refresh_token":
            if form.get("refresh_token") not in ("rt-1", "rt-2"):
                return self.refuse(400, "invalid_grant", "AADSTS70008: the refresh token has expired")
            return self.answer(200, dict(issued, refresh_token="rt-2"))
        if grant == "client_credentials":
            if not form.get("scope", "").endswith("/.default"):
                return self.refuse(400, "invalid_scope", "AADSTS70011: The provided value for scope is not valid.")
            if "client_secret" in form:
                if form["client_secret"] != config["secret"]:
                    return self.refuse(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
                return self.answer(200, issued)
            assertion = form.get("client_assertion", "")
            if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
                return self.refuse(401, "invalid_client", "AADSTS7000218: no client_assertion or client_secret")
            try:
                header = jwt.get_unverified_header(assertion)
                named = [k for k in ("x5t#S256", "x5t") if k in header]
                if not named or any(header[k] != thumbprints[k] for k in named):
                    raise ValueError("the thumbprint in the header is not the registered certificate's")
                audience = "http://%s/%s/oauth2/v2.0/token" % (self.headers["Host"], tenant)
                claims = jwt.decode(assertion, certificate.public_key(), algorithms=["PS256", "RS256"], audience=audience,
                                    options={"require": ["exp", "nbf", "iss", "sub", "jti", "aud"]})
                if claims["iss"] != config["client_id"] or claims["sub"] != config["client_id"]:
                    raise ValueError("iss and sub must be the client id")
                if claims["exp"] - claims["nbf"] > 660:
                    raise ValueError("the assertion lives longer than 10 minutes")
            except Exception as error:  # noqa: BLE001 - every failure is the same refusal
                return self.refuse(401, "invalid_client", "AADSTS700027: Client assertion failed signature validation. (%s)" % error)
            return self.answer(200, issued)
        return self.refuse(400, "unsupported_grant_type", "AADSTS70003: unsupported grant " + str(grant))


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("Listening on %d" % server.server_address[1], flush=True)
server.serve_forever()
