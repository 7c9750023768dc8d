#!/usr/bin/env bash
# Runs every test of the solution (Debug build, so the runtime's invariant asserts are on) and ends with
# one plain "N passed, N failed" line. Needs only the .NET 10 SDK; packages restore from NuGet.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
dotnet test StacklessInteractive.sln --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=0; failed=0
while read -r line; do
  p=$(sed -nE 's/.*Passed: *([0-9]+).*/\1/p' <<<"$line"); f=$(sed -nE 's/.*Failed: *([0-9]+),.*/\1/p' <<<"$line")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done < <(grep -E '^(Passed|Failed)! ' "$log")
rm -f "$log"
echo "$passed passed, $failed failed"
exit "$status"
