#!/usr/bin/env bash
# Makes the mails of the incoming-mail integration tests (incoming_mail_test.cpp,
# incoming_crash_test.cpp) with the openssl CLI, gpgsm, printf, iconv and base64 only: never with
# casecrypt, so a test cannot agree with a bug in our own code. Every mail has CRLF line ends
# (Postfix refuses a bare LF) and a Message-ID of its own.
#
# Usage: make-incoming-mails.sh OUTDIR FIXTURES_DIR
#        make-incoming-mails.sh --reply OUT.eml FIXTURES_DIR SUBJECT IN_REPLY_TO TEXT
#
# FIXTURES_DIR is what tests/data/make-fixtures.sh made (server identities server/*.p12 + .pass,
# ca/ca.pem, keys/alice.key, client/ok-rsa-ku-eku-email.pem = alice@example.test). OUTDIR is wiped
# and gets:
#   mails.tsv      one row per S/MIME and plain mail of the pipeline test (columns below)
#   NN-*.eml       those mails, to support@example.test from carl@customer.test (or alice)
#   backup-helpdesk.eml   to helpdesk@example.test, encrypted only to server/ok-two-addresses.p12
#   charset-*.eml  RFC 2047 subjects/names (ISO-8859-1, UTF-8, Windows-1252), bodies in
#                  ISO-8859-2 quoted-printable and Windows-1251 base64, an RFC 2231 file name
#   big-attachment.eml + .sha256   openssl smime -encrypt of a multipart/mixed whose base64
#                  attachment random.bin is 50 MiB of random bytes; .sha256 is that file's hash
#   crash/NNNN.eml 300 mails for the crash test: even ones plain, odd ones openssl smime
#                  encrypted to support; each with the token crash-token-NNNN in its text; nine of
#                  ten carry "Ticket (1)" in the subject, every tenth none
# --reply writes one reply of carl@customer.test to support, encrypted with openssl smime to the
# support identity: outer Subject SUBJECT, In-Reply-To/References IN_REPLY_TO (without <>; empty:
# none), TEXT in its text/plain body. For replies whose subject or In-Reply-To the test learns
# only at run time (a ticket number, the Message-ID of a mail we sent).
#
# mails.tsv columns (tab separated, header first):
#   file       NN-name.eml
#   text       distinctive ASCII text the ticket message's text must contain
#   encrypted  yes | no
#   cipher     content cipher as OBJ_nid2sn names it, or -
#   integrity  yes (AES-GCM or a valid signature over the content) | no | -
#   signature  none | valid | mismatch (valid and trusted, signer is not the From address)
#   signer     the signer's address, or -
#   subject    the subject the ticket message must have
#   made_by    the tool and options, for the reader
# Identities to import for them: server/ok-aes256.p12 and server/ok-ec-p256.p12 (support), trust
# anchor ca/ca.pem.
set -euo pipefail
export LC_ALL=C
umask 022
exec </dev/null # openssl and gpgsm must never wait for input typed on stdin

die() { echo "make-incoming-mails: $*" >&2; exit 1; }
command -v openssl >/dev/null || die "openssl not found"
command -v iconv >/dev/null || die "iconv not found"

