#!/bin/bash
# The whip suite: webrtcroomsink publishing to a WHIP endpoint made of
# aiortc (tests/whip/whip-endpoint.py), inside a network namespace of the
# test's own holding only lo. aioice never gathers on 127.0.0.1 itself, so
# lo also gets 127.0.0.2 (still loopback). Skips (77) without aiortc or
# without the rights for `unshare -n`.
#
#   publish    POST offer -> 201 + Location + answer, candidates by PATCH,
#              aiortc decodes 30 frames, stopping the pipeline DELETEs
#              and gst-launch exits 0; the 201's Link headers (a STUN and
#              a TURN server, an unusable TURN server, a link of another
#              rel) are parsed: both servers announced to the element, one
#              warning (read from the webrtcroomwhip debug log)
#   bad-token  401: element ERROR about the token, gst-launch exits non-zero
#   no-endpoint 404: element ERROR naming the URL, gst-launch exits non-zero
#   recover    the endpoint loses the first session's connection after 45
#              frames (closes it, tells nobody): the publisher's media
#              watchdog (it watches a connection once RTCP came on it,
#              aiortc's first receiver report comes within ~1.5 s; 45
#              frames at 15 fps are 3 s) replaces the connection, the WHIP client DELETEs
#              the dead session and POSTs the new offer; aiortc decodes
#              30 frames on the second session, stop DELETEs it
#   play       webrtcroomsrc server-url=whep+http://... (our WHEP client)
#              plays aiortc's video (whip-endpoint.py --whep): 30 frames
#              decoded, stopping DELETEs the resource
#   https      whip+https:// to an endpoint whose certificate a private CA
#              (made here with openssl) signed: without ca-file the
#              element fails naming the endpoint; with ca-file=<the CA>
#              the offer is answered and stop DELETEs; tls-insecure=true
#              accepts it too

set -u
WHIP_LAB_NAME=whip-test
. "$(dirname "$0")/whip-lab.sh"
PORT=$((20000 + RANDOM % 20000))
URL="whip+http://127.0.0.1:$PORT/whip/test"
STOP_KILLED=0
running() { # PID: not yet exited (a zombie has exited)
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ]
}
stop() { # PID: SIGINT, SIGKILL after 20 s (*3 slow) with its stacks shown; STOP_KILLED=1 then
  local i
  STOP_KILLED=0
  kill -INT "$1" 2>/dev/null
  for i in $(seq 1 $((200 * SLOW))); do
    running "$1" || break
    sleep 0.1
  done
  if running "$1"; then
    STOP_KILLED=1
    echo "stop: pid $1 still running $((20 * SLOW)) s after SIGINT; its threads:"
    timeout 60 gdb -p "$1" -batch -ex "thread apply all bt" 2>/dev/null | grep "^#\|^Thread"
    kill -9 "$1" 2>/dev/null
  fi
  wait "$1" 2>/dev/null
}

LINK_TURN='<turn:127.0.0.2:3479?transport=udp>; rel="ice-server"; username="u;1"; credential="p\"w"; credential-type="password"'
$PY "$HERE/whip-endpoint.py" --port "$PORT" --token secret --min-frames 30 \
  --link '<stun:127.0.0.2:3478>; rel="ice-server"' --link "$LINK_TURN" \
  --link '<turn:127.0.0.2:3480>; rel="ice-server"' \
  --link '</whip/test/ext>; rel="urn:ietf:params:whip:ext:example"' \
  --timeout $((90 * SLOW)) > "$LOGS/endpoint.log" 2>&1 &
EP=$!
PIDS+=($EP)
wait_line "$LOGS/endpoint.log" "^READY" 20 || { show "$LOGS/endpoint.log"; exit 1; }

publish() { # token url log [props...]: gst-launch-1.0 in place of the shell
  local token=$1 url=$2 log=$3
  shift 3
  GST_DEBUG=${GST_DEBUG:-webrtcroomwhip:4} GST_DEBUG_NO_COLOR=1 \
  LD_PRELOAD=$SAN_PRELOAD exec gst-launch-1.0 videotestsrc is-live=true ! \
    video/x-raw,width=320,height=240,framerate=15/1 ! \
    webrtcroomsink server-url="$url" token="$token" local-addresses=127.0.0.1 \
    ice-tcp=false "$@" > "$log" 2>&1
}

echo "== bad-token"
timeout $((20 * SLOW)) bash -c "$(declare -f publish); SAN_PRELOAD='$SAN_PRELOAD' publish wrong '$URL' '$LOGS/bad-token.log'"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "refused our token" "$LOGS/bad-token.log"; then
  echo "ok: exit $rc, $(grep -m1 -o "ERROR: from element.*" "$LOGS/bad-token.log")"
  grep -m1 "refused our token" "$LOGS/bad-token.log"
else
  fail "bad-token (exit $rc)"; show "$LOGS/bad-token.log"
fi

