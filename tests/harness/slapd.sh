#!/usr/bin/env bash
# Starts or stops a throwaway OpenLDAP slapd on loopback for the LDAP tests (see
# ../shared/NOTES-test-servers.md).
#
# Usage: slapd.sh start DIR [--tls]    slapd.sh load DIR LDIF    slapd.sh stop DIR
#
# start writes DIR/url (ldap://127.0.0.1:PORT) and DIR/server (the server's state directory, a
# fresh /tmp/casecrypt-slapd.XXXXXX). The directory holds, under dc=example,dc=test:
#   cn=reader,dc=example,dc=test  password readerpw   a bind DN for lookups
#   ou=people                     readable by anyone, anonymous included
#   ou=restricted                 readable only by cn=reader (so a test can tell that a bind
#                                 really happened: anonymous sees nothing there)
# rootdn cn=admin,dc=example,dc=test, password secret, bypasses the ACLs.
# --tls also listens on ldaps:// with a certificate for 127.0.0.1 made by the openssl CLI, offers
# StartTLS on ldap://, and writes DIR/ldaps_url and DIR/ca.pem (the CA that signed it).
# load adds an LDIF as the rootdn. stop kills slapd by its pid and removes its state.
set -euo pipefail
action=${1:?start, load or stop}
dir=${2:?directory}
suffix="dc=example,dc=test"
rootdn="cn=admin,$suffix"
rootpw=secret

die() { echo "slapd.sh: $*" >&2; exit 1; }

find_slapd() {
  local s
  for s in slapd /usr/sbin/slapd /usr/local/libexec/slapd; do
    command -v "$s" 2>/dev/null && return
  done
  die "slapd not found (install slapd and ldap-utils)"
}

free_port() {
  local port
  for port in $(shuf -i 20000-40000 -n 50); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free port"
}

# make_tls SERVER: a CA and a server certificate for 127.0.0.1 (IP SAN: libldap checks the name
# in the URL against it), with the openssl CLI.
make_tls() {
  local s=$1 log=$1/openssl.log
  {
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$s/ca.key" -out "$s/ca.pem" -days 2 \
      -subj "/CN=casecrypt slapd test CA" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign"
    openssl req -new -newkey rsa:2048 -nodes -keyout "$s/server.key" -out "$s/server.csr" \
      -subj "/CN=127.0.0.1"
    openssl x509 -req -in "$s/server.csr" -CA "$s/ca.pem" -CAkey "$s/ca.key" -CAcreateserial \
      -days 2 -out "$s/server.pem" \
      -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
  } </dev/null >"$log" 2>&1 || { cat "$log" >&2; die "openssl failed"; }
}

write_config() {
  local s=$1 tls=$2
  cat >"$s/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $s/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
CONF
  if [ "$tls" = yes ]; then
    cat >>"$s/slapd.conf" <<CONF
TLSCACertificateFile $s/ca.pem
TLSCertificateFile $s/server.pem
TLSCertificateKeyFile $s/server.key
CONF
  fi
  # The first matching "access to" wins: passwords are only usable for binding, the
  # restricted branch only by the reader, everything else by anyone.
  cat >>"$s/slapd.conf" <<CONF
database mdb
maxsize 67108864
suffix "$suffix"
rootdn "$rootdn"
rootpw $rootpw
directory $s/db
access to attrs=userPassword
  by anonymous auth
  by * none
access to dn.subtree="ou=restricted,$suffix"
  by dn.exact="cn=reader,$suffix" read
  by * none
access to *
  by * read
CONF
}

base_ldif() {
  cat <<LDIF
dn: $suffix
objectClass: dcObject
objectClass: organization
dc: example
o: casecrypt tests

dn: cn=reader,$suffix
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: reader
userPassword: readerpw

dn: ou=people,$suffix
objectClass: organizationalUnit
ou: people

dn: ou=restricted,$suffix
objectClass: organizationalUnit
ou: restricted
LDIF
}

case "$action" in
  start)
    tls=no
    [ "${3:-}" = --tls ] && tls=yes
    slapd=$(find_slapd)
    "$0" stop "$dir" >/dev/null 2>&1 || true
    mkdir -p "$dir"
    server=$(mktemp -d /tmp/casecrypt-slapd.XXXXXX)
    echo "$server" >"$dir/server"
    mkdir "$server/db"
    [ "$tls" = yes ] && make_tls "$server"
    write_config "$server" "$tls"
    port=$(free_port)
    url="ldap://127.0.0.1:$port"
    listen="$url/"
    if [ "$tls" = yes ]; then
      tls_port=$(free_port)
      [ "$tls_port" != "$port" ] || tls_port=$(free_port)
      listen="$listen ldaps://127.0.0.1:$tls_port/"
    fi
    # Foreground (-d 0) so its pid is ours; every stream away from the caller's, or CTest would
    # wait for slapd to close its output.
    "$slapd" -f "$server/slapd.conf" -h "$listen" -d 0 </dev/null >"$server/slapd.log" 2>&1 &
    echo $! >"$server/pid"
    for _ in $(seq 100); do
      if ldapsearch -x -LLL -o nettimeout=2 -H "$url" -b "" -s base namingContexts >/dev/null 2>&1; then
        break
      fi
      kill -0 "$(cat "$server/pid")" 2>/dev/null || { cat "$server/slapd.log" >&2; die "slapd exited"; }
      sleep 0.1
    done
    ldapsearch -x -LLL -o nettimeout=2 -H "$url" -b "" -s base >/dev/null 2>&1 ||
      { cat "$server/slapd.log" >&2; die "slapd does not answer on $url"; }
    echo "$url" >"$dir/url"
    base_ldif | ldapadd -x -H "$url" -D "$rootdn" -w "$rootpw" >"$server/base.log" 2>&1 ||
      { cat "$server/base.log" >&2; die "cannot add the base entries"; }
    if [ "$tls" = yes ]; then
      cp "$server/ca.pem" "$dir/ca.pem"
      echo "ldaps://127.0.0.1:$tls_port" >"$dir/ldaps_url"
    fi
    echo "slapd.sh: started on $url${tls_port:+ and ldaps://127.0.0.1:$tls_port} (state in $server)"
    ;;
  load)
    ldif=${3:?LDIF file}
    url=$(cat "$dir/url") || die "no server started in $dir"
    ldapadd -x -H "$url" -D "$rootdn" -w "$rootpw" -f "$ldif" >/dev/null ||
      die "ldapadd of $ldif failed"
    ;;
  stop)
    server=$(cat "$dir/server" 2>/dev/null || true)
    if [ -n "$server" ] && [ -f "$server/pid" ]; then
      pid=$(cat "$server/pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    [ -n "$server" ] && case "$server" in /tmp/casecrypt-slapd.*) rm -rf "$server" ;; esac
    rm -f "$dir/url" "$dir/server" "$dir/ldaps_url" "$dir/ca.pem"
    ;;
  *) echo "usage: $0 start DIR [--tls] | load DIR LDIF | stop DIR" >&2; exit 2 ;;
esac
