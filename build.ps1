#!/usr/bin/env pwsh
# Runs the pipeline's Cake build host: ./build.ps1 --target=Dev [--dry-run] [--name=value ...]
# Rebuilds the host only when one of its sources changed (see build.sh for why). Untested here:
# no PowerShell can be installed on this project's machines; it mirrors build.sh line for line.
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$out = Join-Path $root '.build/host'
$stamp = Join-Path $out '.built'
$dll = Join-Path $out 'Build.dll'

# What the host is built from, as one hash of file names and contents: times would not do, since
# a checkout or a cache restore (CI keeps .build/host between jobs) gives every file a new time.
function Get-SourcesHash {
    $files = @(Get-Item (Join-Path $root 'global.json')) +
        @(Get-ChildItem (Join-Path $root 'build') -Recurse -File |
          Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' })
    $lines = $files |
        ForEach-Object { [IO.Path]::GetRelativePath($root, $_.FullName).Replace('\', '/') + ' ' + (Get-FileHash -Algorithm SHA256 $_.FullName).Hash } |
        Sort-Object -CaseSensitive
    $bytes = [Text.Encoding]::UTF8.GetBytes(($lines -join "`n"))
    return [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($bytes))
}

function Test-Stale {
    if (-not (Test-Path $stamp) -or -not (Test-Path $dll)) { return $true }
    return (Get-Content -Raw $stamp).Trim() -ne (Get-SourcesHash)
}

if (Test-Stale) {
    New-Item -ItemType Directory -Force -Path $out | Out-Null
    [Console]::Error.WriteLine('build.ps1: building the build host (build/ changed, or first run)...')
    $watch = [Diagnostics.Stopwatch]::StartNew()
    # Hashed first: a source saved during the build differs from the stamp and rebuilds next time.
    $hash = Get-SourcesHash
    # Published ReadyToRun, with its own obj/ and bin/ under .build/ (see build.sh for why).
    & dotnet msbuild (Join-Path $root 'build/Build.csproj') -restore -target:Publish -property:Configuration=Release `
        -property:UseCurrentRuntimeIdentifier=true -property:SelfContained=false -property:PublishReadyToRun=true `
        "-property:HostOutput=$(Join-Path $root '.build')/" "-property:PublishDir=$out/" `
        -nologo -verbosity:quiet '-consoleLoggerParameters:ErrorsOnly;NoSummary' -terminalLogger:off
    if ($LASTEXITCODE -ne 0) {
        [Console]::Error.WriteLine('build.ps1: the build host did not compile (errors above)')
        exit 1
    }
    Set-Content -Path $stamp -Value $hash
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