echo "== no-endpoint"
timeout $((20 * SLOW)) bash -c "$(declare -f publish); SAN_PRELOAD='$SAN_PRELOAD' publish secret 'whip+http://127.0.0.1:$PORT/nothing' '$LOGS/no-endpoint.log'"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "There is no WHIP endpoint" "$LOGS/no-endpoint.log"; then
  echo "ok: exit $rc, $(grep -m1 "There is no WHIP endpoint" "$LOGS/no-endpoint.log")"
else
  fail "no-endpoint (exit $rc)"; show "$LOGS/no-endpoint.log"
fi

echo "== publish"
# the TURN server of the 201's second Link header, for real: the publisher
# must gather a relay candidate through it (its credentials have a ';' and a '"')
TURN=0
if command -v turnserver >/dev/null; then
  turnserver -n --listening-ip=127.0.0.2 --relay-ip=127.0.0.2 --listening-port=3479 \
    --realm=wr --lt-cred-mech --user='u;1:p"w' --no-dtls --no-tls --no-cli \
    --no-tcp-relay --min-port=49152 --max-port=49200 --log-file=stdout --simple-log \
    > "$LOGS/turn.log" 2>&1 &
  PIDS+=($!)
  TURN=1
  for i in $(seq 1 100); do
    ss -lun | grep -q '127.0.0.2:3479 ' && break
    sleep 0.1
  done
else
  echo "note: no turnserver (coturn): the Link TURN server is not exercised"
fi
(publish secret "$URL" "$LOGS/publish.log") &
GL=$!
PIDS+=($GL)
if wait_line "$LOGS/endpoint.log" "^FRAMES" $((60 * SLOW)); then
  stop "$GL"
  glrc=$?
  wait "$EP"
  eprc=$?
  # exit 0: no data channel towards a WHIP endpoint (its SCTP failed
  # when the endpoint closed first, and sctpenc posted an ERROR at stop)
  if [ $eprc = 0 ] && [ $glrc = 0 ] && grep -q "^DELETED" "$LOGS/endpoint.log"; then
    echo "ok: aiortc decoded 30 frames, the pipeline's stop DELETEd the resource (gst-launch exit $glrc): $(grep '^DELETED' "$LOGS/endpoint.log")"
  else
    fail "publish: no DELETE or not a clean stop (endpoint exit $eprc, gst-launch exit $glrc)"; show "$LOGS/endpoint.log" "$LOGS/publish.log"
  fi
  if grep -q "WHIP endpoint ICE server stun:127.0.0.2:3478$" "$LOGS/publish.log" \
    && grep -q "WHIP endpoint ICE server turn:127.0.0.2:3479?transport=udp$" "$LOGS/publish.log" \
    && [ "$(grep -c "WHIP endpoint ICE server " "$LOGS/publish.log")" = 2 ] \
    && [ "$(grep -c "unusable ICE server: Link value 3: TURN server turn:127.0.0.2:3480 without" "$LOGS/publish.log")" = 1 ]; then
    echo "ok: the 201's Link headers gave the STUN and the TURN server, and one warning: $(grep -m1 -o "unusable ICE server.*" "$LOGS/publish.log")"
  else
    fail "publish: Link headers not parsed as expected"; grep "ICE server" "$LOGS/publish.log"
  fi
  if [ $TURN = 1 ]; then
    if grep -q "^CANDIDATE relay 127.0.0.2 " "$LOGS/endpoint.log"; then
      echo "ok: the Link TURN server was used: $(grep -m1 "^CANDIDATE relay" "$LOGS/endpoint.log")"
    else
      fail "publish: no relay candidate through the Link TURN server"
      grep "^CANDIDATE" "$LOGS/endpoint.log"; tail -n 20 "$LOGS/turn.log"
    fi
  fi
else
  fail "publish: aiortc got no 30 frames"; show "$LOGS/endpoint.log" "$LOGS/publish.log"
fi

echo "== recover"
RPORT=$((PORT + 4))
$PY "$HERE/whip-endpoint.py" --port "$RPORT" --token secret --min-frames 30 \
  --drop-after 45 --timeout $((90 * SLOW)) > "$LOGS/recover-endpoint.log" 2>&1 &
REP=$!
PIDS+=($REP)
wait_line "$LOGS/recover-endpoint.log" "^READY" 20 || { show "$LOGS/recover-endpoint.log"; exit 1; }
(publish secret "whip+http://127.0.0.1:$RPORT/whip/test" "$LOGS/recover.log") &
GL=$!
PIDS+=($GL)
if wait_line "$LOGS/recover-endpoint.log" "^FRAMES" $((60 * SLOW)); then
  stop "$GL"
  glrc=$?
  wait "$REP"
  eprc=$?
  if [ $eprc = 0 ] && [ $glrc = 0 ] && grep -q "^DROPPED 1" "$LOGS/recover-endpoint.log" \
    && grep -q "^DELETED-DROPPED 1" "$LOGS/recover-endpoint.log" \
    && grep -q "^POSTED /resource/2" "$LOGS/recover-endpoint.log" \
    && grep -q "^DELETED 2" "$LOGS/recover-endpoint.log"; then
    echo "ok: session 1 dropped after 45 frames; the client DELETEd it, POSTed again, 30 frames on session 2, stop DELETEd it (gst-launch exit $glrc)"
  else
    fail "recover: (endpoint exit $eprc, gst-launch exit $glrc)"; show "$LOGS/recover-endpoint.log" "$LOGS/recover.log"
  fi
