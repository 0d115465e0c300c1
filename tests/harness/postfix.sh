#!/usr/bin/env bash
# Starts or stops a throwaway Postfix on loopback for the SMTP transport tests (see
# ../shared/NOTES-test-servers.md). Usage: postfix.sh start DIR | stop DIR
#
# start writes into DIR:
#   port           plain SMTP, no TLS offered (so require_starttls must fail here)
#   starttls_port  SMTP offering STARTTLS with a self-signed certificate for 127.0.0.1
#   smtps_port     SMTP over TLS from the first byte (smtps://)
#   ca.pem         that certificate, to trust it
#   maildir        the Maildir base: mail for user@domain lands in <maildir>/<domain>/<user>/new/
#   server         the server's own directory (config, queue, mail, log)
# Recipients tempfail@customer.test and reject@customer.test get 450 and 550 at RCPT time;
# every other address @example.test or @customer.test is delivered (customer.test has a
# catch-all into <maildir>/customer.test/catchall/).
#
# The server lives in a fresh /tmp/casecrypt-postfix.XXXXXX directory because Postfix's
# daemons run as `postfix` and 65534, which must reach it (a 0700 checkout would not do).
# The master runs in the foreground (start-fg) under setsid; it makes a process group of its own
# for itself and its daemons. stop sends SIGTERM to both process groups (the starting script's
# and the master's) and SIGKILL to what is left after 5 s, so nothing outlives a test run.
set -euo pipefail
action=${1:?start or stop}
dir=${2:?directory}
[ -x /usr/sbin/postfix ] || { echo "postfix.sh: /usr/sbin/postfix not found (install postfix)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "postfix.sh: Postfix must be started as root" >&2; exit 1; }

free_port() {
  local port
  for port in $(shuf -i 20000-40000 -n 50); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && ! grep -qx "$port" "$dir/.ports" 2>/dev/null; then
      echo "$port" >> "$dir/.ports"; echo "$port"; return
    fi
  done
  echo "postfix.sh: no free port" >&2; exit 1
}

write_config() {
  local server=$1 port=$2 starttls_port=$3 smtps_port=$4
  mkdir -p "$server/conf" "$server/queue" "$server/mail/customer.test/catchall"
  cat > "$server/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $server/queue
data_directory = $server/queue/data
mail_owner = postfix
myhostname = mx.example.test
inet_interfaces = loopback-only
inet_protocols = ipv4
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
maillog_file = /dev/stdout
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = check_recipient_access texthash:$server/conf/access
virtual_mailbox_domains = example.test customer.test
virtual_mailbox_base = $server/mail
virtual_mailbox_maps = texthash:$server/conf/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 100
# No size limits: the incoming tests send a 50 MiB attachment (about 95 MiB encrypted).
message_size_limit = 0
virtual_mailbox_limit = 0
# Tests send CRLF; reject a bare LF so a regression in our line-end conversion shows up.
smtpd_forbid_bare_newline = reject
smtpd_forbid_bare_newline_exclusions =
# Quick replies and no DNS for a loopback test server.
smtpd_error_sleep_time = 0
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
in_flow_delay = 0
queue_run_delay = 1s
smtpd_tls_security_level = none
# Lets a test see in the Received header that the message came over TLS.
smtpd_tls_received_header = yes
EOF
  local u
  : > "$server/conf/vmailbox"
  for u in support@example.test helpdesk@example.test alice@customer.test bob@customer.test \
           carol@customer.test nocert@customer.test; do
    echo "$u ${u#*@}/${u%@*}/" >> "$server/conf/vmailbox"
  done
  echo "@customer.test customer.test/catchall/" >> "$server/conf/vmailbox"
  cat > "$server/conf/access" <<EOF
tempfail@customer.test 450 4.2.0 try later
reject@customer.test 550 5.1.1 no such user
EOF
  # Debian's master.cf, with the first smtpd moved to our port, nothing chrooted, and two more
  # listeners that speak TLS (a chroot would need copies of /etc files inside the queue dir).
  sed -e 's/^smtp\( *inet .*\)$/'"$port"'\1/' \
      -e 's/^\([a-z0-9]* *\(inet\|unix\|unix-dgram\|fifo\|pass\) *[-ny] *[-ny] *\)y/\1n/' \
      /etc/postfix/master.cf > "$server/conf/master.cf"
  local tls="-o smtpd_tls_cert_file=$server/conf/cert.pem -o smtpd_tls_key_file=$server/conf/key.pem"
  cat >> "$server/conf/master.cf" <<EOF
$starttls_port inet n - n - - smtpd -o smtpd_tls_security_level=may $tls
$smtps_port inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt $tls
EOF
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$server/conf/key.pem" -out "$server/conf/cert.pem" 2>/dev/null
  chmod 600 "$server/conf/key.pem"
  chown -R 65534:65534 "$server/mail"
}

wait_for_port() {
  local port=$1 pid=$2 i
  for i in $(seq 1 150); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# Stops the server DIR/server names (if any) and removes its state. A function, not "$0 stop":
# the script is run as `bash postfix.sh`, so it need not be executable.
stop_server() {
  server=$(cat "$dir/server" 2>/dev/null || true)
  if [ -n "$server" ] && [ -d "$server/conf" ]; then
    # The master puts itself and its daemons into a process group of its own. SIGTERM to that
    # group is what `postfix stop` does, minus its one-second polling.
    groups="$(tr -d ' ' 2>/dev/null < "$server/queue/pid/master.pid" || true) $(cat "$server/pgid" 2>/dev/null || true)"
    for pgid in $groups; do
      kill -TERM -- "-$pgid" 2>/dev/null || continue
      for i in $(seq 1 50); do
        kill -0 -- "-$pgid" 2>/dev/null || break
        sleep 0.1
      done
      kill -KILL -- "-$pgid" 2>/dev/null || true
    done
  fi
  [ -n "$server" ] && case "$server" in /tmp/casecrypt-postfix.*) rm -rf "$server" ;; esac
  rm -f "$dir/port" "$dir/starttls_port" "$dir/smtps_port" "$dir/ca.pem" "$dir/maildir" \
        "$dir/server" "$dir/.ports"
}

case "$action" in
  start)
    stop_server >/dev/null 2>&1 || true
    mkdir -p "$dir"
    rm -f "$dir/.ports"
    server=$(mktemp -d /tmp/casecrypt-postfix.XXXXXX)
    chmod 755 "$server"
    echo "$server" > "$dir/server"
    port=$(free_port); starttls_port=$(free_port); smtps_port=$(free_port)
    write_config "$server" "$port" "$starttls_port" "$smtps_port"
    setsid /usr/sbin/postfix -c "$server/conf" start-fg >"$server/maillog" 2>&1 </dev/null &
    echo $! > "$server/pgid"
    for p in "$port" "$starttls_port" "$smtps_port"; do
      wait_for_port "$p" "$(cat "$server/pgid")" ||
        { echo "postfix.sh: Postfix did not open port $p" >&2; cat "$server/maillog" >&2; stop_server; exit 1; }
    done
    echo "$port" > "$dir/port"
    echo "$starttls_port" > "$dir/starttls_port"
    echo "$smtps_port" > "$dir/smtps_port"
    cp "$server/conf/cert.pem" "$dir/ca.pem"
    echo "$server/mail" > "$dir/maildir"
    rm -f "$dir/.ports"
    echo "postfix.sh: started on port $port (STARTTLS $starttls_port, smtps $smtps_port), mail in $server/mail"
    ;;
  stop)
    stop_server
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
