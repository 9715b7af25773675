#!/usr/bin/env bash
# Runs the pipeline's Cake build host: ./build.sh --target=Dev [--dry-run] [--name=value ...]
# `dotnet run` pays MSBuild's cost (about 2 s) on every call; this rebuilds the host only when
# one of its sources changed and otherwise starts the built host directly (README: figures).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$root/.build/host"
stamp="$out/.built"

# What the host is built from, as one hash of file names and contents: times would not do, since
# a checkout or a cache restore (CI keeps .build/host between jobs) gives every file a new time.
sources_hash() {
  (cd "$root" && find build global.json \( -name bin -o -name obj \) -prune -o -type f -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

stale() {
  [[ ! -f "$stamp" || ! -f "$out/Build.dll" ]] && return 0
  [[ "$(cat "$stamp")" != "$(sources_hash)" ]]
}

rebuild() {
  mkdir -p "$out"
  # Said first: a first run restores and compiles for a while, and silence looks like a hang.
  echo "build.sh: building the build host (build/ changed, or first run)..." >&2
  local started=$SECONDS
  # Hashed first: a source saved during the build differs from the stamp and rebuilds next time.
  local hash
  hash="$(sources_hash)"
  # Published ReadyToRun: the host and its libraries are compiled ahead of time, so a run does not
  # spend a third of a second in the JIT (README: figures); the price is about 40 s per build of
  # the host, which happens only when build/ changes. Each project gets its own obj/ and bin/ under
  # .build/ (HostOutput, read by build/Directory.Build.props), so that the tests' build in build/
  # (no runtime identifier) and this one never undo each other's restore. Errors only: no
  # banner, no progress, no summary.
  if ! dotnet msbuild "$root/build/Build.csproj" -restore -target:Publish -property:Configuration=Release \
      -property:UseCurrentRuntimeIdentifier=true -property:SelfContained=false -property:PublishReadyToRun=true \
      -property:HostOutput="$root/.build/" -property:PublishDir="$out/" \
      -nologo -verbosity:quiet -consoleLoggerParameters:'ErrorsOnly;NoSummary' -terminalLogger:off >&2; then
    echo "build.sh: the build host did not compile (errors above)" >&2
    exit 1
  fi
  echo "$hash" >"$stamp"
  echo "build.sh: built in $((SECONDS - started)) s" >&2
}

if stale; then
  if command -v flock >/dev/null 2>&1; then
    # Two builds started together must not write the same output at once.
    mkdir -p "$root/.build"
    exec 9>"$root/.build/.lock"
    flock 9
    if stale; then rebuild; fi
    exec 9>&-
  else
    rebuild
  fi
fi

cd "$root"
exec dotnet "$out/Build.dll" "$@"
