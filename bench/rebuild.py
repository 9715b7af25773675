#!/usr/bin/env python3
"""Rebuild: after a code-only change to the application, the Build task with the previous
snapshot's layers in the engine, against a cold Build of the same code. Both run on a second,
empty Docker engine that holds only the base image, so nothing else on the machine helps either.
Durations are the Build task's own, from Cake's report.
Usage: bench/rebuild.py [RUNS]   (needs tests/env/start.sh; prints its figures last, on one line)"""
import sys

from benchlib import AppRepository, FreshDockerEngine, environment, ensure_host, median, run_host, settings, task_seconds, unique

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
env = environment()
ensure_host()
fresh = FreshDockerEngine()
cold, warm = [], []
app = AppRepository()
try:
    fresh.load(env["baseImage"])
    for run in range(runs):
        # A repository never pushed to, so that Build always builds.
        values = settings(env, unique("bench-rebuild"), DOCKER_HOST=fresh.socket)
        cold.append(task_seconds(run_host(app, values, "--target=Build").stdout, "Build"))
        app.change_code(f"run {run}")
        warm.append(task_seconds(run_host(app, values, "--target=Build").stdout, "Build"))
        fresh.empty(keep=env["baseImage"])
        app.change_code(f"after run {run}")
finally:
    app.cleanup()
    fresh.stop()

print(f"rebuild ({runs} runs each): code-only change with the previous snapshot's layers {median(warm):.2f}s, "
      f"cold {median(cold):.2f}s; {100 * median(warm) / median(cold):.0f}% of the cold time")
