#!/usr/bin/env pwsh
# Runs the pipeline's Cake build host: ./build.ps1 --target=Dev [--dry-run] [--name=value ...]
# Rebuilds the host only when one of its sources changed (see build.sh for why).
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
    $next = "$stamp.next"
    Set-Content -Path $next -Value ''
    & dotnet build (Join-Path $root 'build/Build.csproj') --configuration Release --output $out `
        --nologo --verbosity quiet -consoleLoggerParameters:ErrorsOnly
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    Move-Item -Force $next $stamp
}

Push-Location $root
try {
    & dotnet $dll @args
    exit $LASTEXITCODE
}
finally {
    Pop-Location
}
