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
# Prints STATUS <code> of the POST, CONNECTED when ICE/DTLS are up, then
# DELETED <code>; exits 0 when it got what it came for, 1 otherwise.
import argparse
import asyncio
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from aiortc import (RTCConfiguration, RTCPeerConnection, RTCSessionDescription,
                    VideoStreamTrack)


def say(*args):
    print(*args, flush=True)


def http(method, url, body=None, content_type=None, token=None):
    req = urllib.request.Request(url, data=body, method=method)
    if content_type:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--mode", choices=["publish", "play"], required=True)
    parser.add_argument("--token")
    parser.add_argument("--min-frames", type=int, default=30)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--timeout", type=float, default=60)
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
    await pc.setRemoteDescription(RTCSessionDescription(sdp=body.decode(), type="answer"))

    ok = True
    start = time.monotonic()
    try:
        if args.mode == "play":
            await asyncio.wait_for(got, args.timeout)
        else:
            while time.monotonic() - start < args.timeout:
                if pc.connectionState == "connected":
                    break
                await asyncio.sleep(0.1)
            ok = pc.connectionState == "connected"
            if ok:
                await asyncio.sleep(args.duration)
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
