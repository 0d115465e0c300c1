#!/usr/bin/env bash
# Makes the certificate and PKCS #12 fixtures for the certificate import tests
# (`casecrypt cert import-client FILE`, `casecrypt cert import-server FILE [--password-file F]`)
# and a table, cases.tsv, that says what the product must do with each one.
#
# Usage: tests/data/make-fixtures.sh [OUTPUT_DIR]     (default: tests/data/generated)
#
# Only the openssl CLI (3.0) and coreutils are used, so the fixtures come from a third-party
# implementation and a test cannot agree with a bug in our own code. (One file, a PKCS #12 with
# two keys, is spliced from two openssl-made files with printf/tail, because `openssl pkcs12
# -export` puts one key in a file: see der_tlv below.) The output directory is
# wiped and recreated on every run; the set of files is always the same, keys are fresh.
# Every file is checked against its row with the openssl CLI before the script succeeds.
set -euo pipefail
export LC_ALL=C
umask 022
exec </dev/null # openssl must never wait for a password typed on stdin

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$script_dir/generated}
marker=.casecrypt-fixtures

die() { echo "make-fixtures: $*" >&2; exit 1; }

command -v openssl >/dev/null || die "openssl not found"

# Refuse to wipe a directory this script did not make (a mistyped argument must not delete $HOME).
if [[ -e $out ]]; then
  [[ -d $out ]] || die "$out exists and is not a directory"
  if [[ -n $(ls -A -- "$out") && ! -e $out/$marker ]]; then
    die "$out is not empty and was not made by this script; refusing to wipe it"
  fi
  rm -rf -- "$out"
