#!/usr/bin/env python3
"""Dev downtime: during DeployDev from one snapshot to the next, GET 127.0.0.1:<dev-host-port>/healthz
every 50 ms and report the longest run of failures. Beside it, the seed's order done by a plain
script (stop, remove, pull, run) on the same two images, with the new image not in the local cache.
Usage: bench/dev_downtime.py [RUNS]   (needs tests/env/start.sh; prints its figures last, on one line)"""
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from benchlib import AppRepository, docker, environment, ensure_host, median, run_host, settings, unique

POLL = 0.05


class Poller:
    """Polls /healthz every 50 ms; the longest outage is the span of consecutive failures."""

    def __init__(self, port):
        self.url = f"http://127.0.0.1:{port}/healthz"
        self.longest = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        down_since = None
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                ok = urllib.request.urlopen(self.url, timeout=0.5).status == 200
            except OSError:
                ok = False
            now = time.monotonic()
            if ok and down_since is not None:
                self.longest = max(self.longest, now - down_since)
                down_since = None
            elif not ok and down_since is None:
                down_since = started
            time.sleep(max(0.0, POLL - (time.monotonic() - started)))
        if down_since is not None:
            self.longest = max(self.longest, time.monotonic() - down_since)

    def finish(self):
        self.stop.set()
        self.thread.join()
        return self.longest


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answers on {port}")


runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
env = environment()
ensure_host()
pipeline, plain = [], []
app = AppRepository()
try:
    for run in range(runs):
        repository, container, port = unique("bench-dev"), unique("bench-dev-app"), free_port()
        values = settings(env, repository, DEV_CONTAINER=container, DEV_HOST_PORT=str(port), HEALTH_TIMEOUT="60s")
        run_host(app, values, "--target=Dev")
        first = f"{env['registry']}/{repository}:0.1.0-SNAPSHOT-{app.git('rev-parse', '--short=7', 'HEAD')}"
        app.change_code(f"run {run}")
        second = f"{env['registry']}/{repository}:0.1.0-SNAPSHOT-{app.git('rev-parse', '--short=7', 'HEAD')}"
        run_host(app, values, "--target=Push")
        docker("image", "rm", second)

        # The pipeline: pull first, then replace; the new image is not in the cache before the run.
        poller = Poller(port)
        time.sleep(0.3)
        run_host(app, values, "--target=DeployDev")
        pipeline.append(poller.finish())

        # The seed's order on the same images: back to the first, the second out of the cache.
        docker("rm", "--force", container)
        docker("run", "--detach", "--name", container, "--publish", f"127.0.0.1:{port}:8000", first)
        wait_healthy(port)
        docker("image", "rm", second)
        poller = Poller(port)
        time.sleep(0.3)
        subprocess.run(["sh", "-c", f"set -eu; docker stop {container} >/dev/null; docker rm {container} >/dev/null; "
                                    f"docker pull --quiet {second} >/dev/null; "
                                    f"docker run --detach --name {container} --publish 127.0.0.1:{port}:8000 {second} >/dev/null"], check=True)
        wait_healthy(port)
        time.sleep(0.2)
        plain.append(poller.finish())
        docker("rm", "--force", container, check=False)
        for image in (first, second):
            docker("image", "rm", image, check=False)
finally:
    app.cleanup()

print(f"dev downtime ({runs} runs each, polled every 50 ms): pipeline longest outage median {median(pipeline):.2f}s "
      f"(max {max(pipeline):.2f}s); stop-remove-pull-run script {median(plain):.2f}s (max {max(plain):.2f}s)")
