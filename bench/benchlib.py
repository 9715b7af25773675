"""Shared pieces of the benchmarks: the test environment's settings, a copy of the app in a real
git repository, the host run as a user runs it, and a byte-counting TCP proxy."""
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST = os.path.join(ROOT, ".build", "host", "Build.dll")


def environment():
    path = os.path.join(ROOT, ".build", "test-env", "env.json")
    if not os.path.exists(path):
        raise SystemExit("start the test environment first: tests/env/start.sh (as root)")
    return json.load(open(path))


def ensure_host():
    subprocess.run([os.path.join(ROOT, "build.sh"), "--version"], check=True, stdout=subprocess.DEVNULL)


class AppRepository:
    """A copy of the application and its Dockerfile in a temporary git repository."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="bench-app-")
        for name in ["Dockerfile", ".dockerignore", ".gitignore", "pyproject.toml", "src", "manifests"]:
            source = os.path.join(ROOT, name)
            (shutil.copytree if os.path.isdir(source) else shutil.copy)(source, os.path.join(self.root, name))
        self.git("init", "-q")
        self.commit("the application")

    def git(self, *args):
        return subprocess.run(["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench", *args],
                              cwd=self.root, check=True, capture_output=True, text=True).stdout.strip()

    def commit(self, message):
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def change_code(self, marker):
        path = os.path.join(self.root, "src", "book_shop", "__init__.py")
        with open(path, "a") as out:
            out.write(f"# {marker}\n")
        return self.commit(f"code change {marker}")

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


def settings(env, repository, registry=None, **extra):
    values = dict(os.environ)
    for name in ["CI", "GITHUB_ACTIONS", "AWS_PROFILE"]:
        values.pop(name, None)
    values.update({
        "NO_COLOR": "1",
        "REGISTRY": registry or env["registry"], "REGISTRY_TYPE": "ecr-public", "IMAGE_REPOSITORY": repository,
        "AWS_ACCESS_KEY_ID": env["awsAccessKeyId"], "AWS_SECRET_ACCESS_KEY": env["awsSecretAccessKey"],
        "AWS_ENDPOINT_URL_ECR_PUBLIC": env["ecrEndpoint"], "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent",
        "BASE_IMAGE": env["baseImage"], "EC2_HOST": env["sshHost"], "EC2_PORT": str(env["sshPort"]), "EC2_USER": env["sshUser"],
        "EC2_SSH_KEY_FILE": env["sshKeyFile"], "EC2_HOST_KEY": env["sshHostKeyLine"],
        "GITHUB_TOKEN": env["gitHubToken"], "GITHUB_API_URL": env["gitHubApiUrl"], "GITHUB_REPOSITORY": f"bench/{repository}",
        "KUBECTL": f"{env['microk8s']} kubectl", "K8S_NAMESPACE": repository[:40],
    })
    values.update(extra)
    return values


def run_host(app, values, *args, check=True):
    result = subprocess.run(["dotnet", HOST, *args], cwd=app.root, env=values, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SystemExit(f"the host failed ({' '.join(args)}):\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}")
    return result


def task_seconds(output, task):
    """A task's duration from Cake's report table: 'Retag   00:00:00.0232544   Succeeded', or the
    run's: 'Total:   00:00:01.2345678' (no status column)."""
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == task and parts[1].count(":") == 2:
            hours, minutes, seconds = parts[1].split(":")
            return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    raise SystemExit(f"no duration for {task} in the report")


def docker(*args, check=True):
    return subprocess.run(["docker", *args], check=check, capture_output=True, text=True).stdout.strip()


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def median(values):
    return statistics.median(values)


class CountingProxy:
    """A TCP proxy on loopback that counts the bytes crossing it in both directions."""

    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.bytes = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self):
        with self.lock:
            self.bytes = 0

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                with self.lock:
                    self.bytes += len(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class FreshDockerEngine:
    """A second Docker engine with an empty data root: what a fresh CI runner's engine holds.
    It gets a bridge of its own: with --bridge=none it removed the main engine's docker0."""

    BRIDGE = "benchbr0"

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="bench-dockerd-")
        self.socket = f"unix://{self.folder}/docker.sock"
        subprocess.run(["ip", "link", "add", "name", self.BRIDGE, "type", "bridge"], check=False, capture_output=True)
        subprocess.run(["ip", "addr", "replace", "10.213.79.1/24", "dev", self.BRIDGE], check=True)
        subprocess.run(["ip", "link", "set", self.BRIDGE, "up"], check=True)
        self.process = subprocess.Popen(
            ["dockerd", "--data-root", f"{self.folder}/data", "--exec-root", f"{self.folder}/exec", "--pidfile", f"{self.folder}/pid",
             "-H", self.socket, "--bridge", self.BRIDGE, "--iptables=false"],
            stdout=open(f"{self.folder}/dockerd.log", "w"), stderr=subprocess.STDOUT)
        for _ in range(150):
            if subprocess.run(["docker", "-H", self.socket, "info"], capture_output=True).returncode == 0:
                return
            time.sleep(0.2)
        raise SystemExit(f"the fresh Docker engine did not start; see {self.folder}/dockerd.log")

    def load(self, image):
        """Copies an image from the main engine, as a runner pulls a public base image."""
        subprocess.run(f"docker save {image} | docker -H {self.socket} load --quiet", shell=True, check=True, stdout=subprocess.DEVNULL)

    def empty(self, keep):
        """Every image but `keep` removed, dangling layers included: a fresh runner's engine again."""
        listed = subprocess.run(["docker", "-H", self.socket, "images", "--quiet", "--no-trunc"],
                                capture_output=True, text=True, check=True).stdout.split()
        kept = subprocess.run(["docker", "-H", self.socket, "image", "inspect", "--format", "{{.Id}}", keep],
                              capture_output=True, text=True, check=True).stdout.strip()
        ours = sorted(set(listed) - {kept})
        if ours:
            subprocess.run(["docker", "-H", self.socket, "rmi", "--force", *ours], capture_output=True)
        subprocess.run(["docker", "-H", self.socket, "image", "prune", "--force"], capture_output=True)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        subprocess.run(["ip", "link", "delete", self.BRIDGE], check=False, capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)
