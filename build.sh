#!/usr/bin/env bash
# Runs the pipeline's Cake build host: ./build.sh --target=Dev [--dry-run] [--name=value ...]
# `dotnet run` pays MSBuild's cost (about 2 s) on every call; this rebuilds the host only when
# one of its sources changed and otherwise starts the built host directly (README: figures).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$root/.build/host"
stamp="$out/.built"

stale() {
  [[ ! -f "$stamp" || ! -f "$out/Build.dll" ]] && return 0
  # Directories count too: deleting a file changes its directory's time.
  [[ -n "$(find "$root/build" "$root/global.json" \
            \( -name bin -o -name obj \) -prune -o -newer "$stamp" -print -quit)" ]]
}

rebuild() {
  mkdir -p "$out"
  # Said first: a first run restores and compiles for a while, and silence looks like a hang.
  echo "build.sh: building the build host (build/ changed, or first run)..." >&2
  local started=$SECONDS
  # obj/ first: creating it during the build would change build/'s time and rebuild next time.
  mkdir -p "$root/build/obj"
  # Stamp first: a source saved during the build is newer than the stamp and rebuilds next time.
  touch "$stamp.next"
  # Errors only: no banner, no progress, no summary (`dotnet build` prints its summary even at
  # quiet verbosity; msbuild with -restore does the same build and honours NoSummary).
  if ! dotnet msbuild "$root/build/Build.csproj" -restore -property:Configuration=Release -property:OutputPath="$out/" \
      -nologo -verbosity:quiet -consoleLoggerParameters:'ErrorsOnly;NoSummary' -terminalLogger:off >&2; then
    echo "build.sh: the build host did not compile (errors above)" >&2
    exit 1
  fi
  mv "$stamp.next" "$stamp"
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
