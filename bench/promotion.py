#!/usr/bin/env python3
"""Promotion: Retag in registry mode (the manifest's bytes under a second tag) against docker mode
(pull, tag, push: the seed's way), for the real book-shop image, with an empty local image cache
as on a fresh CI runner: docker mode talks to a second Docker engine whose data root is empty. Wall time of the Retag task (from Cake's report) and bytes moved through
a counting proxy in front of the real registry; the digests must be identical.
Usage: bench/promotion.py [RUNS]   (needs tests/env/start.sh; prints its figures last, on one line)"""
import sys

from benchlib import AppRepository, CountingProxy, FreshDockerEngine, docker, environment, ensure_host, median, run_host, settings, task_seconds, unique

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
env = environment()
ensure_host()
proxy = CountingProxy(int(env["registry"].split(":")[1]))
registry = f"127.0.0.1:{proxy.port}"
app = AppRepository()
sha7 = app.git("rev-parse", "--short=7", "HEAD")
snapshot = f"0.1.0-SNAPSHOT-{sha7}"
fresh = FreshDockerEngine()
figures = {"registry": {"seconds": [], "bytes": []}, "docker": {"seconds": [], "bytes": []}}
try:
    for run in range(runs):
        for mode in (["registry", "docker"] if run % 2 == 0 else ["docker", "registry"]):
            repository = unique(f"bench-{mode}")
            values = settings(env, repository, registry=registry)
            run_host(app, values, "--target=Push")
            reference = f"{registry}/{repository}"
            snapshot_digest = run_host(app, values, "--target=ResolveSnapshot", f"--snapshot-tag={snapshot}").stdout.split("@sha256:")[1][:64]
            docker("image", "rm", f"{reference}:{snapshot}", check=False)
            docker("image", "prune", "--force", check=False)

            if mode == "docker":
                values["DOCKER_HOST"] = fresh.socket
                docker("-H", fresh.socket, "system", "prune", "--all", "--force", check=False)
            proxy.reset()
            result = run_host(app, values, "--target=Retag", f"--snapshot-tag={snapshot}", f"--retag-mode={mode}")
            figures[mode]["bytes"].append(proxy.bytes)
            figures[mode]["seconds"].append(task_seconds(result.stdout, "Retag"))
            if f"names sha256:{snapshot_digest}, the tested image" not in result.stdout:
                raise SystemExit(f"{mode} mode did not end on the tested digest sha256:{snapshot_digest}")
            docker("image", "rm", f"{reference}:{snapshot}", f"{reference}:v0.1.0", check=False)
finally:
    app.cleanup()
    fresh.stop()

registry_s, docker_s = median(figures["registry"]["seconds"]), median(figures["docker"]["seconds"])
registry_b, docker_b = median(figures["registry"]["bytes"]), median(figures["docker"]["bytes"])
print(f"promotion ({runs} runs each, interleaved, empty image cache, identical digests): registry mode {registry_s:.3f}s and "
      f"{registry_b / 1024:.1f} KiB, docker mode {docker_s:.3f}s and {docker_b / 1048576:.1f} MiB; "
      f"{docker_s / registry_s:.0f}x faster, {docker_b / registry_b:.0f}x fewer bytes")
