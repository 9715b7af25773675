#!/usr/bin/env python3
"""A STAND-IN for the single-node MicroK8s cluster on the EC2 host, for tests only: no Kubernetes
API server can run here. It plays the parts a promotion meets, with real parts where they exist:

- API server: objects arrive as the real `kubectl` client parsed them (tests/env/microk8s runs
  `kubectl label --local -f FILE -o json` and sends its output; what kubectl refuses never gets
  here), are read with a strict JSON parser (duplicate keys refused) and checked for the fields
  this stand-in acts on, with the API server's messages. Namespaces must exist; NodePorts are
  allocated cluster-wide (30000-32767) and a taken one is refused.
- Deployment controller: a revision per pod-template change (the template's hash, as
  pod-template-hash), RollingUpdate with the manifest's maxSurge / maxUnavailable (a new pod must
  turn ready before an old one goes), `rollout undo` to the previous revision, and the
  progress deadline (ProgressDeadlineExceeded when no pod turned ready or went away in time).
- kubelet: every pod really runs, with `podman kube play` (the real image pulled from the test
  registry; the pod spec as sent, so podman applies its securityContext, env, volumes), its
  readiness probe run at the spec's period and thresholds, preStop run on termination, then
  SIGTERM and the grace period. A failed pull is ImagePullBackOff, retried with back-off.
- hostpath-storage: a PersistentVolumeClaim is a directory on the node (mode 0777, as MicroK8s'
  hostpath provisioner makes it), mounted by every pod that claims it.
- kube-proxy: a Service's NodePort listens on 127.0.0.1 and forwards each connection to a ready,
  non-terminating pod that the selector picks (round robin); with none, the connection is refused.

Pods report the loopback ports they got in the annotation stand-in.book-shop.test/node-ports.

What it does not model: scheduling and several nodes (one node, every pod fits), the real
kube-proxy's iptables, liveness probes and container restarts, admission, three-way merges
(apply replaces the spec it receives), evictions and drains (a PodDisruptionBudget is checked
and stored, and has nothing to hold back), and any kind other than Namespace, Deployment,
Service, PersistentVolumeClaim and PodDisruptionBudget. Pods reach the node through a loopback port each (hostPort, which the
stand-in adds), where a cluster would give each pod an IP.

Admission: one policy, sigstore's policy-controller with the ClusterImagePolicy objects of
IMAGE_POLICY_FILE (YAML read with PyYAML's safe loader; fields it does not act on refused). An
image that a policy's glob covers must carry a cosign signature by one of its keys, checked by
tests/env/cosign_verify.py against the registry (a tag is resolved to its digest first, as the
policy-controller does); otherwise the Deployment is refused at apply or set image with the
webhook's words, and no pod of it ever starts. The real controller only looks at namespaces
labelled policy.sigstore.dev/include=true; here every namespace is.

Run as root: tests/env/microk8s_cluster.py STATE_DIR REGISTRY_AUTH_FILE [IMAGE_POLICY_FILE POLICY_AUTH_FILE]
(the policy controller's own registry login, apart from the node's). It listens on
STATE_DIR/api.sock (one JSON request a connection, one JSON answer) and logs to STATE_DIR/cluster.log.
"""
import copy
import datetime
import fnmatch
import hashlib
import json
import os
import random
import re
import signal
import socket
import socketserver
import string
import subprocess
import sys
import threading
import time
import urllib.request

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cosign_verify  # noqa: E402  (the second verifier, beside this file)

STATE = sys.argv[1] if len(sys.argv) > 1 else "."
AUTH_FILE = sys.argv[2] if len(sys.argv) > 2 else ""
POLICY_FILE = sys.argv[3] if len(sys.argv) > 3 else ""
POLICY_AUTH_FILE = sys.argv[4] if len(sys.argv) > 4 else ""
POD_LABEL = "book-shop.test/stand-in"
LOCK = threading.RLock()


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def log(message):
    with open(os.path.join(STATE, "cluster.log"), "a") as out:
        out.write(f"{now()} {message}\n")


class ApiError(Exception):
    """An answer the API server gives as `Error from server (Reason): message`."""

    def __init__(self, reason, message):
        super().__init__(f"Error from server ({reason}): {message}")


def invalid(kind, name, field, value, detail):
    return ApiError("Invalid", f'{kind} "{name}" is invalid: {field}: Invalid value: {json.dumps(value)}: {detail}')


def require(obj, path, kind, name, expected_type):
    value = obj
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise ApiError("Invalid", f'{kind} "{name}" is invalid: {path}: Required value')
        value = value[part]
    if not isinstance(value, expected_type) or (expected_type is int and isinstance(value, bool)):
        raise invalid(kind, name, path, value, f"must be of type {expected_type.__name__}")
    return value


