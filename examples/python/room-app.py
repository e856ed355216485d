#!/usr/bin/python3
# gst-webrtc-rooms example: the Python twin of examples/c/room-app.c, through
# GObject-introspection (python3-gi).
#
# Joins a room with test sources (videotestsrc + audiotestsrc) in a
# webrtcroombin, counts the frames received from every remote peer in a
# fakesink, prints joins, leaves, connection state and a stats line per peer
# every 2 s (through the library's GstWebRTCRoom.BaseBin.get_stats()), says
# hello on the `chat` data channel to every connected peer and prints what
# it receives there.
#
#   GST_PLUGIN_PATH=<build>/plugins/webrtcroom \
#   GI_TYPELIB_PATH=<build>/gst/webrtcroom LD_LIBRARY_PATH=<build>/gst/webrtcroom \
#     examples/python/room-app.py --url ws://127.0.0.1:8443/ws --room demo --name carol
#
# (`meson devenv -C <build>` sets those three variables; installed, none is
# needed.) Ctrl-C or SIGTERM leaves the room and exits 0; --seconds N stops
# after N seconds. Once a peer connected and sent video and data and a stats
# line was printed, it says "NAME: done: ..."; --until-done then stops (exit 1
# if --seconds passed first).
#
# Lines printed (the same as room-app.c's, scripts grep them):
#   NAME: joined room as ID
#   NAME: peer ID joined (PEERNAME) | NAME: peer ID connected | NAME: peer ID left (REASON)
#   NAME: receiving video from ID WxH | NAME: receiving audio from ID
#   NAME: data from ID: TEXT
#   NAME: stats ID: video F fps (N frames), in K kbit/s, out K kbit/s, ice LOCAL-REMOTE

import argparse
import signal
import sys
import threading
import time

import gi

gi.require_version("GLib", "2.0")
gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstWebRTCRoom", "1.0")
from gi.repository import GLib, Gst, GstWebRTC, GstWebRTCRoom  # noqa: E402


