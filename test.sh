#!/usr/bin/env bash
# Runs every test suite of the repository and ends with one line: "N passed, N failed".
# The end-to-end suites need the test environment that tests/env/ describes; .ci/run starts it.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
passed=0; failed=0; status=0
log="$(mktemp)"; trap 'rm -f "$log"' EXIT

# The end-to-end tests need real services (tests/env/start.sh); without them they are skipped
# with the reason, and with CI=true they fail.
if tests/env/start.sh; then
  trap 'tests/env/stop.sh; rm -f "$log"' EXIT
else
  echo "test environment: not started; the end-to-end tests will say why"
fi

echo "== build host tests (NUnit)"
dotnet test tests/Build.Tests --nologo 2>&1 | tee "$log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
summary=$(grep -E '^(Passed|Failed)!' "$log" | tail -1)
p=$(sed -nE 's/.*Passed: +([0-9]+).*/\1/p' <<<"$summary"); f=$(sed -nE 's/.*Failed: +([0-9]+),.*/\1/p' <<<"$summary")
passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
[[ -n "$summary" ]] || { echo "the NUnit suite printed no summary"; status=1; }

echo "== application tests (unittest)"
python3 -m unittest discover -s tests/app -t . 2>&1 | tee "$log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
ran=$(sed -nE 's/^Ran ([0-9]+) tests?.*/\1/p' "$log" | tail -1)
bad=$(sed -nE 's/^FAILED \((failures=([0-9]+))?(, )?(errors=([0-9]+))?.*/\2 \5/p' "$log" | awk '{print $1 + $2}')
[[ -n "$ran" ]] || { echo "unittest printed no summary"; status=1; }
passed=$((passed + ${ran:-0} - ${bad:-0})); failed=$((failed + ${bad:-0}))

if [[ ! -d tests/tools/node_modules ]]; then
  (cd tests/tools && npm ci --no-audit --no-fund) || status=1
fi
echo "== infrastructure and workflow checks (node --test)"
node --test --test-reporter=tap tests/infra tests/workflows 2>&1 | tee "$log" | grep -E '^(not )?ok |^# (pass|fail)'
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
p=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$log"); f=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$log")
[[ -n "$p" ]] || { echo "node --test printed no summary"; status=1; }
passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))

if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "tests: $passed passed, $failed failed"
exit $status
