#!/usr/bin/env bash
# Installs every Debian package casecrypt, its tests and its test servers need.
# Idempotent: packages already present are skipped by apt-get; safe to run on every build.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
  # build
  build-essential cmake ninja-build pkg-config git clang-format
  # libraries (see docs/ and ../DESIGN.md for why each)
  libssl-dev openssl libgmime-3.0-dev libxml2-dev libcurl4-openssl-dev libldap-dev
  libsoci-dev libboost-dev libsqlite3-dev libpq-dev  # SOCI 4.0 headers include Boost.Fusion
  libcpp-httplib-dev nlohmann-json3-dev libcli11-dev libspdlog-dev liblua5.4-dev
  libre2-dev  # the ticket subject pattern: linear-time matching, no recursion (issue 9)
  # tests
  libgtest-dev libgmock-dev googletest
  gpgsm gnupg sqlite3 time python3
  stress  # load beside the crash test: tests/integration/incoming_crash_test.cpp must end under it
  # fuzzing (scripts/fuzz.sh): clang-19 compiles <expected> from libstdc++ 12, clang-16 does not
  clang-19 libclang-rt-19-dev llvm-19
  # test servers, started on loopback by the harness (never as system services)
  postgresql slapd ldap-utils dovecot-imapd dovecot-pop3d postfix
  # the browser suite (tests/browser): Debian's Chromium, driven headless by playwright-core;
  # without a font, text in the screenshots renders as boxes
  chromium fonts-dejavu-core
)
# Node.js runs the browser suite; Debian's own packages, only when no `node` is there already.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  # Preseed postfix so its postinst does not ask anything, and keep daemons from starting:
  # the test harness starts its own instances on loopback.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get update -qq || true
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi

# playwright-core, exactly as tests/browser/package-lock.json pins it (it never downloads a
# browser). Skipped when node_modules was installed from this very lock file.
browser_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
stamp="$browser_dir/node_modules/.casecrypt-installed-lock"
if cmp -s "$browser_dir/package-lock.json" "$stamp" 2>/dev/null; then
  echo "install-deps: tests/browser node modules present"
else
  echo "install-deps: npm ci in tests/browser"
  (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$browser_dir/package-lock.json" "$stamp"
fi
