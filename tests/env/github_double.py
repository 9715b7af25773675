"""A local DOUBLE of the GitHub REST endpoints the pipeline uses (releases, tags and refs for
Release; deployments and their statuses for the ledger), for tests only.

Every request and every response is checked against GitHub's published OpenAPI description
(github-rest-releases.openapi.json and github-rest-deployments.openapi.json beside this file,
cut to those endpoints; their sources are in the .SOURCE.txt files). A request that does not follow it is answered 400 and
recorded in "violations", which the tests require to be empty. Served under /api/v3 as GitHub
Enterprise is, since that is where Octokit sends requests for a host other than api.github.com.

State per repository, readable at GET /_state/{owner}/{repo}: refs, tag objects, releases,
deployments (each with its statuses, newest first). As GitHub does: a deployment that does not
ask for no status checks (required_contexts: []) is refused 409, since the running workflow's
own checks are pending; a status description over 140 characters is refused 422; a `success`
status with auto_inactive (the default) makes the environment's earlier successful deployments
`inactive`.
POST /_fail/{owner}/{repo}/{count} makes the next {count} writes answer 503 (fault tests).
Usage: python3 github_double.py PORT TOKEN [LOG]
"""
import hashlib
import itertools
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

def load_descriptions(*names):
    """GitHub's description, from the cut files: their paths and components side by side."""
    spec = {"paths": {}, "components": {}}
    for name in names:
        part = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), name)))
        spec["paths"].update(part["paths"])
        for kind, entries in part.get("components", {}).items():
            spec["components"].setdefault(kind, {}).update(entries)
    return spec


SPEC = load_descriptions("github-rest-releases.openapi.json", "github-rest-deployments.openapi.json")
PREFIX = "/api/v3"
DOCS = "https://docs.github.com/rest"
LOCK = threading.Lock()
IDS = itertools.count(1000)
STATE = {}
VIOLATIONS = []


