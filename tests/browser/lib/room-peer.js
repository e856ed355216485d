// room-peer (tests/elements/room-peer, a GStreamer pipeline with one room element)
// driven from the browser tests: its stdout lines (FRAME/TEXT/DONE/ERROR/EXIT...) are
// collected and can be waited for. Needs WEBRTC_ROOM_PEER (path of room-peer) or
// WEBRTC_ROOM_BUILD_ROOT, and the plugin on GST_PLUGIN_PATH_1_0 / GST_PLUGIN_PATH.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const h = require('./harness');

function roomPeerBinary() {
  const bin = process.env.WEBRTC_ROOM_PEER ||
    (process.env.WEBRTC_ROOM_BUILD_ROOT && path.join(process.env.WEBRTC_ROOM_BUILD_ROOT, 'tests', 'elements', 'room-peer'));
  if (!bin) throw new Error('set WEBRTC_ROOM_PEER (path to the built room-peer) or WEBRTC_ROOM_BUILD_ROOT');
  if (!fs.existsSync(bin)) throw new Error(bin + ' does not exist: build tests/elements/room-peer first');
  return bin;
}

// Start room-peer; collects its stdout lines (FRAME/TEXT/DONE/ERROR/EXIT...) and stderr.
function startRoomPeer(args, logFile) {
  const env = { ...process.env };
  if (process.env.WEBRTC_ROOM_BUILD_ROOT && !env.GST_PLUGIN_PATH_1_0 && !env.GST_PLUGIN_PATH) {
    env.GST_PLUGIN_PATH = path.join(process.env.WEBRTC_ROOM_BUILD_ROOT, 'plugins', 'webrtcroom');
  }
  const proc = spawn(roomPeerBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const lines = [];
  const errLines = [];
  const waiters = [];
  readline.createInterface({ input: proc.stdout }).on('line', (l) => {
    lines.push(l);
    for (const w of [...waiters]) if (w.re.test(l)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(l); }
  });
  const log = logFile ? fs.createWriteStream(logFile) : null;
  readline.createInterface({ input: proc.stderr }).on('line', (l) => {
    errLines.push(l);
    if (errLines.length > 300) errLines.shift();
    if (log) log.write(l + '\n');
  });
  let exited = null;
  const exitPromise = new Promise((resolve) => proc.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));
  return {
    proc, lines, errLines, exitPromise,
    get exited() { return exited; },
    waitLine(re, ms, what) {
      const found = lines.find((l) => re.test(l));
      if (found) return Promise.resolve(found);
      return h.withTimeout(new Promise((resolve, reject) => {
        waiters.push({ re, resolve });
        exitPromise.then((x) => reject(new Error('room-peer exited (' + JSON.stringify(x) + ') before ' + what)));
      }), ms, 'room-peer ' + what);
    },
    async stop() {
      if (exited) return exited;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const r = await exitPromise;
      clearTimeout(t);
      return r;
    },
  };
}

// Wait until the server logged that someone joined `room` (each case uses its own room).
async function waitJoined(server, room, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  const re = new RegExp('peer \\S+ joined room ' + room.replace(/[.]/g, '\\.') + '$');
  while (!server.output.some((l) => re.test(l))) {
    if (Date.now() > deadline) throw new Error('nobody joined room ' + room + ' within ' + timeoutMs + ' ms');
    await new Promise((r) => setTimeout(r, 50));
  }
}

module.exports = { roomPeerBinary, startRoomPeer, waitJoined };
