#!/usr/bin/env python3
"""A SECOND VERIFIER of cosign signatures, for tests and the MicroK8s stand-in: written from
sigstore/cosign specs/SIGNATURE_SPEC.md, in another language than the pipeline's, with
python3-cryptography for the ECDSA check. It shares no code with the pipeline; the tests require
both to agree on every signature they make, the bad ones included.

What the specification says, as implemented here:
- Discovery: the signatures of an image with digest sha256:<hex> are the OCI image manifest
  tagged sha256-<hex>.sig in the image's own repository.
- Each layer of media type application/vnd.dev.cosign.simplesigning.v1+json is one signature:
  the layer's blob is the payload (its sha256 must be the layer's digest), the annotation
  dev.cosignproject.cosign/signature its base64 signature.
- ECDSA P-256 over the SHA-256 of the payload, DER-encoded (the only scheme required).
- The payload is containers-signature(5)'s simple signing with critical.type
  "cosign container image signature"; its critical section holds exactly identity, image and
  type (consumers reject any other critical field); critical.image.docker-manifest-digest must
  be the image's digest. cosign ignores critical.identity.docker-reference; this project
  requires it to be the image's repository, so that a signature cannot move between repositories.

Findings, from the best to the most telling: verified, no-signature, other-key, malformed,
other-repository, other-digest. A payload is read only once a trusted key's signature over it
verifies; when nothing verifies, the most telling finding of all layers is reported.

  cosign_verify.py --registry HOST[:PORT] --repository PATH --digest sha256:HEX --keys cosign.pub
                   [--auth-file containers-auth.json]
prints the finding and its detail on one line; exit 0 when verified, 1 when not, 2 when the
registry could not be read.
"""
import argparse
import base64
import hashlib
import ipaddress
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
COSIGN_TYPE = "cosign container image signature"
FINDINGS = ["verified", "no-signature", "other-key", "malformed", "other-repository", "other-digest"]
MANIFEST_TYPES = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"


class RegistryError(Exception):
    pass


def strict_json(data):
    def no_duplicates(pairs):
        keys = [key for key, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate key")
        return dict(pairs)
    return json.loads(data, object_pairs_hook=no_duplicates)


def public_keys(pem_text):
    """Every PEM public key of the file; ECDSA P-256 only, as the pipeline requires."""
    keys, rest = [], pem_text
    begin, end = "-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----"
    while begin in rest:
        start = rest.index(begin)
        stop = rest.index(end, start) + len(end)
        key = serialization.load_pem_public_key(rest[start:stop].encode())
        if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
            raise ValueError("not an ECDSA P-256 public key")
        keys.append(key)
        rest = rest[stop:]
    if not keys:
        raise ValueError("no PEM public key")
    return keys


class Registry:
    """The distribution API's reads, answering Basic and Bearer challenges (anonymous without a login)."""

    def __init__(self, host, auth_file=None):
        name = host.rsplit(":", 1)[0].strip("[]")
        try:
            loopback = name == "localhost" or ipaddress.ip_address(name).is_loopback
        except ValueError:
            loopback = False
        self.base = f"{'http' if loopback else 'https'}://{host}"
        self.basic = None
        if auth_file:
            with open(auth_file) as file:
                entry = strict_json(file.read()).get("auths", {}).get(host)
            if entry:
                self.basic = "Basic " + entry["auth"]
        self.authorization = None

    def get(self, path, accept=None, repository=""):
        for attempt in range(2):
            request = urllib.request.Request(self.base + path)
            if accept:
                request.add_header("Accept", accept)
            if self.authorization:
                request.add_header("Authorization", self.authorization)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as error:
                if error.code == 404:
                    return 404, b""
                if error.code == 401 and attempt == 0:
                    self.authorization = self.answer(error.headers.get("WWW-Authenticate", ""), repository)
                    continue
                raise RegistryError(f"GET {path}: {error.code}")
        raise RegistryError(f"GET {path}: refused")

    def answer(self, challenge, repository):
        scheme, _, parameters = challenge.partition(" ")
        if scheme.lower() == "basic":
            if not self.basic:
                raise RegistryError("the registry asks for a login and none is configured")
            return self.basic
        values = {}
        for part in parameters.split(","):
            key, _, value = part.strip().partition("=")
            values[key] = value.strip('"')
        query = {"scope": f"repository:{repository}:pull"}
        if "service" in values:
            query["service"] = values["service"]
        request = urllib.request.Request(values["realm"] + "?" + urllib.parse.urlencode(query))
        if self.basic:
            request.add_header("Authorization", self.basic)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = strict_json(response.read())
        return "Bearer " + (body.get("token") or body["access_token"])


def check_payload(payload, repository, digest):
    try:
        document = strict_json(payload)
        critical = document["critical"]
        if sorted(critical) != ["identity", "image", "type"] or critical["type"] != COSIGN_TYPE:
            return "malformed", "not cosign's simple signing"
        named_digest = critical["image"]["docker-manifest-digest"]
        named_repository = critical["identity"]["docker-reference"]
        if not isinstance(named_digest, str) or not isinstance(named_repository, str):
            return "malformed", "not cosign's simple signing"
    except (ValueError, KeyError, TypeError):
        return "malformed", "not cosign's simple signing"
    if named_digest != digest:
        return "other-digest", f"names {named_digest}"
    if named_repository != repository:
        return "other-repository", f"names the repository {named_repository}"
    return "verified", "signed"


def verify(registry, host, path, digest, keys):
    """(finding, detail) for the image path@digest of the registry at host."""
    repository = f"{host}/{path}"
    status, body = registry.get(f"/v2/{path}/manifests/{digest.replace(':', '-')}.sig", MANIFEST_TYPES, path)
    if status == 404:
        return "no-signature", "no signature manifest"
    manifest = strict_json(body)
    layers = [layer for layer in manifest.get("layers", []) if isinstance(layer, dict) and layer.get("mediaType") == SIMPLE_SIGNING]
    if not layers:
        return "no-signature", "no simple-signing layer"
    worst = ("other-key", f"{len(layers)} signature(s), none by a trusted key")
    for layer in layers:
        status, payload = registry.get(f"/v2/{path}/blobs/{layer.get('digest')}", None, path)
        if status == 404 or "sha256:" + hashlib.sha256(payload).hexdigest() != layer.get("digest"):
            continue
        try:
            signature = base64.b64decode(layer.get("annotations", {}).get(SIGNATURE_ANNOTATION, ""), validate=True)
        except ValueError:
            continue
        trusted = False
        for key in keys:
            try:
                key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
                trusted = True
                break
            except InvalidSignature:
                pass
        if not trusted:
            continue
        finding = check_payload(payload, repository, digest)
        if finding[0] == "verified":
            return finding
        if FINDINGS.index(finding[0]) > FINDINGS.index(worst[0]):
            worst = finding
    return worst


def main():
    parser = argparse.ArgumentParser(description="Verify an image's cosign signature in a registry.")
    parser.add_argument("--registry", required=True)
    parser.add_argument("--repository", required=True)
    parser.add_argument("--digest", required=True)
    parser.add_argument("--keys", required=True)
    parser.add_argument("--auth-file")
    args = parser.parse_args()
    with open(args.keys) as file:
        keys = public_keys(file.read())
    try:
        finding, detail = verify(Registry(args.registry, args.auth_file), args.registry, args.repository, args.digest, keys)
    except (RegistryError, OSError, ValueError) as error:
        print(f"error: {error}")
        return 2
    print(f"{finding}: {detail}")
    return 0 if finding == "verified" else 1


if __name__ == "__main__":
    sys.exit(main())