def resolve(schema):
    while isinstance(schema, dict) and "$ref" in schema:
        node = SPEC
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def check(value, schema, where):
    """The part of JSON Schema the description uses: $ref, type, nullable, required, properties,
    items, enum, oneOf/anyOf/allOf. Returns a list of problems."""
    schema = resolve(schema)
    if not schema:
        return []
    if value is None:
        return [] if schema.get("nullable") or schema.get("type") == "null" else [f"{where} is null"]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return [] if any(not check(value, option, where) for option in schema[key]) else [f"{where} matches no {key} option"]
    if "allOf" in schema:
        return [problem for part in schema["allOf"] for problem in check(value, part, where)]
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "number": (int, float)}
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{where} is not an integer"]
    elif kind in types and (not isinstance(value, types[kind]) or (kind != "boolean" and isinstance(value, bool))):
        return [f"{where} is not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where} is {value!r}, not one of {schema['enum']}"]
    problems = []
    if isinstance(value, dict):
        problems += [f"{where}.{name} is required" for name in schema.get("required", []) if name not in value]
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                problems += check(value[name], sub, f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += check(item, schema["items"], f"{where}[{index}]")
    return problems


def operation(method, path):
    for template, operations in SPEC["paths"].items():
        parts = re.split(r"\{(\w+)\}", template)
        # A git ref ("tags/v1.2.0") spans segments; every other parameter is one segment.
        pattern = "^" + "".join(re.escape(part) if index % 2 == 0 else (f"(?P<{part}>.+)" if part == "ref" else f"(?P<{part}>[^/]+)")
                                for index, part in enumerate(parts)) + "$"
        match = re.match(pattern, path)
        if match and method.lower() in operations:
            return template, operations[method.lower()], match.groupdict()
    return None, None, None


def user():
    return {key: "" for key in ["avatar_url", "events_url", "followers_url", "following_url", "gists_url", "gravatar_id", "html_url",
                                "node_id", "organizations_url", "received_events_url", "repos_url", "starred_url", "subscriptions_url", "url"]} | {
        "id": 1, "login": "github-actions[bot]", "site_admin": False, "type": "Bot"}


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self): self.handle_request("GET")
    def do_POST(self): self.handle_request("POST")
    def do_PATCH(self): self.handle_request("PATCH")
    def do_DELETE(self): self.handle_request("DELETE")

    def handle_request(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        if path.startswith("/_state/"):
            owner_repo = path[len("/_state/"):]
            with LOCK:
                return self.answer(200, STATE.get(owner_repo, {}) | {"violations": [v for v in VIOLATIONS if v.startswith(owner_repo)]}, check_with=None)
        if path.startswith("/_fail/"):
            owner, repo, count = path[len("/_fail/"):].split("/")
            with LOCK:
                self.repo_state(f"{owner}/{repo}")["fail_writes"] = int(count)
            return self.answer(204, None, check_with=None)
        if not path.startswith(PREFIX + "/"):
            return self.answer(404, {"message": "Not Found", "documentation_url": DOCS}, check_with=None)
        path = path[len(PREFIX):]
        scheme, _, credential = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() not in ("token", "bearer") or credential != self.server.token:
            return self.answer(401, {"message": "Bad credentials", "documentation_url": DOCS}, check_with=None)

        template, op, params = operation(method, path)
        if op is None:
            return self.violation(f"{method} {path}: no such operation in the description")
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return self.violation(f"{method} {path}: the body is not JSON")
        schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if schema is not None:
            if body is None and op.get("requestBody", {}).get("required"):
                return self.violation(f"{method} {template}: the body is required")
            problems = check(body, schema, "body") if body is not None else []
            if problems:
                return self.violation(f"{method} {template}: " + "; ".join(problems))

        owner_repo = f"{params['owner']}/{params['repo']}"
        with LOCK:
            state = self.repo_state(owner_repo)
            if method != "GET" and state.get("fail_writes", 0) > 0:
                state["fail_writes"] -= 1
                return self.answer(503, {"message": "Service Unavailable", "documentation_url": DOCS}, check_with=None)
            status, payload = self.route(method, template, params, body or {}, state, owner_repo)
            state["requests"].append(f"{method} {template} -> {status}")
        self.answer(status, payload, check_with=(op, str(status), owner_repo))

    def repo_state(self, owner_repo):
        return STATE.setdefault(owner_repo, {"refs": {}, "tags": {}, "releases": [], "deployments": [], "requests": []})

    def route(self, method, template, p, body, state, owner_repo):
        base = f"http://{self.headers.get('Host')}{PREFIX}/repos/{owner_repo}"
        not_found = (404, {"message": "Not Found", "documentation_url": DOCS})
        if template.endswith("/git/ref/{ref}"):
            ref = state["refs"].get("refs/" + p["ref"])
            return (200, ref) if ref else not_found
        if template.endswith("/git/refs") and method == "POST":
            if body["ref"] in state["refs"]:
                return 422, {"message": "Reference already exists", "documentation_url": DOCS}
            kind = "tag" if body["sha"] in state["tags"] else "commit"
            ref = {"ref": body["ref"], "node_id": "REF_" + body["sha"][:8], "url": f"{base}/git/{body['ref']}",
                   "object": {"type": kind, "sha": body["sha"], "url": f"{base}/git/{kind}s/{body['sha']}"}}
            state["refs"][body["ref"]] = ref
            return 201, ref
        if template.endswith("/git/tags") and method == "POST":
            sha = hashlib.sha1(json.dumps(body, sort_keys=True).encode() + str(next(IDS)).encode()).hexdigest()
            tag = {"node_id": "TAG_" + sha[:8], "tag": body["tag"], "sha": sha, "url": f"{base}/git/tags/{sha}", "message": body["message"],
                   "tagger": {"name": "github-actions[bot]", "email": "bot@example.com", "date": now()},
                   "object": {"type": body["type"], "sha": body["object"], "url": f"{base}/git/commits/{body['object']}"},
                   "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None, "verified_at": None}}
            state["tags"][sha] = tag
            return 201, tag
        if template.endswith("/git/tags/{tag_sha}"):
            tag = state["tags"].get(p["tag_sha"])
            return (200, tag) if tag else not_found
        if template.endswith("/releases") and method == "GET":
            return 200, list(reversed(state["releases"]))
        if template.endswith("/releases") and method == "POST":
            if any(r["tag_name"] == body["tag_name"] for r in state["releases"]):
                return 422, {"message": "Validation Failed", "documentation_url": DOCS,
                             "errors": [{"resource": "Release", "code": "already_exists", "field": "tag_name"}]}
            release_id = next(IDS)
            release = {"id": release_id, "node_id": f"RE_{release_id}", "tag_name": body["tag_name"],
                       "target_commitish": body.get("target_commitish", "main"), "name": body.get("name", body["tag_name"]),
                       "body": body.get("body", ""), "draft": body.get("draft", False), "prerelease": body.get("prerelease", False),
                       "created_at": now(), "published_at": now(), "author": user(), "assets": [],
                       "url": f"{base}/releases/{release_id}", "html_url": f"https://github.example/{owner_repo}/releases/tag/{body['tag_name']}",
                       "assets_url": f"{base}/releases/{release_id}/assets", "upload_url": f"{base}/releases/{release_id}/assets{{?name,label}}",
                       "tarball_url": f"{base}/tarball/{body['tag_name']}", "zipball_url": f"{base}/zipball/{body['tag_name']}"}
            state["releases"].append(release)
            return 201, release
        if template.endswith("/releases/generate-notes"):
            previous = body.get("previous_tag_name")
            changes = f"{previous}...{body['tag_name']}" if previous else f"commits/{body['tag_name']}"
            return 200, {"name": body["tag_name"], "body": f"## What's Changed\n\n**Full Changelog**: https://github.example/{owner_repo}/compare/{changes}"}
        if template.endswith("/releases/tags/{tag}"):
            release = next((r for r in state["releases"] if r["tag_name"] == p["tag"]), None)
            return (200, release) if release else not_found
        if template.endswith("/releases/latest"):
            published = [r for r in state["releases"] if not r["draft"] and not r["prerelease"]]
            return (200, published[-1]) if published else not_found
        if template.endswith("/releases/{release_id}") and method == "PATCH":
            release = next((r for r in state["releases"] if str(r["id"]) == p["release_id"]), None)
            if not release:
                return not_found
            release.update({key: value for key, value in body.items() if key in ("tag_name", "name", "body", "draft", "prerelease", "target_commitish")})
            return 200, release
        if "/deployments" in template:
            return self.deployments(method, template, p, body, state, owner_repo, base)
        return not_found

    def deployments(self, method, template, p, body, state, owner_repo, base):
        not_found = (404, {"message": "Not Found", "documentation_url": DOCS})
        public = lambda d: {key: value for key, value in d.items() if key != "statuses"}
        if template.endswith("/deployments") and method == "POST":
            if body.get("required_contexts") != []:
                return 409, {"message": f"Conflict: Commit status checks failed for {body['ref']}.", "documentation_url": DOCS}
            if body["ref"] not in {c for c in self.commits(state)} and not re.fullmatch(r"[0-9a-f]{40}", body["ref"]):
                return 422, {"message": f"No ref found for: {body['ref']}", "documentation_url": DOCS}
            deployment_id = next(IDS)
            environment = body.get("environment", "production")
            deployment = {"id": deployment_id, "node_id": f"DE_{deployment_id}", "sha": body["ref"], "ref": body["ref"],
                          "task": body.get("task", "deploy"), "payload": body.get("payload", {}), "original_environment": environment,
                          "environment": environment, "description": body.get("description") or None, "creator": user(),
                          "created_at": now(), "updated_at": now(), "url": f"{base}/deployments/{deployment_id}",
                          "statuses_url": f"{base}/deployments/{deployment_id}/statuses", "repository_url": base,
                          "transient_environment": body.get("transient_environment", False),
                          "production_environment": body.get("production_environment", environment == "production"), "statuses": []}
            state["deployments"].append(deployment)
            return 201, public(deployment)
        if template.endswith("/deployments") and method == "GET":
            query = dict(pair.split("=", 1) for pair in self.path.partition("?")[2].split("&") if "=" in pair)
            found = [public(d) for d in reversed(state["deployments"])
                     if all(d[key] == query[key] for key in ("environment", "sha", "ref", "task") if key in query)]
            page, per_page = int(query.get("page", 1)), int(query.get("per_page", 30))
            return 200, found[(page - 1) * per_page:page * per_page]
        deployment = next((d for d in state["deployments"] if str(d["id"]) == p.get("deployment_id")), None)
        if deployment is None:
            return not_found
        if template.endswith("/deployments/{deployment_id}") and method == "GET":
            return 200, public(deployment)
        if template.endswith("/statuses") and method == "GET":
            return 200, list(reversed(deployment["statuses"]))
        if template.endswith("/statuses") and method == "POST":
            if len(body.get("description", "")) > 140:
                return 422, {"message": "Validation Failed", "documentation_url": DOCS,
                             "errors": [{"resource": "DeploymentStatus", "code": "custom", "field": "description",
                                         "message": "description is too long (maximum is 140 characters)"}]}
            if body["state"] == "success" and body.get("auto_inactive", True):
                for other in state["deployments"]:
                    if other is not deployment and other["environment"] == deployment["environment"] \
                            and other["statuses"] and other["statuses"][-1]["state"] == "success":
                        other["statuses"].append(self.status(other, {"state": "inactive", "description": ""}, base))
            status = self.status(deployment, body, base)
            deployment["statuses"].append(status)
            deployment["updated_at"] = now()
            return 201, status
        return not_found

    def status(self, deployment, body, base):
        status_id = next(IDS)
        log_url = body.get("log_url") or body.get("target_url", "")
        return {"id": status_id, "node_id": f"DES_{status_id}", "state": body["state"], "creator": user(),
                "description": body.get("description", ""), "environment": deployment["environment"], "target_url": log_url,
                "log_url": log_url, "environment_url": body.get("environment_url", ""), "created_at": now(), "updated_at": now(),
                "deployment_url": deployment["url"], "repository_url": deployment["repository_url"],
                "url": f"{deployment['url']}/statuses/{status_id}"}

    @staticmethod
    def commits(state):
        """The commits the double knows of: those its refs and tags point at (a SHA is taken as it is)."""
        return {ref["object"]["sha"] for ref in state["refs"].values()} | {tag["object"]["sha"] for tag in state["tags"].values()}

    def violation(self, text):
        owner_repo = "/".join(self.path.split("?")[0][len(PREFIX) + 1:].split("/")[1:3])
        with LOCK:
            VIOLATIONS.append(f"{owner_repo}: {text}")
        self.log(f"VIOLATION {text}")
        self.answer(400, {"message": f"double: the request does not follow GitHub's description: {text}", "documentation_url": DOCS}, check_with=None)

    def answer(self, status, payload, check_with):
        if check_with is not None:
            op, code, owner_repo = check_with
            response = op.get("responses", {}).get(code) or {}
            schema = resolve(resolve(response).get("content", {}).get("application/json", {}).get("schema", {})) if response else {}
            problems = check(payload, schema, "response") if schema and payload is not None else []
            if not response:
                problems.append(f"status {code} is not described")
            if problems:
                with LOCK:
                    VIOLATIONS.append(f"{owner_repo}: double's own response: " + "; ".join(problems))
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.log(f"{self.command} {self.path} -> {status}")

    def log(self, text):
        if self.server.log_path:
            with open(self.server.log_path, "a") as log:
                log.write(f"{time.strftime('%H:%M:%S')} {text}\n")

    def log_message(self, format, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.token = sys.argv[2]
    server.log_path = sys.argv[3] if len(sys.argv) > 3 else None
    server.serve_forever()


if __name__ == "__main__":
    main()
