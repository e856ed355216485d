#!/bin/bash
# The whip-server suite: the room server's /whip/<room> and /whep/<room>
# endpoints with clients we did not write (aiortc, tests/whip/whip-client.py)
# and with our own WHIP client, inside a network namespace of the test's
# own holding only lo (plus 127.0.0.2: aioice never gathers on 127.0.0.1).
# The server requires join tokens, so every case also passes the Bearer
# check. Skips (77) without aiortc or without the rights for `unshare -n`.
#
#   bad-input   RFC 9725 status codes: 401 no/bad token, 415 wrong content
#               type, 400 no SDP / not SDP, 404 unknown room or resource,
#               503 nobody opted in, 405 wrong method
#   whip-aiortc aiortc POSTs to /whip/test; the webrtcroomsrc that joined
#               with meta {"whip": true} decodes 30 frames; DELETE -> the
#               virtual peer leaves the room
#   whep-aiortc aiortc plays /whep/test from the webrtcroomsink that joined
#               with meta {"whep": true}: 30 frames decoded
#   whip-ours   webrtcroomsink server-url=whip+http://.../whip/test (our
#               WHIP client, candidates by PATCH) into the same room
#   whep-ours   webrtcroomsrc server-url=whep+http://.../whep/test (our
#               WHEP client) plays from the opted-in webrtcroomsink
#   republish   WHIP client -> /whip/ingest -> webrtcroomsrc decode=false !
#               webrtcroomsink (room test) -> a viewer in room test decodes
#   link-etag-idle  a second server with a STUN responder, a TURN server
#               and --whip-idle-timeout 1: the 201 carries one Link header
#               per ICE server (RFC 9725 4.6; the first server, with
#               neither, sends none) and an ETag; PATCH If-Match: wrong
#               412, the ETag / * / none 204 (4.3.1); an ICE restart PATCH
#               (new ufrag, 4.3.2) 422 and the session stays; the aiortc publisher
#               then vanishes without DELETE: the member's media watchdog
#               offers again, the session goes idle and ends, the room sees
#               the virtual peer leave

set -u
WHIP_LAB_NAME=whip-server-test
. "$(dirname "$0")/whip-lab.sh"
SERVER=$BUILD/signaling/webrtc-room-server
PEER=$BUILD/tests/elements/room-peer
stop() { # PID: SIGINT, then bounded
  kill -INT "$1" 2>/dev/null
  ( sleep $((10 * SLOW)); kill -9 "$1" 2>/dev/null ) &
  local wd=$!
  wait "$1" 2>/dev/null
  kill "$wd" 2>/dev/null
  wait "$wd" 2>/dev/null
}

head -c 32 /dev/urandom | base64 > "$LOGS/join.secret"
TOKEN=$("$SERVER" --token-secret-file "$LOGS/join.secret" --mint-token --room test)
ANY=$("$SERVER" --token-secret-file "$LOGS/join.secret" --mint-token --room '*')
"$SERVER" --port 0 --stun-port 0 --token-secret-file "$LOGS/join.secret" \
  > "$LOGS/server.log" 2>&1 &
PIDS+=($!)
wait_line "$LOGS/server.log" "listening on" 10 || { show "$LOGS/server.log"; exit 1; }
PORT=$(sed -n 's|.*ws://127.0.0.1:\([0-9]*\)/ws.*|\1|p' "$LOGS/server.log" | head -1)
BASE="http://127.0.0.1:$PORT"
SDP_OFFER=$'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\na=rtpmap:96 VP8/90000\r\n'

peer() { # LOG MODE ARGS...: a room-peer in the background (server ${PEER_PORT:-$PORT})
  local log=$1 mode=$2
  shift 2
  LD_PRELOAD=$SAN_PRELOAD "$PEER" --mode "$mode" --url "ws://127.0.0.1:${PEER_PORT:-$PORT}/ws" \
    --room test --local-addresses 127.0.0.1 --prop "token=$TOKEN" \
    --timeout $((120 * SLOW)) "$@" > "$log" 2>&1 &
  PIDS+=($!)
  LAST=$!
}