else
  fail "recover: no 30 frames after the drop"; show "$LOGS/recover-endpoint.log" "$LOGS/recover.log"
fi

echo "== play"
WPORT=$((PORT + 1))
$PY "$HERE/whip-endpoint.py" --whep --path /whep/test --port "$WPORT" --token secret \
  --timeout $((90 * SLOW)) > "$LOGS/whep-endpoint.log" 2>&1 &
WEP=$!
PIDS+=($WEP)
wait_line "$LOGS/whep-endpoint.log" "^READY" 20 || { show "$LOGS/whep-endpoint.log"; exit 1; }
LD_PRELOAD=$SAN_PRELOAD "$BUILD/tests/elements/room-peer" --mode src \
  --url "whep+http://127.0.0.1:$WPORT/whep/test" --room test --no-audio \
  --local-addresses 127.0.0.1 --prop token=secret --min-frames 30 \
  --stay $((60 * SLOW)) --timeout $((60 * SLOW)) > "$LOGS/play.log" 2>&1 &
PL=$!
PIDS+=($PL)
if wait_line "$LOGS/play.log" "^DONE" $((60 * SLOW)); then
  stop "$PL"
  plrc=$?
  [ $STOP_KILLED = 0 ] || fail "play: room-peer did not stop on SIGINT"
  if wait_line "$LOGS/whep-endpoint.log" "^DELETED" $((20 * SLOW)); then
    echo "ok: webrtcroomsrc played 30 frames from the aiortc WHEP endpoint, stop DELETEd it (exit $plrc): $(grep -m1 '^DONE' "$LOGS/play.log")"
  else
    fail "play: no DELETE"; show "$LOGS/whep-endpoint.log" "$LOGS/play.log"
  fi
else
  fail "play: no 30 frames from WHEP"; show "$LOGS/whep-endpoint.log" "$LOGS/play.log"
fi

echo "== https"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=whip-test-ca -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign -keyout "$LOGS/ca.key" -out "$LOGS/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
  -keyout "$LOGS/leaf.key" -out "$LOGS/leaf.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$LOGS/leaf.ext"
openssl x509 -req -in "$LOGS/leaf.csr" -CA "$LOGS/ca.pem" -CAkey "$LOGS/ca.key" \
  -CAcreateserial -days 2 -extfile "$LOGS/leaf.ext" -out "$LOGS/leaf.pem" 2>/dev/null
for n in 1 2; do
  $PY "$HERE/whip-endpoint.py" --port $((PORT + 1 + n)) --token secret \
    --tls-cert "$LOGS/leaf.pem" --tls-key "$LOGS/leaf.key" \
    --timeout $((120 * SLOW)) > "$LOGS/tls$n.log" 2>&1 &
  PIDS+=($!)
  wait_line "$LOGS/tls$n.log" "^READY" 20 || { show "$LOGS/tls$n.log"; exit 1; }
done
TLS1="whip+https://127.0.0.1:$((PORT + 2))/whip/test"
timeout $((20 * SLOW)) bash -c "$(declare -f publish); SAN_PRELOAD='$SAN_PRELOAD' publish secret '$TLS1' '$LOGS/no-ca.log'"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "Could not reach the WHIP endpoint" "$LOGS/no-ca.log" \
  && ! grep -q "^POSTED" "$LOGS/tls1.log"; then
  echo "ok: without ca-file the private CA's certificate is refused (exit $rc): $(grep -m1 -o "Could not reach.*" "$LOGS/no-ca.log")"
else
  fail "https without ca-file (exit $rc)"; show "$LOGS/no-ca.log" "$LOGS/tls1.log"
fi
tls_publish() { # N LOG PROPS...: publish to endpoint N, answered, then stopped
  local n=$1 log=$2 pid
  shift 2
  (publish secret "whip+https://127.0.0.1:$((PORT + 1 + n))/whip/test" "$log" "$@") &
  pid=$!
  PIDS+=($pid)
  if wait_line "$LOGS/tls$n.log" "^POSTED" $((30 * SLOW)) \
    && wait_line "$log" "WHIP session at https://" $((30 * SLOW)); then
    stop $pid
    [ $STOP_KILLED = 0 ] && wait_line "$LOGS/tls$n.log" "^DELETED" $((20 * SLOW))
  else
    stop $pid; return 1
  fi
}
if tls_publish 1 "$LOGS/ca.log" ca-file="$LOGS/ca.pem"; then
  echo "ok: ca-file=<private CA>: the offer was answered over https and stop DELETEd it"
else
  fail "https with ca-file"; show "$LOGS/ca.log" "$LOGS/tls1.log"
fi
if tls_publish 2 "$LOGS/insecure.log" tls-insecure=true; then
  echo "ok: tls-insecure=true accepts the certificate too"
else
  fail "https with tls-insecure"; show "$LOGS/insecure.log" "$LOGS/tls2.log"
fi
exit $FAILED
