#!/usr/bin/env bash
# Fails when a committed C++ file under src/ or tests/ is not laid out by the pinned
# .clang-format (clang-format 14, Debian 12). Exits 77 (CTest: skipped) with a message outside a
# git checkout or without clang-format, since then there is nothing reliable to check.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "check-format: $root is not a git checkout; format check skipped"
  exit 77
fi
formatter=${CLANG_FORMAT:-}
if [ -z "$formatter" ]; then
  for candidate in clang-format-14 clang-format; do
    if command -v "$candidate" >/dev/null; then
      formatter=$candidate
      break
    fi
  done
fi
if [ -z "$formatter" ]; then
  echo "check-format: no clang-format found; format check skipped"
  exit 77
fi

mapfile -d '' files < <(git ls-files -z 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h')
if [ "${#files[@]}" -eq 0 ]; then
  echo "check-format: no files to check"
  exit 0
fi
if ! "$formatter" --dry-run -Werror "${files[@]}"; then
  echo "check-format: run '$formatter -i' on the files above (pinned .clang-format)" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files laid out by .clang-format ($("$formatter" --version))"
