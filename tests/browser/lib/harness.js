// Shared helpers for the browser suite: start the real room server, launch Debian's
// Chromium through playwright-core, open the web client, wait on page state.
// Every wait is bounded; nothing sleeps for a fixed time where an event can be awaited.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const SOURCE_ROOT = process.env.WEBRTC_ROOM_SOURCE_ROOT || path.resolve(__dirname, '..', '..', '..');
const WEB_ROOT = path.join(SOURCE_ROOT, 'examples', 'web');
// meson points this at <build>/tests/browser/artifacts; by hand: tests/browser/artifacts
const ARTIFACTS = process.env.WEBRTC_ROOM_ARTIFACTS || path.join(SOURCE_ROOT, 'tests', 'browser', 'artifacts');
const CHROMIUM = process.env.WEBRTC_ROOM_CHROMIUM || '/usr/lib/chromium/chromium';

// The complete Chromium command line (plus --user-data-dir and playwright's
// --remote-debugging-pipe transport): playwright's own default switches are not used.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

function chromiumFlags(fakeDevices) {
  if (!fakeDevices) return CHROMIUM_FLAGS;
  return CHROMIUM_FLAGS.map((f) => (f === '--use-fake-device-for-media-stream' ? f + '=' + fakeDevices : f));
}

// Chromium's fake capture device delivers 640x480 unless constraints ask otherwise.
const FAKE_VIDEO = { width: 640, height: 480 };

function loadPlaywright() {
  try {
    return require('playwright-core');
  } catch (e) {
    throw new Error('playwright-core is not installed: run `npm ci` in tests/browser (' + e.message + ')');
  }
}

function serverBinary() {
  const bin = process.env.WEBRTC_ROOM_SERVER;
  if (!bin) throw new Error('WEBRTC_ROOM_SERVER is not set (path to the built webrtc-room-server)');
  if (!fs.existsSync(bin)) throw new Error('WEBRTC_ROOM_SERVER=' + bin + ' does not exist: build signaling/webrtc-room-server first');
  return bin;
}

// Start the real room server on ephemeral ports; resolves once it printed its listening line.
// `port` reuses a known port (e.g. to restart the server where clients reconnect).
async function startServer({ extraArgs = [], port = 0, timeoutMs = 15000 } = {}) {
  const bin = serverBinary();
  const args = ['--host', '127.0.0.1', '--port', String(port), '--stun-port', '0', '--web-root', WEB_ROOT, ...extraArgs];
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const rlErr = readline.createInterface({ input: proc.stderr });
  rlErr.on('line', (l) => { output.push('[stderr] ' + l); if (output.length > 400) output.shift(); });
  const rlOut = readline.createInterface({ input: proc.stdout });
  let exited = null;
  const exitPromise = new Promise((resolve) => proc.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));

  const listening = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('room server did not print its listening line within ' +
      timeoutMs + ' ms; output:\n' + output.join('\n'))), timeoutMs);
    rlOut.on('line', (line) => {
      output.push(line);
      if (output.length > 400) output.shift();
      const m = /webrtc-room-server: listening on (wss?):\/\/([^\s/]+):(\d+)(\/\S*)?/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ scheme: m[1], host: m[2], port: Number(m[3]), path: m[4] || '/ws' });
      }
    });
    proc.on('error', (e) => { clearTimeout(timer); reject(new Error('cannot start ' + bin + ': ' + e.message)); });
    exitPromise.then((x) => { clearTimeout(timer); reject(new Error('room server exited early (' + JSON.stringify(x) + '); output:\n' + output.join('\n'))); });
  });

  const httpScheme = listening.scheme === 'wss' ? 'https' : 'http';
  const base = httpScheme + '://' + listening.host + ':' + listening.port;
  return {
    proc,
    port: listening.port,
    wsUrl: listening.scheme + '://' + listening.host + ':' + listening.port + listening.path,
    httpBase: base,
    output,
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

// One Chromium process with its own fresh profile (a "browser" = one participant).
// fakeDevices: options of the fake capture device, e.g. 'device-count=2' (two fake
// cameras and microphones); extraArgs: more switches (e.g. for screen capture).
async function launchBrowser({ fakeDevices = '', extraArgs = [] } = {}) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(CHROMIUM + ' not found: apt-get install chromium');
  const { chromium } = loadPlaywright();
  const userDataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'webrtc-room-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: true, // no playwright default switches: exactly CHROMIUM_FLAGS
    args: [...chromiumFlags(fakeDevices), ...extraArgs, '--user-data-dir=' + userDataDir, '--remote-debugging-pipe', 'about:blank'],
    viewport: { width: 1280, height: 800 },
    timeout: 60000,
  });
  const logs = [];
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (m) => { logs.push('[console.' + m.type() + '] ' + m.text()); if (logs.length > 500) logs.shift(); });
  page.on('pageerror', (e) => logs.push('[pageerror] ' + e.message));
  return {
    context,
    page,
    logs,
    userDataDir,
    async close() {
      await context.close().catch(() => {});
      await fsp.rm(userDataDir, { recursive: true, force: true }).catch(() => {});
    },
  };
}