def split_image(image):
    """(repository, digest or None) of an image reference: registry/path[:tag][@digest]."""
    repository, _, digest = image.partition("@")
    if repository.rfind(":") > repository.rfind("/"):
        repository = repository[: repository.rfind(":")]
    return repository, digest or None


class ImagePolicy:
    """sigstore policy-controller's admission for keyed ClusterImagePolicy objects (see the header)."""

    def __init__(self, path):
        self.policies = []
        if not path:
            return
        with open(path) as file:
            documents = [document for document in yaml.safe_load_all(file) if document is not None]
        for document in documents:
            if (document.get("apiVersion"), document.get("kind")) != ("policy.sigstore.dev/v1beta1", "ClusterImagePolicy"):
                raise ValueError(f"{path}: only policy.sigstore.dev/v1beta1 ClusterImagePolicy objects, not {document.get('kind')}")
            spec = document["spec"]
            if set(spec) - {"images", "authorities"}:
                raise ValueError(f"{path}: the stand-in acts on spec.images and spec.authorities only, not {sorted(set(spec) - {'images', 'authorities'})}")
            globs = [image["glob"] for image in spec["images"]]
            keys = []
            for authority in spec["authorities"]:
                if set(authority) - {"name", "key"} or set(authority["key"]) != {"data"}:
                    raise ValueError(f"{path}: the stand-in takes authorities with key.data only")
                keys.extend(cosign_verify.public_keys(authority["key"]["data"]))
            self.policies.append((document["metadata"]["name"], globs, keys))

    def admit(self, kind, name, template):
        for index, container in enumerate(template["spec"]["containers"]):
            image = container["image"]
            repository, digest = split_image(image)
            for policy, globs, keys in self.policies:
                if not any(fnmatch.fnmatchcase(repository, pattern) for pattern in globs):
                    continue
                host, _, path = repository.partition("/")
                registry = cosign_verify.Registry(host, POLICY_AUTH_FILE)
                try:
                    digest = digest or self.resolve(registry, path, image)
                    finding, detail = cosign_verify.verify(registry, host, path, digest, keys)
                except (cosign_verify.RegistryError, OSError, ValueError) as error:
                    finding, detail = "unreadable", str(error)
                log(f"admission {kind} {name} {image}: {finding} ({detail})")
                if finding != "verified":
                    raise ApiError("BadRequest", f'admission webhook "policy.sigstore.dev" denied the request: validation failed: failed policy: {policy}: '
                                   f'spec.template.spec.containers[{index}].image {image}: signature key validation failed: {finding}: {detail}')

    @staticmethod
    def resolve(registry, path, image):
        tag = image.rsplit(":", 1)[1] if image.rfind(":") > image.rfind("/") else "latest"
        status, body = registry.get(f"/v2/{path}/manifests/{tag}", cosign_verify.MANIFEST_TYPES, path)
        if status == 404:
            raise ValueError(f"{image} is not in the registry")
        return "sha256:" + hashlib.sha256(body).hexdigest()


POLICY = None


def podman(*args, check=False, timeout=120):
    # The node's registry login is its own: a home of its own keeps podman from falling back on
    # root's ~/.docker/config.json, where the pipeline's own `docker login` lands in the tests.
    home = os.path.join(STATE, "node-home")
    os.makedirs(home, exist_ok=True)
    environment = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"))
    environment.pop("DOCKER_CONFIG", None)
    if AUTH_FILE:
        environment["REGISTRY_AUTH_FILE"] = AUTH_FILE
    result = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout, env=environment)
    if check and result.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args)}: {result.stderr.strip()}")
    return result


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def template_hash(template):
    return hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]


def matches(selector, labels):
    return all(labels.get(key) == value for key, value in selector.items())


