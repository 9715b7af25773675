#!/usr/bin/env python3
"""Dev through nginx, both sides in one run, same machine, same image cache state.

1. Downtime: during the deploy of the next snapshot, GET /healthz through nginx on 8080 (the test
   environment's nginx running infra/nginx-dev.conf) every 20 ms on fresh connections; count the
   failed requests and the longest run of failures. The pipeline's DeployDev against the seed's
   script (docker stop, rm, pull, run) behind the same nginx, the new image not in the local cache.
2. The whole Dev run on a code-only change, warm host and layer cache: from the start of
   `./build.sh --target=Dev` to the new version answering through nginx, and to the run's end;
   against a plain shell script doing the seed's steps (docker login, build, push, then over ssh
   pull, stop, rm, run). Where our time goes comes from Cake's task report.
Usage: bench/dev_downtime.py [RUNS]   (needs tests/env/start.sh; prints its figures last, on one line)"""
import json
import shlex
import subprocess
import sys
import threading
import time
import urllib.request

from benchlib import AppRepository, docker, environment, ensure_host, median, run_host, settings, task_seconds, unique

POLL = 0.02
SITE = "http://127.0.0.1:8080"
PORT, BACKUP_PORT = 4000, 4001


class Poller:
    """GETs a path through nginx every 20 ms; records each answer's time and body (None: failed)."""

    def __init__(self, path):
        self.url = SITE + path
        self.answers = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    body = response.read().decode() if response.status == 200 else None
            except OSError:
                body = None
            self.answers.append((started, body))
            time.sleep(max(0.0, POLL - (time.monotonic() - started)))

    def finish(self):
        self.stop.set()
        self.thread.join()
        failures = sum(1 for _, body in self.answers if body is None)
        longest, down_since = 0.0, None
        for at, body in self.answers:
            if body is None and down_since is None:
                down_since = at
            elif body is not None and down_since is not None:
                longest, down_since = max(longest, at - down_since), None
        return failures, longest

    def first(self, predicate):
        return next((at for at, body in self.answers if body is not None and predicate(body)), None)


def clear_ports():
    for port in (PORT, BACKUP_PORT):
        for container in docker("ps", "--all", "--quiet", "--filter", f"publish={port}").split():
            docker("rm", "--force", container, check=False)


