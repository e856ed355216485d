# gst-webrtc-rooms network lab, sourced by the network suite and bench.
#
# Builds its own hosts with `ip netns` and veth pairs, never touching the
# interfaces of the namespace it runs in, and never any outside address:
#
#   pub    198.18.0.1/24 on bridge br0: the room server (its STUN responder on
#          3478) and two coturns: 3479 with a static user (LAB_TURN, for the
#          element's turn-servers property) and 3480 with a secret shared
#          with the room server, which hands out time-limited TURN REST
#          credentials in every welcome (--turn-secret-file)
#   nata   wan 198.18.0.10/24 (on br0) - NAT - lan 10.0.1.1/24
#   hosta  10.0.1.2/24, default route via nata        (peer "a")
#   natb   wan 198.18.0.20/24 (on br0) - NAT - lan 10.0.2.1/24
#   hostb  10.0.2.2/24, default route via natb        (peer "b")
#
# NAT kinds (TRAPS.md): cone = MASQUERADE, and unsolicited packets from the
# wan side dropped (a cone NAT that accepts them breaks hole punching);
# symmetric = MASQUERADE --random-fully (a new port per destination); none
# = plain routing (host candidates reach each other).
#
# Namespace names carry the shell's pid, so concurrent runs do not collide;
# lab_down (installed as an EXIT trap by lab_up) removes everything.

LAB_ID="wr$$"
LAB_DIR=""
LAB_PIDS=()
LAB_PUB=198.18.0.1
LAB_URL="ws://$LAB_PUB:8443/ws"
LAB_TURN="turn://wr:wrpass@$LAB_PUB:3479"
LAB_SECRET=""

lab_ns() { echo "$LAB_ID-$1"; }
lab_exec() {
  local n=$1
  shift
  ip netns exec "$(lab_ns "$n")" "$@"
}
# lab_bg NS OUT ERR COMMAND...: COMMAND in namespace NS in the background,
# output to files; its pid (the command's own: `ip netns exec` execs it) is
# recorded for lab_down and left in LAB_BG_PID. Never background a shell
# function instead: $! would be a subshell and the command would outlive
# lab_down.
lab_bg() {
  local n=$1 out=$2 err=$3
  shift 3
  ip netns exec "$(lab_ns "$n")" "$@" >"$out" 2>"$err" &
  LAB_BG_PID=$!
  LAB_PIDS+=("$LAB_BG_PID")
}
lab_ipt() {
  local n=$1
  shift
  lab_exec "$n" iptables-legacy -w "$@"
}

# Exits 77 (meson's "skipped") with a reason unless the lab can be built.
lab_require() {
  local tool
  for tool in ip iptables-legacy "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "SKIP: $tool is not installed (scripts/setup-deps.sh installs it)"
      exit 77
    fi
  done
  if ! ip netns add "$LAB_ID-probe" 2>/dev/null; then
    echo "SKIP: cannot create network namespaces (needs root)"
    exit 77
  fi
  ip netns del "$LAB_ID-probe"
}

lab_fail() {
  echo "FAIL: $*"
  exit 1
}

lab_nat() {
  local n=$1 kind=$2
  lab_exec "$n" sysctl -qw net.ipv4.ip_forward=1
  case $kind in
    none) ;;
    cone | symmetric)
      if [ "$kind" = symmetric ]; then
        lab_ipt "$n" -t nat -A POSTROUTING -o wan -j MASQUERADE --random-fully
      else
        lab_ipt "$n" -t nat -A POSTROUTING -o wan -j MASQUERADE
      fi
      lab_ipt "$n" -A FORWARD -i wan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
      lab_ipt "$n" -A FORWARD -i wan -j DROP
      lab_ipt "$n" -A INPUT -i wan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
      lab_ipt "$n" -A INPUT -i wan -j DROP
      ;;
    *) lab_fail "unknown NAT kind $kind" ;;
  esac
}

