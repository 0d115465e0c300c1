#!/usr/bin/env bash
# Makes the received-mail fixtures for the MIME parser tests (tests/mime/message_parser_test.cpp).
#
# Usage: tests/data/make-mime-fixtures.sh OUTPUT_DIR
#
# Every message is written byte by byte with printf, iconv (charsets), base64 and a small awk
# quoted-printable encoder; the binary attachments come from `openssl enc -aes-128-ctr` over zeros
# (deterministic, so the tests can hold their SHA-256) and the large one from /dev/urandom. None
# of our own code is involved, so a test cannot agree with a bug in the parser. The expected
# values (decoded texts, names, sizes, digests) are written out in the test source, not here.
# OUTPUT_DIR/mime/ is wiped and recreated on every run; the set of files and their bytes are the
# same on every run except big.bin and big.eml (random data; big.sha256 holds its digest).
set -euo pipefail
export LC_ALL=C
umask 022
exec </dev/null

die() { echo "make-mime-fixtures: $*" >&2; exit 1; }
(($# == 1)) || die "usage: $0 OUTPUT_DIR"
for tool in iconv base64 openssl od awk sha256sum; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
mkdir -p -- "$1"
M=$(cd -- "$1" && pwd)/mime
rm -rf -- "$M"
mkdir -p -- "$M"

# ---------------------------------------------------------------------------------------------
# Building blocks.
# ---------------------------------------------------------------------------------------------
# to CHARSET: stdin (UTF-8) converted to CHARSET.
to() { iconv -f UTF-8 -t "$1"; }
# qp: stdin encoded as quoted-printable (RFC 2045 section 6.7): =XX for '=', controls and 8-bit
# bytes and for whitespace before a line end, soft line breaks keep lines within 76 characters.
qp() {
  od -An -v -tu1 | awk '
    { for (i = 1; i <= NF; i++) b[n++] = $i }
    END {
      line = ""
      for (i = 0; i < n; i++) {
        c = b[i]
        if (c == 10) { print line; line = ""; continue }
        eol = (i + 1 == n || b[i + 1] == 10)
        if (c == 61 || c > 126 || (c < 32 && c != 9) || ((c == 32 || c == 9) && eol))
          t = sprintf("=%02X", c)
        else
          t = sprintf("%c", c)
        if (length(line) + length(t) > 75) { print line "="; line = "" }
        line = line t
      }
      if (line != "") print line "="
    }'
}
# b64: stdin base64-encoded in 76-character lines.
b64() { base64 -w 76; }
# bytes N SEED: N deterministic pseudo-random bytes (AES-128-CTR keystream with key SEED).
bytes() {
  head -c "$1" /dev/zero | openssl enc -aes-128-ctr -K "$(printf '%032x' "$2")" -iv 00000000000000000000000000000000
}
# crlf: LF line ends to CRLF.
crlf() { sed -e 's/\r$//' -e 's/$/\r/'; }
# head_fields FROM TO SUBJECT N: the usual header fields, raw (the caller encodes them).
head_fields() {
  printf 'From: %s\nTo: %s\nSubject: %s\nDate: Tue, 03 Mar 2026 14:%02d:09 +0100\nMessage-ID: <mime-%s@customer.test>\nMIME-Version: 1.0\n' \
    "$1" "$2" "$3" "$4" "$4"
}
CUSTOMER='Carl Customer <carl@customer.test>'
SUPPORT='Example Support <support@example.test>'

# ---------------------------------------------------------------------------------------------
# Charsets of text bodies. text.NAME.eml holds one text/plain body; the tests expect the text
# below (UTF-8 in this file) back exactly.
# ---------------------------------------------------------------------------------------------
# charset_mail NAME CHARSET_PARAM ENCODING TEXT [ICONV_CHARSET]: a text/plain mail whose body
# is TEXT in ICONV_CHARSET (default: CHARSET_PARAM) with transfer ENCODING (8bit, qp, base64).
# CHARSET_PARAM "-" writes no charset parameter, "none" no Content-Type at all.
charset_mail() {
  local name=$1 param=$2 encoding=$3 text=$4 conv=${5:-$2} cte=$3
  [[ $encoding == qp ]] && cte=quoted-printable
  {
    head_fields "$CUSTOMER" "$SUPPORT" "Charset $name" 1
    case $param in
      none) ;;
      -) printf 'Content-Type: text/plain\n' ;;
      *) printf 'Content-Type: text/plain; charset=%s\n' "$param" ;;
    esac
    printf 'Content-Transfer-Encoding: %s\n\n' "$cte"
    case $encoding in
      8bit) printf '%s\n' "$text" | to "$conv" ;;
      qp) printf '%s\n' "$text" | to "$conv" | qp ;;
      base64) printf '%s\n' "$text" | to "$conv" | b64 ;;
    esac
  } >"$M/text.$name.eml"
}
charset_mail iso-8859-1 ISO-8859-1 8bit 'Grüße aus Köln, café à la crème'
charset_mail iso-8859-2 iso-8859-2 qp 'Zażółć gęślą jaźń'
charset_mail iso-8859-15 iso-8859-15 base64 'Grüße aus Köln €'
charset_mail windows-1250 windows-1250 qp 'Příliš žluťoučký kůň úpěl ďábelské ódy'
charset_mail windows-1251 windows-1251 base64 'Привет, мир! Ёлка'
# shellcheck disable=SC1112 # the curly quotes are the test data
charset_mail windows-1252 windows-1252 8bit '“Quoted” – it’s … 50 €'
charset_mail utf-8 UTF-8 qp '日本語 · Ελληνικά · 😀'
charset_mail missing-utf8 - 8bit 'naïve café' UTF-8
charset_mail missing-cp1252 none 8bit 'naïve “café”' WINDOWS-1252
charset_mail unknown x-made-up base64 'Grüße – 1 €' WINDOWS-1252
# us-ascii declared, 8-bit Latin-1 sent: common with old mailers.
charset_mail us-ascii-latin1 us-ascii 8bit 'Grüße' ISO-8859-1
# Windows-1252 declared with bytes it leaves undefined (0x81, 0x8D): WHATWG maps them to C1.
{
  head_fields "$CUSTOMER" "$SUPPORT" "Charset cp1252-undefined" 1
  printf 'Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit\n\n'
  printf 'a\x81b\x8dc\x80\n'
} >"$M/text.cp1252-undefined.eml"
# No charset, UTF-8 with a stray NUL: still UTF-8 (the NUL goes).
{
  head_fields "$CUSTOMER" "$SUPPORT" "Charset missing-utf8-nul" 1
  printf 'Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n'
  printf 'na\xc3\xafve\x00 caf\xc3\xa9\n'
} >"$M/text.missing-utf8-nul.eml"
# UTF-8 declared, one invalid byte: the valid text stays, the byte becomes U+FFFD.
{
  head_fields "$CUSTOMER" "$SUPPORT" "Charset utf-8-invalid" 1
  printf 'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n'
  printf 'K\xc3\xb6ln \xff ok\n'
} >"$M/text.utf-8-invalid.eml"

