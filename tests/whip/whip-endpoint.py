#!/usr/bin/python3
# A small WHIP endpoint (RFC 9725) made of aiortc (Debian's python3-aiortc
# 1.4), an implementation we did not write, for the whip suite: POST an
# SDP offer -> 201 Created + Location + answer; PATCH the resource with an
# application/trickle-ice-sdpfrag body -> 204 (candidates added); DELETE
# -> 200 and the peer connection closes. Requires `Authorization: Bearer
# <--token>`. Each --link VALUE goes out as one more `Link:` header of the
# 201 (RFC 9725 4.6 ICE servers); with --tls-cert/--tls-key the endpoint
# is https://. Prints READY, then FRAMES <n> once --min-frames video frames
# were decoded, then DELETED; exits 0 after the DELETE, 1 at --timeout.
# With --drop-after N the first session's peer connection is closed once N
# frames came (DROPPED <id>; an endpoint that lost it, the client is not
# told): the client must POST again; the first session's DELETE is then
# DELETED-DROPPED <id>, and FRAMES counts only the frames of later sessions.
import argparse
import asyncio
import ssl
import sys

from aiortc import (RTCConfiguration, RTCPeerConnection, RTCSessionDescription,
                    VideoStreamTrack)
from aiortc.sdp import candidate_from_sdp

MAX_BODY = 256 * 1024


def say(*args):
    print(*args, flush=True)


class Endpoint:
    def __init__(self, args):
        self.args = args
        self.pcs = {}
        self.next_id = 1
        self.frames = 0
        self.patches = 0
        self.candidates = 0
        self.dropped = None
        self.done = asyncio.get_running_loop().create_future()

    async def count_frames(self, rid, track):
        while True:
            try:
                await track.recv()
            except Exception:
                return
            if rid == self.dropped:
                return
            self.frames += 1
            if self.args.drop_after and self.dropped is None:
                # the session to lose: its frames do not count
                if self.frames == self.args.drop_after:
                    self.dropped = rid
                    self.frames = 0
                    say("DROPPED", rid)
                    await self.pcs[rid].close()
                    return
                continue
            if self.frames == self.args.min_frames:
                say("FRAMES", self.frames)

    async def post(self, headers, body):
        if headers.get("content-type", "").split(";")[0].strip() != "application/sdp":
            return 415, {}, b"offer must be application/sdp"
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        rid = str(self.next_id)
        self.next_id += 1

        @pc.on("track")
        def on_track(track):
            say("TRACK", track.kind)
            if track.kind == "video":
                asyncio.ensure_future(self.count_frames(rid, track))

        await pc.setRemoteDescription(RTCSessionDescription(sdp=body.decode(), type="offer"))
        if self.args.whep:
            # a WHEP endpoint: aiortc's generated video on the offer's
            # recvonly video m-line (its audio m-line stays inactive)
            pc.addTrack(VideoStreamTrack())
        await pc.setLocalDescription(await pc.createAnswer())
        self.pcs[rid] = pc
        location = "/resource/" + rid
        say("POSTED", location)
        return 201, {"Location": location, "Content-Type": "application/sdp",
                     "Link": self.args.link}, pc.localDescription.sdp.encode()

    async def patch(self, rid, headers, body):
        pc = self.pcs.get(rid)
        if pc is None:
            return 404, {}, b"no such resource"
        if headers.get("content-type", "").split(";")[0].strip() != "application/trickle-ice-sdpfrag":
            return 415, {}, b"trickle must be application/trickle-ice-sdpfrag"
        self.patches += 1
        mid = None
        for line in body.decode().splitlines():
            line = line.strip()
            if line.startswith("a=mid:"):
                mid = line[6:]
            elif line.startswith("a=candidate:"):
                cand = candidate_from_sdp(line[len("a=candidate:"):])
                cand.sdpMid = mid
                await pc.addIceCandidate(cand)
                self.candidates += 1
                say("CANDIDATE", cand.type, cand.ip, cand.port)
        return 204, {}, b""

    async def delete(self, rid):
        pc = self.pcs.pop(rid, None)
        if pc is None:
            return 404, {}, b"no such resource"
        await pc.close()
        if rid == self.dropped:
            say("DELETED-DROPPED", rid)
            return 200, {}, b""
        say("DELETED", rid, "patches", self.patches, "candidates", self.candidates)
        if not self.done.done():
            self.done.set_result(True)
        return 200, {}, b""

    async def route(self, method, path, headers, body):
        if headers.get("authorization") != "Bearer " + self.args.token:
            return 401, {"WWW-Authenticate": "Bearer"}, b"bad token"
        if method == "POST" and path == self.args.path:
            return await self.post(headers, body)
        if path.startswith("/resource/"):
            rid = path[len("/resource/"):]
            if method == "PATCH":
                return await self.patch(rid, headers, body)
            if method == "DELETE":
                return await self.delete(rid)
            return 405, {}, b""
        return 404, {}, b"no WHIP endpoint here"

    async def handle(self, reader, writer):
        try:
            request = await asyncio.wait_for(reader.readline(), 10)
            method, path, _ = request.decode("latin-1").split(" ", 2)
            headers = {}
            while True:
                line = (await reader.readline()).decode("latin-1").rstrip("\r\n")
                if not line:
                    break
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if length < 0 or length > MAX_BODY:
                raise ValueError("body too large")
            body = await reader.readexactly(length) if length else b""
            status, extra, payload = await self.route(method, path, headers, body)
        except Exception as e:  # a broken request: 400
            say("BAD-REQUEST", repr(e))
            status, extra, payload = 400, {}, b""
        reasons = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request",
                   401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
                   415: "Unsupported Media Type"}
        head = "HTTP/1.1 %d %s\r\nContent-Length: %d\r\nConnection: close\r\n" % (
            status, reasons.get(status, "Error"), len(payload))
        for k, v in extra.items():
            for one in (v if isinstance(v, list) else [v]):
                head += "%s: %s\r\n" % (k, one)
        writer.write(head.encode() + b"\r\n" + payload)
        await writer.drain()
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/whip/test")
    parser.add_argument("--token", default="secret")
    parser.add_argument("--min-frames", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--drop-after", type=int, default=0,
                        help="close the first session's connection after N frames")
    parser.add_argument("--link", action="append", default=[],
                        help="a Link header value of the 201 (repeatable)")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--whep", action="store_true",
                        help="be a WHEP endpoint: send video, receive nothing")
    args = parser.parse_args()
    ep = Endpoint(args)
    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    server = await asyncio.start_server(ep.handle, "127.0.0.1", args.port, ssl=tls)
    say("READY", args.port)
    try:
        await asyncio.wait_for(ep.done, args.timeout)
    except asyncio.TimeoutError:
        say("TIMEOUT frames", ep.frames)
        return 1
    server.close()
    return 0 if args.whep or ep.frames >= args.min_frames else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
