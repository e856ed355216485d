// A receive-only headless Chromium (video=0&audio=0) and two GStreamer publishers (two
// tests/elements/room-peer --mode sink processes, webrtcroomsink with test sources) in
// one room on the real room server (issue 10: any mix of roles in one room):
//  - the browser decodes video from both publishers at the size they send, with the
//    asked codec (getStats inbound-rtp), and both remote video elements play;
//  - the browser sends nothing (its transceivers are recvonly);
//  - the publishers connect to the browser only, never to each other;
//  - nothing posts an ERROR (no ERROR line from either pipeline, no error in the page)
//    and both pipelines end with exit status 0;
//  - both join orders (the publishers first: the browser offers; the browser first:
//    each publisher offers as the newcomer), VP8 and H264.
'use strict';

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const h = require('./lib/harness');
const { roomPeerBinary, startRoomPeer, waitJoined, joinedCount } = require('./lib/room-peer');

const TEST_TIMEOUT = 150000;
const GST_VIDEO = { width: 320, height: 240 };
const JOIN = { timeoutMs: 60000 };
const PUBLISHERS = ['pub-a', 'pub-b'];

describe('receive-only browser and two GStreamer publishers', { timeout: 700000 }, () => {
  let server;
  let browser;

  before(async () => {
    roomPeerBinary();
    server = await h.startServer();
    browser = await h.launchBrowser();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  // Waits until the server saw `n` members join `room`.
  async function waitMembers(room, n, timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs;
    while (joinedCount(server, room) < n) {
      if (Date.now() > deadline) throw new Error(room + ': ' + joinedCount(server, room) + ' of ' + n + ' members joined within ' + timeoutMs + ' ms');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // flow: 'publishers-first' (the browser joins last and offers to both),
  //       'browser-first' (each publisher joins after it and offers).
  async function runCase(codec, flow) {
    const room = ('pubs-' + codec + '-' + flow).toLowerCase();
    const tag = codec + '/' + flow;
    const page = browser.page;
    await page.goto('about:blank');
    const dir = await h.ensureArtifactsDir();
    const pubs = {};
    const startPublisher = (name) => {
      // --wait-mark: a publisher stays until SIGUSR1, then reports DONE and exits 0
      pubs[name] = startRoomPeer(['--mode', 'sink', '--url', server.wsUrl, '--room', room,
        '--name', name, '--codec', codec, '--width', String(GST_VIDEO.width),
        '--height', String(GST_VIDEO.height), '--wait-mark', '--timeout', '140'],
      path.join(dir, 'publishers-' + codec.toLowerCase() + '-' + flow + '-' + name + '.log'));
    };
    const browserParams = { room, name: 'viewer', video: '0', audio: '0' };
    try {
      if (flow === 'publishers-first') {
        for (const [i, name] of PUBLISHERS.entries()) {
          startPublisher(name);
          await waitMembers(room, i + 1);
        }
        await h.openClient(browser, server, browserParams, JOIN);
      } else {
        await h.openClient(browser, server, browserParams, JOIN);
        for (const name of PUBLISHERS) startPublisher(name);
      }
      const viewerId = await page.evaluate(() => window.roomApp.peerId);
      const ids = {};
      for (const name of PUBLISHERS) ids[name] = await h.waitForPeer(page, { name, timeoutMs: 60000 });

      // the browser decodes both publishers' video, at their size, with the asked codec
      for (const name of PUBLISHERS) {
        const st = await h.waitForDecodedVideo(page, ids[name], { minFrames: 10, timeoutMs: 60000 });
        assert.equal(st.frameWidth, GST_VIDEO.width, tag + ': ' + name + ' frame width ' + JSON.stringify(st));
        assert.equal(st.frameHeight, GST_VIDEO.height, tag + ': ' + name + ' frame height ' + JSON.stringify(st));
        assert.equal(st.mimeType, 'video/' + codec, tag + ': ' + name + ' codec');
      }
      // both remote video elements play (their time advances)
      const playing = await h.waitInPage(page, async (list) => {
        const read = () => list.map((id) => {
          const v = document.querySelector('#tile-' + CSS.escape(id) + ' video');
          return v ? { w: v.videoWidth, h: v.videoHeight, ready: v.readyState, t: v.currentTime } : null;
        });
        const a = read();
        await new Promise((r) => setTimeout(r, 300));
        const b = read();
        return b.every((x, i) => x && a[i] && x.w > 0 && x.ready >= 2 && x.t > a[i].t) ? b : null;
      }, PUBLISHERS.map((n) => ids[n]), { what: 'both publishers\' videos playing', timeoutMs: 30000 });

      // receive-only: the browser sends nothing to anyone
      const dirs = await page.evaluate((list) => list.map((id) => window.roomApp.peers.get(id).pc.getTransceivers()
        .map((t) => t.receiver.track.kind + ':' + t.currentDirection)), PUBLISHERS.map((n) => ids[n]));
      for (const [i, d] of dirs.entries()) {
        assert.ok(d.includes('video:recvonly'), tag + ': ' + PUBLISHERS[i] + ' video received: ' + d);
        assert.ok(d.every((x) => /:(recvonly|inactive|stopped|null)$/.test(x)), tag + ': nothing sent to ' + PUBLISHERS[i] + ': ' + d);
      }
      assert.deepEqual(await page.evaluate(() => window.roomApp.errors), [], tag + ': errors in the page');

      // each publisher connected to the browser only (two publishers have nothing to
      // exchange), and nothing went wrong in either pipeline
      for (const name of PUBLISHERS) {
        const p = pubs[name];
        await p.waitLine(new RegExp('^MESSAGE webrtcroom-peer-connected ' + viewerId + '$'), 30000, name + ' connected to the viewer');
        const connected = new Set(p.lines.filter((l) => l.startsWith('MESSAGE webrtcroom-peer-connected '))
          .map((l) => l.split(' ')[2]));
        assert.deepEqual([...connected], [viewerId], tag + ': ' + name + ' connected to');
        assert.deepEqual(p.lines.filter((l) => /^(ERROR|MESSAGE webrtcroom-peer-failed)/.test(l)), [], tag + ': ' + name + ' errors');
      }
      // the end: both publishers report DONE and exit 0
      for (const name of PUBLISHERS) pubs[name].proc.kill('SIGUSR1');
      for (const name of PUBLISHERS) {
        const x = await h.withTimeout(pubs[name].exitPromise, 30000, name + ' exit');
        assert.deepEqual(x, { code: 0, signal: null }, tag + ': ' + name + ' exit status');
        assert.deepEqual(pubs[name].lines.filter((l) => l.startsWith('ERROR')), [], tag + ': ' + name + ' errors');
      }
      console.log(tag + ': the viewer played ' + JSON.stringify(playing));
    } catch (e) {
      console.error('--- ' + tag + ' page: ' + await h.describe(page));
      console.error(browser.logs.slice(-30).join('\n'));
      for (const [name, p] of Object.entries(pubs)) {
        console.error('--- ' + name + ' stdout:\n' + p.lines.join('\n'));
        console.error('--- ' + name + ' stderr (tail):\n' + p.errLines.slice(-40).join('\n'));
      }
      console.error('--- server output (tail):\n' + server.output.slice(-20).join('\n'));
      throw e;
    } finally {
      await Promise.all(Object.values(pubs).map((p) => p.stop()));
      await page.goto('about:blank').catch(() => {});
    }
  }

  for (const codec of ['VP8', 'H264']) {
    for (const flow of ['publishers-first', 'browser-first']) {
      test(codec + ': ' + flow, { timeout: TEST_TIMEOUT }, () => runCase(codec, flow));
    }
  }
});
