#!/usr/bin/env bash
# Stops the KDC that start-kdc.sh started (by its pid file) and removes its folder.
set -uo pipefail
DIR=${WINRM_EMU_KDC_DIR:-/tmp/winrm-emu-kdc}
if [ -f "$DIR/kdc.pid" ]; then
  pid=$(cat "$DIR/kdc.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
fi
case "$DIR" in
  /tmp/*) rm -rf "$DIR" ;;
  *) rm -f "$DIR/kdc.pid" ;;
esac
echo "stop-kdc: stopped ($DIR)"
