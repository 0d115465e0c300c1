#!/usr/bin/env bash
# scripts/check-layers.sh must fail on a forbidden include: copies src/ to a temporary directory,
# plants a store header into a cli file and an OpenSSL header into a mime file, and passes only
# when the check exits 1 naming both lines (and nothing it should not: the copy's other
# violations, if any, are the real tree's and are not this test's business).
# Usage: check_layers_test.sh CHECK_SCRIPT SRC_DIR
set -uo pipefail
check=${1:?check-layers.sh}
src=${2:?src directory}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$src" "$work/src"

cli_file="$work/src/cli/main.cpp"
mime_file="$work/src/mime/charset.cpp"
for f in "$cli_file" "$mime_file"; do
  [ -f "$f" ] || { echo "FAIL: $f is not in the tree any more; plant into another file"; exit 1; }
done
# Planted after the first line, so the line numbers are known: 2.
sed -i '1a #include "store/database.h"' "$cli_file"
sed -i '1a #include <openssl/evp.h>' "$mime_file"

output=$(bash "$check" "$work/src" 2>&1)
status=$?
echo "$output"
failed=0
if [ "$status" -ne 1 ]; then
  echo "FAIL: check-layers.sh exited $status, expected 1"
  failed=1
fi
for expected in "$cli_file:2: cli may not include \"store/database.h\"" \
                "$mime_file:2: mime may not include <openssl/evp.h>"; do
  if ! grep -qxF "$expected" <<<"$output"; then
    echo "FAIL: no line: $expected"
    failed=1
  fi
done

# A clean copy of the planted files alone passes: the check is not failing on everything.
clean="$work/clean"
mkdir -p "$clean/cli" "$clean/mime"
printf '#include "cli/commands.h"\n#include "services/tickets.h"\n#include <string>\n' \
  >"$clean/cli/ok.cpp"
printf '#include "mime/charset.h"\n#include <gmime/gmime.h>\n' >"$clean/mime/ok.cpp"
if ! bash "$check" "$clean" >/dev/null; then
  echo "FAIL: check-layers.sh refused a tree with allowed includes only"
  failed=1
fi
# --through: a services header that brings a store header along into the CLI is named too.
mkdir -p "$clean/services" "$clean/store"
printf '#pragma once\n' >"$clean/store/record.h"
printf '#pragma once\n#include "store/record.h"\n' >"$clean/services/tickets.h"
if ! bash "$check" "$clean" >/dev/null; then
  echo "FAIL: without --through, an allowed direct include was refused"
  failed=1
fi
through=$(bash "$check" --through "$clean" 2>&1)
expected="$clean/cli/ok.cpp:2: cli may not include \"store/record.h\" (through services/tickets.h)"
if ! grep -qxF "$expected" <<<"$through"; then
  echo "FAIL: --through did not name: $expected"
  echo "$through"
  failed=1
fi

[ "$failed" -eq 0 ] && echo "PASS: both planted includes named"
exit "$failed"