crlf() { sed -e 's/\r$//' -e 's/$/\r/'; }
# run CMD...: quietly; on failure shows the output and stops.
run() {
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "failed: $*"
  fi
  rm -f "$log"
}
# q_word CHARSET TEXT: TEXT (UTF-8) as one RFC 2047 Q-encoded word in CHARSET.
q_word() {
  printf '=?%s?Q?' "$1"
  printf '%s' "$2" | iconv -f UTF-8 -t "$1" | od -An -v -tu1 |
    awk '{ for (i = 1; i <= NF; i++) { b = $i
           if ((b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)) printf "%c", b
           else if (b == 32) printf "_"
           else printf "=%02X", b } }'
  printf '?='
}
# b_word CHARSET TEXT: TEXT (UTF-8) as one RFC 2047 B-encoded word in CHARSET.
b_word() { printf '=?%s?B?%s?=' "$1" "$(printf '%s' "$2" | iconv -f UTF-8 -t "$1" | base64 -w0)"; }
# qp CHARSET: stdin (UTF-8, LF lines) converted to CHARSET and quoted-printable encoded (RFC 2045
# 6.7), CRLF line ends; the lines are short, so no soft line breaks are needed.
qp() {
  iconv -f UTF-8 -t "$1" | od -An -v -tu1 |
    awk '{ for (i = 1; i <= NF; i++) { b = $i
           if (b == 10) printf "\r\n"
           else if (b >= 33 && b <= 126 && b != 61) printf "%c", b
           else if (b == 32) printf " "
           else printf "=%02X", b } }'
}
# b64: stdin base64 encoded in 76-character CRLF lines.
b64() { base64 -w 76 | crlf; }
# headers FROM TO SUBJECT MESSAGE-ID [EXTRA]: RFC 5322 header fields (no empty line after);
# EXTRA is more complete header lines (CRLF-terminated).
headers() {
  printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Thu, 26 Nov 2026 09:30:00 +0000\r\nMessage-ID: <%s>\r\n%s' \
    "$1" "$2" "$3" "$4" "${5:-}"
}
MIME_VERSION=$'MIME-Version: 1.0\r\n'
# text_entity TEXT: a text/plain UTF-8 MIME entity (7bit) whose body holds TEXT.
text_entity() {
  printf 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n%s\r\n\r\nThis mail came through Postfix and Dovecot.\r\n' "$1"
}
# smime_encrypt IN OUT CERT [OPTIONS...]: OUT = the S/MIME entity `openssl smime -encrypt`
# makes of the MIME entity IN (taken as is: -binary), CRLF line ends.
smime_encrypt() {
  local in=$1 dest=$2 cert=$3
  shift 3
  run openssl smime -encrypt -binary "$@" -in "$in" -out "$dest.lf" "$cert"
  crlf <"$dest.lf" >"$dest"
  rm -f "$dest.lf"
}
# cms_encrypt IN OUT OPTIONS...: the same with `openssl cms -encrypt`.
cms_encrypt() {
  local in=$1 dest=$2
  shift 2
  run openssl cms -encrypt -binary -in "$in" -out "$dest.lf" "$@"
  crlf <"$dest.lf" >"$dest"
  rm -f "$dest.lf"
}
# certificate P12_WITHOUT_EXTENSION OUT: the certificate of a server identity (the key stays).
certificate() {
  run openssl pkcs12 -in "$1.p12" -passin "file:$1.pass" -nokeys -clcerts -out "$2"
}

CARL='Carl Customer <carl@customer.test>'
ALICE='Alice Example <alice@example.test>'
SUPPORT_TO='Example Support <support@example.test>'

if [[ ${1:-} == --reply ]]; then
  dest=${2:?OUT.eml}
  fixtures=${3:?FIXTURES_DIR}
  subject=${4:?SUBJECT}
  in_reply_to=${5-}
  text=${6:?TEXT}
  work=$(mktemp -d "${TMPDIR:-/tmp}/casecrypt-reply.XXXXXX")
  trap 'rm -rf -- "$work"' EXIT
  certificate "$fixtures/server/ok-aes256" "$work/support.crt"
  text_entity "$text" >"$work/entity"
  smime_encrypt "$work/entity" "$work/p7m" "$work/support.crt" -aes256
  extra=""
  [[ -n $in_reply_to ]] && extra="In-Reply-To: <$in_reply_to>"$'\r\n'"References: <$in_reply_to>"$'\r\n'
  id="reply-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')@customer.test"
  { headers "$CARL" "$SUPPORT_TO" "$subject" "$id" "$extra"; cat "$work/p7m"; } >"$dest"
  exit 0
fi

out=${1:?usage: make-incoming-mails.sh OUTDIR FIXTURES_DIR}
fixtures=${2:?usage: make-incoming-mails.sh OUTDIR FIXTURES_DIR}
[[ -f $fixtures/server/ok-aes256.p12 && -f $fixtures/ca/ca.pem ]] ||
  die "$fixtures has no certificate fixtures (tests/data/make-fixtures.sh makes them)"