fi
mkdir -p -- "$out"/{ca,keys,client,server}
touch -- "$out/$marker"
out=$(cd -- "$out" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/casecrypt-fixtures.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

# Our own openssl config, so nothing in the system's openssl.cnf changes what we make.
export OPENSSL_CONF=$work/openssl.cnf
cat >"$OPENSSL_CONF" <<EOF
[ req ]
distinguished_name = req_dn
[ req_dn ]

[ ca ]
default_ca = fixtures_ca
[ fixtures_ca ]
dir            = $work/ca
database       = \$dir/index.txt
new_certs_dir  = \$dir/newcerts
serial         = \$dir/serial
certificate    = $out/ca/ca.pem
private_key    = $out/ca/ca.key
default_md     = sha256
policy         = policy_any
unique_subject = no
email_in_dn    = yes
copy_extensions = none
[ policy_any ]
organizationName = optional
commonName       = optional
emailAddress     = optional
EOF
mkdir -p "$work/ca/newcerts"
: >"$work/ca/index.txt"
echo 1000 >"$work/ca/serial"

# run CMD...: runs an openssl command quietly; on failure shows its output and stops.
run() {
  local log=$work/log.$BASHPID
  if ! "$@" </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    die "failed: $*"
  fi
}

# ---------------------------------------------------------------------------------------------
# Keys: each made once, in parallel (RSA 4096 and DSA parameters are the slow ones).
# ---------------------------------------------------------------------------------------------
K=$out/keys
rsa_key() { run openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$K/$1.key"; }
ec_key() { run openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -out "$K/$1.key"; }
dsa_key() {
  run openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out "$work/dsa.param"
  run openssl genpkey -paramfile "$work/dsa.param" -out "$K/$1.key"
}

pids=()
rsa_key rsa4096 4096 & pids+=($!)
dsa_key dsa2048 & pids+=($!)
rsa_key alice 2048 & pids+=($!)          # most client certificates
rsa_key bob 2048 & pids+=($!)            # a second, unrelated client key
rsa_key support 2048 & pids+=($!)        # our own (server) RSA identity
rsa_key rsa1024 1024 & pids+=($!)
run openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out "$K/rsa-pss.key" & pids+=($!)
ec_key ca prime256v1 & pids+=($!)
ec_key ec-p256 prime256v1 & pids+=($!)
ec_key ec-p384 secp384r1 & pids+=($!)
ec_key support-ec prime256v1 & pids+=($!)
run openssl genpkey -algorithm ED25519 -out "$K/ed25519.key" & pids+=($!)
run openssl genpkey -algorithm ED448 -out "$K/ed448.key" & pids+=($!)
for pid in "${pids[@]}"; do wait "$pid" || die "key generation failed"; done
mv "$K/ca.key" "$out/ca/ca.key"

# ---------------------------------------------------------------------------------------------
# The test CA (EC P-256). Its DN carries an email address, so it doubles as the
# "CA certificate offered as a client certificate" case.
# ---------------------------------------------------------------------------------------------
run openssl req -x509 -new -key "$out/ca/ca.key" -sha256 -days 7300 -set_serial 1 \
  -subj "/O=casecrypt tests/CN=casecrypt Test CA/emailAddress=ca@example.test" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" \
  -out "$out/ca/ca.pem"

# issue OUT KEY SUBJECT [EXTENSION_LINES [STARTDATE ENDDATE]]
# Signs a certificate for KEY with the test CA. EXTENSION_LINES are openssl config lines
# (separated by \n) added to basicConstraints CA:FALSE + key identifiers. Without dates the
# certificate is valid from now for ten years; dates are YYYYMMDDHHMMSSZ.
issue() {
  local dest=$1 key=$2 subj=$3 ext=${4:-} start=${5:-} end=${6:-}
  local csr=$work/req.csr extf=$work/ext.cnf
  local -a dates=(-days 3650)
  [[ -n $start ]] && dates=(-startdate "$start" -enddate "$end")
  run openssl req -new -key "$key" -subj "$subj" -out "$csr"
  printf '[ ext ]\nbasicConstraints = critical,CA:FALSE\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n%b\n' \
    "$ext" >"$extf"
  run openssl ca -batch -notext -preserveDN -in "$csr" -out "$dest" \
    -extfile "$extf" -extensions ext "${dates[@]}"
}

C=$out/client
S=$out/server
KU_RSA_ENC='keyUsage = critical,digitalSignature,keyEncipherment'
EKU_EMAIL='extendedKeyUsage = emailProtection'
SMIME_RSA="$KU_RSA_ENC\n$EKU_EMAIL"

# ---------------------------------------------------------------------------------------------
# Client certificates that import.
# ---------------------------------------------------------------------------------------------
issue "$C/ok-rsa2048-dn-email.pem" "$K/alice.key" "/CN=Alice Example/emailAddress=alice@example.test"
base=$C/ok-rsa2048-dn-email.pem
run openssl x509 -in "$base" -outform DER -out "$C/ok-rsa2048-dn-email.cer"
cp "$C/ok-rsa2048-dn-email.cer" "$C/ok-der-named.pem"
cp "$base" "$C/ok-pem-named.der"
run openssl x509 -in "$base" -text -out "$C/ok-pem-with-text.pem"
sed 's/$/\r/' "$base" >"$C/ok-pem-crlf.crt"

issue "$C/ok-san-only.pem" "$K/alice.key" "/O=Customer Ltd/CN=Dave Customer" \
  'subjectAltName = email:dave@customer.test'
issue "$C/ok-dn-and-san.pem" "$K/alice.key" "/CN=Alice Example/emailAddress=alice@example.test" \
  'subjectAltName = email:alice.work@customer.test'
issue "$C/ok-uppercase-address.pem" "$K/alice.key" \
  "/CN=Alice Example/emailAddress=Alice.Example@Example.TEST"
issue "$C/ok-dn-san-same-address.pem" "$K/alice.key" "/CN=Carol Example/emailAddress=carol@example.test" \
  'subjectAltName = email:Carol@Example.TEST'
issue "$C/ok-san-two-addresses.pem" "$K/alice.key" "/CN=Erin Customer" \
  'subjectAltName = email:erin@customer.test,email:erin.backup@customer.test'
issue "$C/ok-ec-p256-keyagreement.pem" "$K/ec-p256.key" "/CN=EC P-256/emailAddress=ec.p256@example.test" \
  'keyUsage = critical,keyAgreement'
issue "$C/ok-rsa-ku-eku-email.pem" "$K/alice.key" "/CN=Alice Example/emailAddress=alice@example.test" \
  "$SMIME_RSA"
issue "$C/ok-rsa-ku-keyencipherment-only.pem" "$K/alice.key" "/CN=Alice Example/emailAddress=alice@example.test" \
  'keyUsage = critical,keyEncipherment'
issue "$C/ok-rsa-eku-any.pem" "$K/alice.key" "/CN=Alice Example/emailAddress=alice@example.test" \
  'extendedKeyUsage = anyExtendedKeyUsage'
issue "$work/bob.pem" "$K/bob.key" "/CN=Bob Customer/emailAddress=bob@customer.test" "$SMIME_RSA"
cat "$base" "$work/bob.pem" >"$C/ok-bundle-two-ee.pem"
cat "$base" "$out/ca/ca.pem" >"$C/ok-bundle-ee-plus-ca.pem"
cat "$out/ca/ca.pem" "$base" >"$C/ok-bundle-ca-then-ee.pem"
issue "$C/ok-rsa4096.pem" "$K/rsa4096.key" "/CN=RSA 4096/emailAddress=rsa4096@example.test" "$SMIME_RSA"
issue "$C/ok-ec-p384.pem" "$K/ec-p384.key" "/CN=EC P-384/emailAddress=ec.p384@customer.test"

# ---------------------------------------------------------------------------------------------
# Client files that must be rejected. Each breaks exactly one rule.
# ---------------------------------------------------------------------------------------------
# Deterministic pseudo-random bytes (AES-CTR keystream under an all-zero key).
openssl enc -aes-128-ctr -K 00000000000000000000000000000000 -iv 00000000000000000000000000000000 \
  -in /dev/zero 2>/dev/null | head -c 1024 >"$work/garbage" || true
[[ $(wc -c <"$work/garbage") -eq 1024 ]] || die "could not make garbage bytes"
cp "$work/garbage" "$C/reject-garbage.cer"
: >"$C/reject-empty.pem"
der_size=$(wc -c <"$C/ok-rsa2048-dn-email.cer")
head -c $((der_size / 2)) "$C/ok-rsa2048-dn-email.cer" >"$C/reject-truncated.der"
# Base64 damaged: characters outside the base64 alphabet in the middle of the body.
sed '5s/^..../*!?#/' "$base" >"$C/reject-damaged-base64.pem"
# Base64 still valid, DER cut short: keep the first half of the body lines.
pem_lines=$(wc -l <"$base")
{ head -n $((pem_lines / 2)) "$base"; tail -n 1 "$base"; } >"$C/reject-truncated-base64.pem"
run openssl pkey -in "$K/alice.key" -out "$C/reject-private-key-only.pem"

issue "$C/reject-no-email.pem" "$K/alice.key" "/O=Example/CN=No Address" "$SMIME_RSA"
issue "$C/reject-expired.pem" "$K/alice.key" "/CN=Alice Expired/emailAddress=alice.expired@example.test" \
  "$SMIME_RSA" 20190101000000Z 20201231235959Z
issue "$C/reject-not-yet-valid.pem" "$K/alice.key" "/CN=Alice Future/emailAddress=alice.future@example.test" \
  "$SMIME_RSA" 20400101000000Z 20411231235959Z
# A CA certificate with an email address in its DN and no keyUsage, so only CA:TRUE is wrong.
run openssl req -x509 -new -key "$K/alice.key" -sha256 -days 3650 \
  -subj "/O=Example/CN=Example Issuing CA/emailAddress=pki@example.test" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "subjectKeyIdentifier=hash" \
  -out "$C/reject-ca-cert.pem"
issue "$C/reject-ku-digitalsignature.pem" "$K/alice.key" "/CN=Sign Only/emailAddress=sign.only@example.test" \
  'keyUsage = critical,digitalSignature'
issue "$C/reject-ec-ku-keyencipherment.pem" "$K/ec-p256.key" "/CN=EC Wrong KU/emailAddress=ec.wrongku@example.test" \
  'keyUsage = critical,keyEncipherment'
issue "$C/reject-eku-serverauth.pem" "$K/alice.key" "/CN=Server Auth/emailAddress=serverauth@example.test" \
  "$KU_RSA_ENC\nextendedKeyUsage = serverAuth"
issue "$C/reject-ed25519.pem" "$K/ed25519.key" "/CN=Ed25519/emailAddress=ed25519@example.test"
issue "$C/reject-ed448.pem" "$K/ed448.key" "/CN=Ed448/emailAddress=ed448@example.test"
issue "$C/reject-dsa2048.pem" "$K/dsa2048.key" "/CN=DSA 2048/emailAddress=dsa@example.test"
issue "$C/reject-rsa1024.pem" "$K/rsa1024.key" "/CN=RSA 1024/emailAddress=rsa1024@example.test" "$SMIME_RSA"
issue "$C/reject-rsa-pss.pem" "$K/rsa-pss.key" "/CN=RSA-PSS/emailAddress=rsa.pss@example.test"

# ---------------------------------------------------------------------------------------------
# Server identities (PKCS #12).
# ---------------------------------------------------------------------------------------------
password='Fixture pass 42'
wrong_password='not the password'
utf8_password='Pässwörd-ß-€'

# pass_file NAME PASSWORD [newline]: writes server/NAME.pass, without a trailing newline unless asked.
pass_file() {
  if [[ ${3:-} == newline ]]; then printf '%s\n' "$2" >"$S/$1.pass"; else printf '%s' "$2" >"$S/$1.pass"; fi
}
# p12 DEST KEY CERT PASSWORD [extra pkcs12 -export options...]
p12() {
  local dest=$1 key=$2 cert=$3 pw=$4
  shift 4
  run openssl pkcs12 -export -inkey "$key" -in "$cert" -name "casecrypt fixture" \
    -passout "pass:$pw" -out "$dest" "$@"
}

SUPPORT_SUBJ="/O=Example Helpdesk/CN=Support/emailAddress=support@example.test"
server_cert() { issue "$1" "$K/support.key" "$SUPPORT_SUBJ" "$SMIME_RSA" "${@:2}"; }

server_cert "$work/s-aes.pem"
p12 "$S/ok-aes256.p12" "$K/support.key" "$work/s-aes.pem" "$password"
pass_file ok-aes256 "$password"
server_cert "$work/s-nl.pem"
p12 "$S/ok-aes256-newline.p12" "$K/support.key" "$work/s-nl.pem" "$password"
pass_file ok-aes256-newline "$password" newline
server_cert "$work/s-pfx.pem"
p12 "$S/ok-aes256.pfx" "$K/support.key" "$work/s-pfx.pem" "$password"
cp "$S/ok-aes256.pass" "$S/ok-aes256-pfx.pass"
server_cert "$work/s-empty.pem"
p12 "$S/ok-empty-password.p12" "$K/support.key" "$work/s-empty.pem" ""
: >"$S/ok-empty-password.pass"
server_cert "$work/s-legacy.pem"
p12 "$S/ok-legacy-rc2-3des.p12" "$K/support.key" "$work/s-legacy.pem" "$password" -legacy
pass_file ok-legacy-rc2-3des "$password"
server_cert "$work/s-3des.pem"
p12 "$S/ok-3des.p12" "$K/support.key" "$work/s-3des.pem" "$password" \
  -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES
pass_file ok-3des "$password"
# No MAC (-nomac): OpenSSL 3.0's PKCS12_parse refuses these with any password; the product must
# unpack the bags itself (regression: such files were reported as "password is wrong").
server_cert "$work/s-nomac.pem"
p12 "$S/ok-nomac.p12" "$K/support.key" "$work/s-nomac.pem" "$password" -nomac
pass_file ok-nomac "$password"
server_cert "$work/s-chain.pem"
p12 "$S/ok-with-ca-chain.p12" "$K/support.key" "$work/s-chain.pem" "$password" -certfile "$out/ca/ca.pem"
pass_file ok-with-ca-chain "$password"
issue "$work/s-ec.pem" "$K/support-ec.key" "$SUPPORT_SUBJ" \
  "keyUsage = critical,digitalSignature,keyAgreement\n$EKU_EMAIL"
p12 "$S/ok-ec-p256.p12" "$K/support-ec.key" "$work/s-ec.pem" "$password"
pass_file ok-ec-p256 "$password"
server_cert "$work/s-expired.pem" 20190101000000Z 20201231235959Z
p12 "$S/ok-expired.p12" "$K/support.key" "$work/s-expired.pem" "$password"
pass_file ok-expired "$password"
issue "$work/s-two.pem" "$K/support.key" "$SUPPORT_SUBJ" \
  "$SMIME_RSA\nsubjectAltName = email:helpdesk@example.test"
p12 "$S/ok-two-addresses.p12" "$K/support.key" "$work/s-two.pem" "$password"
pass_file ok-two-addresses "$password"
server_cert "$work/s-utf8.pem"
p12 "$S/ok-utf8-password.p12" "$K/support.key" "$work/s-utf8.pem" "$utf8_password"
pass_file ok-utf8-password "$utf8_password"

# Server files that must be rejected.
server_cert "$work/s-future.pem" 20400101000000Z 20411231235959Z
p12 "$S/reject-not-yet-valid.p12" "$K/support.key" "$work/s-future.pem" "$password"
pass_file reject-not-yet-valid "$password"
server_cert "$work/s-wrong.pem"
p12 "$S/reject-wrong-password.p12" "$K/support.key" "$work/s-wrong.pem" "$password"
pass_file reject-wrong-password "$wrong_password"
server_cert "$work/s-nokey.pem"
run openssl pkcs12 -export -nokeys -in "$work/s-nokey.pem" -passout "pass:$password" \
  -out "$S/reject-no-key.p12"
pass_file reject-no-key "$password"
issue "$work/s-noemail.pem" "$K/support.key" "/O=Example Helpdesk/CN=Support" "$SMIME_RSA"
p12 "$S/reject-key-cert-without-email.p12" "$K/support.key" "$work/s-noemail.pem" "$password"
pass_file reject-key-cert-without-email "$password"
# Key of "support" with only bob's (unrelated, has an address) certificate: -nocerts skips the
# CLI's key/certificate match check, -certfile then adds the certificate as an extra bag.
run openssl pkcs12 -export -nocerts -inkey "$K/support.key" -certfile "$work/bob.pem" \
  -passout "pass:$password" -out "$S/reject-key-mismatch.p12"
pass_file reject-key-mismatch "$password"
# Two identities in one file (support's RSA and EC keys, each with its certificate). `openssl
# pkcs12 -export` takes one key, so two MAC-less exports are spliced: the ContentInfos of both
# AuthenticatedSafes in one new PFX (RFC 7292 section 4), the DER around them written by hand.
# der_tlv TAG_HEX FILE: FILE's bytes as the contents of one DER TLV (definite length), on stdout.
der_tlv() {
  local n b
  n=$(stat -c %s "$2")
  local -a len
  if ((n < 128)); then len=("$n")
  elif ((n < 256)); then len=(129 "$n")
  elif ((n < 65536)); then len=(130 $((n >> 8)) $((n & 255)))
  else len=(131 $((n >> 16)) $(((n >> 8) & 255)) $((n & 255))); fi
  printf "\\x$1"
  for b in "${len[@]}"; do printf "\\x$(printf %02x "$b")"; done
  cat -- "$2"
}
# safe_contents P12 OUT: appends the ContentInfos of a MAC-less P12's AuthenticatedSafe to OUT.
safe_contents() {
  local off hl
  off=$(openssl asn1parse -inform DER -in "$1" | awk '/d=3/ && /OCTET STRING/ { print $1 + 0; exit }')
  run openssl asn1parse -inform DER -in "$1" -strparse "$off" -noout -out "$1.auth"
  hl=$(openssl asn1parse -inform DER -in "$1.auth" | head -1 | sed -E 's/.*hl= *([0-9]+).*/\1/')
  tail -c +$((hl + 1)) -- "$1.auth" >>"$2"
}
p12 "$work/two-rsa.p12" "$K/support.key" "$work/s-aes.pem" "$password" -nomac
p12 "$work/two-ec.p12" "$K/support-ec.key" "$work/s-ec.pem" "$password" -nomac
: >"$work/two.body"
safe_contents "$work/two-rsa.p12" "$work/two.body"
safe_contents "$work/two-ec.p12" "$work/two.body"
der_tlv 30 "$work/two.body" >"$work/two.auth"
der_tlv 04 "$work/two.auth" >"$work/two.octets"
der_tlv a0 "$work/two.octets" >"$work/two.explicit"
{ printf '\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01'; cat -- "$work/two.explicit"; } >"$work/two.ci"  # id-data
der_tlv 30 "$work/two.ci" >"$work/two.contentinfo"
{ printf '\x02\x01\x03'; cat -- "$work/two.contentinfo"; } >"$work/two.pfx"  # version 3
der_tlv 30 "$work/two.pfx" >"$S/reject-two-keys.p12"
pass_file reject-two-keys "$password"
cp "$work/garbage" "$S/reject-garbage.p12"
: >"$S/reject-empty.p12"
p12_size=$(wc -c <"$S/ok-aes256.p12")
head -c $((p12_size / 2)) "$S/ok-aes256.p12" >"$S/reject-truncated.p12"
cp "$S/ok-aes256.pass" "$S/reject-truncated.pass"
issue "$work/s-sign.pem" "$K/support.key" "$SUPPORT_SUBJ" 'keyUsage = critical,digitalSignature'
p12 "$S/reject-ku-digitalsignature.p12" "$K/support.key" "$work/s-sign.pem" "$password"
pass_file reject-ku-digitalsignature "$password"
issue "$work/s-ed.pem" "$K/ed25519.key" "$SUPPORT_SUBJ"
p12 "$S/reject-ed25519.p12" "$K/ed25519.key" "$work/s-ed.pem" "$password"
pass_file reject-ed25519 "$password"
issue "$work/s-1024.pem" "$K/rsa1024.key" "$SUPPORT_SUBJ" "$SMIME_RSA"
p12 "$S/reject-rsa1024.p12" "$K/rsa1024.key" "$work/s-1024.pem" "$password"
pass_file reject-rsa1024 "$password"

# ---------------------------------------------------------------------------------------------
# cases.tsv
# ---------------------------------------------------------------------------------------------
# Written to the work dir and moved into place only once the self-check below has passed.
tsv=$work/cases.tsv
printf 'file\tcommand\tpassword_file\texit\tmessage\timported\taddresses\tdescription\n' >"$tsv"
# row FILE COMMAND PASSWORD_FILE EXIT MESSAGE IMPORTED ADDRESSES DESCRIPTION
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$tsv"; }
ok_c() { row "client/$1" client - 0 imported "$2" "$3" "$4"; }
no_c() { row "$1" client - 3 "$2" 0 - "$3"; }
ok_s() { row "server/$1" server "$2" 0 "$3" 1 "$4" "$5"; }
no_s() { row "$1" server "$2" 3 "$3" 0 - "$4"; }

ok_c ok-rsa2048-dn-email.pem 1 alice@example.test "RSA 2048, emailAddress in subject DN, PEM, no keyUsage/EKU"
ok_c ok-rsa2048-dn-email.cer 1 alice@example.test "same certificate as ok-rsa2048-dn-email.pem, DER, .cer"
ok_c ok-der-named.pem 1 alice@example.test "same certificate, DER content with a .pem extension"
ok_c ok-pem-named.der 1 alice@example.test "same certificate, PEM content with a .der extension"
ok_c ok-pem-with-text.pem 1 alice@example.test "same certificate, PEM preceded by the text of openssl x509 -text"
ok_c ok-pem-crlf.crt 1 alice@example.test "same certificate, PEM with CRLF line endings, .crt"
ok_c ok-san-only.pem 1 dave@customer.test "only address is a subjectAltName rfc822Name, none in the DN"
ok_c ok-dn-and-san.pem 1 alice.work@customer.test,alice@example.test "two different addresses: DN emailAddress and SAN rfc822Name"
ok_c ok-uppercase-address.pem 1 alice.example@example.test "DN address in mixed case (Alice.Example@Example.TEST), stored lower-cased"
ok_c ok-dn-san-same-address.pem 1 carol@example.test "DN carol@example.test and SAN Carol@Example.TEST: one address after normalisation"
ok_c ok-san-two-addresses.pem 1 erin.backup@customer.test,erin@customer.test "two SAN rfc822Names, no DN address"
ok_c ok-ec-p256-keyagreement.pem 1 ec.p256@example.test "EC P-256, keyUsage keyAgreement"
ok_c ok-rsa-ku-eku-email.pem 1 alice@example.test "RSA, keyUsage digitalSignature+keyEncipherment, extendedKeyUsage emailProtection"
ok_c ok-rsa-ku-keyencipherment-only.pem 1 alice@example.test "RSA, keyUsage keyEncipherment only"
ok_c ok-rsa-eku-any.pem 1 alice@example.test "RSA, extendedKeyUsage anyExtendedKeyUsage"
ok_c ok-bundle-two-ee.pem 2 alice@example.test,bob@customer.test "PEM bundle of two different end-entity certificates: both imported"
ok_c ok-bundle-ee-plus-ca.pem 1 alice@example.test "PEM bundle: end-entity certificate then its CA certificate: CA skipped"
ok_c ok-bundle-ca-then-ee.pem 1 alice@example.test "PEM bundle: CA certificate first, then the end-entity certificate: CA skipped"
ok_c ok-rsa4096.pem 1 rsa4096@example.test "RSA 4096"
ok_c ok-ec-p384.pem 1 ec.p384@customer.test "EC P-384, no keyUsage"

no_c client/reject-garbage.cer "contains no X.509 certificate" "1 KiB of pseudo-random bytes"
no_c client/reject-empty.pem "contains no X.509 certificate" "empty file"
no_c client/reject-truncated.der "contains no X.509 certificate" "first half of a DER certificate"
no_c client/reject-damaged-base64.pem "contains no X.509 certificate" "PEM with characters outside the base64 alphabet in the body"
no_c client/reject-truncated-base64.pem "contains no X.509 certificate" "PEM whose base64 is valid but half the body lines are missing"
no_c client/reject-private-key-only.pem "contains no X.509 certificate" "PEM holding only a private key"
# A missing file is an I/O error, exit 1 (issue 10; it was 3 before).
row client/does-not-exist.pem client - 1 "cannot read" 0 - "nonexistent path (the file is deliberately absent)"
no_c client/reject-no-email.pem "no email address" "CN only, no emailAddress and no SAN rfc822Name"
no_c client/reject-expired.pem "expired on" "valid 2019-01-01 to 2020-12-31"
no_c client/reject-not-yet-valid.pem "not valid before" "valid 2040-01-01 to 2041-12-31"
no_c client/reject-ca-cert.pem "is a CA certificate" "basicConstraints CA:TRUE, email in DN, no keyUsage"
no_c ca/ca.pem "is a CA certificate" "the fixtures' test CA: CA:TRUE, keyUsage keyCertSign+cRLSign, email in DN"
no_c client/reject-ku-digitalsignature.pem "keyUsage" "RSA, keyUsage digitalSignature only"
no_c client/reject-ec-ku-keyencipherment.pem "keyUsage" "EC P-256, keyUsage keyEncipherment only (no keyAgreement)"
no_c client/reject-eku-serverauth.pem "extendedKeyUsage" "RSA, extendedKeyUsage serverAuth only"
no_c client/reject-ed25519.pem "cannot encrypt" "Ed25519 key, email in DN"
no_c client/reject-ed448.pem "cannot encrypt" "Ed448 key, email in DN"
no_c client/reject-dsa2048.pem "cannot encrypt" "DSA 2048 key, email in DN"
no_c client/reject-rsa1024.pem "too short" "RSA 1024 key, email in DN"
no_c client/reject-rsa-pss.pem "cannot encrypt" "RSA-PSS (id-RSASSA-PSS) key, email in DN"
no_c server/ok-aes256.p12 "is a PKCS #12 file" "a PKCS #12 file offered as a client certificate"
no_c server/ok-legacy-rc2-3des.p12 "is a PKCS #12 file" "a legacy (RC2/3DES) PKCS #12 file offered as a client certificate"
no_c server/ok-aes256.pfx "is a PKCS #12 file" "a .pfx offered as a client certificate"

ok_s ok-aes256.p12 server/ok-aes256.pass imported support@example.test "PBES2/AES-256 (OpenSSL 3 default), password file without trailing newline"
ok_s ok-aes256-newline.p12 server/ok-aes256-newline.pass imported support@example.test "PBES2/AES-256, password file with a trailing newline"
ok_s ok-aes256.pfx server/ok-aes256-pfx.pass imported support@example.test ".pfx extension"
ok_s ok-empty-password.p12 - imported support@example.test "empty password, no password file"
ok_s ok-empty-password.p12 server/ok-empty-password.pass imported support@example.test "empty password, empty password file"
ok_s ok-legacy-rc2-3des.p12 server/ok-legacy-rc2-3des.pass imported support@example.test "openssl pkcs12 -legacy: RC2-40 certificates, 3DES key, SHA-1 MAC (needs the legacy provider)"
ok_s ok-3des.p12 server/ok-3des.pass imported support@example.test "PBE-SHA1-3DES for certificates and key"
ok_s ok-nomac.p12 server/ok-nomac.pass imported support@example.test "no MAC (-nomac), password-encrypted bags"
ok_s ok-with-ca-chain.p12 server/ok-with-ca-chain.pass imported support@example.test "CA certificate included as an extra bag: only the server certificate is imported"
ok_s ok-ec-p256.p12 server/ok-ec-p256.pass imported support@example.test "EC P-256 key, keyUsage digitalSignature+keyAgreement"
ok_s ok-expired.p12 server/ok-expired.pass expired support@example.test "certificate expired 2020-12-31: imported with a warning"
ok_s ok-two-addresses.p12 server/ok-two-addresses.pass imported helpdesk@example.test,support@example.test "certificate with two addresses (DN and SAN)"
ok_s ok-utf8-password.p12 server/ok-utf8-password.pass imported support@example.test "non-ASCII UTF-8 password"

no_s server/reject-not-yet-valid.p12 server/reject-not-yet-valid.pass "not valid before" "certificate valid 2040-01-01 to 2041-12-31"
no_s server/reject-wrong-password.p12 server/reject-wrong-password.pass "password is wrong" "password file holds a wrong password"
no_s server/reject-no-key.p12 server/reject-no-key.pass "no private key" "made with -nokeys: certificate only"
no_s server/reject-key-cert-without-email.p12 server/reject-key-cert-without-email.pass "matches no certificate carrying an email address" "key and its certificate, which has no email address"
no_s server/reject-key-mismatch.p12 server/reject-key-mismatch.pass "matches no certificate carrying an email address" "key of support@example.test with only bob@customer.test's unrelated certificate"
no_s server/reject-ku-digitalsignature.p12 server/reject-ku-digitalsignature.pass "keyUsage" "RSA certificate with keyUsage digitalSignature only"
no_s server/reject-ed25519.p12 server/reject-ed25519.pass "cannot encrypt" "Ed25519 key and certificate with email"
no_s server/reject-rsa1024.p12 server/reject-rsa1024.pass "too short" "RSA 1024 key and certificate with email"
no_s server/reject-two-keys.p12 server/reject-two-keys.pass "holds 2 private keys" "two keys (RSA and EC) each with its certificate, no MAC: spliced from two openssl exports"
no_s client/ok-rsa2048-dn-email.pem - "not a PKCS #12 file" "a PEM certificate offered as a server identity"
no_s client/ok-rsa2048-dn-email.cer - "not a PKCS #12 file" "a DER certificate offered as a server identity"
no_s server/reject-garbage.p12 - "not a PKCS #12 file" "1 KiB of pseudo-random bytes"
no_s server/reject-empty.p12 - "not a PKCS #12 file" "empty file"
no_s server/reject-truncated.p12 server/reject-truncated.pass "not a PKCS #12 file" "first half of ok-aes256.p12, with its password"
row server/does-not-exist.p12 server - 1 "cannot read" 0 - "nonexistent path (the file is deliberately absent)"

# ---------------------------------------------------------------------------------------------
# Self-check: each file really is what its row says, as the openssl CLI sees it.
# ---------------------------------------------------------------------------------------------
fail() { die "self-check: $*"; }
quiet() { "$@" </dev/null >/dev/null 2>&1; }
x509_parses() { quiet openssl x509 -noout -in "$1" || quiet openssl x509 -noout -inform DER -in "$1"; }
# passin PASSFILE|-: the -passin argument for a row's password file. The openssl CLI cannot
# read an empty password file, so an empty file (like no file) becomes the empty password.
passin() { if [[ $1 != - && -s $out/$1 ]]; then echo "file:$out/$1"; else echo pass:; fi; }
# p12_opens FILE PASSFILE|- [options]: openssl reads it (MAC and bags) with that password.
p12_opens() { quiet openssl pkcs12 -in "$out/$1" -noout -passin "$(passin "$2")" "${@:3}"; }
# end_entities FILE: copies FILE's certificates (PEM, possibly several, or one DER) that are
# not CA certificates to $work/ee/*.pem and prints how many there are.
end_entities() {
  local d=$work/ee c
  rm -rf -- "$d"
  mkdir -- "$d"
  if grep -q -- '-----BEGIN CERTIFICATE-----' "$1"; then
    awk -v d="$d" '/-----BEGIN CERTIFICATE-----/ { n++; on = 1 }
                   on { print > (d "/" n ".pem") }
                   /-----END CERTIFICATE-----/ { on = 0 }' "$1"
  else
    openssl x509 -inform DER -in "$1" -out "$d/1.pem"
  fi
  local -a ee=()
  for c in "$d"/*.pem; do
    if openssl x509 -noout -ext basicConstraints -in "$c" 2>/dev/null | grep -q 'CA:TRUE'; then
      rm -- "$c"
    else
      ee+=("$c")
    fi
  done
  echo "${#ee[@]}"
}
# ee_addresses: the lower-cased, de-duplicated, sorted addresses of $work/ee/*.pem, comma-separated.
ee_addresses() {
  local c
  for c in "$work"/ee/*.pem; do openssl x509 -noout -email -in "$c"; done |
    tr '[:upper:]' '[:lower:]' | sort -u | paste -sd, -
}
# check_accept FILE_WITH_CERTS IMPORTED ADDRESSES ROW_FILE
check_accept() {
  local n got
  n=$(end_entities "$1")
  [[ $n -eq $2 ]] || fail "$4: $n end-entity certificates, the table says $2"
  got=$(ee_addresses)
  [[ $got == "$3" ]] || fail "$4: addresses $got, the table says $3"
}
p12_dump() { openssl pkcs12 -in "$out/$1" -nodes -passin "file:$out/$2" "${@:3}" 2>/dev/null; }
x509_text() { openssl x509 -noout -text -in "$1" 2>/dev/null || openssl x509 -noout -text -inform DER -in "$1"; }
has() { grep -qF -- "$2" <<<"$1" || fail "$3: expected '$2'"; }

shopt -s nullglob
checked=0
# The table is read on fd 3, away from the openssl commands in the loop.
while IFS=$'\t' read -r -u 3 file command pf _ message imported addresses _; do
  f=$out/$file
  checked=$((checked + 1))
  if [[ $file == */does-not-exist.* ]]; then
    [[ ! -e $f ]] || fail "$file exists"
    continue
  fi
  [[ -f $f ]] || fail "$file missing"
  [[ $pf == - || -f $out/$pf ]] || fail "$pf missing"
  legacy=()
  [[ $file == *legacy* ]] && legacy=(-legacy)
  case $command:$message in
    client:imported)
      x509_parses "$f" || fail "$file does not parse"
      check_accept "$f" "$imported" "$addresses" "$file" ;;
    client:"contains no X.509 certificate")
      ! x509_parses "$f" || fail "$file parses as X.509" ;;
    client:"is a PKCS #12 file")
      ! x509_parses "$f" || fail "$file parses as X.509"
      openssl asn1parse -inform DER -in "$f" 2>/dev/null | grep -q ':pkcs7-data' || fail "$file is not PKCS #12" ;;
    client:*)
      x509_parses "$f" || fail "$file does not parse" ;;
    server:imported | server:expired)
      p12_opens "$file" "$pf" "${legacy[@]}" || fail "$file does not open with $pf"
      openssl pkcs12 -in "$f" -nokeys -clcerts -passin "$(passin "$pf")" "${legacy[@]}" \
        -out "$work/p12-cert.pem" 2>/dev/null || fail "$file: cannot extract its certificate"
      check_accept "$work/p12-cert.pem" "$imported" "$addresses" "$file" ;;
    server:"not a PKCS #12 file")
      ! quiet openssl pkcs12 -in "$f" -noout -nomacver -passin pass: -legacy || fail "$file parses as PKCS #12"
      [[ $pf == - ]] || ! p12_opens "$file" "$pf" || fail "$file opens" ;;
    server:"password is wrong")
      ! p12_opens "$file" "$pf" || fail "$file opens with the wrong password" ;;
    server:*)
      p12_opens "$file" "$pf" || fail "$file does not open with $pf" ;;
  esac
