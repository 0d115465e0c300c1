#!/usr/bin/env bash
# Peak memory and time of `casecrypt mail fetch` for one encrypted mail with a large attachment,
# through the embedded `local` mailbox: fetch (store raw), decrypt, parse, file with the
# attachment; then `ticket attachment` writing the attachment back out of the database. Beside
# it, `openssl smime -decrypt` of the same mail. Budget: casecrypt's peak RSS under 2x the mail
# (exit 1 past it). The mail is made with the openssl CLI.
# Usage: bench/incoming_memory.sh BUILD_DIR [ATTACHMENT_MIB]
set -euo pipefail
build=${1:?build directory}
mib=${2:-50}
bin=$(cd "$build" && pwd)/src/cli/casecrypt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Support/emailAddress=support@example.test" \
  -addext "keyUsage=digitalSignature,keyEncipherment" -addext "extendedKeyUsage=emailProtection" \
  -addext "subjectAltName=email:support@example.test" -keyout key.pem -out cert.pem 2>/dev/null
openssl pkcs12 -export -inkey key.pem -in cert.pem -passout pass:bench -out support.p12
printf bench > support.pass
head -c $((mib * 1024 * 1024)) /dev/urandom > attachment.bin
{
  printf 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
  printf 'Content-Type: text/plain; charset=utf-8\r\n\r\nThe report is attached.\r\n--b1\r\n'
  printf 'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="report.bin"\r\n'
  printf 'Content-Transfer-Encoding: base64\r\n\r\n'
  base64 -w 76 attachment.bin | sed 's/$/\r/'
  printf -- '--b1--\r\n'
} > entity.txt
{
  printf 'From: carl@customer.test\r\nTo: support@example.test\r\nSubject: Large report\r\n'
  printf 'Message-ID: <bench-%s@customer.test>\r\nDate: Sat, 28 Nov 2026 08:00:00 +0000\r\n' "$$"
  openssl smime -encrypt -aes256 -binary -in entity.txt cert.pem
} > mail.eml
size=$(( $(stat -c %s mail.eml) / 1024 / 1024 ))

measure() {  # label, command...
  local label=$1
  shift
  /usr/bin/time -v "$@" > out.txt 2> time.txt || { cat out.txt time.txt; exit 1; }
  local rss wall
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' time.txt)
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' time.txt)
  printf '%-46s %5d MiB  peak RSS %6d MiB  %s\n' "$label" "$size" $((rss / 1024)) "$wall"
  last_rss_mib=$((rss / 1024))
}
within_budget() {
  [ "$last_rss_mib" -lt $((2 * size)) ] || { echo "over budget: peak RSS ${last_rss_mib} MiB, mail ${size} MiB"; exit 1; }
}

"$bin" --data-dir data cert import-server support.p12 --password-file support.pass > /dev/null
cp mail.eml data/mail/incoming/mail.eml
echo "incoming mail with a ${mib} MiB attachment, encrypted (AES-256-CBC, RSA 2048): ${size} MiB"
measure "casecrypt mail fetch (store+decrypt+file)" "$bin" --data-dir data mail fetch
grep -q "1 filed into tickets" out.txt || { echo "not filed:"; cat out.txt; exit 1; }
within_budget
id=$("$bin" --data-dir data ticket show 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"][0]["attachments"][0]["id"])')
measure "casecrypt ticket attachment (database->file)" "$bin" --data-dir data ticket attachment "$id" --out back.bin
cmp -s back.bin attachment.bin || { echo "attachment differs"; exit 1; }
within_budget
measure "openssl smime -decrypt" openssl smime -decrypt -binary -in mail.eml -inkey key.pem -recip cert.pem
echo "database after filing: $(( $(stat -c %s data/casecrypt.db) / 1024 / 1024 )) MiB (raw mail and attachment, base64)"