fixtures=$(cd -- "$fixtures" && pwd)
rm -rf -- "$out"
mkdir -p -- "$out/crash"
out=$(cd -- "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/casecrypt-incoming.XXXXXX")
gnupg_home=""
# Stops the gpg-agent of our gpgsm home only (addressed through its socket), removes the rest.
cleanup() {
  if [[ -n $gnupg_home && -d $gnupg_home ]]; then
    GNUPGHOME=$gnupg_home gpgconf --kill gpg-agent >/dev/null 2>&1 || true
    local i
    for ((i = 0; i < 50; i++)); do
      [[ -S $gnupg_home/S.gpg-agent ]] || break
      sleep 0.1
    done
    rm -rf -- "$gnupg_home"
  fi
  rm -rf -- "$work"
}
trap cleanup EXIT
S=$fixtures/server
certificate "$S/ok-aes256" "$work/support.crt"
certificate "$S/ok-ec-p256" "$work/support-ec.crt"
certificate "$S/ok-two-addresses" "$work/helpdesk.crt"
ALICE_CRT=$fixtures/client/ok-rsa-ku-eku-email.pem
ALICE_KEY=$fixtures/keys/alice.key

TSV=$out/mails.tsv
printf 'file\ttext\tencrypted\tcipher\tintegrity\tsignature\tsigner\tsubject\tmade_by\n' >"$TSV"
row() { local IFS=$'\t'; printf '%s\n' "$*" >>"$TSV"; }
# mail NAME FROM SUBJECT ENTITY [EXTRA]: OUTDIR/NAME = header fields + the MIME entity file
# ENTITY. Entities made by openssl start with MIME-Version already; pass "$MIME_VERSION" as
# EXTRA for the others.
mail() {
  { headers "$2" "$SUPPORT_TO" "$3" "incoming-${1%.eml}@customer.test" "${5:-}"; cat "$4"; } >"$out/$1"
}

# --- openssl smime / cms ------------------------------------------------------------------------
text_entity "Incoming text 01: openssl smime AES-256-CBC" >"$work/01"
smime_encrypt "$work/01" "$work/01.p7m" "$work/support.crt" -aes256
mail 01-openssl-smime-aes256.eml "$CARL" "Incoming 01: openssl smime" "$work/01.p7m"
row 01-openssl-smime-aes256.eml "Incoming text 01: openssl smime AES-256-CBC" yes AES-256-CBC no none - \
  "Incoming 01: openssl smime" "openssl smime -encrypt -aes256"

text_entity "Incoming text 02: openssl cms AES-256-GCM" >"$work/02"
cms_encrypt "$work/02" "$work/02.p7m" -aes-256-gcm -recip "$work/support.crt"
mail 02-openssl-cms-aes256-gcm.eml "$CARL" "Incoming 02: openssl cms GCM" "$work/02.p7m"
row 02-openssl-cms-aes256-gcm.eml "Incoming text 02: openssl cms AES-256-GCM" yes id-aes256-GCM yes none - \
  "Incoming 02: openssl cms GCM" "openssl cms -encrypt -aes-256-gcm (AuthEnvelopedData)"

text_entity "Incoming text 03: openssl cms to the EC identity" >"$work/03"
cms_encrypt "$work/03" "$work/03.p7m" -aes-128-cbc -recip "$work/support-ec.crt"
mail 03-openssl-cms-ec.eml "$CARL" "Incoming 03: openssl cms EC" "$work/03.p7m"
row 03-openssl-cms-ec.eml "Incoming text 03: openssl cms to the EC identity" yes AES-128-CBC no none - \
  "Incoming 03: openssl cms EC" "openssl cms -encrypt -aes-128-cbc to server/ok-ec-p256 (ECDH)"

# Signed by alice (multipart/signed, openssl smime -sign), then encrypted; From alice: valid.
text_entity "Incoming text 04: signed by alice, then encrypted" >"$work/04"
run openssl smime -sign -in "$work/04" -signer "$ALICE_CRT" -inkey "$ALICE_KEY" -md sha256 -crlfeol \
  -out "$work/04.signed.lf"
crlf <"$work/04.signed.lf" >"$work/04.signed"
smime_encrypt "$work/04.signed" "$work/04.p7m" "$work/support.crt" -aes256
mail 04-openssl-signed-encrypted.eml "$ALICE" "Incoming 04: signed and encrypted" "$work/04.p7m"
row 04-openssl-signed-encrypted.eml "Incoming text 04: signed by alice, then encrypted" yes AES-256-CBC yes valid \
  alice@example.test "Incoming 04: signed and encrypted" "openssl smime -sign (alice) then openssl smime -encrypt -aes256"

# The same signer, opaque signed-data, but the From is mallory: valid and trusted, not From.
text_entity "Incoming text 05: signed by alice, sent by mallory" >"$work/05"
run openssl cms -sign -in "$work/05" -signer "$ALICE_CRT" -inkey "$ALICE_KEY" -md sha256 -nodetach -crlfeol \
  -out "$work/05.signed.lf"
