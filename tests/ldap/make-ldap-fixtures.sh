#!/usr/bin/env bash
# Makes the certificates and the LDIF for the LDAP lookup tests (tests/ldap), with the openssl
# CLI only, so the bytes a test expects come from a third-party implementation.
#
# Usage: tests/ldap/make-ldap-fixtures.sh OUTPUT_DIR
#
# OUTPUT_DIR (wiped and recreated) then holds:
#   ca.pem                   the customer CA that issued everything
#   alice.der                valid; mail alice@customer.test (email in the subject DN)
#   bob-expired.der          expired 2020-12-31; mail bob@customer.test
#   carol.der, carol.p7c     one certificate, also as a PKCS #7 certs-only blob (DER) in
#                            userSMIMECertificate; the LDIF lists userCertificate;binary first
#   dave-1.der, dave-2.der   two certificates in one entry (a renewal)
#   ohara.der                the entry whose mail holds all of RFC 4515's special characters,
#                            o'hara+(sales)*\team@customer.test (address in special-address.txt)
#   juergen.der              the entry whose cn is non-ASCII UTF-8 (Jürgen Müller)
#   eve.der                  under ou=restricted: only cn=reader may read it
#   entries.ldif             the entries (frank@customer.test has no certificate), referring to
#                            the files above by file:// URL; load with slapd.sh load
set -euo pipefail
export LC_ALL=C
umask 022
exec </dev/null # openssl must never wait for a password typed on stdin

out=${1:?output directory}
marker=.casecrypt-ldap-fixtures
die() { echo "make-ldap-fixtures: $*" >&2; exit 1; }
command -v openssl >/dev/null || die "openssl not found"

# Refuse to wipe a directory this script did not make.
if [[ -e $out ]]; then
  [[ -d $out && ( -z $(ls -A -- "$out") || -e $out/$marker ) ]] ||
    die "$out exists and was not made by this script; refusing to wipe it"
  rm -rf -- "$out"
