#!/usr/bin/env bash
# Runs the repository's tests in two tiers and ends with one line: "tests: N passed, N failed".
#   ./test.sh             the fast tier, then (only when it passed) the end-to-end tier
#   ./test.sh --fast      the fast tier alone: plans, scripts, settings, Terraform, workflows;
#                         no services, no root, nothing beyond loopback
#   ./test.sh --end-to-end  the end-to-end tier alone: the real services of tests/env/ (root)
# One test: dotnet test tests/Build.Tests --filter "FullyQualifiedName~PlanTests" (NUnit's filter).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root" || exit 2
mode="${1:-all}"
case "$mode" in all|--fast|--end-to-end) ;; *) echo "usage: ./test.sh [--fast|--end-to-end]" >&2; exit 2 ;; esac
passed=0; failed=0; status=0

# The NUnit categories of tests/Build.Tests/Support/TestTiers.cs make the tiers.
results="$root/.build/test-results"
rm -rf "$results"; mkdir -p "$results"
# The test project is built once; each NUnit run below uses that build (--no-build), so that
# two of them can run at once.
built=""
build_tests() {
  [[ -n "$built" ]] && return 0
  echo "== building the tests"
  if dotnet msbuild tests/Build.Tests/Build.Tests.csproj -restore -nologo -verbosity:quiet -consoleLoggerParameters:'ErrorsOnly;NoSummary' -terminalLogger:off 2>&1; then
    built=yes
  else
    echo "the tests did not compile (errors above)"; status=1; failed=$((failed + 1)); return 1
  fi
}

nunit_run() { # filter, name of its log and TRX files (the durations, for bench/test-durations.py)
  dotnet test tests/Build.Tests --nologo --no-build --filter "$1" --logger "trx;LogFileName=$results/$2.trx" >"$results/$2.log" 2>&1
}

nunit_count() { # title, name, exit code of nunit_run: prints its log and adds up its summary
  echo "== $1 (NUnit)"
  cat "$results/$2.log"
  [[ $3 -eq 0 ]] || status=1
  local summary p f
  summary=$(grep -E '^(Passed|Failed)!' "$results/$2.log" | tail -1)
  p=$(sed -nE 's/.*Passed: +([0-9]+).*/\1/p' <<<"$summary"); f=$(sed -nE 's/.*Failed: +([0-9]+),.*/\1/p' <<<"$summary")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  [[ -n "$summary" ]] || { echo "the NUnit run printed no summary"; status=1; }
}

nunit() { # title, filter, name
  build_tests || return 0
  local code=0
  nunit_run "$2" "$3" || code=$?
  nunit_count "$1" "$3" "$code"
}

fast_tier() {
  # The application's tests and the Terraform and workflow checks run beside the NUnit tests:
  # on two cores, much of their time is waiting (servers, provider start-up).
  if [[ ! -d tests/tools/node_modules ]]; then
    (cd tests/tools && npm ci --no-audit --no-fund) || status=1
  fi
  local app_log node_log
  app_log="$(mktemp)"; node_log="$(mktemp)"
  python3 -m unittest discover -s tests/app -t . >"$app_log" 2>&1 & local app=$!
  node --test --test-reporter=tap tests/infra tests/workflows >"$node_log" 2>&1 & local checks=$!

  nunit "fast tier: build host" "TestCategory!=EndToEnd&TestCategory!=Builds" fast

  echo "== fast tier: application (unittest)"
  wait "$app" || status=1
  cat "$app_log"
  local ran bad p f
  ran=$(sed -nE 's/^Ran ([0-9]+) tests?.*/\1/p' "$app_log" | tail -1)
  bad=$(sed -nE 's/^FAILED \((failures=([0-9]+))?(, )?(errors=([0-9]+))?.*/\2 \5/p' "$app_log" | awk '{print $1 + $2}')
  [[ -n "$ran" ]] || { echo "unittest printed no summary"; status=1; }
  passed=$((passed + ${ran:-0} - ${bad:-0})); failed=$((failed + ${bad:-0}))

  echo "== fast tier: Terraform and workflows (node --test)"
  wait "$checks" || status=1
  grep -E '^(not )?ok |^# (pass|fail)' "$node_log"
  grep -q '^not ok ' "$node_log" && cat "$node_log"
  p=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$node_log"); f=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$node_log")
  [[ -n "$p" ]] || { echo "node --test printed no summary"; status=1; }
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  rm -f "$app_log" "$node_log"
}

end_to_end_tier() {
  # The end-to-end tests need real services (tests/env/start.sh); without them they are skipped
  # with the reason, and with CI=true they fail.
  if tests/env/start.sh; then
    trap 'tests/env/stop.sh' EXIT
  else
    echo "test environment: not started; the end-to-end tests will say why"
  fi
  build_tests || return 0
  # Three processes side by side (TestTiers): the fixtures that run Promote against the MicroK8s
  # stand-in's NodePort 30080, one after another; those on NodePort 30081, one after another; and
  # the rest with the host builds. Much of an end-to-end test is waiting (containers, pods,
  # timeouts), so they overlap well.
  echo "== end-to-end tier: three NUnit runs side by side; their output follows as each ends"
  nunit_run "TestCategory=ProductionNode" end-to-end-production & local production=$!
  nunit_run "TestCategory=ProductionNodeAside" end-to-end-production-aside & local aside=$!
  nunit_run "(TestCategory=EndToEnd|TestCategory=Builds)&TestCategory!=ProductionNode&TestCategory!=ProductionNodeAside" end-to-end & local rest=$!
  local code=0
  wait "$rest" || code=$?
  nunit_count "end-to-end tier and host builds, but Promote's (one after another)" end-to-end "$code"
  code=0
  wait "$aside" || code=$?
  nunit_count "end-to-end tier: Promote on NodePort 30081 (one after another)" end-to-end-production-aside "$code"
  code=0
  wait "$production" || code=$?
  nunit_count "end-to-end tier: Promote on NodePort 30080 (one after another)" end-to-end-production "$code"
}

[[ "$mode" == --end-to-end ]] || fast_tier
if [[ "$mode" == all && $status -ne 0 ]]; then
  echo "the fast tier failed: the end-to-end tier is not run"
elif [[ "$mode" != --fast ]]; then
  end_to_end_tier
fi

# Where the time went, for the next one who wants it shorter.
if compgen -G "$results/*.trx" >/dev/null; then
  echo "== where the time went (bench/test-durations.py)"
  python3 bench/test-durations.py "$results"/*.trx --top 10 || true
fi

if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "tests: $passed passed, $failed failed"
exit $status