// Tests check the decoded frame size: ask senders to keep the capture resolution even when
// the (shared, loaded) machine makes WebRTC's CPU adaptation downscale.
function clientUrl(server, params) {
  const q = new URLSearchParams({ server: server.wsUrl, degradation: 'maintain-resolution', ...params });
  return server.httpBase + '/?' + q.toString();
}

// Open the web client in the browser's page and wait until it reports `state`.
async function openClient(browser, server, params, { state = 'joined', timeoutMs = 20000 } = {}) {
  const { page } = browser;
  await page.goto(clientUrl(server, params), { timeout: timeoutMs });
  if (state) await waitForState(page, state, timeoutMs);
  return page;
}

async function waitForState(page, state, timeoutMs = 20000) {
  try {
    await page.waitForFunction((s) => document.body.dataset.state === s, state, { timeout: timeoutMs, polling: 100 });
  } catch (e) {
    const info = await describe(page);
    throw new Error('page did not reach state "' + state + '" within ' + timeoutMs + ' ms: ' + info);
  }
}

// Evaluate fn(arg) in the page (it may be async, e.g. getStats) every `polling` ms until
// it returns a truthy value, which is returned; fails with the page's state after timeoutMs.
async function waitInPage(page, fn, arg, { timeoutMs = 20000, what = 'condition', polling = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  for (;;) {
    try {
      const v = await withTimeout(page.evaluate(fn, arg), Math.max(1000, deadline - Date.now()), 'page.evaluate');
      if (v) return v;
      lastError = null;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, Math.min(polling, Math.max(0, deadline - Date.now()))));
  }
  const info = await describe(page);
  throw new Error('timed out after ' + timeoutMs + ' ms waiting for ' + what +
    (lastError ? ' (last error: ' + lastError.message.split('\n')[0] + ')' : '') + '; page: ' + info);
}

async function describe(page) {
  try {
    return JSON.stringify(await page.evaluate(() => {
      const a = window.roomApp;
      if (!a) return { state: document.body.dataset.state, roomApp: 'missing' };
      return {
        state: document.body.dataset.state,
        peerId: a.peerId,
        peers: Array.from(a.peers, ([id, s]) => ({ id, name: s.name, state: s.state, signaling: s.pc.signalingState, ice: s.pc.iceConnectionState })),
        errors: a.errors.map((e) => (e.code ? e.code + ': ' : '') + e.message),
        warnings: a.warnings.map((w) => w.message),
      };
    }));
  } catch (e) {
    return '(page not inspectable: ' + e.message + ')';
  }
}

