#!/usr/bin/env bash
# Starts or stops a throwaway Dovecot on loopback for the mailbox tests (see
# ../shared/NOTES-test-servers.md). Usage: dovecot.sh start DIR [MAILDIR] | stop DIR
#
# Dovecot serves the Maildirs under MAILDIR the way Postfix (postfix.sh, virtual delivery as
# 65534) fills them: user@domain reads <MAILDIR>/<domain>/<user>/. Without MAILDIR it serves a
# fresh one inside its own directory, removed on stop; a given MAILDIR is created (owned by
# 65534:65534) when missing and never removed. ANY user name logs in with the password `secret`.
#
# start writes into DIR:
#   imap_port    IMAP offering STARTTLS      imaps_port   IMAP over TLS from the first byte
#   pop3_port    POP3 offering STLS          pop3s_port   POP3 over TLS from the first byte
#   ca.pem       the self-signed certificate (for 127.0.0.1) of all four, to trust it
#   maildir      the Maildir base           password     the word secret
#   server       the server's own directory (config, run, state, log)
#
# The server lives in a fresh /tmp/casecrypt-dovecot.XXXXXX directory (0755) because Dovecot's
# unprivileged processes (login, auth, mail as 65534) must reach it (a 0700 checkout would not
# do). The master runs in the foreground (-F) under setsid, so it leads a process group of its
# own with all its children. stop sends SIGTERM to the master (base_dir/master.pid) and to both
# process groups, SIGKILL to what is left after 5 s, so nothing outlives a test run.
set -euo pipefail
action=${1:?start or stop}
dir=${2:?directory}
[ -x /usr/sbin/dovecot ] || { echo "dovecot.sh: /usr/sbin/dovecot not found (install dovecot-imapd dovecot-pop3d)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "dovecot.sh: Dovecot must be started as root" >&2; exit 1; }

free_port() {
  local port
  for port in $(shuf -i 20000-40000 -n 50); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && ! grep -qx "$port" "$dir/.ports" 2>/dev/null; then
      echo "$port" >> "$dir/.ports"; echo "$port"; return
    fi
  done
  echo "dovecot.sh: no free port" >&2; exit 1
}

write_config() {
  local server=$1 maildir=$2 imap=$3 imaps=$4 pop3=$5 pop3s=$6
  mkdir -p "$server/conf" "$server/run" "$server/state"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$server/conf/key.pem" -out "$server/conf/cert.pem" 2>/dev/null
  chmod 600 "$server/conf/key.pem"
  cat > "$server/conf/dovecot.conf" <<EOF
base_dir = $server/run
state_dir = $server/state
log_path = $server/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <$server/conf/cert.pem
ssl_key = <$server/conf/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = nobody
default_login_user = nobody
default_internal_group = nogroup
first_valid_uid = 1
mail_location = maildir:$maildir/%d/%n
mail_uid = 65534
mail_gid = 65534
# Any user name, one password: the tests pick fresh mailboxes by name.
passdb {
  driver = static
  args = password=secret
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$maildir/%d/%n
}
# Dovecot delays every login from an address with failed logins, more with each (2, 4, 8, then
# 15 s: "auth penalty"), successful ones too; tests that fail logins on purpose would push the
# next tests into their timeouts. This turns the penalty off (Authentication.Penalty in
# Dovecot's wiki); a failed login is still answered after auth_failure_delay (2 s).
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  inet_listener imap {
    port = $imap
  }
  inet_listener imaps {
    port = $imaps
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $pop3
  }
  inet_listener pop3s {
    port = $pop3s
    ssl = yes
  }
}
EOF
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
# the script is run as `bash dovecot.sh`, so it need not be executable.
stop_server() {
  server=$(cat "$dir/server" 2>/dev/null || true)
  if [ -n "$server" ] && [ -d "$server/conf" ]; then
    local master pgid i
    master=$(cat "$server/run/master.pid" 2>/dev/null || true)
    [ -n "$master" ] && kill -TERM "$master" 2>/dev/null || true
    for pgid in $master $(cat "$server/pgid" 2>/dev/null || true); do
      kill -TERM -- "-$pgid" 2>/dev/null || continue
      for i in $(seq 1 50); do
        kill -0 -- "-$pgid" 2>/dev/null || break
        sleep 0.1
      done
      kill -KILL -- "-$pgid" 2>/dev/null || true
    done
  fi
  [ -n "$server" ] && case "$server" in /tmp/casecrypt-dovecot.*) rm -rf "$server" ;; esac
  rm -f "$dir/imap_port" "$dir/imaps_port" "$dir/pop3_port" "$dir/pop3s_port" "$dir/ca.pem" \
        "$dir/maildir" "$dir/password" "$dir/server" "$dir/.ports"
}

case "$action" in
  start)
    stop_server >/dev/null 2>&1 || true
    mkdir -p "$dir"
    rm -f "$dir/.ports"
    server=$(mktemp -d /tmp/casecrypt-dovecot.XXXXXX)
    chmod 755 "$server"
    echo "$server" > "$dir/server"
    maildir=${3:-$server/mail}
    case "$maildir" in /*) ;; *) echo "dovecot.sh: MAILDIR must be an absolute path" >&2; stop_server; exit 2 ;; esac
    if [ ! -d "$maildir" ]; then
      mkdir -p "$maildir"
      chown 65534:65534 "$maildir"
    fi
    imap=$(free_port); imaps=$(free_port); pop3=$(free_port); pop3s=$(free_port)
    write_config "$server" "$maildir" "$imap" "$imaps" "$pop3" "$pop3s"
    setsid /usr/sbin/dovecot -F -c "$server/conf/dovecot.conf" >"$server/stdout.log" 2>&1 </dev/null &
    echo $! > "$server/pgid"
    for p in "$imap" "$imaps" "$pop3" "$pop3s"; do
      wait_for_port "$p" "$(cat "$server/pgid")" ||
        { echo "dovecot.sh: Dovecot did not open port $p" >&2; cat "$server/stdout.log" "$server/dovecot.log" >&2 || true; stop_server; exit 1; }
    done
    echo "$imap" > "$dir/imap_port"
    echo "$imaps" > "$dir/imaps_port"
    echo "$pop3" > "$dir/pop3_port"
    echo "$pop3s" > "$dir/pop3s_port"
    cp "$server/conf/cert.pem" "$dir/ca.pem"
    echo "$maildir" > "$dir/maildir"
    echo secret > "$dir/password"
    rm -f "$dir/.ports"
    echo "dovecot.sh: started, IMAP $imap (imaps $imaps), POP3 $pop3 (pop3s $pop3s), mail in $maildir"
    ;;
  stop)
    stop_server
    ;;
  *) echo "usage: $0 start DIR [MAILDIR] | stop DIR" >&2; exit 2 ;;
esac