code() { # METHOD PATH CONTENT-TYPE BODY TOKEN -> HTTP status
  curl -s -o /dev/null -w '%{http_code}' -X "$1" ${3:+-H "Content-Type: $3"} \
    ${5:+-H "Authorization: Bearer $5"} --data-binary "$4" "$BASE$2"
}
expect() { # WHAT WANT GOT
  if [ "$2" = "$3" ]; then echo "ok: $1 -> $3"; else fail "$1: want $2, got $3"; fi
}

# the participant that takes WHIP publishers: a webrtcroomsrc
peer "$LOGS/src.log" src --name whip-taker --prop 'meta={"whip":true}' \
  --no-audio --min-frames 30 --stay $((120 * SLOW))
SRC=$LAST
wait_line "$LOGS/src.log" "^JOINED\|joined" $((60 * SLOW)) || sleep 2

echo "== bad-input"
expect "POST without token" 401 "$(code POST /whip/test application/sdp "$SDP_OFFER" '')"
expect "POST bad token" 401 "$(code POST /whip/test application/sdp "$SDP_OFFER" nope)"
expect "POST text/plain" 415 "$(code POST /whip/test text/plain "$SDP_OFFER" "$TOKEN")"
expect "POST no SDP" 400 "$(code POST /whip/test application/sdp '' "$TOKEN")"
expect "POST not SDP" 400 "$(code POST /whip/test application/sdp 'hello' "$TOKEN")"
expect "POST unknown room" 404 "$(code POST /whip/nosuchroom application/sdp "$SDP_OFFER" "$ANY")"
expect "POST token for another room" 401 "$(code POST /whip/other application/sdp "$SDP_OFFER" "$TOKEN")"
expect "WHEP, nobody opted in" 503 "$(code POST /whep/test application/sdp "$SDP_OFFER" "$TOKEN")"
expect "GET endpoint" 405 "$(code GET /whip/test '' '' "$TOKEN")"
expect "PATCH unknown resource" 404 "$(code PATCH /whip/test/0123 application/trickle-ice-sdpfrag 'a=mid:0' "$TOKEN")"
expect "DELETE unknown resource" 404 "$(code DELETE /whip/test/0123 '' '' "$TOKEN")"
expect "server still healthy" 200 "$(code GET /healthz '' '' '')"

echo "== whip-aiortc"
$PY "$HERE/whip-client.py" --url "$BASE/whip/test" --mode publish --token "$TOKEN" \
  --duration $((30 * SLOW)) --timeout $((60 * SLOW)) > "$LOGS/whip-client.log" 2>&1 &
CL=$!
PIDS+=($CL)
if wait_line "$LOGS/src.log" "^DONE" $((60 * SLOW)); then
  echo "ok: the opted-in webrtcroomsrc decoded 30 frames from aiortc: $(grep -m1 '^DONE' "$LOGS/src.log")"
  if grep -q "^LINK" "$LOGS/whip-client.log"; then
    fail "a server without STUN/TURN sent Link headers: $(grep '^LINK' "$LOGS/whip-client.log")"
  else
    echo "ok: no STUN responder, no TURN: no Link header"
  fi
  kill -INT $CL 2>/dev/null
else
  fail "whip-aiortc: no frames at the webrtcroomsrc"; show "$LOGS/whip-client.log" "$LOGS/src.log" "$LOGS/server.log"
fi
wait $CL 2>/dev/null
if wait_line "$LOGS/src.log" "^LEFT" $((20 * SLOW)); then
  echo "ok: the virtual peer left the room: $(grep -m1 '^LEFT' "$LOGS/src.log")"
else
  fail "whip-aiortc: the virtual peer never left"; show "$LOGS/whip-client.log" "$LOGS/src.log"
fi
stop $SRC

echo "== whep-aiortc"
peer "$LOGS/sink.log" sink --name whep-server --no-audio --prop 'meta={"whep":true}' \
  --stay $((150 * SLOW))