// Remote peer id of the first other participant known to the page.
async function waitForPeer(page, { name, timeoutMs = 20000 } = {}) {
  return waitInPage(page, (n) => {
    for (const [id, s] of window.roomApp.peers) if (!n || s.name === n) return id;
    return null;
  }, name || null, { timeoutMs, what: 'a remote peer' + (name ? ' named ' + name : '') });
}

// Wait until the page decodes video from peer `id`; returns its inbound-rtp video stats.
async function waitForDecodedVideo(page, id, { minFrames = 1, timeoutMs = 30000 } = {}) {
  return waitInPage(page, async ({ id, minFrames }) => {
    const s = window.roomApp.peers.get(id);
    if (!s) return null;
    const stats = await s.pc.getStats();
    for (const r of stats.values()) {
      if (r.type === 'inbound-rtp' && r.kind === 'video' && (r.framesDecoded || 0) >= minFrames && r.frameWidth) {
        const codec = r.codecId && stats.get(r.codecId);
        return { framesDecoded: r.framesDecoded, frameWidth: r.frameWidth, frameHeight: r.frameHeight, codecId: r.codecId,
          mimeType: codec ? codec.mimeType : undefined };
      }
    }
    return null;
  }, { id, minFrames }, { timeoutMs, what: 'decoded video from ' + id, polling: 250 });
}

// Current inbound video stats from peer `id` (null if none yet).
async function videoStats(page, id) {
  return page.evaluate(async (id) => {
    const s = window.roomApp.peers.get(id);
    if (!s) return null;
    for (const r of (await s.pc.getStats()).values()) {
      if (r.type === 'inbound-rtp' && r.kind === 'video') {
        return { framesDecoded: r.framesDecoded || 0, frameWidth: r.frameWidth, frameHeight: r.frameHeight };
      }
    }
    return null;
  }, id);
}

async function ensureArtifactsDir() {
  await fsp.mkdir(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}

// Run body with a hard deadline so a hung step fails the test instead of eating the meson timeout.
function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(what + ' timed out after ' + ms + ' ms')), ms); }),
  ]);
}

// A TCP relay in front of the room server: cutAll() resets every relayed connection
// (no WebSocket close frame), as a lost network would, to exercise reconnect+resume.
async function startTcpProxy(targetPort, targetHost = '127.0.0.1') {
  const net = require('node:net');
  const pairs = new Set();
  const srv = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => { pairs.delete(pair); client.destroy(); upstream.destroy(); };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve, reject) => { srv.once('error', reject); srv.listen(0, '127.0.0.1', resolve); });
  return {
    port: srv.address().port,
    get connections() { return pairs.size; },
    cutAll() {
      const n = pairs.size;
      for (const { client, upstream } of pairs) { client.resetAndDestroy(); upstream.resetAndDestroy(); }
      pairs.clear();
      return n;
    },
    close() {
      for (const { client, upstream } of pairs) { client.destroy(); upstream.destroy(); }
      return new Promise((resolve) => srv.close(() => resolve()));
    },
  };
}

// Runs fn; when it throws, dumps each client's page state and log tail and
// the server's output tail (to make CI failures debuggable), then rethrows.
// clients() returns [[name, client], ...] as they are when the test fails.
async function withDiagnostics(fn, clients, server) {
  try {
    await fn();
  } catch (e) {
    for (const [n, b] of clients()) {
      if (!b) continue;
      console.error('--- ' + n + ': ' + await describe(b.page));
      console.error(b.logs.slice(-40).join('\n'));
    }
    if (server) console.error('--- server output (tail):\n' + server.output.slice(-40).join('\n'));
    throw e;
  }
}

module.exports = {
  SOURCE_ROOT, WEB_ROOT, ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, FAKE_VIDEO,
  startServer, launchBrowser, openClient, clientUrl, waitForState, waitInPage, waitForPeer,
  waitForDecodedVideo, describe, ensureArtifactsDir, withTimeout, startTcpProxy, videoStats,
  withDiagnostics,
};
