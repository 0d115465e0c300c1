#!/usr/bin/env bash
# Benchmark: peak RSS and wall time of `casecrypt mail encrypt` on a 1 GiB message and of
# `casecrypt mail decrypt` on a 256 MiB one, with `openssl cms` on the same input beside them
# (the raw OpenSSL figure), measured by /usr/bin/time -v.
# Usage: bench/smime_memory.sh [BUILD_DIR] [ENCRYPT_MIB] [DECRYPT_MIB]
# Needs the fixtures (made here with tests/data/make-fixtures.sh) and ~5 GiB of free disk.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
encrypt_mib=${2:-1024}
decrypt_mib=${3:-256}
bin=$build/src/cli/casecrypt
[ -x "$bin" ] || { echo "build first: $bin not found" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/casecrypt-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
bash "$root/tests/data/make-fixtures.sh" "$work/fx" >/dev/null
openssl pkcs12 -in "$work/fx/server/ok-aes256.p12" -passin "file:$work/fx/server/ok-aes256.pass" \
  -nokeys -clcerts -out "$work/support.pem" 2>/dev/null
"$bin" --data-dir "$work/data" cert import-server "$work/fx/server/ok-aes256.p12" \
  --password-file "$work/fx/server/ok-aes256.pass" >/dev/null

# A message of N MiB: headers and a base64 text body (what a big attachment looks like).
make_message() {
  local mib=$1 out=$2
  { printf 'From: customer@customer.test\nTo: support@example.test\nSubject: %s MiB\n' "$mib"
    printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n'
    head -c $((mib * 1024 * 1024 * 3 / 4)) /dev/urandom | base64 -w 76
  } >"$out"
}

# Prints "peak_rss_mib seconds" for a command.
measure() {
  local log=$work/time.log
  /usr/bin/time -v "$@" 2>"$log" >/dev/null || { cat "$log" >&2; exit 1; }
  local kb secs
  kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
  secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log" |
         awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
  echo "$((kb / 1024)) $secs"
}

report() {  # name size_mib rss secs
  awk -v n="$1" -v s="$2" -v r="$3" -v t="$4" \
    'BEGIN { printf "%-34s %8.0f MiB  peak RSS %6d MiB  %7.2f s  %7.1f MiB/s\n", n, s, r, t, s / (t > 0 ? t : 0.01) }'
}

make_message "$encrypt_mib" "$work/enc-in.eml"
size=$(( $(stat -c %s "$work/enc-in.eml") / 1024 / 1024 ))
read -r rss secs < <(measure "$bin" --data-dir "$work/data" mail encrypt --cert "$work/support.pem" \
  --in "$work/enc-in.eml" --out "$work/enc-out.eml")
echo "encrypt (AES-256-CBC, RSA 2048), input $size MiB; budget: peak RSS < 64 MiB"
report "casecrypt mail encrypt" "$size" "$rss" "$secs"
sed '1,/^$/d' "$work/enc-in.eml" >"$work/entity.txt"
read -r rss secs < <(measure openssl cms -encrypt -stream -binary -aes-256-cbc \
  -in "$work/entity.txt" -out "$work/openssl-enc.p7m" "$work/support.pem")
report "openssl cms -encrypt -stream" "$size" "$rss" "$secs"
rm -f "$work/enc-out.eml" "$work/openssl-enc.p7m" "$work/entity.txt" "$work/enc-in.eml"

make_message "$decrypt_mib" "$work/dec-plain.eml"
"$bin" --data-dir "$work/data" mail encrypt --cert "$work/support.pem" --in "$work/dec-plain.eml" \
  --out "$work/dec-in.eml"
size=$(( $(stat -c %s "$work/dec-in.eml") / 1024 / 1024 ))
echo
echo "decrypt, message $size MiB (plaintext $decrypt_mib MiB); budget: peak RSS < 1.5 x $size + 64 = $(( size * 3 / 2 + 64 )) MiB"
read -r rss secs < <(measure "$bin" --data-dir "$work/data" mail decrypt --in "$work/dec-in.eml" \
  --out "$work/dec-out.eml")
report "casecrypt mail decrypt" "$size" "$rss" "$secs"
cmp -s <(sed '1,/^$/d' "$work/dec-plain.eml") <(sed '1,/^$/d' "$work/dec-out.eml") &&
  echo "  (decrypted body identical to the original)" || echo "  WARNING: decrypted body differs"
read -r rss secs < <(measure openssl cms -decrypt -in "$work/dec-in.eml" -recip "$work/support.pem" \
  -inkey "$work/fx/keys/support.key" -out "$work/openssl-dec.txt")
report "openssl cms -decrypt" "$size" "$rss" "$secs"
echo
echo "raw cipher limit on this machine (openssl speed, 16 KiB blocks):"
openssl speed -evp aes-256-cbc -seconds 1 -bytes 16384 2>/dev/null | tail -n 1 |
  awk '{ v = $NF; sub(/k$/, "", v); printf "%-34s %8.1f MiB/s\n", $1 " (encrypt, in memory)", v * 1000 / 1048576 }'
