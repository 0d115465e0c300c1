#!/usr/bin/env bash
# Peak memory and time of `casecrypt mail send` with a large attachment through the embedded
# directory transport: build the message, encrypt it to the recipient's certificate, commit it
# to the outbox and deliver it into <data-dir>/mail/outgoing/. Beside it, `openssl smime -encrypt`
# of the same file. The certificate is made with the openssl CLI.
# Usage: bench/outgoing_memory.sh BUILD_DIR [ATTACHMENT_MIB]
set -euo pipefail
build=${1:?build directory}
mib=${2:-50}
bin=$(cd "$build" && pwd)/src/cli/casecrypt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Alice/emailAddress=alice@customer.test" \
  -addext "keyUsage=digitalSignature,keyEncipherment" -addext "extendedKeyUsage=emailProtection" \
  -addext "subjectAltName=email:alice@customer.test" -addext "basicConstraints=critical,CA:FALSE" -keyout key.pem -out cert.pem 2>/dev/null
head -c $((mib * 1024 * 1024)) /dev/urandom > attachment.bin

measure() {  # label, command...
  local label=$1
  shift
  /usr/bin/time -v "$@" > out.txt 2> time.txt || { cat out.txt time.txt; exit 1; }
  local rss wall
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' time.txt)
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' time.txt)
  printf '%-44s %5d MiB  peak RSS %6d MiB  %s\n' "$label" "$mib" $((rss / 1024)) "$wall"
}

"$bin" --data-dir data property set cmas-core-server mail.encryption true > /dev/null
"$bin" --data-dir data cert import-client cert.pem > /dev/null
echo "outgoing mail with a ${mib} MiB attachment, encrypted to one recipient (RSA 2048)"
measure "casecrypt mail send (build+encrypt+deliver)" "$bin" --data-dir data mail send \
  --from support@example.test --to alice@customer.test --subject "Large report" \
  --body "The report is attached." --attach attachment.bin
grep -q "encrypted" out.txt || { echo "not encrypted:"; cat out.txt; exit 1; }
sent=$(ls data/mail/outgoing/*.eml)
echo "sent mail: $(( $(stat -c %s "$sent") / 1024 / 1024 )) MiB"
openssl cms -decrypt -binary -in "$sent" -recip cert.pem -inkey key.pem -out opened.eml
grep -q 'filename=attachment.bin' opened.eml || { echo "attachment missing"; exit 1; }
measure "casecrypt mail send --no-encrypt" "$bin" --data-dir data mail send \
  --from support@example.test --to alice@customer.test --subject "Large report, plain" \
  --body "The report is attached." --attach attachment.bin --no-encrypt
measure "openssl smime -encrypt" openssl smime -encrypt -aes256 -binary -in attachment.bin \
  -out encrypted.p7m cert.pem