class Pod:
    def __init__(self, namespace, deployment, revision_hash, template):
        suffix = "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(5))
        self.namespace = namespace
        self.deployment = deployment
        self.hash = revision_hash
        self.name = f"{deployment}-{revision_hash}-{suffix}"
        self.podman_name = f"{namespace}--{self.name}"
        self.template = copy.deepcopy(template)
        self.labels = {**template["metadata"].get("labels", {}), "pod-template-hash": revision_hash}
        self.created = now()
        self.phase = "Pending"
        self.waiting_reason = "ContainerCreating"
        self.ready = False
        self.started = False
        self.deletion_timestamp = None
        self.ports = {}  # containerPort -> loopback port on the node
        self.named_ports = {}
        self.image_ids = {}
        self.gone = False

    @property
    def terminating(self):
        return self.deletion_timestamp is not None

    def container_names(self):
        return [c["name"] for c in self.template["spec"]["containers"]]

    def to_json(self):
        containers = self.template["spec"]["containers"]
        statuses = []
        for container in containers:
            state = {"running": {"startedAt": self.created}} if self.started else {"waiting": {"reason": self.waiting_reason}}
            statuses.append({
                "name": container["name"], "image": container["image"],
                "imageID": self.image_ids.get(container["name"], ""),
                "ready": self.ready, "started": self.started, "restartCount": 0, "state": state,
            })
        metadata = {
            "name": self.name, "namespace": self.namespace, "labels": self.labels,
            "creationTimestamp": self.created,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{self.deployment}-{self.hash}",
                                 "uid": self.hash, "controller": True}],
        }
        if self.deletion_timestamp:
            metadata["deletionTimestamp"] = self.deletion_timestamp
        if self.named_ports:
            # Where a cluster gives each pod an IP, the stand-in gives it a loopback port per
            # container port; tests use this to reach one pod directly.
            metadata["annotations"] = {"stand-in.book-shop.test/node-ports": json.dumps(self.named_ports, sort_keys=True)}
        return {
            "apiVersion": "v1", "kind": "Pod", "metadata": metadata,
            "spec": {**self.template["spec"], "nodeName": "stand-in-node"},
            "status": {
                "phase": self.phase,
                "conditions": [{"type": "Ready", "status": "True" if self.ready else "False"}],
                "containerStatuses": statuses,
            },
        }


