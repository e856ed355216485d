# Janus on this machine for the janus suite and benchmark: sourced by
# test-janus.sh and tests/bench/janus-fanout.sh.
#
# Janus 1.1.2 never gathers ICE candidates on a loopback interface, so the
# caller runs in a network namespace of its own (janus_lab_enter re-runs
# the script under `unshare -n`) holding lo and a veth pair whose address
# carries ICE; nothing can leave the machine. Janus listens for its
# WebSocket API on 127.0.0.1 only.

JANUS_ICE_IP=10.213.0.1
JANUS_LAB_DIR=
JANUS_PID=
JANUS_URL=
JANUS_WSS_URL=
JANUS_CA=

janus_lab_skip() {
  echo "SKIP: $*"
  exit 77
}

# Re-runs "$0" "$@" in a private network namespace unless already there.
janus_lab_enter() {
  command -v janus >/dev/null 2>&1 || janus_lab_skip "janus is not installed (apt-get install janus)"
  if [ -z "${JANUS_LAB_NETNS:-}" ]; then
    command -v unshare >/dev/null 2>&1 || janus_lab_skip "no unshare"
    unshare -n true 2>/dev/null || janus_lab_skip "cannot create a network namespace (needs root)"
    JANUS_LAB_NETNS=1 exec unshare -n "$BASH" "$0" "$@"
  fi
  ip link set lo up
  ip link add jlab0 type veth peer name jlab1 || janus_lab_skip "no veth support"
  ip addr add "$JANUS_ICE_IP/24" dev jlab0
  ip link set jlab0 up
  ip link set jlab1 up
}

janus_lib_dir() {
  local d
  for d in /usr/lib/*/janus /usr/lib/janus /usr/local/lib/janus; do
    [ -e "$d/plugins/libjanus_videoroom.so" ] && { echo "$d"; return 0; }
  done
  return 1
}

# A private CA ($JANUS_CA) and the certificate of 127.0.0.1 it signed, for
# Janus's wss:// (openssl CLI)
janus_lab_certificates() {
  local d=$JANUS_LAB_DIR
  JANUS_CA=$d/ca.pem
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=janus-test-ca -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign -keyout "$d/ca.key" -out "$JANUS_CA" \
    2>/dev/null &&
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj /CN=127.0.0.1 -keyout "$d/wss.key" -out "$d/wss.csr" 2>/dev/null &&
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    > "$d/wss.ext" &&
  openssl x509 -req -in "$d/wss.csr" -CA "$JANUS_CA" -CAkey "$d/ca.key" \
    -CAcreateserial -days 2 -extfile "$d/wss.ext" -out "$d/wss.pem" 2>/dev/null
}

# janus_lab_start: Janus with the configs of tests/janus/ on a free port
# (ws://) and the next one (wss://).
janus_lab_start() {
  local src lib port f i
  src=$(dirname "${BASH_SOURCE[0]}")
  lib=$(janus_lib_dir) || janus_lab_skip "janus VideoRoom plugin not found"
  JANUS_LAB_DIR=$(mktemp -d /tmp/janus-lab.XXXXXX)
  # a private namespace: any port is free; vary it anyway
  port=$((20000 + RANDOM % 20000))
  janus_lab_certificates || return 1
  for f in "$src"/*.jcfg; do
    sed -e "s|@CONFIGS@|$JANUS_LAB_DIR|g; s|@WS_PORT@|$port|; s|@WSS_PORT@|$((port + 1))|; s|@ICE_IP@|$JANUS_ICE_IP|; s|@JANUS_LIB@|$lib|" \
      "$f" > "$JANUS_LAB_DIR/$(basename "$f")"
  done
  janus -C "$JANUS_LAB_DIR/janus.jcfg" -F "$JANUS_LAB_DIR" -o -N \
    -L "$JANUS_LAB_DIR/janus.log" >/dev/null 2>&1 &
  JANUS_PID=$!
  JANUS_URL="janus+ws://127.0.0.1:$port/"
  JANUS_WSS_URL="janus+wss://127.0.0.1:$((port + 1))/"
  for i in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    kill -0 "$JANUS_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "janus did not start:"
  cat "$JANUS_LAB_DIR/janus.log"
  return 1
}

janus_lab_stop() {
  if [ -n "$JANUS_PID" ]; then
    kill "$JANUS_PID" 2>/dev/null
    wait "$JANUS_PID" 2>/dev/null
    JANUS_PID=
  fi
  [ -n "$JANUS_LAB_DIR" ] && rm -rf "$JANUS_LAB_DIR"
  JANUS_LAB_DIR=
}