def wait_answers(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(SITE + "/version", timeout=1) as response:
                if predicate(response.read().decode()):
                    return time.monotonic()
        except OSError:
            pass
        time.sleep(POLL)
    raise SystemExit("the new version did not answer through nginx")


def seed_script(env, image, sha, container, password):
    """The seed's steps as a plain script: what the pipeline replaced."""
    ssh = (f"ssh -i {shlex.quote(env['sshKeyFile'])} -p {env['sshPort']} -o BatchMode=yes -o StrictHostKeyChecking=no "
           f"-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR {env['sshUser']}@{env['sshHost']}")
    remote = (f"docker pull --quiet {image} >/dev/null; docker stop {container} >/dev/null 2>&1 || true; "
              f"docker rm {container} >/dev/null 2>&1 || true; "
              f"docker run --detach --name {container} --restart unless-stopped --publish 127.0.0.1:{PORT}:8000 {image} >/dev/null")
    return (f"set -eu\n"
            f"printf %s {shlex.quote(password)} | docker login --username AWS --password-stdin {env['registry']} >/dev/null\n"
            f"docker build --quiet --build-arg BASE_IMAGE={env['baseImage']} --build-arg VERSION=0.1.0 --build-arg COMMIT={sha} -t {image} . >/dev/null\n"
            f"docker push --quiet {image} >/dev/null\n"
            f"{ssh} {shlex.quote(remote)}\n")


def version_of(sha):
    return lambda body: f'"commit": "{sha}"' in body


runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
env = environment()
ensure_host()
results = {"pipeline_failed": [], "pipeline_gap": [], "seed_failed": [], "seed_gap": [],
           "ours_answer": [], "ours_end": [], "seed_answer": [], "seed_end": [], "tasks": []}
app = AppRepository()
clear_ports()
try:
    for run in range(runs):
        repository, container = unique("bench-dev"), unique("bench-dev-app")
        values = settings(env, repository, DEV_CONTAINER=container, DEV_HOST_PORT=str(PORT), DEV_BACKUP_PORT=str(BACKUP_PORT), HEALTH_TIMEOUT="60s")
        run_host(app, values, "--target=Dev")
        first_sha = app.git("rev-parse", "HEAD")
        first = f"{env['registry']}/{repository}:0.1.0-SNAPSHOT-{first_sha[:7]}"

        # 1. Downtime through nginx: the pipeline's DeployDev to the next snapshot, not cached.
        second_sha = app.change_code(f"downtime {run}")
        second = f"{env['registry']}/{repository}:0.1.0-SNAPSHOT-{second_sha[:7]}"
        run_host(app, values, "--target=Push")
        docker("image", "rm", second)
        poller = Poller("/healthz")
        time.sleep(0.3)
        run_host(app, values, "--target=DeployDev")
        time.sleep(0.3)
        failed, gap = poller.finish()
        results["pipeline_failed"].append(failed)
        results["pipeline_gap"].append(gap)

        # ... and the seed's order on the same images, behind the same nginx.
        docker("rm", "--force", container)
        docker("run", "--detach", "--name", container, "--publish", f"127.0.0.1:{PORT}:8000", first)
        wait_answers(version_of(first_sha))
        docker("image", "rm", second)
        poller = Poller("/healthz")
        time.sleep(0.3)
        subprocess.run(["sh", "-c", f"set -eu; docker stop {container} >/dev/null; docker rm {container} >/dev/null; "
                                    f"docker pull --quiet {second} >/dev/null; "
                                    f"docker run --detach --name {container} --publish 127.0.0.1:{PORT}:8000 {second} >/dev/null"], check=True)
        wait_answers(version_of(second_sha))
        time.sleep(0.3)
        failed, gap = poller.finish()
        results["seed_failed"].append(failed)
        results["seed_gap"].append(gap)

        # 2. The whole Dev run on a code-only change, warm host and layer cache, both sides.
        docker("rm", "--force", container)
        run_host(app, values, "--target=DeployDev")
        sha = app.change_code(f"ours {run}")
        started = time.monotonic()
        poller = Poller("/version")
        # The built host, as ./build.sh starts it once built (its freshness check adds about 10 ms),
        # here in the app's copy rather than in this checkout.
        output = run_host(app, values, "--target=Dev").stdout
        elapsed = time.monotonic() - started
        answered = wait_answers(version_of(sha))
        poller.finish()
        first_seen = poller.first(version_of(sha)) or answered
        results["ours_answer"].append(first_seen - started)
        results["ours_end"].append(elapsed)
        report = {task: task_seconds(output, task) for task in ["ReadVersion", "Login", "Build", "Push", "DeployDev"]}
        report["host start and report"] = elapsed - task_seconds(output, "Total:")
        results["tasks"].append(report)

        sha = app.change_code(f"seed {run}")
        image = f"{env['registry']}/{repository}:0.1.0-SNAPSHOT-{sha[:7]}"
        started = time.monotonic()
        subprocess.run(["bash", "-c", seed_script(env, image, sha, container, env["ecrRegistryPassword"])], cwd=app.root, check=True)
        script_end = time.monotonic()
        answered = wait_answers(version_of(sha))
        results["seed_answer"].append(answered - started)
        results["seed_end"].append(script_end - started)

        docker("rm", "--force", container, f"{container}-next", check=False)
        for image_id in docker("images", "--quiet", f"{env['registry']}/{repository}").split():
            docker("image", "rm", "--force", image_id, check=False)
finally:
    clear_ports()
    app.cleanup()

tasks = {name: median([report[name] for report in results["tasks"]]) for name in results["tasks"][0]}
ours, seed = median(results["ours_answer"]), median(results["seed_answer"])
print(json.dumps({key: value for key, value in results.items()}, indent=1), file=sys.stderr)
print(f"dev through nginx ({runs} runs each, interleaved): failed requests during the deploy: pipeline {sum(results['pipeline_failed'])}, "
      f"seed script {sum(results['seed_failed'])} (longest gap median {median(results['seed_gap']):.2f}s); "
      f"whole Dev run to the new version answering: pipeline median {ours:.2f}s, seed script {seed:.2f}s ({ours / seed:.2f}x); "
      f"to the run's end: {median(results['ours_end']):.2f}s against {median(results['seed_end']):.2f}s; "
      f"our time: " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in tasks.items()))