# lab_site LETTER INDEX NAT_KIND: natX + hostX on the public bridge
lab_site() {
  local x=$1 i=$2 kind=$3
  local nat host
  nat=$(lab_ns "nat$x")
  host=$(lab_ns "host$x")
  ip -n "$nat" link add wan type veth peer name "p$x" netns "$(lab_ns pub)"
  ip -n "$(lab_ns pub)" link set "p$x" master br0 up
  ip -n "$nat" addr add "198.18.0.$((i * 10))/24" dev wan
  ip -n "$nat" link set wan up
  ip -n "$nat" link add lan type veth peer name eth0 netns "$host"
  ip -n "$nat" addr add "10.0.$i.1/24" dev lan
  ip -n "$nat" link set lan up
  ip -n "$host" addr add "10.0.$i.2/24" dev eth0
  ip -n "$host" link set eth0 up
  ip -n "$host" route add default via "10.0.$i.1"
  if [ "$kind" = none ]; then
    # no NAT: plain routers, the private networks reach each other
    ip -n "$(lab_ns pub)" route add "10.0.$i.0/24" via "198.18.0.$((i * 10))"
    ip -n "$nat" route add default via "$LAB_PUB"
    lab_exec pub sysctl -qw net.ipv4.ip_forward=1
  fi
  lab_nat "nat$x" "$kind"
}

# lab_up NAT_A NAT_B: namespaces, links, NATs, then the room server and
# coturn in pub. Sets LAB_DIR (logs, secret).
lab_up() {
  local n
  trap lab_down EXIT
  LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/wr-lab.XXXXXX")
  for n in pub nata hosta natb hostb; do
    ip netns add "$(lab_ns $n)"
    ip -n "$(lab_ns $n)" link set lo up
  done
  ip -n "$(lab_ns pub)" link add br0 type bridge
  ip -n "$(lab_ns pub)" addr add "$LAB_PUB/24" dev br0
  ip -n "$(lab_ns pub)" link set br0 up
  lab_site a 1 "$1"
  lab_site b 2 "$2"
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$LAB_DIR/secret"
  LAB_SECRET="$LAB_DIR/secret"
  head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$LAB_DIR/turn-secret"
  lab_server_start
  lab_turn_start
}

# LAB_WELCOME_TURN=0: the welcome announces no TURN server (STUN only)
lab_server_start() {
  local turn=(--turn-url "turn:$LAB_PUB:3480"
    --turn-secret-file "$LAB_DIR/turn-secret" --turn-ttl 600)
  [ "${LAB_WELCOME_TURN:-1}" = 0 ] && turn=()
  lab_bg pub "$LAB_DIR/server.out" "$LAB_DIR/server.log" \
    "$WEBRTC_ROOM_SERVER" --host "$LAB_PUB" --port 8443 --stun-port 3478 \
    --secret-file "$LAB_SECRET" "${turn[@]}"
  LAB_SERVER_PID=$LAB_BG_PID
  lab_wait_for "room server" 20 grep -qs listening "$LAB_DIR/server.out"
}

# lab_coturn PORT NAME AUTH...: one coturn in pub, TURN over UDP on PORT;
# with --cert=... among AUTH, TURN over TLS/TCP on 5349 instead (PORT then
# only picks its relay port range)
lab_coturn() {
  local port=$1 name=$2
  local transport=(--no-tls) listening="ss -lun | grep -q ':$port '"
  shift 2
  case " $* " in
    *" --cert="*)
      transport=(--no-udp --tls-listening-port=5349)
      listening="ss -ltn | grep -q ':5349 '"
      ;;
  esac
  # coturn closes a whole allocation on one failed send, e.g. to a private
  # host candidate it cannot reach: deny the private ranges (TRAPS.md)
  lab_bg pub "$LAB_DIR/$name.log" "$LAB_DIR/$name.err" \
    turnserver -n --listening-ip="$LAB_PUB" --relay-ip="$LAB_PUB" \
    --listening-port="$port" --realm=wr "${transport[@]}" "$@" \
    --verbose --no-dtls --no-cli --no-tcp-relay --no-multicast-peers \
    --denied-peer-ip=10.0.0.0-10.255.255.255 \
    --min-port=$((49152 + (port - 3479) * 200)) \
    --max-port=$((49351 + (port - 3479) * 200)) \
    --pidfile="$LAB_DIR/$name.pid" --log-file=stdout --simple-log
  lab_wait_for "coturn $name" 20 lab_exec pub sh -c "$listening"
}

lab_coturn_rest() {
  lab_coturn 3480 turn-rest --use-auth-secret \
    --static-auth-secret="$(cat "$LAB_DIR/turn-secret")"
  LAB_TURN_REST_PID=$LAB_BG_PID
}