# ---------------------------------------------------------------------------------------------
# Header fields: RFC 2047 in unstructured text and in phrases, broken real-world forms.
# ---------------------------------------------------------------------------------------------
{
  printf 'From: "=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?=" <Juergen.Mueller@Customer.TEST>\n'
  printf 'To: =?ISO-8859-1?Q?Ren=E9_Gr=FCn?= <rene@example.test>, "Doe, John" <John@Example.Test>,\n'
  printf ' =?UTF-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan@example.test>\n'
  printf 'Cc: undisclosed-recipients:;, plain@example.test\n'
  printf 'Reply-To: Tickets <tickets@customer.test>\n'
  printf 'Subject: Re: =?ISO-8859-2?Q?Za=BF=F3=B3=E6?= =?UTF-8?B?0J/RgNC40LLQtdGC?=\n'
  printf ' [Ticket (42)]\n'
  printf 'Date: Tue, 03 Mar 2026 14:05:09 +0100\n'
  printf 'Message-ID: <20260303.1@customer.test>\n'
  printf 'In-Reply-To: <ticket-42@example.test> (Support)\n'
  printf 'References: <first@customer.test>\n <ticket-42@example.test>\n'
  printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nHeaders.\n'
} >"$M/headers.rfc2047.eml"
# Two encoded-words with only folding white space between them decode to one word.
{
  printf 'From: carl@customer.test\nTo: support@example.test\n'
  printf 'Subject: =?ISO-8859-1?Q?Caf=E9?=\n =?ISO-8859-1?Q?_cr=E8me?=  =?UTF-8?Q?_br=C3=BBl=C3=A9e?= ok\n'
  printf 'Date: 3 Mar 2026 14:05:09 GMT\n\nx\n'
} >"$M/headers.adjacent.eml"
# Unencoded 8-bit Latin-1 (as Windows-1252) in Subject and in a display name.
{
  printf 'From: J\xfcrgen \x84Sepp\x93 M\xfcller <juergen@customer.test>\nTo: support@example.test\n'
  printf 'Subject: Gr\xfc\xdfe aus K\xf6ln \x80\nDate: not a date\n\nx\n'
} >"$M/headers.8bit-latin1.eml"
# Unencoded 8-bit UTF-8.
{
  printf 'From: =?UTF-8?Q?Ji=C5=99=C3=AD?= <jiri@customer.test>\nTo: \xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd <ivan@example.test>\n'
  printf 'Subject: Gr\xc3\xbc\xc3\x9fe \xe2\x80\x93 \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\n\nx\n'
} >"$M/headers.8bit-utf8.eml"

