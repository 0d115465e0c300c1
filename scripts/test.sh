#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test: once in a normal build (warnings are
# errors), once in an AddressSanitizer + UndefinedBehaviorSanitizer build, then the fuzzers. The test harness
# starts the servers it needs (PostgreSQL, later slapd/dovecot/postfix) on loopback itself.
# Ends with a line "N passed, N failed" over both runs; exits non-zero when anything failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh || { echo "0 passed, 1 failed (install-deps)"; exit 1; }

passed=0
failed=0
run_suite() {
  local name=$1 dir=$2
  shift 2
  echo "=== $name: build ($dir) ==="
  if ! bash scripts/build.sh "$dir" -DCASECRYPT_WERROR=ON "$@"; then
    echo "=== $name: build FAILED ==="
    failed=$((failed + 1))
    return
  fi
  echo "=== $name: ctest ==="
  local log="$dir/ctest-summary.log"
  (cd "$dir" && ctest --output-on-failure -j "$(nproc)" --timeout 900) 2>&1 | tee "$log"
  local total fails
  total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$log" | tail -n 1)
  fails=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -n 1)
  if [ -z "$total" ]; then
    failed=$((failed + 1))
    return
  fi
  passed=$((passed + total - fails))
  failed=$((failed + fails))
}

run_suite "release" build
run_suite "asan+ubsan" build-asan -DCASECRYPT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug

# libFuzzer targets (clang) for mail decryption and certificate import, 60 s each, seeded from
# the fixtures and the corpus; a finding fails the run.
echo "=== fuzz: ${CASECRYPT_FUZZ_SECONDS:-60} s per fuzzer ==="
fuzz_log=build-fuzz-summary.log
bash scripts/fuzz.sh "${CASECRYPT_FUZZ_SECONDS:-60}" 2>&1 | tee "$fuzz_log"
fuzz_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$fuzz_log" | tail -n 1)
if [ -n "$fuzz_line" ]; then
  passed=$((passed + $(echo "$fuzz_line" | cut -d' ' -f1)))
  failed=$((failed + $(echo "$fuzz_line" | cut -d' ' -f3)))
else
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
