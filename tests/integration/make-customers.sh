#!/usr/bin/env bash
# Makes the customers of the outgoing-mail integration tests with the openssl CLI, issued by
# the fixture CA of tests/data/make-fixtures.sh (FIXTURES/ca): for each NAME in
#   alice bob carol dave (valid, RSA 2048)   erin (EC P-256, valid)   frank (expired 2019-2020)
# OUT/NAME.key, OUT/NAME.pem, OUT/NAME.der with emailAddress NAME@customer.test; and
# OUT/frank-new.* (a valid renewal of frank's), OUT/customers.ldif for slapd (entries under
# ou=people, which tests/harness/slapd.sh makes) (userCertificate;binary
# of alice, erin, frank-new; dave's in userSMIMECertificate as a PKCS #7 certs-only blob; bob and
# carol are NOT in LDAP), OUT/ca.pem.
# Usage: make-customers.sh FIXTURES OUT
set -euo pipefail
fixtures=${1:?fixtures dir}
out=${2:?output dir}
rm -rf "$out"
mkdir -p "$out/ca-db"
cp "$fixtures/ca/ca.pem" "$out/ca.pem"
: >"$out/ca-db/index.txt"
echo 5000 >"$out/ca-db/serial"
cat >"$out/ca.cnf" <<CNF
[ ca ]
default_ca = fixture
[ fixture ]
database = $out/ca-db/index.txt
serial = $out/ca-db/serial
new_certs_dir = $out/ca-db
certificate = $fixtures/ca/ca.pem
private_key = $fixtures/ca/ca.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
x509_extensions = smime
[ anything ]
commonName = supplied
emailAddress = supplied
[ smime ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment,keyAgreement
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
CNF
issue() {  # name keytype start end
  local name=$1 keytype=$2 start=$3 end=$4 address=${5:-$1}
  if [ "$keytype" = ec ]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/$name.key" 2>/dev/null
  else
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out/$name.key" 2>/dev/null
  fi
  openssl req -new -key "$out/$name.key" -subj "/CN=$address/emailAddress=$address@customer.test" \
    -out "$out/$name.csr" 2>/dev/null
  openssl ca -batch -config "$out/ca.cnf" -in "$out/$name.csr" -out "$out/$name.pem" -notext \
    -startdate "$start" -enddate "$end" >/dev/null 2>&1
  openssl x509 -in "$out/$name.pem" -outform DER -out "$out/$name.der"
}
now_plus() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
issue alice rsa "$(now_plus '-1 day')" "$(now_plus '+2 years')"
issue bob rsa "$(now_plus '-1 day')" "$(now_plus '+2 years')"
issue carol rsa "$(now_plus '-1 day')" "$(now_plus '+2 years')"
issue dave rsa "$(now_plus '-1 day')" "$(now_plus '+2 years')"
issue erin ec "$(now_plus '-1 day')" "$(now_plus '+2 years')"
issue frank rsa 20190101000000Z 20201231000000Z
issue frank-new rsa "$(now_plus '-1 day')" "$(now_plus '+2 years')" frank
openssl crl2pkcs7 -nocrl -certfile "$out/dave.pem" -outform DER -out "$out/dave.p7c"

entry() {  # name attribute file
  cat <<LDIF
dn: cn=$1,ou=people,dc=example,dc=test
objectClass: inetOrgPerson
cn: $1
sn: $1
mail: $1@customer.test
$2:< file://$3

LDIF
}
# ou=people and the bind DN cn=reader come with tests/harness/slapd.sh.
{
  entry alice 'userCertificate;binary' "$out/alice.der"
  entry erin 'userCertificate;binary' "$out/erin.der"
  entry frank 'userCertificate;binary' "$out/frank-new.der"
  entry dave 'userSMIMECertificate' "$out/dave.p7c"
} >"$out/customers.ldif"
echo "make-customers: $(ls "$out"/*.pem | wc -l) certificates in $out"