# ---------------------------------------------------------------------------------------------
# Attachments: RFC 2231 names, a name only in Content-Type, RFC 2047 in a parameter (Outlook),
# hostile paths, no name, a text part marked as attachment.
# ---------------------------------------------------------------------------------------------
B=attachments-boundary
bytes 3000 1 >"$M/pdf.bin"
bytes 1234 2 >"$M/xls.bin"
bytes 100 3 >"$M/png.bin"
{
  head_fields "$CUSTOMER" "$SUPPORT" "Attachments" 2
  printf 'Content-Type: multipart/mixed; boundary="%s"\n\nPreamble, not shown.\n' "$B"
  printf -- '--%s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n' "$B"
  printf 'See the attachments, Gr\xc3\xbc\xc3\x9fe.\n' | qp
  printf -- '--%s\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n' "$B"
  printf "Content-Disposition: attachment;\n filename*0*=UTF-8''R%%C3%%A9sum%%C3%%A9%%20%%E2%%80%%93;\n filename*1*=%%202026.pdf\n\n"
  b64 <"$M/pdf.bin"
  printf -- '--%s\nContent-Type: application/vnd.ms-excel; name="report.xls"\nContent-Transfer-Encoding: base64\n\n' "$B"
  b64 <"$M/xls.bin"
  printf -- '--%s\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="../../etc/passwd"\n\n' "$B"
  printf 'root:x:0:0:root:/root:/bin/bash\n'
  printf -- '--%s\nContent-Type: application/x-msdownload\nContent-Disposition: attachment; filename="C:\\\\x\\\\y.exe"\nContent-Transfer-Encoding: base64\n\n' "$B"
  printf 'MZ\x90\x00' | b64
  printf -- '--%s\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n' "$B"
  b64 <"$M/pdf.bin"
  printf -- '--%s\nContent-Type: application/octet-stream\nContent-Disposition: attachment\n\n' "$B"
  printf 'no name\n'
  printf -- '--%s\nContent-Type: text/plain; charset=utf-8\nContent-Disposition: attachment; filename="notes.txt"\n' "$B"
  printf 'Content-Transfer-Encoding: 8bit\n\nNotizen: Gr\xc3\xb6\xc3\x9fe\n'
  printf -- '--%s\nContent-Type: image/png; name="=?UTF-8?B?w5xiZXJzaWNodC5wbmc=?="\nContent-Disposition: inline\n' "$B"
  printf 'Content-Transfer-Encoding: base64\nContent-ID: <overview@customer.test>\n\n'
  b64 <"$M/png.bin"
  printf -- '--%s\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=".."\n\n' "$B"
  printf 'dots\n'
  printf -- '--%s--\nEpilogue, not shown.\n' "$B"
} >"$M/attachments.eml"

