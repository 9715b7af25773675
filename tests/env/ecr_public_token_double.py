#!/usr/bin/env python3
"""A DOUBLE of ECR Public's registry token service, for the end-to-end tests.

It issues the bearer tokens that a real distribution registry in token mode (Debian's
docker-registry, started by start.sh with `auth: token:` and this double's certificate as its
rootcertbundle) accepts. Behaviours copied from ECR Public, where they matter to a client:
  - GET <realm>?service=...&scope=repository:NAME:ACTIONS (scope may repeat; none for a login);
  - Basic credentials are checked: user AWS and the password the ECR Public double's
    GetAuthorizationToken issues (the decoded authorization token). Wrong ones get 401.
  - Without credentials, a token for pull only (public repositories can be pulled anonymously);
    with them, pull and push. The token holds exactly the repositories and actions asked for,
    never more (`*` is never granted).
  - Tokens are short-lived (`expires_in` in the answer, `exp` in the token): a long run sees one
    expire. The lifetime can be changed while running, for one client (by its User-Agent) or all:
    POST /_lifetime?seconds=N[&userAgent=UA][&count=K] (tests only; with count, only the next K
    tokens of that client get it). The registry allows 60 s of clock
    skew past `exp`, so a lifetime of -59 s makes a token that it accepts for about a second.
  - An expired or bad token is answered by the registry's front (nginx, start.sh) with
    400 DENIED, not 401, as ECR Public does.
Every request is logged as one JSON line: who, which user agent, what was asked, what granted.

Tokens are RS256 JWTs whose header carries the signing certificate in x5c, with the claims
distribution verifies: iss, aud (the service), sub, exp, nbf, iat, jti and access.

usage: ecr_public_token_double.py PORT ISSUER SERVICE PASSWORD CERT_OUT LOG [LIFETIME_SECONDS]
"""
import base64
import datetime
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

PORT, ISSUER, SERVICE, PASSWORD, CERT_OUT, LOG = sys.argv[1:7]
default_lifetime = int(sys.argv[7]) if len(sys.argv) > 7 else 60
lifetimes = {}  # User-Agent -> [seconds, tokens left or None for all], set by the tests
log_lock = threading.Lock()

key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256()))
with open(CERT_OUT, "wb") as out:
    out.write(cert.public_bytes(serialization.Encoding.PEM))
x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(signature)


def parse_scope(scope):
    """repository:NAME:ACTIONS, where NAME may hold ':' only in a port (not here) and ACTIONS is a comma list."""
    parts = scope.split(":")
    if len(parts) != 3 or parts[0] != "repository" or not parts[1] or "*" in parts[1]:
        return None
    return parts[1], [action for action in parts[2].split(",") if action]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def user(self):
        header = self.headers.get("Authorization", "")
        if not header:
            return "anonymous"
        if not header.startswith("Basic "):
            return None
        try:
            username, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except Exception:
            return None
        return "AWS" if username == "AWS" and secrets.compare_digest(password, PASSWORD) else None

    def lifetime(self, issuing=False):
        agent = self.headers.get("User-Agent", "")
        if agent not in lifetimes:
            return default_lifetime
        seconds, left = lifetimes[agent]
        if issuing and left is not None:
            if left <= 1:
                del lifetimes[agent]
            else:
                lifetimes[agent][1] = left - 1
        return seconds

    def do_POST(self):
        global default_lifetime
        url = urlsplit(self.path)
        if url.path == "/_lifetime":
            query = parse_qs(url.query)
            seconds = int(query["seconds"][0])
            if "userAgent" in query:
                lifetimes[query["userAgent"][0]] = [seconds, int(query["count"][0]) if "count" in query else None]
            else:
                default_lifetime = seconds
                lifetimes.clear()
            self.answer(200, {"lifetime": seconds})
        else:
            self.answer(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path.rstrip("/") != "/token":
            return self.answer(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
        user = self.user()
        if user is None:
            self.log_request_line(None, query, [])
            return self.answer(401, {"errors": [{"code": "DENIED", "message": "Your authorization token is invalid."}]})
        if query.get("service", [SERVICE])[0] != SERVICE:
            return self.answer(400, {"errors": [{"code": "INVALID_PARAMETER", "message": "unknown service"}]})
        allowed = {"pull", "push"} if user == "AWS" else {"pull"}
        access = []
        for scope in query.get("scope", []):
            parsed = parse_scope(scope)
            if parsed is None:
                continue
            repository, actions = parsed
            granted = [action for action in actions if action in allowed]
            access.append({"type": "repository", "name": repository, "actions": granted})
        issued = int(time.time())
        lifetime = self.lifetime(issuing=True)
        token = sign({"iss": ISSUER, "aud": SERVICE, "sub": user, "iat": issued, "nbf": issued - 1,
                      "exp": issued + lifetime, "jti": secrets.token_hex(16), "access": access})
        self.log_request_line(user, query, access)
        self.answer(200, {"token": token, "access_token": token, "expires_in": lifetime,
                          "issued_at": datetime.datetime.fromtimestamp(issued, datetime.timezone.utc).isoformat()})

    def log_request_line(self, user, query, granted):
        line = json.dumps({"time": time.time(), "user": user, "userAgent": self.headers.get("User-Agent", ""),
                           "scopes": query.get("scope", []), "granted": granted})
        with log_lock, open(LOG, "a") as out:
            out.write(line + "\n")

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler).serve_forever()
