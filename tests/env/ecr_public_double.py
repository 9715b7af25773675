"""A local DOUBLE of Amazon ECR Public's GetAuthorizationToken, for tests only.

It follows the published contract (botocore's ecr-public 2020-10-30 service model, protocol
awsJson1_1): POST / with X-Amz-Target SpencerFrontendService.GetAuthorizationToken and
Content-Type application/x-amz-json-1.1, signed with SigV4 for ecr-public in us-east-1. It
verifies the signature with the test's secret key, so a wrong key or scope is refused as AWS
would (403), and answers {"authorizationData": {"authorizationToken": base64("AWS:<password>"),
"expiresAt": <unix seconds>}} where the password is the local registry's htpasswd password.

Usage: python3 ecr_public_double.py PORT ACCESS_KEY_ID SECRET_ACCESS_KEY REGISTRY_PASSWORD [LOG]
"""
import base64
import hashlib
import hmac
import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TARGET = "SpencerFrontendService.GetAuthorizationToken"
CONTENT_TYPE = "application/x-amz-json-1.1"
AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request, "
    r"SignedHeaders=(?P<headers>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})$")


def _hmac(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def expected_signature(secret, method, path, headers, signed, body, date, region, service, amz_date):
    canonical_headers = "".join(f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in signed)
    canonical = "\n".join([method, path, "", canonical_headers, ";".join(signed), hashlib.sha256(body).hexdigest()])
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret).encode(), date), region), service), "aws4_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        problem = self.check(headers, body)
        if problem:
            status, kind, message = problem
            self.log(f"refused: {kind}: {message}")
            return self.answer(status, {"__type": kind, "message": message})
        token = base64.b64encode(f"AWS:{self.server.registry_password}".encode()).decode()
        self.log("issued a token")
        self.answer(200, {"authorizationData": {"authorizationToken": token, "expiresAt": int(time.time()) + 12 * 3600}})

    def check(self, headers, body):
        if headers.get("x-amz-target") != TARGET:
            return 400, "UnknownOperationException", f"unknown target {headers.get('x-amz-target')!r}"
        if headers.get("content-type", "").split(";")[0] != CONTENT_TYPE:
            return 400, "SerializationException", f"content type must be {CONTENT_TYPE}"
        match = AUTHORIZATION.match(headers.get("authorization", ""))
        if not match:
            return 403, "MissingAuthenticationTokenException", "missing or malformed SigV4 Authorization"
        if (match["region"], match["service"]) != ("us-east-1", "ecr-public"):
            return 403, "InvalidSignatureException", f"credential scope must end /us-east-1/ecr-public/aws4_request, not /{match['region']}/{match['service']}/aws4_request"
        if match["key"] != self.server.access_key:
            return 403, "UnrecognizedClientException", "the security token included in the request is invalid"
        signed = match["headers"].split(";")
        if "host" not in signed or "x-amz-date" not in signed:
            return 403, "InvalidSignatureException", "host and x-amz-date must be signed"
        if "x-amz-content-sha256" in headers and headers["x-amz-content-sha256"] != hashlib.sha256(body).hexdigest():
            return 400, "InvalidSignatureException", "x-amz-content-sha256 does not match the body"
        amz_date = headers.get("x-amz-date", "")
        if not amz_date.startswith(match["date"]):
            return 403, "InvalidSignatureException", "x-amz-date does not match the credential date"
        wanted = expected_signature(self.server.secret_key, "POST", self.path, headers, signed, body,
                                    match["date"], match["region"], match["service"], amz_date)
        if not hmac.compare_digest(wanted, match["signature"]):
            return 403, "InvalidSignatureException", "the request signature we calculated does not match the signature you provided"
        try:
            json.loads(body or b"{}")
        except ValueError:
            return 400, "SerializationException", "the body is not JSON"
        return None

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log(self, text):
        if self.server.log_path:
            with open(self.server.log_path, "a") as log:
                log.write(f"{time.strftime('%H:%M:%S')} {text}\n")

    def log_message(self, format, *args):
        pass


def main():
    port, access_key, secret_key, password = sys.argv[1:5]
    server = ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    server.access_key, server.secret_key, server.registry_password = access_key, secret_key, password
    server.log_path = sys.argv[5] if len(sys.argv) > 5 else None
    server.serve_forever()


if __name__ == "__main__":
    main()
