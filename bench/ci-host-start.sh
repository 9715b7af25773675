#!/usr/bin/env bash
# Warm CI, the host side: what `./build.sh --target=ReadVersion` costs in a fresh checkout, as a
# CI job starts it, in three states, interleaved so that machine noise hits all alike:
#   cold      no NuGet packages, no built host (a first job, or an evicted cache)
#   packages  the NuGet packages restored, no built host (build/ changed: restore-keys hit)
#   host      the NuGet packages and .build/host restored (build/ unchanged: the key hits)
# Usage: bench/ci-host-start.sh [RUNS]   (default 3; prints its figures last, on one line)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# A fresh checkout: the committed tree, with today's file times, no bin/, obj/ or .build/.
checkout() { rm -rf "$scratch/repo"; git clone --quiet "$root" "$scratch/repo"; }
seconds() { local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N); awk -v ns=$((end - start)) 'BEGIN { printf "%.3f\n", ns / 1e9 }'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# The cache's contents, as a first job leaves them.
checkout
NUGET_PACKAGES="$scratch/packages" "$scratch/repo/build.sh" --target=ReadVersion >/dev/null 2>&1
cp -r "$scratch/repo/.build/host" "$scratch/host"

cold=(); packages=(); host=()
for _ in $(seq "$runs"); do
  checkout; rm -rf "$scratch/empty"
  cold+=("$(NUGET_PACKAGES="$scratch/empty" seconds "$scratch/repo/build.sh" --target=ReadVersion)")
  checkout
  packages+=("$(NUGET_PACKAGES="$scratch/packages" seconds "$scratch/repo/build.sh" --target=ReadVersion)")
  checkout; mkdir -p "$scratch/repo/.build"; cp -r "$scratch/host" "$scratch/repo/.build/host"
  host+=("$(NUGET_PACKAGES="$scratch/packages" seconds "$scratch/repo/build.sh" --target=ReadVersion)")
done
m_cold=$(printf '%s\n' "${cold[@]}" | median)
m_packages=$(printf '%s\n' "${packages[@]}" | median)
m_host=$(printf '%s\n' "${host[@]}" | median)
echo "ci-host-start (${runs} runs each, fresh checkouts): cold ${m_cold}s, packages restored ${m_packages}s, built host restored ${m_host}s"