class RoomApp:
    def __init__(self, args):
        self.args = args
        self.name = args.name
        self.lock = threading.Lock()
        self.frames = {}  # peer id -> video frames received
        self.last = {}  # peer id -> (time, frames, bytes in, bytes out)
        self.connected = set()
        self.video_from = set()
        self.data_from = set()
        self.stats_after_video = False
        self.done = False
        self.loop = GLib.MainLoop()

        local = f' local-addresses="{args.local_address}"' if args.local_address else ""
        desc = (
            f'webrtcroombin name=room server-url="{args.url}" room="{args.room}" '
            f'display-name="{args.name}"{local} '
            "videotestsrc is-live=true pattern=ball ! "
            "video/x-raw,width=320,height=240,framerate=30/1 ! timeoverlay ! room.video_0 "
            "audiotestsrc is-live=true wave=ticks volume=0.2 ! room.audio_0"
        )
        # a missing element is an error, not a hole that fails as not-linked
        self.pipeline = Gst.parse_launch_full(desc, None, Gst.ParseFlags.FATAL_ERRORS)
        self.room = self.pipeline.get_by_name("room")
        # the elements are subclasses of the library's base class: its
        # methods and enums come through GI
        assert isinstance(self.room, GstWebRTCRoom.BaseBin)

        self.room.connect("pad-added", self.on_pad_added)
        self.room.connect("peer-joined", self.on_peer_joined)
        self.room.connect("peer-left", self.on_peer_left)
        self.room.connect("data-received", self.on_data)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_bus)

    def say(self, text):
        print(f"{self.name}: {text}", flush=True)

    # --- received media: one fakesink per remote pad, counting frames ---

    def on_pad_added(self, room, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        # video_<peerid>_<n> / audio_<peerid>_<n>
        parts = pad.get_name().split("_", 2)
        if len(parts) < 2:
            return
        kind, peer = parts[0], parts[1]
        sink = Gst.ElementFactory.make("fakesink", None)
        sink.set_property("sync", False)
        sink.set_property("async", False)
        self.pipeline.add(sink)
        sink.sync_state_with_parent()
        sinkpad = sink.get_static_pad("sink")
        sinkpad.add_probe(Gst.PadProbeType.BUFFER, self.on_buffer, (peer, kind == "video", [False]))
        if pad.link(sinkpad) != Gst.PadLinkReturn.OK:
            self.say(f"cannot link {pad.get_name()}")

    def on_buffer(self, pad, info, data):
        peer, video, seen = data
        if video:
            with self.lock:
                self.frames[peer] = self.frames.get(peer, 0) + 1
        if not seen[0]:
            seen[0] = True
            if video:
                caps = pad.get_current_caps()
                w = h = 0
                if caps:
                    s = caps.get_structure(0)
                    w = s.get_int("width")[1]
                    h = s.get_int("height")[1]
                GLib.idle_add(self.first_video, peer, w, h)
            else:
                GLib.idle_add(self.say, f"receiving audio from {peer}")
        return Gst.PadProbeReturn.OK

    def first_video(self, peer, w, h):
        self.video_from.add(peer)
        self.say(f"receiving video from {peer} {w}x{h}")

    # --- room events (emitted on the element's signalling thread) ---

    def on_peer_joined(self, room, peer, name):
        GLib.idle_add(self.say, f"peer {peer} joined ({name or ''})")

    def on_peer_left(self, room, peer, reason):
        GLib.idle_add(self.say, f"peer {peer} left ({reason or ''})")

    def on_data(self, room, peer, text):
        GLib.idle_add(self.got_data, peer, text)

    def got_data(self, peer, text):
        self.data_from.add(peer)
        self.say(f"data from {peer}: {text}")
        self.check_done()

    def on_bus(self, bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            self.say(f"error: {err.message} ({dbg or ''})")
            self.loop.quit()
        elif msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            what = s.get_name() if s else ""
            peer = s.get_string("peer-id") if s else None
            if what == "webrtcroom-peer-connected":
                self.connected.add(peer)
                self.say(f"peer {peer} connected")
                # the library's API through GI (C: gst_webrtc_room_base_bin_send_data)
                GLib.timeout_add(500, self.hello, peer, [10])
            elif what == "webrtcroom-peer-failed":
                self.say(f"peer {peer} failed")
            elif what == "webrtcroom-joined":
                self.say(f"joined room as {peer or '?'}")
            elif what == "webrtcroom-signalling-lost":
                self.say(f"signalling lost: {s.get_string('reason')}")

    def hello(self, peer, tries):
        # the data channel may open a little after the media
        if peer not in self.connected or self.room.send_data(peer, f"hello from {self.name}"):
            return GLib.SOURCE_REMOVE
        tries[0] -= 1
        if tries[0] == 0:
            self.say(f"data channel to {peer} not open")
            return GLib.SOURCE_REMOVE
        return GLib.SOURCE_CONTINUE

    # --- stats: one line per peer from webrtcbin's statistics ---

    def print_stats(self):
        stats = self.room.get_stats(None)
        if stats is None:
            return GLib.SOURCE_CONTINUE
        now = time.monotonic()
        for i in range(stats.n_fields()):
            peer = stats.nth_field_name(i)
            peer_stats = stats.get_value(peer)
            if not isinstance(peer_stats, Gst.Structure):
                continue
            self.say(f"stats {peer}: {self.summarize(peer, peer_stats, now)}")
        self.check_done()
        return GLib.SOURCE_CONTINUE

    def missing(self):
        return [what for what, ok in (
            ("a connected peer", self.connected),
            ("video", self.video_from),
            ("a stats line with video", self.stats_after_video),
            ("data channel text", self.data_from)) if not ok]

    def check_done(self):
        if not self.done and not self.missing():
            self.done = True
            self.say("done: connected, video, stats and data")
            if self.args.until_done:
                self.loop.quit()

    def summarize(self, peer, peer_stats, now):
        bytes_in = bytes_out = 0
        entries = {}
        pairs = []
        selected = None
        for j in range(peer_stats.n_fields()):
            s = peer_stats.get_value(peer_stats.nth_field_name(j))
            if not isinstance(s, Gst.Structure):
                continue
            ok, kind = s.get_enum("type", GstWebRTC.WebRTCStatsType.__gtype__)
            if not ok:
                continue
            entries[s.get_string("id") or peer_stats.nth_field_name(j)] = s
            if kind == GstWebRTC.WebRTCStatsType.INBOUND_RTP:
                bytes_in += s.get_uint64("bytes-received")[1]
            elif kind == GstWebRTC.WebRTCStatsType.OUTBOUND_RTP:
                bytes_out += s.get_uint64("bytes-sent")[1]
            elif kind == GstWebRTC.WebRTCStatsType.CANDIDATE_PAIR:
                pairs.append(s)
            elif kind == GstWebRTC.WebRTCStatsType.TRANSPORT:
                selected = selected or s.get_string("selected-candidate-pair-id")
        # the selected pair's candidate types: host, srflx, prflx or relay
        ice = "none"
        if selected in entries:
            pairs.insert(0, entries[selected])
        for pair in pairs:
            local = entries.get(pair.get_string("local-candidate-id"))
            remote = entries.get(pair.get_string("remote-candidate-id"))
            if local and remote:
                ice = f"{local.get_string('candidate-type')}-{remote.get_string('candidate-type')}"
                break
        with self.lock:
            frames = self.frames.get(peer, 0)
        t0, f0, i0, o0 = self.last.get(peer, (now, frames, bytes_in, bytes_out))
        self.last[peer] = (now, frames, bytes_in, bytes_out)
        dt = now - t0
        fps = (frames - f0) / dt if dt > 0 else 0.0
        kin = 8 * (bytes_in - i0) / dt / 1000 if dt > 0 else 0.0
        kout = 8 * (bytes_out - o0) / dt / 1000 if dt > 0 else 0.0
        if frames > 0:
            self.stats_after_video = True
        return (f"video {fps:.1f} fps ({frames} frames), in {kin:.0f} kbit/s, "
                f"out {kout:.0f} kbit/s, ice {ice}")

    def stop(self, *unused):
        self.say("stopping")
        self.loop.quit()
        return GLib.SOURCE_REMOVE

    def run(self):
        self.say(f"joining room {self.args.room} on {self.args.url}")
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            print("room-app.py: cannot start the pipeline", file=sys.stderr)
            return 1
        GLib.timeout_add_seconds(2, self.print_stats)
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, self.stop)
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, self.stop)
        if self.args.seconds > 0:
            GLib.timeout_add(int(self.args.seconds * 1000), self.stop)
        self.loop.run()
        # NULL leaves the room cleanly (close frame) and closes every peer
        self.pipeline.set_state(Gst.State.NULL)
        self.say("bye")
        if self.args.until_done and not self.done:
            self.say("missing: " + ", ".join(self.missing()))
            return 1
        return 0


def main():
    parser = argparse.ArgumentParser(description="Join a WebRTC room with test sources.")
    parser.add_argument("--url", required=True, help="room server (ws://HOST:PORT/ws)")
    parser.add_argument("--room", required=True, help="room to join")
    parser.add_argument("--name", default="room-app-py", help="display name")
    parser.add_argument("--local-address", help="only gather ICE candidates on this address")
    parser.add_argument("--seconds", type=float, default=0, help="stop after this long")
    parser.add_argument("--until-done", action="store_true",
                        help="stop once a peer connected, sent video and data and a stats "
                        "line was printed; exit 1 if --seconds pass first")
    args = parser.parse_args()
    Gst.init(None)
    if not Gst.ElementFactory.find("webrtcroombin"):
        print("room-app.py: no webrtcroombin element (is the webrtcroom plugin on GST_PLUGIN_PATH?)",
              file=sys.stderr)
        return 1
    return RoomApp(args).run()


if __name__ == "__main__":
    sys.exit(main())
