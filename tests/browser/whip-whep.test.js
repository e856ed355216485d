// The room server's WHIP and WHEP endpoints (docs/protocol.md, "WHIP and WHEP endpoints")
// with a client nobody here wrote: medooze's `whip-whep` library (npm, whip.js / whep.js)
// in headless Chromium, loaded into a page of the room server's own origin:
//  - WHIP: Chromium publishes its fake camera to POST /whip/<room>; the webrtcroomsrc that
//    joined with meta {"whip": true} decodes 30 frames; whip.stop() DELETEs the session
//    and the virtual peer leaves the room;
//  - WHEP: Chromium plays POST /whep/<room> from the webrtcroomsink that joined with meta
//    {"whep": true} and decodes its video at the size it sends.
'use strict';

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./lib/harness');
const { roomPeerBinary, startRoomPeer, waitJoined } = require('./lib/room-peer');

const TEST_TIMEOUT = 120000;
const MODULES = path.join(__dirname, 'node_modules', 'whip-whep');

describe('whip-whep (npm) in Chromium against the room server', { timeout: 400000 }, () => {
  let server;
  let browser;

  before(async () => {
    roomPeerBinary();
    if (!fs.existsSync(path.join(MODULES, 'whip.js'))) {
      throw new Error('whip-whep is not installed: run `npm ci` in tests/browser');
    }
    server = await h.startServer();
    browser = await h.launchBrowser();
    // whip.js and whep.js at /__whip-whep/ on the server's origin
    await browser.page.route('**/__whip-whep/*.js', (route) => {
      const file = path.basename(new URL(route.request().url()).pathname);
      if (!/^wh[ie]p\.js$/.test(file)) return route.fulfill({ status: 404, body: '' });
      return route.fulfill({
        status: 200,
        contentType: 'text/javascript',
        body: fs.readFileSync(path.join(MODULES, file), 'utf8'),
      });
    });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  async function logFile(name) {
    return path.join(await h.ensureArtifactsDir(), 'whip-whep-' + name + '.log');
  }

  function report(peer, e) {
    console.error('--- room-peer stdout:\n' + peer.lines.join('\n'));
    console.error('--- room-peer stderr (tail):\n' + peer.errLines.slice(-40).join('\n'));
    console.error('--- server output (tail):\n' + server.output.slice(-20).join('\n'));
    console.error('--- page:\n' + browser.logs.slice(-20).join('\n'));
    throw e;
  }

  test('WHIP: whip.js publishes into a room, the opted-in webrtcroomsrc decodes it', { timeout: TEST_TIMEOUT }, async () => {
    const room = 'ww-whip';
    const taker = startRoomPeer(['--mode', 'src', '--url', server.wsUrl, '--room', room,
      '--name', 'whip-taker', '--no-audio', '--local-addresses', '127.0.0.1',
      '--prop', 'meta={"whip":true}', '--min-frames', '30', '--timeout', '100', '--stay', '60'],
    await logFile('taker'));
    try {
      await waitJoined(server, room, 30000);
      const page = browser.page;
      await page.goto(server.httpBase + '/');
      const resource = await page.evaluate(async (url) => {
        const { WHIPClient } = await import('/__whip-whep/whip.js');
        const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: false });
        const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
        for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly' });
        const whip = new WHIPClient();
        window.__whip = whip;
        await whip.publish(pc, url);
        return String(whip.resourceURL);
      }, server.httpBase + '/whip/' + room);
      assert.match(resource, new RegExp('/whip/' + room + '/[0-9a-f]{32}$'), 'Location of the WHIP session');
      const done = await taker.waitLine(/^DONE/, 60000, 'decoding 30 frames of the WHIP publication');
      assert.match(done, /^DONE/);
      assert.ok(!taker.lines.some((l) => /^ERROR/.test(l)), 'no ERROR from webrtcroomsrc');
      await page.evaluate(async () => { await window.__whip.stop(); });
      await taker.waitLine(/^LEFT/, 20000, 'the WHIP peer leaving after the DELETE');
    } catch (e) {
      report(taker, e);
    } finally {
      await taker.stop();
      await browser.page.goto('about:blank').catch(() => {});
    }
  });

  test('WHEP: whep.js plays a room from the opted-in webrtcroomsink', { timeout: TEST_TIMEOUT }, async () => {
    const room = 'ww-whep';
    const source = startRoomPeer(['--mode', 'sink', '--url', server.wsUrl, '--room', room,
      '--name', 'whep-server', '--no-audio', '--width', '320', '--height', '240',
      '--local-addresses', '127.0.0.1', '--prop', 'meta={"whep":true}',
      '--timeout', '100', '--stay', '100'],
    await logFile('source'));
    try {
      await waitJoined(server, room, 30000);
      const page = browser.page;
      await page.goto(server.httpBase + '/');
      await page.evaluate(async (url) => {
        const { WHEPClient } = await import('/__whip-whep/whep.js');
        const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
        pc.addTransceiver('video', { direction: 'recvonly' });
        const v = document.createElement('video');
        v.muted = true;
        v.autoplay = true;
        v.id = 'whep-video';
        document.body.appendChild(v);
        pc.ontrack = (ev) => { v.srcObject = new MediaStream([ev.track]); };
        const whep = new WHEPClient();
        window.__whep = whep;
        window.__pc = pc;
        await whep.view(pc, url);
      }, server.httpBase + '/whep/' + room);
      const got = await h.waitInPage(page, async () => {
        const v = document.getElementById('whep-video');
        if (!v || v.videoWidth === 0) return null;
        let frames = 0;
        const stats = await window.__pc.getStats();
        stats.forEach((s) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded || 0;
        });
        return frames >= 30 ? { width: v.videoWidth, height: v.videoHeight, frames } : null;
      }, undefined, { what: 'WHEP video decoded (30 frames)', timeoutMs: 60000 });
      assert.equal(got.width, 320);
      assert.equal(got.height, 240);
      await page.evaluate(async () => { await window.__whep.stop(); });
      await source.waitLine(/^LEFT/, 20000, 'the WHEP peer leaving after the DELETE');
      assert.ok(!source.lines.some((l) => /^ERROR/.test(l)), 'no ERROR from webrtcroomsink');
    } catch (e) {
      report(source, e);
    } finally {
      await source.stop();
      await browser.page.goto('about:blank').catch(() => {});
    }
  });

  test('WHEP: the example player page (examples/web/player.html) plays the opted-in webrtcroomsink', { timeout: TEST_TIMEOUT }, async () => {
    const room = 'ww-whep-page';
    const source = startRoomPeer(['--mode', 'sink', '--url', server.wsUrl, '--room', room,
      '--name', 'whep-server', '--width', '320', '--height', '240',
      '--local-addresses', '127.0.0.1', '--prop', 'meta={"whep":true}',
      '--timeout', '100', '--stay', '100'],
    await logFile('page-source'));
    try {
      await waitJoined(server, room, 30000);
      const page = browser.page;
      await page.goto(server.httpBase + '/player.html?autoplay=1&room=' + room);
      const got = await h.waitInPage(page, async () => {
        const v = document.getElementById('video');
        const pc = window.whepPlayer && window.whepPlayer.pc;
        if (!v || !pc || v.videoWidth === 0) return null;
        let frames = 0;
        const stats = await pc.getStats();
        stats.forEach((s) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded || 0;
        });
        return frames >= 30 ? { width: v.videoWidth, height: v.videoHeight, frames,
          status: document.getElementById('status').textContent } : null;
      }, undefined, { what: 'the WHEP player page decoding video (30 frames)', timeoutMs: 60000 });
      assert.equal(got.width, 320);
      assert.equal(got.height, 240);
      assert.equal(got.status, 'connected');
      await page.click('#stop');
      await source.waitLine(/^LEFT/, 20000, 'the WHEP peer leaving after Stop (DELETE)');
      assert.ok(!source.lines.some((l) => /^ERROR/.test(l)), 'no ERROR from webrtcroomsink');
    } catch (e) {
      const st = await browser.page.evaluate(() => document.getElementById('status') &&
        document.getElementById('status').textContent).catch((x) => x.message);
      console.error('--- player page status: ' + st);
      report(source, e);
    } finally {
      await source.stop();
      await browser.page.goto('about:blank').catch(() => {});
    }
  });
});