# LAB_TURN_TLS=1: also a coturn for turns:// (TLS over TCP, port 5349, the
# static user, a self-signed certificate made here)
lab_turn_start() {
  command -v turnserver >/dev/null 2>&1 || return 0
  lab_coturn 3479 turn-static --lt-cred-mech --user=wr:wrpass
  lab_coturn_rest
  [ "${LAB_TURN_TLS:-0}" = 1 ] || return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -days 1 -subj "/CN=$LAB_PUB" -addext "subjectAltName=IP:$LAB_PUB" \
    -keyout "$LAB_DIR/turn-tls.key" -out "$LAB_DIR/turn-tls.crt" 2>/dev/null ||
    lab_fail "openssl could not make the TURN server's certificate"
  lab_coturn 3481 turn-tls --lt-cred-mech --user=wr:wrpass \
    --cert="$LAB_DIR/turn-tls.crt" --pkey="$LAB_DIR/turn-tls.key"
}

# lab_wait_for WHAT SECONDS COMMAND...: polls COMMAND every 0.1 s
lab_wait_for() {
  local what=$1 limit=$2 i
  shift 2
  for ((i = 0; i < limit * 10; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  lab_fail "$what not ready after ${limit}s"
}

# lab_peer LETTER OUTPUT_FILE room-peer options...: starts room-peer in
# hostLETTER in the background; sets LAB_PEER_PID
lab_peer() {
  local x=$1 out=$2
  shift 2
  # G_DEBUG without fatal-criticals: webrtcbin 1.22's get-stats (the PATH
  # line) once hit a GLib-CRITICAL in its own hash-table iteration; the
  # network suite checks networking, the elements suite keeps them fatal
  G_DEBUG= GST_DEBUG="${GST_DEBUG:-webrtcroom:3}" lab_bg "host$x" "$out" "$out.err" \
    "$WEBRTC_ROOM_BUILD_ROOT/tests/elements/room-peer" --url "$LAB_URL" \
    --local-addresses "" "$@"
  LAB_PEER_PID=$LAB_BG_PID
}

# lab_wait_pids SECONDS PID...: waits for the peers, kills them at the limit
lab_wait_pids() {
  local limit=$1 pid i alive
  shift
  for ((i = 0; i < limit * 10; i++)); do
    alive=0
    for pid in "$@"; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    [ $alive = 0 ] && return 0
    sleep 0.1
  done
  for pid in "$@"; do kill -9 "$pid" 2>/dev/null; done
  return 1
}

lab_show() {
  local f
  for f in "$@"; do
    echo "---- $f"
    grep -v '^FRAME' "$f" | tail -n 40
    [ -s "$f.err" ] && { echo "---- $f.err (tail)"; tail -n 20 "$f.err"; }
  done
}

lab_down() {
  local pid n
  for pid in "${LAB_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 0.2
  for pid in "${LAB_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  for n in pub nata hosta natb hostb; do
    ip netns del "$(lab_ns $n)" 2>/dev/null
  done
  [ -n "$LAB_DIR" ] && [ -z "${LAB_KEEP:-}" ] && rm -rf "$LAB_DIR"
  return 0
}

# lab_field NAME FILE PREFIX: the NAME=value field of FILE's last line
# starting with PREFIX
lab_field() { grep "^$3" "$2" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# lab_impair_nata IMPAIR-OPTIONS...: every packet crossing nata goes through
# the impair program (impairing only UDP let ICE pick TURN over TCP around
# it); IMPAIR defaults to the build's tests/network/impair
lab_impair_nata() {
  lab_ipt nata -I FORWARD -j NFQUEUE --queue-num 7 --queue-bypass
  lab_bg nata "$LAB_DIR/impair.out" "$LAB_DIR/impair.log" \
    "${IMPAIR:-$WEBRTC_ROOM_BUILD_ROOT/tests/network/impair}" --queue 7 "$@"
}

# lab_loss_run NACK FRAMES: the loss scenario once, in a lab of its own (the
# network suite's `loss`, tests/bench/network-loss.sh). a sends VP8 640x480 at
# 30 fps, b receives until it decoded FRAMES frames; a's link loses 5 % and
# delays 100 ms each way, every protocol. The jitterbuffer latency
# (LOSS_LATENCY, default 400 ms) exceeds the ~250 ms round trip, so a
# retransmission can arrive in time. No
# TURN in the welcome: NACK/RTX works on the direct UDP path, not through a
# TURN-over-TCP relay whose own retransmissions would hide the loss.
# Sets, from b's output and impair's log:
#   LOSS_FPS      decoded (not corrupted) frames per whole second (FPS line)
#   LOSS_MEAN, LOSS_MIN  of those, after 2 s of start-up, last second excluded
#   LOSS_MAXGAP   longest silence of b's video (any frame), ms
#   JB_PUSHED, JB_LOST, JB_REQUESTS, JB_REPAIRED  b's jitterbuffers: packets
#                 pushed, lost for good, RTX requests, repaired by RTX
#   LOSS_SEEN, LOSS_DROPPED  impair's packet counts
#   LOSS_ZERORUN  longest run of whole seconds without a decoded frame, after
#                 the first frame (the last, partial second excluded)
# FRAMES 0 with LOSS_SECONDS=N: b receives for N seconds after its first
# frame instead, however many frames the machine decodes meanwhile (MAXGAP
# then covers only the first frame: use LOSS_ZERORUN).
# Returns 1 with LOSS_ERROR set when b did not get its frames; the lab is
# torn down either way (its output stays in LOSS_OUT_A/B until the next run).
lab_loss_run() {
  local nack=$1 frames=$2
  # frames at 5 fps: a starved 2-core machine decodes 3-10 fps
  local limit=$((frames / 5 + 30)) pa
  local until=(--min-frames "$frames")
  if [ "$frames" = 0 ]; then
    limit=$((${LOSS_SECONDS:?} + 60))
    until=(--min-frames 1 --stay "$LOSS_SECONDS")
  fi
  LOSS_ERROR=""
  LAB_WELCOME_TURN=0 lab_up cone cone
  lab_impair_nata --loss 5 --delay 100 --seed 7
  LOSS_OUT_A=$(mktemp "${TMPDIR:-/tmp}/wr-loss-a.XXXXXX")
  LOSS_OUT_B=$(mktemp "${TMPDIR:-/tmp}/wr-loss-b.XXXXXX")
  lab_peer a "$LOSS_OUT_A" --room r --name a --mode sink --no-audio \
    --width 640 --height 480 --timeout $((limit + 20)) --stay $((limit + 20)) \
    --prop "latency=${LOSS_LATENCY:-400}" --prop "nack=$nack"
  pa=$LAB_PEER_PID
  lab_peer b "$LOSS_OUT_B" --room r --name b --mode src --no-audio \
    "${until[@]}" --timeout "$limit" --report-fps \
    --prop "latency=${LOSS_LATENCY:-400}" --prop "nack=$nack"
  lab_wait_pids $((limit + 10)) "$LAB_PEER_PID" || true
  kill "$pa" 2>/dev/null
  kill "${LAB_PIDS[@]}" 2>/dev/null
  sleep 0.3
  LOSS_FPS=$(grep '^FPS ' "$LOSS_OUT_B" | tail -n 1 | cut -d' ' -f2-)
  LOSS_MEAN=$(lab_field mean "$LOSS_OUT_B" FPSSUMMARY)
  LOSS_MIN=$(lab_field min "$LOSS_OUT_B" FPSSUMMARY)
  LOSS_MAXGAP=$(sed -n 's/^MAXGAP \([0-9]*\) ms/\1/p' "$LOSS_OUT_B" | tail -n 1)
  LOSS_ZERORUN=$(awk '{ for (i = 1; i < NF; i++) { z = $i == 0 ? z + 1 : 0; if (z > m) m = z } } END { print m + 0 }' <<<"$LOSS_FPS")
  JB_PUSHED=$(lab_field pushed "$LOSS_OUT_B" JITTERBUFFER)
  JB_LOST=$(lab_field lost "$LOSS_OUT_B" JITTERBUFFER)
  JB_REQUESTS=$(lab_field rtx-requests "$LOSS_OUT_B" JITTERBUFFER)
  JB_REPAIRED=$(lab_field rtx-repaired "$LOSS_OUT_B" JITTERBUFFER)
  LOSS_SEEN=$(sed -n 's/^impair: seen \([0-9]*\) .*/\1/p' "$LAB_DIR/impair.log")
  LOSS_DROPPED=$(sed -n 's/^impair: seen [0-9]* dropped \([0-9]*\).*/\1/p' "$LAB_DIR/impair.log")
  LOSS_PATH=$(grep -m1 '^PATH' "$LOSS_OUT_B" | cut -d' ' -f3-)
  grep -q '^EXIT 0' "$LOSS_OUT_B" ||
    LOSS_ERROR="b did not decode $frames frames within ${limit}s (nack=$nack)"
  cp "$LAB_DIR/impair.log" "$LOSS_OUT_B.impair" 2>/dev/null
  lab_down
  LAB_PIDS=()
  LAB_DIR=""
  [ -z "$LOSS_ERROR" ]
}