crlf <"$work/05.signed.lf" >"$work/05.signed"
cms_encrypt "$work/05.signed" "$work/05.p7m" -aes-256-cbc -recip "$work/support.crt"
mail 05-openssl-signed-mismatch.eml 'Mallory <mallory@customer.test>' "Incoming 05: signer is not the sender" "$work/05.p7m"
row 05-openssl-signed-mismatch.eml "Incoming text 05: signed by alice, sent by mallory" yes AES-256-CBC yes mismatch \
  alice@example.test "Incoming 05: signer is not the sender" \
  "openssl cms -sign -nodetach (alice) then openssl cms -encrypt; From mallory"

# --- gpgsm (GnuPG 2.2), a second CMS implementation ---------------------------------------------
command -v gpgsm >/dev/null || die "gpgsm not found (Debian package gpgsm)"
command -v gpgconf >/dev/null || die "gpgconf not found (Debian package gpgconf)"
gnupg_home=$(mktemp -d "${TMPDIR:-/tmp}/cc-gpgsm.XXXXXX") # short: the agent's socket lives here
chmod 700 "$gnupg_home"
export GNUPGHOME=$gnupg_home
echo allow-loopback-pinentry >"$GNUPGHOME/gpg-agent.conf"
printf 'disable-crl-checks\ndisable-policy-checks\ndisable-dirmngr\n' >"$GNUPGHOME/gpgsm.conf"
echo "$(openssl x509 -in "$fixtures/ca/ca.pem" -noout -fingerprint -sha1 | sed 's/.*=//') S relax" \
  >"$GNUPGHOME/trustlist.txt"
GPGSM=(gpgsm --batch --no-tty --pinentry-mode loopback)
gpg_pass='gpgsm import pass'
run "${GPGSM[@]}" --import "$fixtures/ca/ca.pem" "$work/support.crt"
# gpgsm 2.2 imports only the old PBE-SHA1-3DES flavour of PKCS #12.
run openssl pkcs12 -export -inkey "$ALICE_KEY" -in "$ALICE_CRT" -passout "pass:$gpg_pass" \
  -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 -out "$work/alice-3des.p12"
gpgsm_pw() {
  if ! printf '%s' "$gpg_pass" | "${GPGSM[@]}" --passphrase-fd 0 "$@" >"$work/log.gpgsm" 2>&1; then
    cat "$work/log.gpgsm" >&2
    die "failed: gpgsm $*"
  fi
}
gpgsm_pw --import "$work/alice-3des.p12"
# p7m_entity DER: an application/pkcs7-mime MIME entity around the DER (base64).
p7m_entity() {
  printf 'MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\r\n'
  printf 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7m"\r\n\r\n'
  b64 <"$1"
}
text_entity "Incoming text 06: gpgsm encrypted" >"$work/06"
run "${GPGSM[@]}" --encrypt -r support@example.test --output "$work/06.der" "$work/06"
p7m_entity "$work/06.der" >"$work/06.p7m"
mail 06-gpgsm-encrypted.eml "$CARL" "Incoming 06: gpgsm" "$work/06.p7m"
row 06-gpgsm-encrypted.eml "Incoming text 06: gpgsm encrypted" yes AES-128-CBC no none - \
  "Incoming 06: gpgsm" "gpgsm --encrypt (its default AES-128-CBC, BER)"

text_entity "Incoming text 07: gpgsm signed by alice, then encrypted" >"$work/07"
gpgsm_pw --detach-sign -u alice@example.test --output "$work/07.p7s" "$work/07"
{
  printf 'MIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;\r\n'
  printf '\tboundary="=_gpgsm_07"\r\n\r\nThis is an S/MIME signed message.\r\n\r\n--=_gpgsm_07\r\n'
  cat "$work/07" # the signed bytes; the CRLF before the next boundary belongs to the boundary
  printf '\r\n--=_gpgsm_07\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\n'
  printf 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7s"\r\n\r\n'
  b64 <"$work/07.p7s"
  printf '\r\n--=_gpgsm_07--\r\n'
} >"$work/07.signed"
run "${GPGSM[@]}" --encrypt -r support@example.test --output "$work/07.der" "$work/07.signed"
p7m_entity "$work/07.der" >"$work/07.p7m"
mail 07-gpgsm-signed-encrypted.eml "$ALICE" "Incoming 07: gpgsm signed and encrypted" "$work/07.p7m"
row 07-gpgsm-signed-encrypted.eml "Incoming text 07: gpgsm signed by alice, then encrypted" yes AES-128-CBC yes valid \
  alice@example.test "Incoming 07: gpgsm signed and encrypted" "gpgsm --detach-sign (alice), multipart/signed, gpgsm --encrypt"