class Cluster:
    def __init__(self):
        self.namespaces = {"default", "kube-system"}
        self.deployments = {}  # (ns, name) -> dict
        self.services = {}  # (ns, name) -> dict
        self.claims = {}  # (ns, name) -> directory
        self.budgets = {}  # (ns, name) -> the PodDisruptionBudget as applied
        self.pods = []
        self.events = []
        self.node_ports = {}  # port -> (ns, name)
        self.proxies = {}  # port -> server
        self.stopping = False

    # --- events -------------------------------------------------------------------------
    def event(self, namespace, kind, name, event_type, reason, message):
        with LOCK:
            self.events.append({"namespace": namespace, "lastTimestamp": now(), "type": event_type, "reason": reason,
                                "object": f"{kind}/{name}", "message": message, "time": time.time()})
            del self.events[:-500]
        log(f"event {namespace} {kind}/{name} {reason}: {message}")

    # --- API server ---------------------------------------------------------------------
    def create_namespace(self, name):
        with LOCK:
            if name in self.namespaces:
                raise ApiError("AlreadyExists", f'namespaces "{name}" already exists')
            self.namespaces.add(name)
        return [f"namespace/{name} created"]

    def delete_namespace(self, name):
        with LOCK:
            if name not in self.namespaces:
                raise ApiError("NotFound", f'namespaces "{name}" not found')
            self.namespaces.discard(name)
            for key in [k for k in self.deployments if k[0] == name]:
                del self.deployments[key]
            for key in [k for k in self.budgets if k[0] == name]:
                del self.budgets[key]
            for key in [k for k in self.services if k[0] == name]:
                self.release_node_ports(key)
                del self.services[key]
            pods = [p for p in self.pods if p.namespace == name]
        for pod in pods:
            self.terminate(pod, grace=0)
        with LOCK:
            for key in [k for k in self.claims if k[0] == name]:
                subprocess.run(["rm", "-rf", self.claims.pop(key)])
        return [f'namespace "{name}" deleted']

    def apply(self, namespace, objects):
        with LOCK:
            if namespace not in self.namespaces:
                raise ApiError("NotFound", f'namespaces "{namespace}" not found')
            for obj in objects:
                if obj.get("metadata", {}).get("namespace", namespace) != namespace:
                    raise ApiError("BadRequest", "the namespace from the provided object does not match the namespace sent on the request")
            # Checked whole before anything changes, as `kubectl apply` would be refused per object;
            # refusing the whole set keeps a test from passing on half an apply.
            checked = [self.check(obj) for obj in objects]
            return [apply(namespace) for _, apply in checked]

    def check(self, obj):
        kind = obj.get("kind")
        name = require(obj, "metadata.name", kind, "", str)
        handlers = {("apps/v1", "Deployment"): self.check_deployment, ("v1", "Service"): self.check_service,
                    ("v1", "PersistentVolumeClaim"): self.check_claim, ("policy/v1", "PodDisruptionBudget"): self.check_budget}
        handler = handlers.get((obj.get("apiVersion"), kind))
        if handler is None:
            raise ApiError("BadRequest", f'the stand-in does not serve {obj.get("apiVersion")}/{kind} ("{name}")')
        return obj, handler(obj, name)

    def check_deployment(self, obj, name):
        kind = "Deployment"
        replicas = obj["spec"].get("replicas", 1) if isinstance(obj.get("spec"), dict) else 1
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            raise invalid(kind, name, "spec.replicas", replicas, "must be greater than or equal to 0")
        selector = require(obj, "spec.selector.matchLabels", kind, name, dict)
        template = require(obj, "spec.template", kind, name, dict)
        labels = require(template, "metadata.labels", kind, name, dict)
        if not matches(selector, labels):
            raise invalid(kind, name, "spec.template.metadata.labels", labels, "`selector` does not match template `labels`")
        containers = require(template, "spec.containers", kind, name, list)
        if not containers:
            raise ApiError("Invalid", f'{kind} "{name}" is invalid: spec.template.spec.containers: Required value')
        for index, container in enumerate(containers):
            require(container, "name", kind, name, str)
            require(container, "image", kind, name, str)
            for port in container.get("ports", []):
                require(port, "containerPort", kind, name, int)
        POLICY.admit(kind, name, template)
        strategy = obj["spec"].get("strategy", {}).get("rollingUpdate", {})
        for field in ("maxSurge", "maxUnavailable"):
            value = strategy.get(field, 1 if field == "maxSurge" else 0)
            if not isinstance(value, int):
                raise invalid(kind, name, f"spec.strategy.rollingUpdate.{field}", value, "the stand-in takes whole numbers only")
        return lambda namespace: self.apply_deployment(namespace, name, obj)

    def check_service(self, obj, name):
        kind = "Service"
        selector = require(obj, "spec.selector", kind, name, dict)
        ports = require(obj, "spec.ports", kind, name, list)
        for index, port in enumerate(ports):
            require(port, "port", kind, name, int)
            node_port = port.get("nodePort")
            if node_port is not None and (not isinstance(node_port, int) or not 30000 <= node_port <= 32767):
                raise invalid(kind, name, f"spec.ports[{index}].nodePort", node_port, "provided port is not in the valid range. The range of valid ports is 30000-32767")
        del selector
        return lambda namespace: self.apply_service(namespace, name, obj)

    def check_claim(self, obj, name):
        kind = "PersistentVolumeClaim"
        require(obj, "spec.accessModes", kind, name, list)
        require(obj, "spec.resources.requests.storage", kind, name, str)
        storage_class = obj["spec"].get("storageClassName", "microk8s-hostpath")
        if storage_class != "microk8s-hostpath":
            raise invalid(kind, name, "spec.storageClassName", storage_class, "the stand-in has only microk8s-hostpath (the hostpath-storage addon)")
        return lambda namespace: self.apply_claim(namespace, name, obj)

    def check_budget(self, obj, name):
        kind = "PodDisruptionBudget"
        require(obj, "spec.selector.matchLabels", kind, name, dict)
        spec = obj["spec"]
        if ("minAvailable" in spec) == ("maxUnavailable" in spec):
            raise invalid(kind, name, "spec", spec, "exactly one of minAvailable and maxUnavailable must be set")
        for field in ("minAvailable", "maxUnavailable"):
            value = spec.get(field)
            if value is None:
                continue
            if isinstance(value, bool) or not (isinstance(value, int) and value >= 0 or isinstance(value, str) and re.fullmatch(r"[0-9]+%", value)):
                raise invalid(kind, name, f"spec.{field}", value, "must be a non-negative integer or a percentage")
        return lambda namespace: self.apply_budget(namespace, name, obj)

    def apply_budget(self, namespace, name, obj):
        # Stored as the API server stores it; the stand-in has no evictions (no drains) to hold back.
        key = (namespace, name)
        existing = self.budgets.get(key)
        self.budgets[key] = obj
        if existing is None:
            return f"poddisruptionbudget.policy/{name} created"
        return f"poddisruptionbudget.policy/{name} {'unchanged' if existing == obj else 'configured'}"

    def apply_deployment(self, namespace, name, obj):
        key = (namespace, name)
        spec = obj["spec"]
        template = spec["template"]
        revision_hash = template_hash(template)
        existing = self.deployments.get(key)
        if existing is None:
            self.deployments[key] = {
                "namespace": namespace, "name": name, "spec": spec, "labels": obj["metadata"].get("labels", {}),
                "hash": revision_hash, "revisions": {revision_hash: 1}, "templates": {revision_hash: template},
                "revision": 1, "progress_at": time.time(), "deadline_exceeded": False, "generation": 1,
            }
            self.event(namespace, "deployment", name, "Normal", "ScalingReplicaSet", f"Scaled up replica set {name}-{revision_hash}")
            return f"deployment.apps/{name} created"
        changed = json.dumps(existing["spec"], sort_keys=True) != json.dumps(spec, sort_keys=True)
        existing["spec"] = spec
        if changed:
            existing["generation"] += 1
        if self.switch_template(existing, template):
            return f"deployment.apps/{name} configured"
        return f"deployment.apps/{name} {'configured' if changed else 'unchanged'}"

    def switch_template(self, deployment, template):
        """A new revision when the pod template changes, as the Deployment controller numbers them."""
        revision_hash = template_hash(template)
        if revision_hash == deployment["hash"]:
            return False
        deployment["revision"] += 1
        deployment["hash"] = revision_hash
        deployment["revisions"][revision_hash] = deployment["revision"]
        deployment["templates"][revision_hash] = copy.deepcopy(template)
        deployment["spec"]["template"] = copy.deepcopy(template)
        deployment["progress_at"] = time.time()
        deployment["deadline_exceeded"] = False
        self.event(deployment["namespace"], "deployment", deployment["name"], "Normal", "ScalingReplicaSet",
                   f"Scaled up replica set {deployment['name']}-{revision_hash} (revision {deployment['revision']})")
        return True

    def apply_service(self, namespace, name, obj):
        key = (namespace, name)
        wanted = [p["nodePort"] for p in obj["spec"]["ports"] if "nodePort" in p]
        for port in wanted:
            holder = self.node_ports.get(port)
            if holder is not None and holder != key:
                raise invalid("Service", name, "spec.ports[0].nodePort", port, "provided port is already allocated")
        existing = self.services.get(key)
        self.services[key] = obj
        self.release_node_ports(key, keep=wanted)
        for port in wanted:
            if port not in self.proxies:
                self.node_ports[port] = key
                self.proxies[port] = NodePortProxy(self, port)
        if existing is None:
            return f"service/{name} created"
        return f"service/{name} {'unchanged' if existing == obj else 'configured'}"

    def release_node_ports(self, key, keep=()):
        for port in [p for p, holder in self.node_ports.items() if holder == key and p not in keep]:
            del self.node_ports[port]
            self.proxies.pop(port).close()

    def apply_claim(self, namespace, name, obj):
        key = (namespace, name)
        if key in self.claims:
            return f"persistentvolumeclaim/{name} unchanged"
        directory = os.path.join(STATE, "hostpath", f"{namespace}-{name}")
        os.makedirs(directory, exist_ok=True)
        os.chmod(directory, 0o777)
        self.claims[key] = directory
        return f"persistentvolumeclaim/{name} created"

    def deployment(self, namespace, name):
        found = self.deployments.get((namespace, name))
        if found is None:
            raise ApiError("NotFound", f'deployments.apps "{name}" not found')
        return found

    def set_image(self, namespace, name, container, image):
        with LOCK:
            deployment = self.deployment(namespace, name)
            template = copy.deepcopy(deployment["spec"]["template"])
            slots = [c for c in template["spec"]["containers"] if c["name"] == container]
            if not slots:
                raise ApiError("BadRequest", f'unable to find container named "{container}"')
            slots[0]["image"] = image
            POLICY.admit("Deployment", name, template)
            changed = self.switch_template(deployment, template)
            return [f"deployment.apps/{name} image updated"] if changed else []

    def undo(self, namespace, name):
        with LOCK:
            deployment = self.deployment(namespace, name)
            earlier = sorted(((revision, h) for h, revision in deployment["revisions"].items() if h != deployment["hash"]), reverse=True)
            if not earlier:
                raise ApiError("BadRequest", f'no rollout history found for deployment "{name}"')
            previous_hash = earlier[0][1]
            POLICY.admit("Deployment", name, deployment["templates"][previous_hash])
            del deployment["revisions"][previous_hash]
            self.switch_template(deployment, deployment["templates"][previous_hash])
            return [f"deployment.apps/{name} rolled back"]

    def status(self, namespace, name):
        with LOCK:
            deployment = self.deployment(namespace, name)
            pods = [p for p in self.pods if p.namespace == namespace and p.deployment == name and not p.terminating]
            updated = [p for p in pods if p.hash == deployment["hash"]]
            return {
                "replicas": len(pods), "updatedReplicas": len(updated),
                "availableReplicas": len([p for p in updated if p.ready]),
                "readyReplicas": len([p for p in pods if p.ready]),
                "desired": deployment["spec"].get("replicas", 1),
                "revision": deployment["revision"],
                "deadlineExceeded": deployment["deadline_exceeded"],
                "image": [c["image"] for c in deployment["spec"]["template"]["spec"]["containers"]],
            }

    def deployment_json(self, namespace, name):
        with LOCK:
            deployment = self.deployment(namespace, name)
            status = self.status(namespace, name)
            return {
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": namespace, "labels": deployment["labels"], "generation": deployment["generation"],
                             "annotations": {"deployment.kubernetes.io/revision": str(deployment["revision"])}},
                "spec": deployment["spec"],
                "status": {"observedGeneration": deployment["generation"], "replicas": status["replicas"],
                           "updatedReplicas": status["updatedReplicas"], "readyReplicas": status["readyReplicas"],
                           "availableReplicas": status["availableReplicas"],
                           "conditions": [{"type": "Progressing", "status": "False" if deployment["deadline_exceeded"] else "True",
                                           "reason": "ProgressDeadlineExceeded" if deployment["deadline_exceeded"] else "ReplicaSetUpdated"}]},
            }

    def pods_json(self, namespace, selector):
        with LOCK:
            return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
                    "items": [p.to_json() for p in self.pods if p.namespace == namespace and matches(selector, p.labels)]}

    def events_in(self, namespace):
        with LOCK:
            return [e for e in self.events if e["namespace"] == namespace]

    # --- Deployment controller ----------------------------------------------------------
    def reconcile(self):
        with LOCK:
            deployments = list(self.deployments.values())
        for deployment in deployments:
            self.reconcile_one(deployment)

    def reconcile_one(self, deployment):
        namespace, name = deployment["namespace"], deployment["name"]
        to_start, to_stop = [], []
        with LOCK:
            if (namespace, name) not in self.deployments:
                return
            spec = deployment["spec"]
            desired = spec.get("replicas", 1)
            rolling = spec.get("strategy", {}).get("rollingUpdate", {})
            surge, unavailable = rolling.get("maxSurge", 1), rolling.get("maxUnavailable", 0)
            pods = [p for p in self.pods if p.namespace == namespace and p.deployment == name and not p.terminating]
            current = [p for p in pods if p.hash == deployment["hash"]]
            old = [p for p in pods if p.hash != deployment["hash"]]
            ready = len([p for p in pods if p.ready])
            if len(current) < desired and len(pods) < desired + surge:
                to_start.append(Pod(namespace, name, deployment["hash"], deployment["spec"]["template"]))
                self.pods.append(to_start[-1])
            for pod in sorted(old, key=lambda p: p.ready):
                if ready - (1 if pod.ready else 0) >= desired - unavailable:
                    ready -= 1 if pod.ready else 0
                    pod.deletion_timestamp = now()
                    to_stop.append(pod)
            for pod in current[desired:] if not old else []:
                pod.deletion_timestamp = now()
                to_stop.append(pod)
            counts = (len(current), len([p for p in current if p.ready]), len(old))
            if counts != deployment.get("counts"):
                deployment["counts"] = counts
                deployment["progress_at"] = time.time()
            complete = counts[0] == desired and counts[1] == desired and not old
            deadline = spec.get("progressDeadlineSeconds", 600)
            if complete:
                deployment["deadline_exceeded"] = False
            elif not deployment["deadline_exceeded"] and time.time() - deployment["progress_at"] > deadline:
                deployment["deadline_exceeded"] = True
                self.event(namespace, "deployment", name, "Warning", "ProgressDeadlineExceeded",
                           f'Deployment "{name}" has timed out progressing.')
        for pod in to_start:
            self.event(namespace, "pod", pod.name, "Normal", "Scheduled", f"Successfully assigned {namespace}/{pod.name} to stand-in-node")
            threading.Thread(target=Kubelet(self, pod).run, daemon=True).start()
        for pod in to_stop:
            threading.Thread(target=self.terminate, args=(pod,), daemon=True).start()

    def terminate(self, pod, grace=None):
        """kubelet's termination: out of the endpoints at once, preStop, SIGTERM, the grace period, gone."""
        with LOCK:
            pod.deletion_timestamp = pod.deletion_timestamp or now()
            pod.ready = False
        spec = pod.template["spec"]
        grace = spec.get("terminationGracePeriodSeconds", 30) if grace is None else grace
        started = time.time()
        if pod.started and grace > 0:
            for container in spec["containers"]:
                command = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command")
                if command:
                    try:
                        podman("exec", f"{pod.podman_name}-{container['name']}", *command, timeout=grace)
                    except subprocess.TimeoutExpired:
                        pass
        remaining = max(0, int(grace - (time.time() - started)))
        self.event(pod.namespace, "pod", pod.name, "Normal", "Killing", f"Stopping container(s) {', '.join(pod.container_names())}")
        podman("pod", "stop", "--time", str(remaining), pod.podman_name, timeout=remaining + 60)
        podman("pod", "rm", "--force", pod.podman_name)
        with LOCK:
            pod.gone = True
            if pod in self.pods:
                self.pods.remove(pod)

    def ready_endpoints(self, service_key, node_port):
        with LOCK:
            service = self.services.get(service_key)
            if service is None:
                return []
            port = next(p for p in service["spec"]["ports"] if p.get("nodePort") == node_port)
            target = port.get("targetPort", port["port"])
            endpoints = []
            for pod in self.pods:
                if pod.namespace == service_key[0] and pod.ready and not pod.terminating and matches(service["spec"]["selector"], pod.labels):
                    host_port = pod.named_ports.get(target) if isinstance(target, str) else pod.ports.get(target)
                    if host_port:
                        endpoints.append(host_port)
            return endpoints

    def shutdown(self):
        self.stopping = True
        with LOCK:
            pods = list(self.pods)
            for proxy in self.proxies.values():
                proxy.close()
        for pod in pods:
            podman("pod", "rm", "--force", "--time", "0", pod.podman_name)


