#!/usr/bin/env bash
# Starts a throwaway MIT KDC on loopback for the Kerberos tests (auth.md §4.4): its own realm,
# a non-default port, principals for the test users and HTTP/<host>, a keytab for the emulator
# and a krb5.conf for clients. Everything lives in one folder; stop-kdc.sh ends it.
#
#   test/kdc/start-kdc.sh            # realm EMU.TEST on 127.0.0.1:18888, folder /tmp/winrm-emu-kdc
#   . /tmp/winrm-emu-kdc/env         # exports what the tests and clients need (see the end)
#
# Needs Debian's krb5-kdc, krb5-admin-server and krb5-user. As root it also maps the service host
# name to 127.0.0.1 in /etc/hosts when it does not resolve (clients build the SPN from it).
set -euo pipefail

DIR=${WINRM_EMU_KDC_DIR:-/tmp/winrm-emu-kdc}
REALM=${WINRM_EMU_REALM:-EMU.TEST}
PORT=${WINRM_EMU_KDC_PORT:-18888}
HOST=${WINRM_EMU_KRB_HOST:-win-emu01.emu.test}
DOMAIN=$(echo "$REALM" | tr '[:upper:]' '[:lower:]')
MASTER=emu-kdc-master-$$-$RANDOM

for tool in krb5kdc kdb5_util kadmin.local kinit; do
  command -v "$tool" >/dev/null || { echo "start-kdc: $tool not found (apt-get install krb5-kdc krb5-admin-server krb5-user)" >&2; exit 1; }
done

if [ -f "$DIR/kdc.pid" ] && kill -0 "$(cat "$DIR/kdc.pid")" 2>/dev/null; then
  echo "start-kdc: a KDC is already running from $DIR (pid $(cat "$DIR/kdc.pid")); stop it with test/kdc/stop-kdc.sh" >&2
  exit 1
fi
# Another KDC (or anything) on the port would answer the tests' clients with other keys.
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "start-kdc: 127.0.0.1:$PORT is already in use (another test KDC?); stop it, or set WINRM_EMU_KDC_PORT" >&2
  exit 1
fi
rm -rf "$DIR"
mkdir -p "$DIR"
chmod 700 "$DIR"

cat >"$DIR/krb5.conf" <<CONF
[libdefaults]
  default_realm = $REALM
  dns_lookup_realm = false
  dns_lookup_kdc = false
  rdns = false
  dns_canonicalize_hostname = false
  udp_preference_limit = 1
  forwardable = true
  ticket_lifetime = 10h

[realms]
  $REALM = {
    kdc = 127.0.0.1:$PORT
  }

[domain_realm]
  .$DOMAIN = $REALM
  $DOMAIN = $REALM
CONF

cat >"$DIR/kdc.conf" <<CONF
[kdcdefaults]
  kdc_listen = 127.0.0.1:$PORT
  kdc_tcp_listen = 127.0.0.1:$PORT

[realms]
  $REALM = {
    database_name = $DIR/principal
    key_stash_file = $DIR/stash
    acl_file = $DIR/kadm5.acl
    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    max_life = 10h
    max_renewable_life = 1d
  }

[logging]
  kdc = FILE:$DIR/kdc.log
CONF
: >"$DIR/kadm5.acl"

export KRB5_CONFIG="$DIR/krb5.conf" KRB5_KDC_PROFILE="$DIR/kdc.conf"
kdb5_util create -s -r "$REALM" -P "$MASTER" >"$DIR/setup.log" 2>&1

# Test users: name:password:what the emulator's domain config makes of them (test/helpers/kdc.ts).
USERS="alice:Alice-Kerb-Passw0rd!:Domain Admins
bob:Bob-Kerb-Passw0rd!:Domain Users only
carol:Carol-Kerb-Passw0rd!:WinRM Operators (nested into Remote Management Users)"
while IFS=: read -r name password _; do
  kadmin.local -q "addprinc -pw $password $name@$REALM" >>"$DIR/setup.log" 2>&1
done <<<"$USERS"
kadmin.local -q "addprinc -randkey HTTP/$HOST@$REALM" >>"$DIR/setup.log" 2>&1
kadmin.local -q "ktadd -k $DIR/http.keytab HTTP/$HOST@$REALM" >>"$DIR/setup.log" 2>&1
chmod 600 "$DIR/http.keytab"

krb5kdc -n -P "$DIR/kdc.pid" >>"$DIR/kdc.log" 2>&1 &
# Wait for the pid file and the port (the KDC writes the pid once it listens).
for _ in $(seq 1 50); do
  if [ -s "$DIR/kdc.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  sleep 0.1
done
if ! [ -s "$DIR/kdc.pid" ] || ! kill -0 "$(cat "$DIR/kdc.pid")" 2>/dev/null; then
  echo "start-kdc: krb5kdc did not start; $DIR/kdc.log says:" >&2
  tail -20 "$DIR/kdc.log" >&2 || true
  exit 1
fi

# The SPN's host must resolve for clients that use it in URLs (pywinrm builds HTTP@<host>).
if ! getent hosts "$HOST" >/dev/null; then
  if [ -w /etc/hosts ]; then
    echo "127.0.0.1 $HOST" >>/etc/hosts
    echo "start-kdc: added '127.0.0.1 $HOST' to /etc/hosts"
  else
    echo "start-kdc: $HOST does not resolve and /etc/hosts is not writable; clients must use kerberos_hostname_override" >&2
  fi
fi

# A ticket proves the KDC answers.
echo "Alice-Kerb-Passw0rd!" | KRB5CCNAME="FILE:$DIR/cc_probe" kinit "alice@$REALM" >/dev/null
rm -f "$DIR/cc_probe"

cat >"$DIR/env" <<ENV
export WINRM_EMU_KDC_DIR='$DIR'
export WINRM_EMU_REALM='$REALM'
export WINRM_EMU_KDC_PORT='$PORT'
export WINRM_EMU_KRB_HOST='$HOST'
export WINRM_EMU_KRB5_CONFIG='$DIR/krb5.conf'
export WINRM_EMU_KEYTAB='$DIR/http.keytab'
ENV
printf '%s\n' "$USERS" >"$DIR/users"
chmod 600 "$DIR/users"
echo "start-kdc: realm $REALM on 127.0.0.1:$PORT (pid $(cat "$DIR/kdc.pid")), keytab $DIR/http.keytab for HTTP/$HOST; . $DIR/env"