unset GNUPGHOME

# --- plain ---------------------------------------------------------------------------------------
text_entity "Incoming text 08: not encrypted at all" >"$work/08"
mail 08-plain.eml "$CARL" "Incoming 08: plain" "$work/08" "$MIME_VERSION"
row 08-plain.eml "Incoming text 08: not encrypted at all" no - - none - "Incoming 08: plain" "printf"

# --- a mail for an address we have no key for (the helpdesk identity) ---------------------------
text_entity "Backup text: for the helpdesk identity" >"$work/helpdesk"
smime_encrypt "$work/helpdesk" "$work/helpdesk.p7m" "$work/helpdesk.crt" -aes256
{ headers "$CARL" 'Example Helpdesk <helpdesk@example.test>' "For the helpdesk only" "incoming-helpdesk@customer.test"
  cat "$work/helpdesk.p7m"; } >"$out/backup-helpdesk.eml"

# --- charsets and file names ---------------------------------------------------------------------
# charset-latin2: Subject and From name in ISO-8859-1 (Q), body ISO-8859-2 quoted-printable, an
# attachment whose RFC 2231 file name is "Résumé – 2026.pdf" (UTF-8, percent-encoded).
{
  headers "$(q_word ISO-8859-1 'Jörg Müller') <joerg@customer.test>" "$SUPPORT_TO" \
    "$(q_word ISO-8859-1 'Grüße aus Köln: Drucker defekt')" "incoming-charset-latin2@customer.test" "$MIME_VERSION"
  printf 'Content-Type: multipart/mixed; boundary="=_latin2"\r\n\r\n--=_latin2\r\n'
  printf 'Content-Type: text/plain; charset=ISO-8859-2\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
  printf 'Dzień dobry,\nZażółć gęślą jaźń.\nŁódź, Kraków, Gdańsk.\n' | qp ISO-8859-2
  printf '\r\n--=_latin2\r\nContent-Type: application/pdf\r\n'
  printf "Content-Disposition: attachment; filename*=UTF-8''R%%C3%%A9sum%%C3%%A9%%20%%E2%%80%%93%%202026.pdf\r\n"
  printf 'Content-Transfer-Encoding: base64\r\n\r\n'
  printf '%%PDF-1.4\n%% casecrypt test attachment\n' | b64
  printf '\r\n--=_latin2--\r\n'
} >"$out/charset-latin2.eml"
# charset-cyrillic (encrypted with openssl smime): Subject and From name in UTF-8 (B), body
# Windows-1251 base64, an attachment named in RFC 2047 Windows-1252.
{
  printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="=_cyr"\r\n\r\n--=_cyr\r\n'
  printf 'Content-Type: text/plain; charset=windows-1251\r\nContent-Transfer-Encoding: base64\r\n\r\n'
  printf 'Здравствуйте!\nПринтер не печатает, код ошибки 42.\n' | iconv -f UTF-8 -t windows-1251 | b64
  printf '\r\n--=_cyr\r\nContent-Type: text/plain; charset=utf-8; name="%s"\r\n' "$(q_word windows-1252 'Angebot € „Entwurf“.txt')"
  printf 'Content-Disposition: attachment; filename="%s"\r\n' "$(q_word windows-1252 'Angebot € „Entwurf“.txt')"
  printf 'Content-Transfer-Encoding: base64\r\n\r\n'
  printf 'offer draft\n' | b64
  printf '\r\n--=_cyr--\r\n'
} >"$work/cyr"
smime_encrypt "$work/cyr" "$work/cyr.p7m" "$work/support.crt" -aes256
{ headers "$(b_word UTF-8 'Иван Петров') <ivan@customer.test>" "$SUPPORT_TO" "$(b_word UTF-8 'Заявка №42 — принтер')" \
    "incoming-charset-cyrillic@customer.test"
  cat "$work/cyr.p7m"; } >"$out/charset-cyrillic.eml"