class Kubelet:
    """Runs one pod with podman and probes its readiness until it is terminated."""

    def __init__(self, cluster, pod):
        self.cluster = cluster
        self.pod = pod

    def run(self):
        pod = self.pod
        try:
            manifest = self.podman_manifest()
        except ApiError as error:
            pod.waiting_reason = "CreateContainerConfigError"
            self.cluster.event(pod.namespace, "pod", pod.name, "Warning", "FailedMount", str(error))
            return
        path = os.path.join(STATE, "pods", f"{pod.podman_name}.json")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as out:
            json.dump(manifest, out, indent=2)
        backoff = 2
        while not pod.terminating and not self.cluster.stopping:
            result = podman("kube", "play", "--tls-verify=false", path, timeout=300)
            if result.returncode == 0:
                break
            podman("pod", "rm", "--force", "--time", "0", pod.podman_name)
            lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
            reason = lines[-1] if lines else f"podman exited {result.returncode}"
            pull_failed = "initializing source" in reason or "pull" in reason.lower()
            pod.waiting_reason = "ImagePullBackOff" if pull_failed else "CreateContainerError"
            images = ", ".join(c["image"] for c in pod.template["spec"]["containers"])
            if pull_failed:
                self.cluster.event(pod.namespace, "pod", pod.name, "Warning", "Failed", f'Failed to pull image "{images}": {reason}')
                self.cluster.event(pod.namespace, "pod", pod.name, "Normal", "BackOff", f'Back-off pulling image "{images}"')
            else:
                self.cluster.event(pod.namespace, "pod", pod.name, "Warning", "Failed", reason)
            time.sleep(backoff)
            backoff = min(backoff * 2, 20)
        if pod.terminating:
            podman("pod", "rm", "--force", "--time", "0", pod.podman_name)
            return
        with LOCK:
            pod.phase, pod.started = "Running", True
        for container in pod.template["spec"]["containers"]:
            inspected = podman("inspect", "--format", "{{.ImageDigest}}", f"{pod.podman_name}-{container['name']}")
            repository, _ = split_image(container["image"])
            pod.image_ids[container["name"]] = f"{repository}@{inspected.stdout.strip()}"
        self.cluster.event(pod.namespace, "pod", pod.name, "Normal", "Started", "Started container(s) " + ", ".join(pod.container_names()))
        self.probe_readiness()

    def podman_manifest(self):
        pod = self.pod
        spec = copy.deepcopy(pod.template["spec"])
        for container in spec["containers"]:
            for port in container.get("ports", []):
                host_port = free_port()
                pod.ports[port["containerPort"]] = host_port
                if "name" in port:
                    pod.named_ports[port["name"]] = host_port
                port["hostPort"], port["hostIP"] = host_port, "127.0.0.1"
        for volume in spec.get("volumes", []):
            claim = volume.pop("persistentVolumeClaim", None)
            if claim is not None:
                directory = self.cluster.claims.get((pod.namespace, claim["claimName"]))
                if directory is None:
                    raise ApiError("NotFound", f'persistentvolumeclaim "{claim["claimName"]}" not found')
                volume["hostPath"] = {"path": directory, "type": "Directory"}
        labels = {**pod.labels, POD_LABEL: "true"}
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": pod.podman_name, "labels": labels}, "spec": spec}

    def probe_readiness(self):
        pod = self.pod
        container = pod.template["spec"]["containers"][0]
        probe = container.get("readinessProbe")
        if probe is None:
            pod.ready = True
            return
        http = probe["httpGet"]
        port = pod.named_ports.get(http["port"]) if isinstance(http["port"], str) else pod.ports.get(http["port"])
        url = f"http://127.0.0.1:{port}{http.get('path', '/')}"
        period, timeout = probe.get("periodSeconds", 10), probe.get("timeoutSeconds", 1)
        failures_needed, successes_needed = probe.get("failureThreshold", 3), probe.get("successThreshold", 1)
        time.sleep(probe.get("initialDelaySeconds", 0))
        failures = successes = 0
        while not pod.terminating and not self.cluster.stopping:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    ok = 200 <= response.status < 400
            except Exception:
                ok = False
            with LOCK:
                if pod.terminating:
                    return
                if ok:
                    successes, failures = successes + 1, 0
                    if successes >= successes_needed and not pod.ready:
                        pod.ready = True
                else:
                    failures, successes = failures + 1, 0
                    if failures >= failures_needed and pod.ready:
                        pod.ready = False
            if not ok:
                self.cluster.event(pod.namespace, "pod", pod.name, "Warning", "Unhealthy", f"Readiness probe failed: GET {http.get('path', '/')}")
            time.sleep(period)