# ---------------------------------------------------------------------------------------------
# Structure: alternative (CRLF), nested mixed > alternative > related > inline image, only
# HTML, a forwarded message/rfc822, truncated, empty body, hostile HTML.
# ---------------------------------------------------------------------------------------------
{
  head_fields "$CUSTOMER" "$SUPPORT" "Alternative" 3
  printf 'Content-Type: multipart/alternative; boundary=alt\n\n'
  printf -- '--alt\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n'
  printf 'Hallo,\ndie Stra\xc3\x9fe ist gesperrt.\n' | qp
  printf -- '--alt\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n'
  printf '<p>Hallo,<br>die <b>Stra\xc3\x9fe</b> ist gesperrt.</p>\n' | b64
  printf -- '--alt--\n'
} | crlf >"$M/alternative.eml"

{
  head_fields "$CUSTOMER" "$SUPPORT" "Nested" 4
  printf 'Content-Type: multipart/mixed; boundary=outer\n\n'
  printf -- '--outer\nContent-Type: multipart/alternative; boundary=alt\n\n'
  printf -- '--alt\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n'
  printf 'Das Logo f\xc3\xbcr K\xc3\xb6ln.\n' | to ISO-8859-1 | qp
  printf -- '--alt\nContent-Type: multipart/related; boundary=rel; type="text/html"\n\n'
  printf -- '--rel\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n'
  printf '<p>Das Logo f\xc3\xbcr K\xc3\xb6ln: <img src="cid:logo@customer.test" alt="Logo"></p>\n' | to ISO-8859-1 | qp
  printf -- '--rel\nContent-Type: image/png; name="logo.png"\nContent-Transfer-Encoding: base64\n'
  printf 'Content-ID: <logo@customer.test>\nContent-Disposition: inline; filename="logo.png"\n\n'
  b64 <"$M/png.bin"
  printf -- '--rel--\n--alt--\n'
  printf -- '--outer\nContent-Type: application/pdf; name="Angebot.pdf"\nContent-Disposition: attachment; filename="Angebot.pdf"\n'
  printf 'Content-Transfer-Encoding: base64\n\n'
  b64 <"$M/pdf.bin"
  printf -- '--outer--\n'
} >"$M/nested.eml"

{
  head_fields "$CUSTOMER" "$SUPPORT" "Only HTML" 5
  printf 'Content-Type: text/html; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable\n\n'
  printf '<html><body><p>\xe2\x80\x9eNur HTML\xe2\x80\x9c \xe2\x80\x93 50 \xe2\x82\xac</p></body></html>\n' | to WINDOWS-1252 | qp
} >"$M/only-html.eml"

# The forwarded message on its own, then inside a multipart/mixed.
{
  printf 'From: Dora <dora@customer.test>\nTo: carl@customer.test\n'
  printf 'Subject: =?UTF-8?Q?Angebot_f=C3=BCr_K=C3=B6ln?=\nDate: Mon, 02 Mar 2026 09:00:00 +0000\n'
  printf 'Message-ID: <inner@customer.test>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n'
  printf 'Inner text that is not the body of the outer message.\n'
} >"$M/forwarded-inner.eml"
{
  head_fields "$CUSTOMER" "$SUPPORT" "Fwd: Angebot" 6
  printf 'Content-Type: multipart/mixed; boundary=fwd\n\n'
  printf -- '--fwd\nContent-Type: text/plain; charset=utf-8\n\nSee below.\n'
  printf -- '--fwd\nContent-Type: message/rfc822\nContent-Disposition: inline\n\n'
  cat "$M/forwarded-inner.eml"
  printf -- '--fwd--\n'
} >"$M/forwarded.eml"

# The boundary is never closed and the base64 attachment stops after 4 of its lines (228 bytes).
bytes 600 4 >"$M/truncated-full.bin"
head -c 228 "$M/truncated-full.bin" >"$M/truncated-part.bin"
{
  head_fields "$CUSTOMER" "$SUPPORT" "Truncated" 7
  printf 'Content-Type: multipart/mixed; boundary=cut\n\n'
  printf -- '--cut\nContent-Type: text/plain; charset=utf-8\n\nThe text arrived.\n'
  printf -- '--cut\nContent-Type: application/octet-stream; name="cut.bin"\nContent-Transfer-Encoding: base64\n\n'
  b64 <"$M/truncated-full.bin" | sed -n 1,4p
} >"$M/truncated.eml"

{
  head_fields "$CUSTOMER" "$SUPPORT" "Empty" 8
  printf '\n'
} >"$M/empty-body.eml"