# charset-cp1252: Subject and From name in Windows-1252 (Q; the euro sign, curly quotes and the
# dash are not in ISO-8859-1), body UTF-8 quoted-printable.
{
  headers "$(q_word windows-1252 'Zoë O’Brien') <zoe@customer.test>" "$SUPPORT_TO" \
    "$(q_word windows-1252 '“Quoted” price – 100 €')" "incoming-charset-cp1252@customer.test" "$MIME_VERSION"
  printf 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
  printf 'Grüß Gott – 100 € „Anführungszeichen“\n' | qp UTF-8
} >"$out/charset-cp1252.eml"

# --- 50 MiB of random bytes as a base64 attachment, encrypted ------------------------------------
head -c $((50 * 1024 * 1024)) /dev/urandom >"$work/random.bin"
sha256sum "$work/random.bin" | cut -d' ' -f1 >"$out/big-attachment.sha256"
{
  printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="=_big"\r\n\r\n--=_big\r\n'
  printf 'Content-Type: text/plain; charset=utf-8\r\n\r\nBig attachment: 50 MiB of random bytes follow.\r\n'
  printf '\r\n--=_big\r\nContent-Type: application/octet-stream; name="random.bin"\r\n'
  printf 'Content-Disposition: attachment; filename="random.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
  b64 <"$work/random.bin"
  printf '\r\n--=_big--\r\n'
} >"$work/big"
rm -f "$work/random.bin"
smime_encrypt "$work/big" "$work/big.p7m" "$work/support.crt" -aes256
rm -f "$work/big"
{ headers "$CARL" "$SUPPORT_TO" "Incoming: a 50 MiB attachment" "incoming-big@customer.test"; cat "$work/big.p7m"; } \
  >"$out/big-attachment.eml"
rm -f "$work/big.p7m"

# --- the crash test's mails ----------------------------------------------------------------------
for ((i = 0; i < 300; i++)); do
  n=$(printf '%04d' "$i")
  subject="Crash mail $n"
  ((i % 10 == 0)) || subject="$subject Ticket (1)"
  text_entity "crash-token-$n" >"$work/c"
  if ((i % 2 == 0)); then
    { headers "$CARL" "$SUPPORT_TO" "$subject" "crash-$n@customer.test" "$MIME_VERSION"; cat "$work/c"; } \
      >"$out/crash/$n.eml"
  else
    smime_encrypt "$work/c" "$work/c.p7m" "$work/support.crt" -aes256
    { headers "$CARL" "$SUPPORT_TO" "$subject" "crash-$n@customer.test"; cat "$work/c.p7m"; } >"$out/crash/$n.eml"
  fi
done

# --- self-check: each row's mail opens with openssl, its signature verifies (against ca/ca.pem)
# and it holds its text; no mail has a bare LF -------------------------------------------------
while IFS=$'\t' read -r file text encrypted _ _ signature _; do
  [[ $file == file ]] && continue
  cp "$out/$file" "$work/opened"
  if [[ $encrypted == yes ]]; then
    key=ok-aes256
    [[ $file == 03-* ]] && key=ok-ec-p256
    openssl pkcs12 -in "$S/$key.p12" -passin "file:$S/$key.pass" -nodes -out "$work/key.pem" 2>/dev/null
    openssl cms -decrypt -in "$out/$file" -inkey "$work/key.pem" -out "$work/opened" 2>/dev/null ||
      die "self-check: $file does not decrypt with $key"
  fi
  if [[ $signature != none ]]; then
    openssl cms -verify -CAfile "$fixtures/ca/ca.pem" -in "$work/opened" -out "$work/verified" 2>/dev/null ||
      die "self-check: the signature in $file does not verify"
    mv "$work/verified" "$work/opened"
  fi
  grep -qF "$text" "$work/opened" || die "self-check: $file lacks its text"
done <"$TSV"
for f in "$out"/*.eml "$out"/crash/*.eml; do
  if grep -q $'[^\r]$' "$f" || grep -qx '' "$f"; then die "self-check: $f has a bare LF"; fi
done
echo "make-incoming-mails: $(($(wc -l <"$TSV") - 1)) pipeline mails, 3 charset mails, a $(du -m "$out/big-attachment.eml" | cut -f1) MiB mail, 300 crash mails in $out"