done 3< <(tail -n +2 "$tsv")
[[ $checked -eq $(($(wc -l <"$tsv") - 1)) ]] || fail "checked $checked rows only"

# Properties that the generic loop above cannot see.
p12_opens server/reject-wrong-password.p12 server/ok-aes256.pass ||
  fail "reject-wrong-password.p12 does not open with the right password"
! p12_opens server/ok-legacy-rc2-3des.p12 server/ok-legacy-rc2-3des.pass ||
  fail "ok-legacy-rc2-3des.p12 opens without the legacy provider"
info=$(openssl pkcs12 -in "$S/ok-legacy-rc2-3des.p12" -info -noout -legacy -passin "file:$S/ok-legacy-rc2-3des.pass" 2>&1)
has "$info" pbeWithSHA1And40BitRC2-CBC legacy
has "$info" pbeWithSHA1And3-KeyTripleDES-CBC legacy
info=$(openssl pkcs12 -in "$S/ok-3des.p12" -info -noout -passin "file:$S/ok-3des.pass" 2>&1)
has "$info" "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC" 3des
has "$info" "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC" 3des
info=$(openssl pkcs12 -in "$S/ok-aes256.p12" -info -noout -passin "file:$S/ok-aes256.pass" 2>&1)
has "$info" "PBES2, PBKDF2, AES-256-CBC" aes256
last_byte() { tail -c 1 "$1" | od -An -tx1 | tr -d ' \n'; }
[[ $(last_byte "$S/ok-aes256.pass") != 0a ]] || fail "ok-aes256.pass ends with a newline"
[[ $(last_byte "$S/ok-aes256-newline.pass") == 0a ]] || fail "ok-aes256-newline.pass lacks a newline"
[[ $(p12_dump server/ok-with-ca-chain.p12 server/ok-with-ca-chain.pass -nokeys | grep -c 'BEGIN CERTIFICATE') -eq 2 ]] ||
  fail "ok-with-ca-chain.p12 does not hold two certificates"