SINK=$LAST
wait_line "$LOGS/sink.log" "webrtcroom-joined" $((60 * SLOW)) || sleep 2
if timeout $((90 * SLOW)) $PY "$HERE/whip-client.py" --url "$BASE/whep/test" --mode play \
  --token "$TOKEN" --min-frames 30 --timeout $((60 * SLOW)) > "$LOGS/whep-client.log" 2>&1; then
  echo "ok: aiortc played 30 frames from the opted-in webrtcroomsink ($(grep -m1 '^DELETED' "$LOGS/whep-client.log"))"
else
  fail "whep-aiortc"; show "$LOGS/whep-client.log" "$LOGS/sink.log" "$LOGS/server.log"
fi
stop $SINK

echo "== whip-ours"
peer "$LOGS/src2.log" src --name whip-taker --prop 'meta={"whip":true}' \
  --no-audio --min-frames 30 --stay $((120 * SLOW))
SRC=$LAST
wait_line "$LOGS/src2.log" "^JOINED\|joined" $((60 * SLOW)) || sleep 2
LD_PRELOAD=$SAN_PRELOAD gst-launch-1.0 videotestsrc is-live=true ! \
  video/x-raw,width=320,height=240,framerate=15/1 ! \
  webrtcroomsink server-url="whip+http://127.0.0.1:$PORT/whip/test" \
  token="$TOKEN" local-addresses=127.0.0.1 ice-tcp=false \
  > "$LOGS/ours.log" 2>&1 &
GL=$!
PIDS+=($GL)
if wait_line "$LOGS/src2.log" "^DONE" $((60 * SLOW)); then
  echo "ok: webrtcroomsink -> /whip/test -> webrtcroomsrc: $(grep -m1 '^DONE' "$LOGS/src2.log")"
else
  fail "whip-ours"; show "$LOGS/ours.log" "$LOGS/src2.log" "$LOGS/server.log"
fi
stop $GL
if wait_line "$LOGS/src2.log" "^LEFT" $((20 * SLOW)); then
  echo "ok: stopping our WHIP client DELETEd the session: $(grep -m1 '^LEFT' "$LOGS/src2.log")"
else
  fail "whip-ours: no DELETE"; show "$LOGS/ours.log" "$LOGS/src2.log"
fi
stop $SRC

echo "== whep-ours"
peer "$LOGS/sink2.log" sink --name whep-server --no-audio --prop 'meta={"whep":true}' \
  --stay $((150 * SLOW))
SINK=$LAST
wait_line "$LOGS/sink2.log" "webrtcroom-joined" $((60 * SLOW)) || sleep 2
LD_PRELOAD=$SAN_PRELOAD "$PEER" --mode src --url "whep+http://127.0.0.1:$PORT/whep/test" \
  --room test --no-audio --local-addresses 127.0.0.1 --prop "token=$TOKEN" \
  --min-frames 30 --stay $((60 * SLOW)) --timeout $((60 * SLOW)) > "$LOGS/player.log" 2>&1 &
PL=$!
PIDS+=($PL)
if wait_line "$LOGS/player.log" "^DONE" $((60 * SLOW)); then
  echo "ok: webrtcroomsrc (our WHEP client) played /whep/test: $(grep -m1 '^DONE' "$LOGS/player.log")"
else
  fail "whep-ours"; show "$LOGS/player.log" "$LOGS/sink2.log" "$LOGS/server.log"
fi
stop $PL
if wait_line "$LOGS/sink2.log" "^LEFT" $((20 * SLOW)); then
  echo "ok: stopping our WHEP client DELETEd the session: $(grep -m1 '^LEFT' "$LOGS/sink2.log")"
else
  fail "whep-ours: no DELETE"; show "$LOGS/player.log" "$LOGS/sink2.log"
fi
stop $SINK

