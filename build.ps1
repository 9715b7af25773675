#!/usr/bin/env pwsh
# Runs the pipeline's Cake build host: ./build.ps1 --target=Dev [--dry-run] [--name=value ...]
# Rebuilds the host only when one of its sources changed (see build.sh for why). Untested here:
# no PowerShell can be installed on this project's machines; it mirrors build.sh line for line.
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$out = Join-Path $root '.build/host'
$stamp = Join-Path $out '.built'
$dll = Join-Path $out 'Build.dll'

function Test-Stale {
    if (-not (Test-Path $stamp) -or -not (Test-Path $dll)) { return $true }
    $built = (Get-Item $stamp).LastWriteTimeUtc
    $sources = @(Get-Item (Join-Path $root 'global.json')) +
        @(Get-ChildItem (Join-Path $root 'build') -Recurse |
          Where-Object { $_.FullName -notmatch '[\\/](bin|obj)([\\/]|$)' })
    return [bool]($sources | Where-Object { $_.LastWriteTimeUtc -gt $built } | Select-Object -First 1)
}

if (Test-Stale) {
    New-Item -ItemType Directory -Force -Path $out | Out-Null
    [Console]::Error.WriteLine('build.ps1: building the build host (build/ changed, or first run)...')
    $watch = [Diagnostics.Stopwatch]::StartNew()
    # obj/ first: creating it during the build would change build/'s time and rebuild next time.
    New-Item -ItemType Directory -Force -Path (Join-Path $root 'build/obj') | Out-Null
    $next = "$stamp.next"
    Set-Content -Path $next -Value ''
    & dotnet msbuild (Join-Path $root 'build/Build.csproj') -restore -property:Configuration=Release "-property:OutputPath=$out/" `
        -nologo -verbosity:quiet '-consoleLoggerParameters:ErrorsOnly;NoSummary' -terminalLogger:off
    if ($LASTEXITCODE -ne 0) {
        [Console]::Error.WriteLine('build.ps1: the build host did not compile (errors above)')
        exit 1
    }
    Move-Item -Force $next $stamp
    [Console]::Error.WriteLine("build.ps1: built in $([int]$watch.Elapsed.TotalSeconds) s")
}

Push-Location $root
try {
    & dotnet $dll @args
    exit $LASTEXITCODE
}
finally {
    Pop-Location
}