fi
mkdir -p -- "$out"
touch -- "$out/$marker"
out=$(cd -- "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/casecrypt-ldap-fixtures.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

run() {
  local log=$work/log.$BASHPID
  "$@" >"$log" 2>&1 || { cat "$log" >&2; die "failed: $*"; }
}

# `openssl ca` rather than `openssl x509 -req`: only it can backdate (the expired certificate).
export OPENSSL_CONF=$work/openssl.cnf
cat >"$OPENSSL_CONF" <<CNF
[ req ]
distinguished_name = req_dn
[ req_dn ]
[ ca ]
default_ca = customer_ca
[ customer_ca ]
database        = $work/index.txt
new_certs_dir   = $work/newcerts
serial          = $work/serial
certificate     = $out/ca.pem
private_key     = $work/ca.key
default_md      = sha256
policy          = policy_any
unique_subject  = no
email_in_dn     = yes
copy_extensions = none
[ policy_any ]
commonName   = optional
emailAddress = optional
[ smime ]
basicConstraints = CA:FALSE
keyUsage         = critical,digitalSignature,keyEncipherment
extendedKeyUsage = emailProtection
CNF
mkdir "$work/newcerts"
: >"$work/index.txt"
echo 2000 >"$work/serial"

people=(alice bob-expired carol dave-1 dave-2 ohara juergen eve)
pids=()
for p in ca "${people[@]}"; do
  run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/$p.key" & pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || die "key generation failed"; done

run openssl req -x509 -new -key "$work/ca.key" -sha256 -days 3650 -set_serial 1 \
  -subj "/CN=casecrypt Customer CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$out/ca.pem"

# issue NAME SUBJECT [STARTDATE ENDDATE]: NAME.der signed by the customer CA.
issue() {
  local name=$1 subject=$2 dates=(-days 825)
  [[ $# -ge 4 ]] && dates=(-startdate "$3" -enddate "$4")
  run openssl req -new -key "$work/$name.key" -subj "$subject" -out "$work/$name.csr"
  run openssl ca -batch -notext -preserveDN -extensions smime -in "$work/$name.csr" \
    -out "$work/$name.pem" "${dates[@]}"
  run openssl x509 -in "$work/$name.pem" -outform DER -out "$out/$name.der"
}

special="o'hara+(sales)*\\team@customer.test"
printf '%s' "$special" >"$out/special-address.txt"

issue alice "/CN=Alice Customer/emailAddress=alice@customer.test"
issue bob-expired "/CN=Bob Customer/emailAddress=bob@customer.test" 20190101000000Z 20201231235959Z
issue carol "/CN=Carol Customer/emailAddress=carol@customer.test"
issue dave-1 "/CN=Dave Customer/emailAddress=dave@customer.test"
issue dave-2 "/CN=Dave Customer/emailAddress=dave@customer.test"
# In -subj a backslash escapes the next character and '+' joins RDNs: escape both.
subj_special=${special//\\/\\\\}
issue ohara "/CN=O'Hara Sales/emailAddress=${subj_special//+/\\+}"
issue juergen "/CN=Juergen Mueller/emailAddress=juergen@customer.test"
issue eve "/CN=Eve Customer/emailAddress=eve@customer.test"
run openssl crl2pkcs7 -nocrl -certfile "$work/carol.pem" -outform DER -out "$out/carol.p7c"

# Check what the tests rely on, with openssl.
openssl x509 -inform DER -in "$out/alice.der" -noout -checkend 0 >/dev/null || die "alice.der is not valid now"
if openssl x509 -inform DER -in "$out/bob-expired.der" -noout -checkend 0 >/dev/null; then
  die "bob-expired.der is not expired"
fi
[[ $(openssl x509 -inform DER -in "$out/ohara.der" -noout -email) == "$special" ]] ||
  die "ohara.der does not carry $special"
[[ $(openssl pkcs7 -inform DER -in "$out/carol.p7c" -print_certs | grep -c BEGIN) == 1 ]] ||
  die "carol.p7c does not hold one certificate"
[[ $(head -c 20 "$out/bob-expired.der" | wc -c) == 20 ]] || die "empty DER"

b64() { printf '%s' "$1" | base64 -w0; }
u() { echo "file://$out/$1"; }
people_dn="ou=people,dc=example,dc=test"
person() { # person UID CN SN MAIL: the common lines of an inetOrgPerson under ou=people
  printf 'dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nmail: %s\n' \
    "$1" "$people_dn" "$1" "$2" "$3" "$4"
}
{
  person alice "Alice Customer" Customer alice@customer.test
  echo "userCertificate;binary:< $(u alice.der)"
  echo
  person bob "Bob Customer" Customer bob@customer.test
  echo "userCertificate;binary:< $(u bob-expired.der)"
  echo
  person carol "Carol Customer" Customer carol@customer.test
  echo "userCertificate;binary:< $(u carol.der)"
  echo "userSMIMECertificate:< $(u carol.p7c)"
  echo
  person dave "Dave Customer" Customer dave@customer.test
  echo "userCertificate;binary:< $(u dave-1.der)"
  echo "userCertificate;binary:< $(u dave-2.der)"
  echo
  person ohara "O'Hara Sales" "O'Hara" "$special"
  echo "userCertificate;binary:< $(u ohara.der)"
  echo
  # Non-ASCII values are base64 in LDIF (RFC 2849: SAFE-STRING is ASCII).
  printf 'dn: uid=juergen,%s\nobjectClass: inetOrgPerson\nuid: juergen\n' "$people_dn"
  echo "cn:: $(b64 'Jürgen Müller')"
  echo "sn:: $(b64 'Müller')"
  echo "mail: juergen@customer.test"
  echo "userCertificate;binary:< $(u juergen.der)"
  echo
  person frank "Frank Nocert" Nocert frank@customer.test
  echo
  printf 'dn: uid=eve,ou=restricted,dc=example,dc=test\nobjectClass: inetOrgPerson\nuid: eve\n'
  printf 'cn: Eve Customer\nsn: Customer\nmail: eve@customer.test\n'
  echo "userCertificate;binary:< $(u eve.der)"
} >"$out/entries.ldif"
echo "make-ldap-fixtures: wrote $out"
