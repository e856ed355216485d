#!/usr/bin/python3
# room-churn: server RSS drift under connection churn (issue 11: libsoup's
# listener leaked ~600 B per TCP connection). Starts SERVER, makes 500
# warm-up cycles, then N cycles of connect, upgrade, join, leave, close;
# prints RSS before and after. Usage: room-churn.py SERVER_BINARY [N]
import os
import socket
import struct
import subprocess
import sys
import time


def frame(text):
    data = text.encode()
    mask = os.urandom(4)
    if len(data) < 126:
        header = bytes([0x81, 0x80 | len(data)])
    else:
        header = bytes([0x81, 0x80 | 126]) + struct.pack('>H', len(data))
    return header + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(data))


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    server = subprocess.Popen([binary, '--port=0', '--stun-port=0', '--quiet',
                               '--rate-limit=0'], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL)
    line = server.stdout.readline().decode()
    port = int(line.split('ws://127.0.0.1:')[1].split('/')[0])

    def rss_kb():
        with open('/proc/%d/status' % server.pid) as status:
            for entry in status:
                if entry.startswith('VmRSS'):
                    return int(entry.split()[1])
        return 0

    def cycle(i):
        s = socket.create_connection(('127.0.0.1', port), timeout=5)
        s.send(b'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'
               b'Connection: Upgrade\r\n'
               b'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
               b'Sec-WebSocket-Version: 13\r\n\r\n')
        reply = b''
        while b'\r\n\r\n' not in reply:
            reply += s.recv(1024)
        s.send(frame('{"type":"join","room":"churn%d"}' % (i % 50)))
        s.recv(4096)
        s.send(frame('{"type":"leave"}'))
        got = b''
        try:
            while b'\x88' not in got:   # the server's close frame
                data = s.recv(4096)
                if not data:
                    break
                got += data
        except OSError:
            pass
        s.close()

    try:
        for i in range(500):
            cycle(i)
        time.sleep(0.5)
        before = rss_kb()
        start = time.time()
        for i in range(n):
            cycle(i)
        elapsed = time.time() - start
        time.sleep(1.5)
        after = rss_kb()
        print('%s: %d join/leave cycles after 500 warm-up: RSS %.1f -> %.1f MB '
              '(%+.0f B per cycle), %.0f cycles/s' %
              (binary, n, before / 1024, after / 1024,
               (after - before) * 1024 / n, n / elapsed))
    finally:
        server.terminate()
        server.wait()


main()
