#!/usr/bin/python3
"""Phase table of one elements-ttff-phases.sh run: the events of the sender
(S) and the receiver (R), in ms since the sender's input chain was built (its
valve opened), on one time line. Each process's GStreamer log times are
relative to its own start; libnice's debug lines carry the wall clock, so
the offset of each log is taken from its first host candidate (libnice)
against webrtcbin's "gathering" state change (GStreamer), within ~1 ms.
The first decoded frame comes from room-peer's CLOCK_MONOTONIC stamps."""
import re
import sys

EVENTS = [  # (label, text in a GST_DEBUG line)
    ('input chain built', 'encoding to'),
    ('create-offer', 'creating offer for'),
    ('offer sent', 'sending offer'),
    ('set-remote-description (offer)', 'set remote offer'),
    ('create-answer', 'creating answer for'),
    ('answer sent', 'sending answer'),
    ('set-remote-description (answer)', 'set remote answer'),
    ('ICE connected', 'to connected(2)'),
    ('ICE completed', 'to completed(3)'),
    ('peer connection connected (DTLS done)',
     'Peer connection state change from connecting(1) to connected(2)'),
    ('first RTP packet (new ssrc)', 'new ssrc'),
    ('jitterbuffer made', 'new jitterbuffer'),
    ('video pad (first packet out of the jitterbuffer)', 'receiving video'),
]


def ms(stamp):
    h, m, s = stamp.split(':')
    return (int(h) * 3600 + int(m) * 60 + float(s)) * 1000


def load(out_dir, name):
    out = open(f'{out_dir}/{name}.out', errors='replace').read().splitlines()
    log = open(f'{out_dir}/{name}.log', errors='replace').read().splitlines()
    wall = next((ms(m.group(1)) for m in (re.search(
        r'libnice-DEBUG: ([\d:.]+): .*creation of host candidate', l)
        for l in out) if m), None)
    rel = next((ms(l.split()[0]) for l in log if 'to gathering(1)' in l),
               None)
    if wall is None or rel is None:
        sys.exit(f'{name}: no ICE gathering in the logs (no negotiation?)')
    offset = wall - rel
    events = {}
    for line in log:
        for label, text in EVENTS:
            if text in line and label not in events:
                if label == 'ICE connected' and 'Peer connection' in line:
                    continue
                events[label] = ms(line.split()[0]) + offset
    for line in out:
        m = re.search(r'libnice-DEBUG: ([\d:.]+): .*STATE-CHANGE connecting '
                      r'-> connected', line)
        if m and 'libnice: pair connected' not in events:
            events['libnice: pair connected'] = ms(m.group(1))
    return events, out


def main():
    out_dir = sys.argv[1]
    send, send_out = load(out_dir, 'send')
    recv, recv_out = load(out_dir, 'recv')
    t0 = send.get('input chain built')
    sending = [int(l.split('=')[1]) for l in send_out
               if l.startswith('SENDING at-us=')]
    frame = [int(l.split('at-us=')[1]) for l in recv_out
             if l.startswith('FRAME video')]
    if t0 is None or not sending or not frame:
        sys.exit('no first frame in this run')
    rows = [(t - t0, 'S', n) for n, t in send.items()]
    rows += [(t - t0, 'R', n) for n, t in recv.items()]
    rows.append(((frame[0] - sending[0]) / 1000, 'R', 'FIRST DECODED FRAME'))
    for t, who, name in sorted(rows):
        print(f'{t:8.1f} ms  {who}  {name}')


main()
