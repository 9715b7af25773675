#!/usr/bin/env bash
# Warm CI, the host side: what `./build.sh --target=ReadVersion` costs in a fresh checkout, as a
# CI job starts it, in three states of the workflows' cache, interleaved so that machine noise
# hits all alike:
#   cold       nothing restored: no NuGet packages, no built host (a first job, an evicted cache)
#   changed    build/ changed: an older entry restored (the packages and the old host), so the
#              host is compiled again, without downloading a package
#   unchanged  build/ unchanged: the entry of this key, the built host is current
# Usage: bench/ci-host-start.sh [RUNS]   (default 3; prints its figures last, on one line)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# A fresh checkout: the committed tree, with today's file times, no bin/, obj/ or .build/.
checkout() { rm -rf "$scratch/repo"; git clone --quiet "$root" "$scratch/repo"; }
restore() { mkdir -p "$scratch/repo/.build"; cp -a "$scratch/host" "$scratch/repo/.build/host"; }
seconds() { local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N); awk -v ns=$((end - start)) 'BEGIN { printf "%.3f\n", ns / 1e9 }'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# The cache's contents, as a first job leaves them: the packages and .build/host.
checkout
NUGET_PACKAGES="$scratch/packages" "$scratch/repo/build.sh" --target=ReadVersion >/dev/null 2>&1
cp -a "$scratch/repo/.build/host" "$scratch/host"

cold=(); changed=(); unchanged=()
for _ in $(seq "$runs"); do
  checkout; rm -rf "$scratch/empty"
  cold+=("$(NUGET_PACKAGES="$scratch/empty" seconds "$scratch/repo/build.sh" --target=ReadVersion)")
  checkout; restore; echo "// a changed source" >>"$scratch/repo/build/Program.cs"
  changed+=("$(NUGET_PACKAGES="$scratch/packages" seconds "$scratch/repo/build.sh" --target=ReadVersion)")
  checkout; restore
  unchanged+=("$(NUGET_PACKAGES="$scratch/packages" seconds "$scratch/repo/build.sh" --target=ReadVersion)")
done
m_cold=$(printf '%s\n' "${cold[@]}" | median)
m_changed=$(printf '%s\n' "${changed[@]}" | median)
m_unchanged=$(printf '%s\n' "${unchanged[@]}" | median)
echo "ci-host-start (${runs} runs each, fresh checkouts): cold ${m_cold}s, build/ changed with an older cache entry ${m_changed}s, build/ unchanged (built host restored) ${m_unchanged}s"