! p12_dump server/reject-no-key.p12 server/reject-no-key.pass | grep -q 'PRIVATE KEY' ||
  fail "reject-no-key.p12 holds a key"
[[ $(p12_dump server/reject-two-keys.p12 server/reject-two-keys.pass | grep -c 'BEGIN PRIVATE KEY') -eq 2 ]] ||
  fail "reject-two-keys.p12 does not hold two keys"
[[ $(p12_dump server/reject-two-keys.p12 server/reject-two-keys.pass -nokeys | grep -c 'BEGIN CERTIFICATE') -eq 2 ]] ||
  fail "reject-two-keys.p12 does not hold two certificates"
p12_dump server/reject-key-mismatch.p12 server/reject-key-mismatch.pass -nocerts >"$work/mm.key"
p12_dump server/reject-key-mismatch.p12 server/reject-key-mismatch.pass -nokeys >"$work/mm.crt"
grep -q 'bob@customer.test' <(x509_text "$work/mm.crt") || fail "reject-key-mismatch.p12 lacks bob's certificate"
[[ $(openssl pkey -in "$work/mm.key" -pubout) != $(openssl x509 -in "$work/mm.crt" -noout -pubkey) ]] ||
  fail "reject-key-mismatch.p12: key matches the certificate"
t=$(x509_text "$C/reject-expired.pem"); has "$t" "Not After : Dec 31 23:59:59 2020 GMT" expired
t=$(x509_text "$C/reject-not-yet-valid.pem"); has "$t" "Not Before: Jan  1 00:00:00 2040 GMT" not-yet-valid
t=$(x509_text "$C/reject-ca-cert.pem"); has "$t" "CA:TRUE" ca-cert
t=$(x509_text "$C/reject-rsa-pss.pem"); has "$t" "Public Key Algorithm: rsassaPss" rsa-pss
t=$(x509_text "$C/reject-rsa1024.pem"); has "$t" "Public-Key: (1024 bit)" rsa1024
t=$(x509_text "$C/reject-dsa2048.pem"); has "$t" "Public-Key: (2048 bit)" dsa2048
t=$(x509_text "$C/ok-rsa4096.pem"); has "$t" "Public-Key: (4096 bit)" rsa4096
t=$(x509_text "$C/ok-ec-p384.pem"); has "$t" "NIST CURVE: P-384" ec-p384
t=$(openssl x509 -noout -subject -ext subjectAltName -in "$C/reject-no-email.pem" 2>&1)
! grep -q '@' <<<"$t" || fail "reject-no-email.pem has an address"

mv -- "$tsv" "$out/cases.tsv"
echo "make-fixtures: $checked cases in $out/cases.tsv"
