#!/usr/bin/env bash
# Installs what is needed, builds, and starts the main job on the embedded default: SQLite and
# the directory transports in the data directory, nothing else running. For now the main job
# initialises the data directory (database, master key, properties) and shows what the CLI can
# do; the web server takes this over in a later issue.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
bash scripts/build.sh build
export CASECRYPT_DATA_DIR=${CASECRYPT_DATA_DIR:-$root/var}
bin=build/src/cli/casecrypt
echo "data directory: $CASECRYPT_DATA_DIR"
"$bin" property list
"$bin" cert list
echo
"$bin" --help
