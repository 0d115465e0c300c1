#!/usr/bin/env bash
# Configures and builds one build tree. Usage: build.sh DIR [extra cmake options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?build directory}
shift
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="${CASECRYPT_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