echo "== republish"
# examples/launch/whip-ingest.sh: WHIP into room ingest, no transcode, out to room test
LD_PRELOAD=$SAN_PRELOAD gst-launch-1.0 \
  webrtcroomsrc name=in server-url="ws://127.0.0.1:$PORT/ws" room=ingest \
    display-name=whip-ingest decode=false meta='{"whip":true}' token="$ANY" \
    local-addresses=127.0.0.1 ice-tcp=false \
  webrtcroomsink name=out server-url="ws://127.0.0.1:$PORT/ws" room=test \
    display-name=whip-feed token="$ANY" local-addresses=127.0.0.1 ice-tcp=false \
  in. ! video/x-vp8 ! queue ! out.video_0 > "$LOGS/relay.log" 2>&1 &
RL=$!
PIDS+=($RL)
peer "$LOGS/viewer.log" src --name viewer --no-audio --min-frames 30 --stay $((60 * SLOW))
VW=$LAST
sleep 2
LD_PRELOAD=$SAN_PRELOAD gst-launch-1.0 videotestsrc is-live=true ! \
  video/x-raw,width=320,height=240,framerate=15/1 ! \
  webrtcroomsink server-url="whip+http://127.0.0.1:$PORT/whip/ingest" \
  token="$ANY" local-addresses=127.0.0.1 ice-tcp=false > "$LOGS/publisher.log" 2>&1 &
PB=$!
PIDS+=($PB)
if wait_line "$LOGS/viewer.log" "^DONE" $((90 * SLOW)); then
  echo "ok: WHIP -> /whip/ingest -> webrtcroomsrc decode=false ! webrtcroomsink -> a viewer in room test: $(grep -m1 '^DONE' "$LOGS/viewer.log")"
else
  fail "republish"; show "$LOGS/publisher.log" "$LOGS/relay.log" "$LOGS/viewer.log" "$LOGS/server.log"
fi
stop $PB
stop $VW
stop $RL

echo "== link-etag-idle"
STUN2=$((20000 + RANDOM % 20000))
"$SERVER" --port 0 --stun-port "$STUN2" --token-secret-file "$LOGS/join.secret" \
  --turn-url 'turn:127.0.0.1:3479?transport=udp' --turn-username tuser \
  --turn-credential 'tpass' --whip-idle-timeout 1 > "$LOGS/server2.log" 2>&1 &
PIDS+=($!)
wait_line "$LOGS/server2.log" "listening on" 10 || { show "$LOGS/server2.log"; exit 1; }
PEER_PORT=$(sed -n 's|.*ws://127.0.0.1:\([0-9]*\)/ws.*|\1|p' "$LOGS/server2.log" | head -1)
peer "$LOGS/src3.log" src --name whip-taker --prop 'meta={"whip":true}' \
  --no-audio --min-frames 30 --stay $((120 * SLOW))
SRC=$LAST
wait_line "$LOGS/src3.log" "^JOINED\|joined" $((60 * SLOW)) || sleep 2
$PY "$HERE/whip-client.py" --url "http://127.0.0.1:$PEER_PORT/whip/test" --mode publish \
  --token "$TOKEN" --check-etag --vanish --duration $((5 * SLOW)) \
  --timeout $((60 * SLOW)) > "$LOGS/vanish.log" 2>&1 &
CL=$!
PIDS+=($CL)
wait_line "$LOGS/vanish.log" "^VANISHED\|^STATUS [^2]" $((60 * SLOW))
want_stun="<stun:127.0.0.1:$STUN2>; rel=\"ice-server\""
want_turn='<turn:127.0.0.1:3479?transport=udp>; rel="ice-server"; username="tuser"; credential="tpass"; credential-type="password"'
if grep -qxF "LINK $want_stun" "$LOGS/vanish.log" && grep -qxF "LINK $want_turn" "$LOGS/vanish.log" \
  && [ "$(grep -c '^LINK' "$LOGS/vanish.log")" = 2 ]; then
  echo "ok: the 201 named the STUN responder and the TURN server in two Link headers"
else
  fail "Link headers"; show "$LOGS/vanish.log" "$LOGS/server2.log"
