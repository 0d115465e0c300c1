#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) in build-fuzz/, seeds them from the fixtures and the
# interop corpus, and runs each one for SECONDS (default 60), without -fork/-jobs.
#
# Usage: scripts/fuzz.sh [SECONDS] [FUZZER...]
#   FUZZER: fuzz_mail_decrypt, fuzz_certificate_import, fuzz_mail_parse (default: all of them)
#
# Needs clang with libFuzzer: Debian 12 packages clang-19 and libclang-rt-19-dev (preferred), or
# clang-16 and libclang-rt-16-dev; installs nothing itself. CASECRYPT_FUZZ_CXX picks another
# clang++. The corpus comes from $CASECRYPT_CORPUS, else ../shared/corpus next to the repository,
# else /work/shared/corpus; without one the fuzzers run on the fixtures alone.
#
# Fixtures are made once into build-fuzz/fixtures and remade when tests/data/make-*.sh change
# (or with CASECRYPT_FUZZ_FRESH_FIXTURES=1): their keys are fresh on every run, and a crash in
# the decryption fuzzer only reproduces with the identity it was found with. The received-mail
# fixtures (make-mime-fixtures.sh, no keys) are made on their own, so they never remake the keys.
# New inputs the fuzzers find accumulate in build-fuzz/corpus/<fuzzer>/ from run to run; a crash,
# leak, timeout or out-of-memory input is saved in build-fuzz/artifacts/<fuzzer>/.
# The fuzzers run side by side, one core each: as many at a time as there are cores, so with
# fewer cores than fuzzers the run takes SECONDS more per round (3 fuzzers on 2 cores: 2 x
# SECONDS), and every fuzzer still gets SECONDS of a whole core.
#
# Ends with one line per fuzzer (executions, coverage, result) and "N passed, N failed";
# exits non-zero when a fuzzer found something or could not run.
set -euo pipefail
export LC_ALL=C

