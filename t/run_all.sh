#!/usr/bin/env bash
# Runs every test suite and ends with the single line "N passed, N failed".
# Each doctest case counts once; each script under t/e2e and t/interop counts
# once (exit 0 = passed). Exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
export SLOTMAIL_BIN=$(cd "$BIN" && pwd)
passed=0
failed=0
log_dir=$(mktemp -d "${TMPDIR:-/tmp}/slotmail-test.XXXXXX")

# doctest: parse its summary line "[doctest] test cases: T | P passed | F failed | ..."
started=$SECONDS
"$BIN/unit_tests" --no-intro=true 2>&1 | tee "$log_dir/unit.log"
echo "unit_tests: $((SECONDS - started)) s"
summary=$(grep -E '^\[doctest\] test cases:' "$log_dir/unit.log" | tail -n 1)
if [ -n "$summary" ]; then
  p=$(sed -E 's/.*\| *([0-9]+) passed.*/\1/' <<<"$summary")
  f=$(sed -E 's/.*\| *([0-9]+) failed.*/\1/' <<<"$summary")
  passed=$((passed + p))
  failed=$((failed + f))
else
  echo "unit_tests: no summary (crashed?)"
  failed=$((failed + 1))
fi

# The parser fuzzer for a fixed number of inputs (make fuzz runs longer).
if [ -n "${FUZZ_SMOKE:-}" ]; then
  if $FUZZ_SMOKE >"$log_dir/fuzz.log" 2>&1; then
    echo "PASS fuzz-smoke ($(grep -o 'Done [0-9]* runs' "$log_dir/fuzz.log" | tail -n 1))"
    passed=$((passed + 1))
  else
    echo "FAIL fuzz-smoke (log follows)"
    tail -n 40 "$log_dir/fuzz.log"
    failed=$((failed + 1))
  fi
fi

for t in t/e2e/*_test.py t/interop/*_test.py; do
  [ -e "$t" ] || continue
  name=${t%.py}
  started=$SECONDS
  if python3 "$t" >"$log_dir/$(basename "$name").log" 2>&1; then
    echo "PASS $t ($((SECONDS - started)) s)"
    passed=$((passed + 1))
  else
    echo "FAIL $t after $((SECONDS - started)) s (log follows)"
    tail -n 40 "$log_dir/$(basename "$name").log"
    failed=$((failed + 1))
  fi
done

rm -rf "$log_dir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