fi
if grep -q '^ETAG "[0-9a-f]\{16\}"$' "$LOGS/vanish.log" && grep -qx "PATCH-WRONG 412" "$LOGS/vanish.log" \
  && grep -qx "PATCH-MATCH 204" "$LOGS/vanish.log" && grep -qx "PATCH-ANY 204" "$LOGS/vanish.log" \
  && grep -qx "PATCH-RESTART 422" "$LOGS/vanish.log" && grep -qx "PATCH-NONE 204" "$LOGS/vanish.log"; then
  echo "ok: $(grep -m1 '^ETAG' "$LOGS/vanish.log"); If-Match wrong -> 412, the ETag, * or none -> 204; an ICE restart -> 422, the session kept"
else
  fail "ETag / If-Match"; show "$LOGS/vanish.log"
fi
if grep -q "^VANISHED" "$LOGS/vanish.log" && grep -q "^DONE" "$LOGS/src3.log" \
  && wait_line "$LOGS/src3.log" "^LEFT" $((30 * SLOW)); then
  echo "ok: the publisher vanished without DELETE, the idle session ended: $(grep -m1 '^LEFT' "$LOGS/src3.log")"
else
  fail "idle expiry"; show "$LOGS/vanish.log" "$LOGS/src3.log" "$LOGS/server2.log"
fi
wait $CL 2>/dev/null
stop $SRC
# a WHEP player that vanishes: the member's media watchdog misses its RTCP
# receiver reports, replaces the connection and offers again, which marks
# the session idle
peer "$LOGS/sink3.log" sink --name whep-server --no-audio --prop 'meta={"whep":true}' \
  --prop media-timeout=3000 --stay $((120 * SLOW))
SINK=$LAST
wait_line "$LOGS/sink3.log" "webrtcroom-joined" $((60 * SLOW)) || sleep 2
$PY "$HERE/whip-client.py" --url "http://127.0.0.1:$PEER_PORT/whep/test" --mode play \
  --token "$TOKEN" --min-frames 30 --vanish --timeout $((60 * SLOW)) \
  > "$LOGS/whep-vanish.log" 2>&1 &
CL=$!
PIDS+=($CL)
if wait_line "$LOGS/whep-vanish.log" "^VANISHED" $((60 * SLOW)) \
  && wait_line "$LOGS/sink3.log" "^LEFT" $((30 * SLOW)); then
  echo "ok: the WHEP player vanished without DELETE, the idle session ended: $(grep -m1 '^LEFT' "$LOGS/sink3.log")"
else
  fail "WHEP idle expiry"; show "$LOGS/whep-vanish.log" "$LOGS/sink3.log" "$LOGS/server2.log"
fi
wait $CL 2>/dev/null
# a WHEP player gone right after the 201, before ICE: the member offers
# again once the connection had no media for 10 media-timeouts (30 s: 3 s here, the
# default is 2 s; aiortc sends its receiver reports about once a second)
T0=$SECONDS
$PY "$HERE/whip-client.py" --url "http://127.0.0.1:$PEER_PORT/whep/test" --mode play \
  --token "$TOKEN" --vanish-after-post --timeout $((60 * SLOW)) \
  > "$LOGS/whep-gone.log" 2>&1
n_left=$(grep -c '^LEFT' "$LOGS/sink3.log")
for i in $(seq 1 $((60 * SLOW * 10))); do
  [ "$(grep -c '^LEFT' "$LOGS/sink3.log")" -gt "$n_left" ] && break
  sleep 0.1
done
if grep -q "^VANISHED" "$LOGS/whep-gone.log" \
  && [ "$(grep -c '^LEFT' "$LOGS/sink3.log")" -gt "$n_left" ]; then
  echo "ok: a WHEP player gone before ICE: its session ended $((SECONDS - T0)) s later: $(grep '^LEFT' "$LOGS/sink3.log" | tail -n 1)"
else
  fail "WHEP session of a client that never connected"; show "$LOGS/whep-gone.log" "$LOGS/sink3.log" "$LOGS/server2.log"
fi
stop $SINK
exit $FAILED