{
  head_fields "$CUSTOMER" "$SUPPORT" "Hostile" 9
  printf 'Content-Type: text/html; charset=utf-8\n\n'
  printf '<html><head><title>t</title><style>p{color:red}</style><script>alert(1)</script></head>\n'
  printf '<body onload="alert(2)"><p style="x" onclick="alert(3)">Hi <a href="jAvA&#x09;script:alert(4)">x</a>'
  printf ' <a href="https://example.test/?a=1&amp;b=2">ok</a></p><iframe src="https://evil.test/"></iframe>'
  printf '<img src="https://tracker.test/p.gif"><img src="cid:logo@customer.test" onerror="alert(5)"></body></html>\n'
} >"$M/hostile-html.eml"

# 5000 nested multiparts (GMime stops descending at its nesting limit).
{
  head_fields "$CUSTOMER" "$SUPPORT" "Deep" 12
  printf 'Content-Type: multipart/mixed; boundary=b0\n\n'
  for ((i = 0; i < 5000; i++)); do
    printf -- '--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n' "$i" "$((i + 1))"
  done
  printf -- '--b5000\nContent-Type: text/plain\n\ninnermost\n'
} >"$M/deep-nesting.eml"

# Not a message at all / an empty file.
printf '\x00\x01\x02 binary\n' >"$M/not-a-message.bin"
: >"$M/empty.eml"

# ---------------------------------------------------------------------------------------------
# Header-only summary: recipients from every field, repeated Delivered-To, an mbox From_ line.
# ---------------------------------------------------------------------------------------------
{
  printf 'Return-Path: <bounce@customer.test>\n'
  printf 'Delivered-To: Support@Example.TEST\n'
  printf 'Delivered-To: archive@example.test\n'
  printf 'X-Original-To: support@example.test\n'
  printf 'X-Original-To: alias@example.test\n'
  printf 'From: "=?UTF-8?Q?M=C3=BCller=2C_Anna?=" <Anna@Customer.Test>\n'
  printf 'To: =?UTF-8?Q?Support_K=C3=B6ln?= <SUPPORT@example.test>, sales@example.test\n'
  printf 'Cc: "Bob" <bob@customer.test>, <SALES@example.test>\n'
  printf 'Resent-To: resent@example.test\n'
  printf 'Envelope-To: envelope@example.test, archive@example.test\n'
  printf 'Subject: =?UTF-8?B?VmVyc2NobMO8c3NlbHQ=?=\n'
  printf 'Date: Tue, 03 Mar 2026 14:05:09 +0100\n'
  printf 'Message-ID: <summary@customer.test>\n'
  printf 'MIME-Version: 1.0\n'
  printf 'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\n'
  printf 'Content-Transfer-Encoding: base64\n\n'
  bytes 2000 5 | b64
} >"$M/summary.eml"
{
  printf 'From carl@customer.test Tue Mar  3 14:05:09 2026\n'
  printf 'From: carl@customer.test\nTo: support@example.test\nSubject: From an mbox\n\nx\n'
} >"$M/summary-mbox.eml"
printf 'just text, no header\n\nmore\n' >"$M/no-header.txt"

# ---------------------------------------------------------------------------------------------
# Large: a 60 MiB random attachment (base64: about 81 MiB) and a 17 MiB text body.
# ---------------------------------------------------------------------------------------------
head -c $((60 * 1024 * 1024)) /dev/urandom >"$M/big.bin"
sha256sum "$M/big.bin" | cut -d' ' -f1 >"$M/big.sha256"
{
  head_fields "$CUSTOMER" "$SUPPORT" "Big" 10
  printf 'Content-Type: multipart/mixed; boundary=big\n\n'
  printf -- '--big\nContent-Type: text/plain; charset=utf-8\n\nA large file.\n'
  printf -- '--big\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="big.bin"\n'
  printf 'Content-Transfer-Encoding: base64\n\n'
  b64 <"$M/big.bin"
  printf -- '--big--\n'
} >"$M/big.eml"
{
  head_fields "$CUSTOMER" "$SUPPORT" "Big text" 11
  printf 'Content-Type: text/plain; charset=utf-8\n\n'
  (yes 'All work and no play makes Jack a dull boy.' || true) | head -c $((17 * 1024 * 1024))
} >"$M/big-text.eml"

touch "$M/.complete"
echo "make-mime-fixtures: wrote $(find "$M" -type f | wc -l) files into $M"