class NodePortProxy:
    """kube-proxy for one NodePort: each connection goes to one ready pod, round robin."""

    def __init__(self, cluster, port):
        self.cluster, self.port, self.turn = cluster, port, 0
        self.listener = socket.create_server(("127.0.0.1", port), reuse_port=False, backlog=128)
        self.open = True
        threading.Thread(target=self.accept, daemon=True).start()

    def close(self):
        self.open = False
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        except OSError:
            pass
        self.listener.close()

    def accept(self):
        while self.open:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.forward, args=(client,), daemon=True).start()

    def forward(self, client):
        with LOCK:
            key = self.cluster.node_ports.get(self.port)
            endpoints = self.cluster.ready_endpoints(key, self.port) if key else []
            self.turn += 1
        if not endpoints:
            # No ready endpoint: kube-proxy rejects, the client sees a refused or reset connection.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            client.close()
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", endpoints[self.turn % len(endpoints)]), timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)

        def pipe(source, sink):
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass
            finally:
                for end in (sink,):
                    try:
                        end.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass

        back = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
        back.start()
        pipe(client, upstream)
        back.join()
        client.close()
        upstream.close()


class Api(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def strict_json(text):
    def no_duplicates(pairs):
        keys = [key for key, _ in pairs]
        duplicates = {key for key in keys if keys.count(key) > 1}
        if duplicates:
            raise ValueError(f"duplicate key(s) {sorted(duplicates)}")
        return dict(pairs)
    return json.loads(text, object_pairs_hook=no_duplicates)


def handler_for(cluster):
    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            try:
                request = strict_json(self.rfile.readline().decode())
                answer = {"ok": True, "result": dispatch(cluster, request)}
            except ApiError as error:
                answer = {"ok": False, "error": str(error)}
            except Exception as error:  # a stand-in bug: say so, never pass silently
                log(f"stand-in error: {error!r}")
                answer = {"ok": False, "error": f"stand-in error: {error!r}"}
            self.wfile.write((json.dumps(answer) + "\n").encode())
    return Handler


def dispatch(cluster, request):
    verb, namespace = request["verb"], request.get("namespace", "default")
    if verb == "apply":
        return cluster.apply(namespace, request["objects"])
    if verb == "create-namespace":
        return cluster.create_namespace(request["name"])
    if verb == "delete-namespace":
        return cluster.delete_namespace(request["name"])
    if verb == "set-image":
        return cluster.set_image(namespace, request["name"], request["container"], request["image"])
    if verb == "undo":
        return cluster.undo(namespace, request["name"])
    if verb == "status":
        return cluster.status(namespace, request["name"])
    if verb == "deployment":
        return cluster.deployment_json(namespace, request["name"])
    if verb == "pods":
        return cluster.pods_json(namespace, request.get("selector", {}))
    if verb == "events":
        return cluster.events_in(namespace)
    raise ApiError("BadRequest", f"unknown request {verb}")


def main():
    global POLICY
    os.makedirs(STATE, exist_ok=True)
    POLICY = ImagePolicy(POLICY_FILE)
    cluster = Cluster()
    path = os.path.join(STATE, "api.sock")
    if os.path.exists(path):
        os.remove(path)
    server = Api(path, handler_for(cluster))
    os.chmod(path, 0o666)

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def controller():
        while not cluster.stopping:
            try:
                cluster.reconcile()
            except Exception as error:
                log(f"controller error: {error!r}")
            time.sleep(0.2)

    threading.Thread(target=controller, daemon=True).start()
    log("stand-in cluster up")
    try:
        server.serve_forever()
    finally:
        cluster.shutdown()
        os.remove(path)
        log("stand-in cluster stopped")


if __name__ == "__main__":
    main()
