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
  # Stamp first: a source saved during the build is newer than the stamp and rebuilds next time.
  touch "$stamp.next"
  dotnet build "$root/build/Build.csproj" --configuration Release --output "$out" \
    --nologo --verbosity quiet -consoleLoggerParameters:ErrorsOnly >&2
  mv "$stamp.next" "$stamp"
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
