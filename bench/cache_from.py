#!/usr/bin/env python3
"""Warm CI, the docker side: a code-only change built by the Build task on an empty Docker engine
(a fresh CI runner's: the base image and nothing else), with the previous snapshot in the
registry (Build pulls it and builds --cache-from it) against the same change built cold (a
repository with no earlier snapshot). Both in one run, interleaved; durations are the Build
task's own, from Cake's report, the pull included.
Usage: bench/cache_from.py [RUNS]   (needs tests/env/start.sh; prints its figures last, on one line)"""
import sys

from benchlib import AppRepository, FreshDockerEngine, environment, ensure_host, median, run_host, settings, task_seconds, unique

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
env = environment()
ensure_host()
fresh = FreshDockerEngine()
cold, cached = [], []


app = AppRepository()
try:
    fresh.load(env["baseImage"])
    for run in range(runs):
        # The previous snapshot, pushed by the main engine (the run before, on another runner).
        seeded = settings(env, unique("bench-cache"))
        run_host(app, seeded, "--target=Push")
        app.change_code(f"run {run}")

        fresh.empty(keep=env["baseImage"])
        values = settings(env, unique("bench-cold"), DOCKER_HOST=fresh.socket)
        cold.append(task_seconds(run_host(app, values, "--target=Build").stdout, "Build"))

        fresh.empty(keep=env["baseImage"])
        output = run_host(app, dict(seeded, DOCKER_HOST=fresh.socket), "--target=Build").stdout
        if "--cache-from" not in output:
            raise SystemExit("the Build with an earlier snapshot in the registry did not use it:\n" + output[-3000:])
        cached.append(task_seconds(output, "Build"))
finally:
    app.cleanup()
    fresh.stop()

print(f"cache-from ({runs} runs each, empty engine): code-only change with the previous snapshot {median(cached):.2f}s, "
      f"cold {median(cold):.2f}s; {100 * median(cached) / median(cold):.0f}% of the cold time")
