// The janus suite's Chromium peer: opens janus-js-page.html (Janus's own
// janus.js in headless Debian Chromium) against a Janus VideoRoom and
//   --mode=subscribe  subscribes to every publisher, as the VideoRoom demo
//                     does, until --feeds feeds each rendered --min-frames
//                     video frames: prints "DONE feeds ..." and exits 0
//   --mode=publish    publishes Chromium's fake camera (320x240) and keeps
//                     it up for --stay seconds once WebRTC is up: prints
//                     "PUBLISHED" then, at the end, "DONE"
// Exits 1 (with the page's state) on an error or after --timeout seconds.
// playwright-core comes from tests/browser/node_modules (npm ci there).
'use strict';

const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');

const here = __dirname;
const { chromium } = require(path.join(here, '..', 'browser', 'node_modules', 'playwright-core'));

function arg (name, def) {
  const p = '--' + name + '=';
  const a = process.argv.find((x) => x.startsWith(p));
  return a ? a.slice(p.length) : def;
}

const server = arg('server');
const room = arg('room', '1234');
const mode = arg('mode', 'subscribe');
const feeds = Number(arg('feeds', '1'));
const minFrames = Number(arg('min-frames', '30'));
const stay = Number(arg('stay', '20'));
const timeoutMs = Number(arg('timeout', '60')) * 1000;

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  // the page loads janus.js and adapter.js from /usr/share/javascript
  '--allow-file-access-from-files',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main () {
  if (!server) throw new Error('--server=ws://HOST:PORT/ is required');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'janus-js-chromium.'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.WEBRTC_ROOM_CHROMIUM || '/usr/lib/chromium/chromium',
    ignoreDefaultArgs: true,
    args: [...FLAGS, '--user-data-dir=' + profile, '--remote-debugging-pipe', 'about:blank'],
    timeout: 60000,
  });
  const t0 = Date.now();
  let ok = false;
  let state = null;
  try {
    const page = browser.pages()[0] || await browser.newPage();
    page.on('console', (m) => { if (m.type() === 'error') console.log('console: ' + m.text()); });
    page.on('pageerror', (e) => console.log('pageerror: ' + e.message));
    const url = 'file://' + path.join(here, 'janus-js-page.html') + '?' +
      new URLSearchParams({ server, room, mode }).toString();
    await page.goto(url);
    let publishedAt = 0;
    while (Date.now() - t0 < timeoutMs) {
      state = await page.evaluate(() => window.result);
      if (state.errors.length) break;
      if (mode === 'subscribe') {
        const done = Object.entries(state.feeds).filter(([, f]) =>
          f.frames >= minFrames && f.video && f.video.width > 0);
        if (done.length >= feeds) {
          console.log('DONE feeds ' + done.map(([id, f]) =>
            id + ' ' + f.video.width + 'x' + f.video.height + ' ' + f.frames + ' frames').join(', ') +
            ' after ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s');
          ok = true;
          break;
        }
      } else if (state.published) {
        if (!publishedAt) {
          publishedAt = Date.now();
          console.log('PUBLISHED after ' + ((publishedAt - t0) / 1000).toFixed(1) + ' s');
        } else if (Date.now() - publishedAt >= stay * 1000) {
          console.log('DONE');
          ok = true;
          break;
        }
      }
      await sleep(200);
    }
  } finally {
    await browser.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  if (!ok) {
    console.log('FAILED after ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s, page state: ' +
      JSON.stringify(state));
    process.exit(1);
  }
}

main().catch((e) => { console.log('FAILED: ' + (e.stack || e)); process.exit(1); });
