#!/usr/bin/env bash
# Runs every test suite of the repository and ends with one line: "N passed, N failed".
# The end-to-end suites need the test environment that tests/env/ describes; .ci/run starts it.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
passed=0; failed=0; status=0
log="$(mktemp)"; trap 'rm -f "$log"' EXIT

echo "== build host tests (NUnit)"
dotnet test tests/Build.Tests --nologo 2>&1 | tee "$log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
summary=$(grep -E '^(Passed|Failed)!' "$log" | tail -1)
p=$(sed -nE 's/.*Passed: +([0-9]+).*/\1/p' <<<"$summary"); f=$(sed -nE 's/.*Failed: +([0-9]+),.*/\1/p' <<<"$summary")
passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
[[ -n "$summary" ]] || { echo "the NUnit suite printed no summary"; status=1; }

if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "tests: $passed passed, $failed failed"
exit $status
