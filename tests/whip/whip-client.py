#!/usr/bin/python3
# A WHIP publisher or WHEP player made of aiortc (Debian's python3-aiortc
# 1.4), a client we did not write, for the room server's /whip and /whep
# endpoints. aiortc does not trickle: its offer carries its candidates.
#
#   --mode publish  POST a sendonly VP8/H264 offer of aiortc's frames to
#                   --url, keep sending for --duration seconds, DELETE
#   --mode play     POST a recvonly video offer, count decoded frames,
#                   print FRAMES <n> at --min-frames, DELETE
#
# Prints STATUS <code> of the POST, LINK <value> for each Link header and
# ETAG <value> of the 201, CONNECTED when ICE/DTLS are up, then DELETED
# <code>; exits 0 when it got what it came for, 1 otherwise.
#
#   --check-etag    after the 201, PATCH an end-of-candidates fragment with
#                   If-Match: a wrong tag, the 201's ETag, `*`, then an ICE
#                   restart (new ufrag and pwd, `*`), then none: prints
#                   PATCH-WRONG/-MATCH/-ANY/-RESTART/-NONE <code>
#   --vanish        publish: after --duration, play: after --min-frames, exit
#                   without DELETE (a crashed encoder, a closed player);
#                   prints VANISHED
#   --vanish-after-post  exit once the 201 came, before any ICE check: a
#                   client that never connects
import argparse
import asyncio
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from aiortc import (RTCConfiguration, RTCPeerConnection, RTCSessionDescription,
                    VideoStreamTrack)


def say(*args):
    print(*args, flush=True)


def http(method, url, body=None, content_type=None, token=None, extra=None):
    req = urllib.request.Request(url, data=body, method=method)
    if content_type:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for name, value in (extra or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def check_etag(location, etag, token, offer):
    def frag(ufrag, pwd):
        return ("a=ice-ufrag:%s\r\na=ice-pwd:%s\r\na=end-of-candidates\r\n"
                % (ufrag, pwd)).encode()
    ufrag = re.search(r"^a=ice-ufrag:(\S+)", offer, re.M).group(1)
    pwd = re.search(r"^a=ice-pwd:(\S+)", offer, re.M).group(1)
    trickle = frag(ufrag, pwd)
    # an ICE restart (RFC 9725 4.3.2): new credentials, If-Match: *
    restart = frag("rstrt", "restartrestartrestartrestart")
    for name, value, body in (("WRONG", '"not-the-etag"', trickle), ("MATCH", etag, trickle),
                              ("ANY", "*", trickle), ("RESTART", "*", restart),
                              ("NONE", None, trickle)):
        status, _, _ = http("PATCH", location, body, "application/trickle-ice-sdpfrag",
                            token, {"If-Match": value} if value else None)
        say("PATCH-" + name, status)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--mode", choices=["publish", "play"], required=True)
    parser.add_argument("--token")
    parser.add_argument("--min-frames", type=int, default=30)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--check-etag", action="store_true")
    parser.add_argument("--vanish", action="store_true")
    parser.add_argument("--vanish-after-post", action="store_true")
    args = parser.parse_args()
    loop = asyncio.get_running_loop()

    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    got = loop.create_future()
    frames = 0

    @pc.on("connectionstatechange")
    def on_state():
        say("STATE", pc.connectionState)
        if pc.connectionState == "connected":
            say("CONNECTED")

    async def count(track):
        nonlocal frames
        while True:
            try:
                await track.recv()
            except Exception:
                return
            frames += 1
            if frames == args.min_frames:
                say("FRAMES", frames)
                if not got.done():
                    got.set_result(True)

    @pc.on("track")
    def on_track(track):
        say("TRACK", track.kind)
        if track.kind == "video":
            asyncio.ensure_future(count(track))

    if args.mode == "publish":
        # aiortc's own generated 640x480 frames
        pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
    else:
        pc.addTransceiver("video", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    status, headers, body = await loop.run_in_executor(
        None, http, "POST", args.url, pc.localDescription.sdp.encode(),
        "application/sdp", args.token)
    say("STATUS", status)
    if status != 201:
        say("BODY", body.decode(errors="replace"))
        return 1
    location = urllib.parse.urljoin(args.url, headers.get("Location", ""))
    say("LOCATION", location)
    for link in headers.get_all("Link") or []:
        say("LINK", link)
    say("ETAG", headers.get("ETag"))
    if args.vanish_after_post:
        say("VANISHED")
        os._exit(0)
    if args.check_etag:
        await loop.run_in_executor(None, check_etag, location, headers.get("ETag"),
                                   args.token, pc.localDescription.sdp)
    await pc.setRemoteDescription(RTCSessionDescription(sdp=body.decode(), type="answer"))

    ok = True
    start = time.monotonic()
    try:
        if args.mode == "play":
            await asyncio.wait_for(got, args.timeout)
            if args.vanish:
                say("VANISHED")
                os._exit(0)
        else:
            while time.monotonic() - start < args.timeout:
                if pc.connectionState == "connected":
                    break
                await asyncio.sleep(0.1)
            ok = pc.connectionState == "connected"
            if ok:
                await asyncio.sleep(args.duration)
            if ok and args.vanish:
                say("VANISHED")
                os._exit(0)
    except asyncio.TimeoutError:
        say("TIMEOUT frames", frames)
        ok = False
    status, _, _ = await loop.run_in_executor(None, http, "DELETE", location,
                                              None, None, args.token)
    say("DELETED", status)
    await pc.close()
    return 0 if ok and status == 200 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
