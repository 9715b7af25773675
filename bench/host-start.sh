#!/usr/bin/env bash
# Host start: a warm ./build.sh against `dotnet run --project build/Build.csproj` (what the
# Frosting template's bootstrap does), interleaved so that machine noise hits both alike.
# Usage: bench/host-start.sh [RUNS] [TARGET ARGS...]   (default: 10 runs of --target=ReadVersion)
# Prints the figures last, on one line.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-10}"; shift || true
args=("$@"); [[ ${#args[@]} -gt 0 ]] || args=(--target=ReadVersion)
cd "$root"

# Warm both paths once: the host built, MSBuild's caches filled.
./build.sh "${args[@]}" >/dev/null 2>&1
dotnet run --project build/Build.csproj -- "${args[@]}" >/dev/null 2>&1

seconds() { local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N); awk -v ns=$((end - start)) 'BEGIN { printf "%.3f\n", ns / 1e9 }'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

script=(); run=()
for _ in $(seq "$runs"); do
  script+=("$(seconds ./build.sh "${args[@]}")")
  run+=("$(seconds dotnet run --project build/Build.csproj -- "${args[@]}")")
done
m_script=$(printf '%s\n' "${script[@]}" | median)
m_run=$(printf '%s\n' "${run[@]}" | median)
ratio=$(awk -v a="$m_run" -v b="$m_script" 'BEGIN { printf "%.1f", a / b }')
echo "host-start ${args[*]}: build.sh median ${m_script}s, dotnet run median ${m_run}s, ${ratio}x faster (${runs} runs each, interleaved)"
