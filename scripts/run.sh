#!/usr/bin/env bash
# Installs what is needed, builds, and starts the main job on the embedded default: SQLite and
# the directory transports in the data directory, nothing else running. The main job is
# `casecrypt serve`: every minute it reads the mailboxes (at first only `local`: drop .eml files
# into <data-dir>/mail/incoming/), files the mail into tickets or email backups, and delivers
# the outbox (into <data-dir>/mail/outgoing/ until mail.transport.url is set); beside it the web
# server (the admin tool and the web client) on http://127.0.0.1:8080/ (CASECRYPT_LISTEN). On
# the first start it prints the one-time password of the user `admin`. Ctrl-C stops it.
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
echo "open the web server's URL below and log in as admin (the first start prints its one-time"
echo "password; \`$bin user passwd admin\` sets a new one if it is lost)"
exec "$bin" serve --interval "${CASECRYPT_INTERVAL:-60}" --listen "${CASECRYPT_LISTEN:-127.0.0.1:8080}"