usage() { echo "usage: scripts/fuzz.sh [SECONDS] [FUZZER...]" >&2; exit 2; }
seconds=${1:-60}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || usage
if (($# > 0)); then shift; fi

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-fuzz
all_fuzzers=(fuzz_mail_decrypt fuzz_certificate_import fuzz_mail_parse)
fuzzers=("${all_fuzzers[@]}")
if (($# > 0)); then
  for name in "$@"; do
    [[ " ${all_fuzzers[*]} " == *" $name "* ]] ||
      { echo "fuzz: no fuzzer $name (there are: ${all_fuzzers[*]})" >&2; usage; }
  done
  fuzzers=("$@")
fi

die() { echo "fuzz: $*" >&2; exit 2; }
step() { echo "=== fuzz: $* ==="; }
work=
mime_tmp=
cleanup() { rm -rf -- "$build/probe" "$build/probe.cpp" ${work:+"$work"} ${mime_tmp:+"$mime_tmp"}; }
trap cleanup EXIT

# --- compiler -------------------------------------------------------------------------------
cxx=${CASECRYPT_FUZZ_CXX:-}
if [[ -z $cxx ]]; then
  for candidate in clang++-19 clang++-16; do
    if command -v "$candidate" >/dev/null; then cxx=$candidate; break; fi
  done
fi
if [[ -n ${CASECRYPT_FUZZ_CXX:-} ]] && ! command -v "$cxx" >/dev/null; then
  die "CASECRYPT_FUZZ_CXX=$cxx: no such compiler"
fi
if [[ -z $cxx ]]; then
  die "no clang++-19 or clang++-16 found. Install one with libFuzzer, e.g.
  apt-get install -y clang-19 libclang-rt-19-dev      (Debian 12 main)
  apt-get install -y clang-16 libclang-rt-16-dev"
fi
cxx=$(command -v "$cxx")
clang_major=$("$cxx" -dumpversion | cut -d. -f1)
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr"
flags+=" -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
if ((clang_major < 17)); then
  # libstdc++ 12 offers <expected> only when __cpp_concepts >= 202002L. Clang 16 implements
  # what that guards (P0848, conditionally trivial special members) but still reports 201907L;
  # clang 19 reports 202002L and needs nothing.
  flags+=" -U__cpp_concepts -D__cpp_concepts=202002L"
fi
link_flags="-fsanitize=address,undefined -fno-sanitize=vptr"

# A probe: libFuzzer's runtime is there and <expected> compiles with these flags.
mkdir -p "$build"
probe_src=$build/probe.cpp
cat >"$probe_src" <<'EOF'
#include <cstddef>
#include <cstdint>
#include <expected>
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t size) {
    std::expected<std::size_t, int> r = size;
    return r ? 0 : 1;
}
EOF
# shellcheck disable=SC2086
"$cxx" -std=c++2b $flags -fsanitize=fuzzer "$probe_src" -o "$build/probe" 2>"$build/probe.log" ||
  die "$cxx cannot build a libFuzzer target with <expected> (see $build/probe.log). Is
  libclang-rt-$clang_major-dev installed?"
step "compiler $cxx (clang $clang_major)"

# --- configure and build --------------------------------------------------------------------
cmake_args=(-S "$root" -B "$build" -DCMAKE_BUILD_TYPE= -DCASECRYPT_TESTS=OFF
            -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="$flags"
            -DCMAKE_EXE_LINKER_FLAGS="$link_flags")
if [[ -f $build/CMakeCache.txt ]] && ! grep -qx "CMAKE_CXX_COMPILER:[A-Z]*=$cxx" "$build/CMakeCache.txt"; then
  rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"  # another compiler: configure afresh
fi
if [[ ! -f $build/CMakeCache.txt ]] && command -v ninja >/dev/null; then
  cmake_args+=(-G Ninja)
fi
cmake_args+=(-DCASECRYPT_FUZZ=ON -DCASECRYPT_TESTS=OFF)
step "configure $build"
cmake "${cmake_args[@]}" >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log" >&2; die "cmake configure failed"; }
step "build ${fuzzers[*]}"
cmake --build "$build" -j "$(nproc)" --target "${fuzzers[@]}" >"$build/build.log" 2>&1 ||
  { tail -n 60 "$build/build.log" >&2; die "build failed (all of it in $build/build.log)"; }

# --- fixtures -------------------------------------------------------------------------------
fixtures=$build/fixtures
stamp=$build/fixtures.stamp
fixture_scripts=("$root/tests/data/make-fixtures.sh")
[[ -f $root/tests/data/make-smime-fixtures.sh ]] &&
  fixture_scripts+=("$root/tests/data/make-smime-fixtures.sh")
want_stamp=$(cat "${fixture_scripts[@]}" | sha256sum | cut -d' ' -f1)
p12=$fixtures/server/ok-aes256.p12
p12_pass=$fixtures/server/ok-aes256.pass
ca=$fixtures/ca/ca.pem
if [[ ${CASECRYPT_FUZZ_FRESH_FIXTURES:-0} == 1 || ! -f $stamp || ! -f $p12 ||
      $(cat "$stamp") != "$want_stamp" ]]; then
  step "fixtures into $fixtures"
  rm -f "$stamp" "$build/fixtures.log"
  for script in "${fixture_scripts[@]}"; do
    bash "$script" "$fixtures" >>"$build/fixtures.log" 2>&1 ||
      { tail -n 30 "$build/fixtures.log" >&2; die "$(basename "$script") failed"; }
  done
  echo "$want_stamp" >"$stamp"
else
  step "fixtures in $fixtures are current (CASECRYPT_FUZZ_FRESH_FIXTURES=1 remakes them)"
fi
# Received mail (charsets, RFC 2047/2231, structure, hostile HTML): no keys, so made apart from
# the fixtures above and kept in fixtures/mime with a stamp of their own (make-fixtures.sh wipes
# the whole folder, stamp included). Only files under 1 MiB are kept: the script also writes
# 17-85 MiB messages for the size limits, far beyond any fuzz input.
mime_script=$root/tests/data/make-mime-fixtures.sh
mime_fixtures=$fixtures/mime
if [[ -f $mime_script ]]; then
  want_mime_stamp=$(sha256sum <"$mime_script" | cut -d' ' -f1)
  if [[ ${CASECRYPT_FUZZ_FRESH_FIXTURES:-0} == 1 || ! -f $mime_fixtures/.stamp ||
        $(cat "$mime_fixtures/.stamp") != "$want_mime_stamp" ]]; then
    step "received-mail fixtures into $mime_fixtures"
    rm -rf "$mime_fixtures"
    mime_tmp=$(mktemp -d "$build/mime-fixtures.XXXXXX")
    bash "$mime_script" "$mime_tmp" >"$build/mime-fixtures.log" 2>&1 ||
      { tail -n 30 "$build/mime-fixtures.log" >&2; die "make-mime-fixtures.sh failed"; }
    mkdir -p "$mime_fixtures"
    find "$mime_tmp/mime" -type f -size -1024k \( -name '*.eml' -o -name '*.txt' \) \
      -exec cp -t "$mime_fixtures" {} +
    rm -rf "$mime_tmp"
    mime_tmp=
    echo "$want_mime_stamp" >"$mime_fixtures/.stamp"
  fi
fi

# --- seeds ----------------------------------------------------------------------------------
corpus_root=${CASECRYPT_CORPUS:-}
if [[ -n $corpus_root && ! -d $corpus_root ]]; then
  echo "fuzz: CASECRYPT_CORPUS=$corpus_root is not a directory: no corpus seeds" >&2
  corpus_root=
elif [[ -z $corpus_root ]]; then
  for candidate in "$root/../shared/corpus" /work/shared/corpus; do
    if [[ -d $candidate ]]; then corpus_root=$(cd "$candidate" && pwd); break; fi
  done
fi
seeds=$build/seeds
rm -rf "$seeds"
mkdir -p "$seeds/fuzz_mail_decrypt" "$seeds/fuzz_certificate_import" "$seeds/fuzz_mail_parse"
mail_seeds=$seeds/fuzz_mail_decrypt
cert_seeds=$seeds/fuzz_certificate_import
parse_seeds=$seeds/fuzz_mail_parse

count() { find "$1" -type f | wc -l; }
# seed_name PREFIX PATH ROOT: a flat, unique file name for PATH.
seed_name() { local rel=${2#"$3"/}; echo "$1-${rel//\//_}"; }

# wrap_cms FILE: FILE when it already is a MIME entity, else a mail whose body is the CMS object
# in FILE (DER, PEM or base64) labelled with its smime-type, so a bare envelope or signature from
# another implementation reaches our CMS code through the MIME layer.
wrap_cms() {
  if head -n 1 "$1" | grep -Eq '^[A-Za-z][A-Za-z0-9-]*:'; then
    cat "$1"
    return
  fi
  local body type=enveloped-data
  if [[ $(head -c 1 "$1" | od -An -tx1 | tr -d ' ') == 30 ]]; then
    body=$(base64 -w 76 "$1")
  elif grep -q -- '-----BEGIN' "$1"; then
    body=$(sed -n '/-----BEGIN/,/-----END/p' "$1" | grep -v -- '-----')
  else
    body=$(cat "$1")
  fi
  # The content type OID near the start: signedData 1.2.840.113549.1.7.2, authEnvelopedData
  # 1.2.840.113549.1.9.16.1.23; anything else is labelled enveloped-data.
  case $(printf '%s' "$body" | tr -d '\r\n' | head -c 76 | base64 -d 2>/dev/null | od -An -tx1 | tr -d ' \n') in
    *06092a864886f70d010702*) type=signed-data ;;
    *060b2a864886f70d0109100117*) type=authEnveloped-data ;;
  esac
  printf 'From: <customer@customer.test>\nTo: <support@example.test>\nSubject: wrapped %s\n' "${1##*/}"
  printf 'MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=%s; name="smime.p7m"\n' "$type"
  printf 'Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="smime.p7m"\n\n'
  printf '%s\n' "$body"
}

# Mail: the S/MIME fixtures (encrypted to $p12) and the corpus's mails and CMS envelopes.
if [[ -d $fixtures/smime ]]; then
  cp "$fixtures"/smime/*.eml "$mail_seeds"/
else
  # No make-smime-fixtures.sh: two mails of our own, so encrypted seeds still reach CMS.
  openssl pkcs12 -in "$p12" -passin "file:$p12_pass" -nokeys -clcerts -out "$build/identity.pem" 2>/dev/null
  for cipher in aes-256-cbc aes-256-gcm; do
    printf 'Content-Type: text/plain\n\nseed %s\n' "$cipher" |
      openssl cms -encrypt "-$cipher" -recip "$build/identity.pem" \
        -from customer@customer.test -to support@example.test -subject "seed $cipher" \
        >"$mail_seeds/own-$cipher.eml"
  done
fi
# Certificates: the fixtures, plus PKCS #12 files exported with the fuzzer's password "fuzz"
# (AES, legacy RC2/3DES, no MAC, EC), so mutations get past the MAC to the bags.
for f in "$fixtures"/{ca,client,server}/*; do
  case $f in
    *.pem | *.der | *.crt | *.cer | *.p12 | *.pfx | *.p7b | *.p7c) cp "$f" "$cert_seeds/$(seed_name fx "$f" "$fixtures")" ;;
  esac
done
export_fuzz() {  # export_fuzz SOURCE NAME [pkcs12 -export options]: SOURCE.p12 again, password "fuzz"
  local source=$1 name=$2 pem=$build/export.pem
  shift 2
  { openssl pkcs12 -in "$fixtures/server/$source.p12" -passin "file:$fixtures/server/$source.pass" \
      -nodes -out "$pem" &&
    openssl pkcs12 -export -in "$pem" -passout pass:fuzz "$@" -out "$cert_seeds/own-$name.p12"; } 2>/dev/null ||
    echo "fuzz: note: could not export the $name seed with openssl" >&2
  rm -f "$pem"
}
export_fuzz ok-aes256 fuzz-aes256
export_fuzz ok-aes256 fuzz-legacy -legacy
export_fuzz ok-aes256 fuzz-nomac -nomac
export_fuzz ok-ec-p256 fuzz-ec-p256
# Received mail: the MIME fixtures, the S/MIME fixture mails (their outer layer is MIME too), the
# corpus's mails (below), and HTML written here for the sanitiser: what mail clients send, and
# what an attacker would (script in every disguise, event handlers, script URLs with entities
# and controls, foreign content, raw-text elements, broken nesting, deep nesting, bad UTF-8).
[[ -d $mime_fixtures ]] && find "$mime_fixtures" -type f ! -name '.*' -exec cp -t "$parse_seeds" {} +
[[ -d $fixtures/smime ]] && cp "$fixtures"/smime/*.eml "$parse_seeds"/
html_seed() { printf '%b' "$2" >"$parse_seeds/html-$1.html"; }
html_seed basic '<html><head><meta charset="iso-8859-1"><title>Ticket</title><style>p{color:red}</style></head>\n<body>\n<p>Hallo <b>Welt</b>, <i>kursiv</i> &amp; <a href="https://example.test/a?b=1&amp;c=2">Link</a></p><table border="1" cellpadding="2"><tr><td colspan="2">x</td></tr></table><img src="cid:logo@customer.test" alt="Logo"></body></html>\n'
html_seed outlook '<html><body bgcolor="#ffffff"><blockquote type="cite"><div dir="ltr">Am 03.03.2026 schrieb Carl:<br><pre>  code\n  more</pre></div></blockquote><ul><li>eins</li></ul><ol><li>zwei</li></ol><h1>T</h1><dl><dt>a</dt><dd>b</dd></dl><font color=red face="Arial" size=3>f</font><sub>1</sub><sup>2</sup><q>q</q><code>c</code></body></html>\n'
html_seed xss '<script>alert(1)</script><SCRIPT SRC=//x.test/a.js></SCRIPT><img src=x onerror=alert(2)><body onload="alert(3)"><a href="javascript:alert(4)">a</a><a href="jAvA&#x09;ScRiPt:alert(5)">b</a><a href=" &#14;javascript:alert(6)">c</a><a href="vbscript:msgbox(7)">d</a><iframe srcdoc="<script>alert(8)</script>"></iframe><svg onload=alert(9)><script>alert(10)</script></svg><math><mtext><script>alert(11)</script></mtext></math>\n'
html_seed attributes '<div style="background:url(javascript:alert(1))" title="x">t</div><p id=x class="a b" dir=rtl lang=de onclick=alert(1) ONMOUSEOVER=alert(2)>y</p><form action="https://evil.test"><input name=p type=password><button formaction=javascript:alert(1)>go</button></form><object data="x.swf"></object><embed src="x.swf"><base href="https://evil.test/"><meta http-equiv="refresh" content="0;url=javascript:alert(1)"><link rel=stylesheet href=x.css>\n'
html_seed urls '<img src="data:image/png;base64,iVBORw0KGgo="><img src="data:text/html;base64,PHNjcmlwdD4="><img src="https://tracker.test/p.gif"><img src="CID:part1"><a href="mailto:support@example.test?subject=Hi">m</a><a href="//evil.test">r</a><a href="HTTPS://EXAMPLE.TEST">u</a><a href="data:text/html,<script>alert(1)</script>">d</a>\n'
html_seed broken '<!--[if IE]><script>alert(1)</script><![endif]--><![CDATA[<script>alert(2)</script>]]><?xml version="1.0"?><!DOCTYPE html><p>a<p>b<li>c<td>d</table></div></span><br/><hr><noscript><img src=x onerror=alert(3)></noscript><textarea><script>alert(4)</script></textarea><title><script>alert(5)</script></title><xmp><script>alert(6)</script></xmp><plaintext><script>alert(7)</script>\n'
html_seed void '<p>a<embed>b<source>c<track>d<wbr>e<keygen>f</p><img src="cid:x">g<br>h<hr>i<input>j<param>k\n'
html_seed utf8 '<p>\xc3\xa4\xc3\xb6 \xe2\x82\xac \xf0\x9f\x98\x80 \xff\xfe \xe4 \xed\xa0\x80 \xf4\x90\x80\x80 \x00 &#xD800; &#x110000; &#0; &#128512; &euro; &nbsp;</p>\n'
html_seed deep "$(printf '%.0s<div>' {1..300})deep$(printf '%.0s</div>' {1..300})$(printf '%.0s<table><tr><td>' {1..100})cells"
# The hostile mails of the hardening pass (issue 9), into both mail fuzzers: a ticket tag of
# 50,000 digits (std::regex recursed off the stack on it) and one that fits -max_len, a 200 KB
# subject, 5,000 parts and 100 levels of nesting (past the limits), a reused Message-ID, and
# the address lists that were cut or refused wrongly.
python3 - "$parse_seeds" "$mail_seeds" <<'PY'
import sys
head = "From: Carl <carl@customer.test>\nTo: support@example.test\nMessage-ID: <h@customer.test>\nMIME-Version: 1.0\n"
def mail(subject, ctype="text/plain", body="x\n"):
    return head + "Subject: " + subject + "\nContent-Type: " + ctype + "\n\n" + body
parts = "".join("--b\nContent-Type: application/octet-stream\n\nx\n" for _ in range(5000)) + "--b--\n"
nest = "".join(f"--n{i}\nContent-Type: multipart/mixed; boundary=n{i+1}\n\n" for i in range(1, 100))
nest += "--n100\nContent-Type: text/plain\n\ndeep\n" + "".join(f"--n{i}--\n" for i in range(100, 0, -1))
seeds = {
    "hostile-tag-50000-digits.eml": mail("Ticket (" + "7" * 50000 + ")"),
    "hostile-tag-15000-digits.eml": mail("Re: Ticket (" + "9" * 15000 + ")"),
    "hostile-subject-200k.eml": mail("[Ticket#1] " + "x" * 200 * 1024),
    "hostile-5000-parts.eml": mail("Parts", "multipart/mixed; boundary=b", parts),
    "hostile-nested-100.eml": mail("Deep", "multipart/mixed; boundary=n1", nest),
}
# Address lists of the hardening pass: a second "@" (GMime read it as a@b), a quoted name with
# a comma, a 100 KB local part, a CR/LF, comments nested past the limit.
addr_head = "Subject: Addresses\nMessage-ID: <a@customer.test>\nMIME-Version: 1.0\n"
for name, to in {"at-twice": "a@b@c, Name <x@y@z>", "quoted-comma": '"Cust, Omer" <c@example.com>, (c) b@x',
                 "long-local": "x" * 100000 + "@example.com", "crlf": "a@b.example\rBcc: e@evil.example",
                 "comments": "a@b.example " + "(" * 64 + ")" * 64, "group": "friends: a@b.example;"}.items():
    seeds[f"hostile-address-{name}.eml"] = "From: Carl <carl@customer.test>\nTo: " + to + "\n" + addr_head + "\nx\n"
for d in sys.argv[1:]:
    for name, text in seeds.items():
        open(f"{d}/{name}", "w").write(text)
PY

if [[ -n $corpus_root ]]; then
  while IFS= read -r -d '' f; do
    case $f in
      *.eml | *.mbox)
        cp "$f" "$mail_seeds/$(seed_name corpus "$f" "$corpus_root")"
        cp "$f" "$parse_seeds/$(seed_name corpus "$f" "$corpus_root")" ;;
      *.p7m | *.env | *.cms) wrap_cms "$f" >"$mail_seeds/$(seed_name corpus "$f" "$corpus_root").eml" ;;
      *) cp "$f" "$cert_seeds/$(seed_name corpus "$f" "$corpus_root")" ;;
    esac
  done < <(find "$corpus_root" -type f \( -name '*.eml' -o -name '*.mbox' -o -name '*.p7m' \
             -o -name '*.env' -o -name '*.cms' -o -name '*.der' -o -name '*.pem' -o -name '*.p12' \
             -o -name '*.pfx' -o -name '*.cer' -o -name '*.crt' \) -size -1024k -print0)
  step "seeds: $(count "$mail_seeds") mails, $(count "$cert_seeds") certificate files, $(count "$parse_seeds") received mails and HTML (corpus $corpus_root)"
else
  step "seeds: no corpus found (set CASECRYPT_CORPUS): $(count "$mail_seeds") mails, $(count "$cert_seeds") certificate files, $(count "$parse_seeds") received mails and HTML from the fixtures only"
fi

# --- run ------------------------------------------------------------------------------------
work=$(mktemp -d "$( [[ -d /dev/shm && -w /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/casecrypt-fuzz.XXXXXX")
symbolizer=$(command -v "llvm-symbolizer-$clang_major" || command -v llvm-symbolizer || true)
export ASAN_SYMBOLIZER_PATH=$symbolizer
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
# GLib before 2.76 serves small blocks (GObjects, GMime's headers and lists) from its own slice
# magazines, where ASan sees neither a use after free nor a leak; make each one a malloc.
export G_SLICE=${G_SLICE:-always-malloc}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export CASECRYPT_FUZZ_WORK=$work
export CASECRYPT_FUZZ_P12=$p12 CASECRYPT_FUZZ_P12_PASS=$p12_pass CASECRYPT_FUZZ_CA=$ca

max_len_of() {
  case $1 in
    fuzz_mail_decrypt) echo 65536 ;;        # every seed mail fits (the largest is ~55 KB)
    fuzz_certificate_import) echo 16384 ;;  # certificates and PKCS #12 files are a few KB
    fuzz_mail_parse) echo 16384 ;;          # all seeds but 2 fit (median 5 KB); exec/s drops with size
  esac
}
dict_of() {
  case $1 in
    fuzz_mail_decrypt) echo "$root/fuzz/mail.dict" ;;
    fuzz_certificate_import) echo "$root/fuzz/certificate.dict" ;;
    fuzz_mail_parse) echo "$root/fuzz/mail_parse.dict" ;;
  esac
}

run_one() {
  local name=$1
  local corpus=$build/corpus/$name artifacts=$build/artifacts/$name
  mkdir -p "$corpus" "$artifacts"
  "$build/fuzz/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$(max_len_of "$name")" -dict="$(dict_of "$name")" -print_final_stats=1 \
    -artifact_prefix="$artifacts/" \
    "$corpus" "$seeds/$name" >"$build/$name.log" 2>&1
}

step "running ${fuzzers[*]} for $seconds s each (logs in $build/<fuzzer>.log)"
# At most one fuzzer per core at a time, so each gets a whole core for its SECONDS.
declare -A status name_of_pid
slots=$(nproc)
running=0
wait_for_one() {
  local pid rc=0
  wait -n -p pid || rc=$?
  status[${name_of_pid[$pid]}]=$rc
  running=$((running - 1))
}
for name in "${fuzzers[@]}"; do
  ((running < slots)) || wait_for_one
  run_one "$name" &
  name_of_pid[$!]=$name
  running=$((running + 1))
done
while ((running > 0)); do wait_for_one; done

# --- report ---------------------------------------------------------------------------------
passed=0
failed=0
summary=()
for name in "${fuzzers[@]}"; do
  log=$build/$name.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2 || true)
  if [[ ${status[$name]} == 0 ]]; then
    result=passed
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    artifacts=$build/artifacts/$name
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    # Leak stacks through OpenSSL/GLib (no frame pointers) need the slow unwinder.
    env_prefix=
    [[ ${artifact##*/} == leak-* ]] && env_prefix="ASAN_OPTIONS=fast_unwind_on_malloc=0 G_SLICE=always-malloc "
    # What went wrong, most specific first: our own property check, UBSan, ASan/LSan, libFuzzer.
    kind=$(grep -m1 '^fuzz: ' "$log" || true)
    [[ -n $kind ]] || kind=$(grep -m1 -o 'runtime error: .*' "$log" | sed 's/^/UndefinedBehaviorSanitizer: /' || true)
    [[ -n $kind ]] || kind=$(grep -Eo 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+( [a-z-]+){0,2}' "$log" |
                               head -n 1 | sed 's/^ERROR: //' || true)
    result="FAILED (exit ${status[$name]}: ${kind:-see the log}) ${artifact:-no input saved}"
    echo "--- $name: $log, from the first report line ---"
    sed -n '/==ERROR\|runtime error:\|^fuzz: \|ERROR: libFuzzer/,$p' "$log" | grep -v '^#\|Uses:' | head -n 60 || true
    if [[ $name == fuzz_mail_decrypt && -n $artifact ]]; then
      # Keep the identity the input was found with: the fixtures' keys change when remade.
      cp "$p12" "$p12_pass" "$ca" "$artifacts/" 2>/dev/null || true
      echo "reproduce: ${env_prefix}CASECRYPT_FUZZ_P12=$artifacts/${p12##*/}" \
           "CASECRYPT_FUZZ_P12_PASS=$artifacts/${p12_pass##*/} CASECRYPT_FUZZ_CA=$artifacts/${ca##*/}" \
           "$build/fuzz/$name $artifact"
    elif [[ -n $artifact ]]; then
      echo "reproduce: $env_prefix$build/fuzz/$name $artifact"
    fi
  fi
  summary+=("$(printf '%-24s execs %-9s cov %-6s %s' "$name" "${execs:-?}" "${cov:-?}" "$result")")
done
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
