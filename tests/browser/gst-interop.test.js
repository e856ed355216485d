// Headless Chromium and a GStreamer pipeline (tests/elements/room-peer, webrtcroombin with
// test sources) in one room on the real room server:
//  - both offer directions: the browser offers (it joins after the pipeline), and the
//    pipeline offers (the browser joins after it with offers=false: the existing pipeline
//    offers on peer-joined; and the pipeline joining after an offers=false browser);
//  - VP8 and H264 (x264 constrained-baseline, which Chromium accepts);
//  - the browser decodes the pipeline's video at the size room-peer sends (getStats),
//    the pipeline decodes the browser's video and audio (room-peer exits 0);
//  - data channel text both ways; a screenshot with the pipeline's video in the tile.
// Needs WEBRTC_ROOM_PEER (path of room-peer) or WEBRTC_ROOM_BUILD_ROOT, and the plugin on
// GST_PLUGIN_PATH_1_0 / GST_PLUGIN_PATH (tests/meson.build's test_env sets both).
'use strict';

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./lib/harness');
const { roomPeerBinary, startRoomPeer, waitJoined } = require('./lib/room-peer');

const TEST_TIMEOUT = 120000;
const GST_VIDEO = { width: 320, height: 240 };

describe('browser <-> GStreamer pipeline interop', { timeout: 900000 }, () => {
  let server;
  let browser;

  before(async () => {
    roomPeerBinary();
    server = await h.startServer();
    browser = await h.launchBrowser();
    // keep every description the page was given or made, for failure reports (the app
    // does not keep a remote offer that setRemoteDescription rejected)
    await browser.context.addInitScript(() => {
      window.__sdpLog = [];
      for (const m of ['setRemoteDescription', 'setLocalDescription']) {
        const orig = RTCPeerConnection.prototype[m];
        RTCPeerConnection.prototype[m] = function (d, ...rest) {
          const p = orig.call(this, d, ...rest);
          Promise.resolve(p).then(() => window.__sdpLog.push({ m, ok: true, type: d && d.type, sdp: (d && d.sdp) || (this.localDescription && this.localDescription.sdp) }),
            (e) => window.__sdpLog.push({ m, ok: false, error: e.message, type: d && d.type, sdp: d && d.sdp }));
          return p;
        };
      }
    });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  // flow: 'browser-offers' (pipeline first, browser joins offers=true),
  //       'pipeline-offers' (pipeline first, browser joins offers=false: pipeline offers on peer-joined),
  //       'pipeline-newcomer' (browser first with offers=false, the pipeline joins and offers).
  async function runCase(codec, flow) {
    const room = ('gst-' + codec + '-' + flow).toLowerCase();
    const tag = codec + '/' + flow;
    const textFromGst = 'hello from gst ' + tag;
    const textFromBrowser = 'hello from chromium ' + tag + ' ✓';
    const page = browser.page;
    await page.goto('about:blank');
    const dir = await h.ensureArtifactsDir();
    // room-peer's stderr (set GST_DEBUG=webrtcroom:6 for the SDPs) goes to this file
    const logFile = path.join(dir, 'gst-interop-' + codec.toLowerCase() + '-' + flow + '.log');

    const peerArgs = ['--url', server.wsUrl, '--room', room, '--name', 'gst', '--codec', codec,
      '--width', String(GST_VIDEO.width), '--height', String(GST_VIDEO.height),
      '--min-frames', '10', '--send-text', textFromGst, '--expect-text',
      '--timeout', '60', '--stay', '15'];
    const browserParams = { room, name: 'chromium', offers: flow === 'browser-offers' ? 'true' : 'false' };
    let peer = null;
    try {
      if (flow === 'pipeline-newcomer') {
        await h.openClient(browser, server, browserParams);
        peer = startRoomPeer(peerArgs, logFile);
      } else {
        peer = startRoomPeer(peerArgs, logFile);
        await waitJoined(server, room);
        await h.openClient(browser, server, browserParams);
      }
      const gstId = await h.waitForPeer(page, { name: 'gst' });

      // who offered
      const browserInitiated = await h.waitInPage(page, (id) => {
        const s = window.roomApp.peers.get(id);
        return s && s.pc.signalingState === 'stable' && s.pc.remoteDescription ? { initiator: s.initiator } : null;
      }, gstId, { what: 'negotiated session with the pipeline' });
      assert.equal(browserInitiated.initiator, flow === 'browser-offers', tag + ': browser initiator');

      // data channel: browser -> pipeline as soon as the channel is open
      await h.waitInPage(page, (id) => {
        const s = window.roomApp.peers.get(id);
        return s && s.dc && s.dc.readyState === 'open';
      }, gstId, { what: 'open chat channel to the pipeline', timeoutMs: 30000 });
      assert.equal(await page.evaluate(([t, to]) => window.roomApp.sendChat(t, to), [textFromBrowser, gstId]), 1);

      // browser decodes the pipeline's video at the size it sends, with the asked codec
      const st = await h.waitForDecodedVideo(page, gstId, { minFrames: 10, timeoutMs: 30000 });
      assert.equal(st.frameWidth, GST_VIDEO.width, tag + ': frame width ' + JSON.stringify(st));
      assert.equal(st.frameHeight, GST_VIDEO.height, tag + ': frame height ' + JSON.stringify(st));
      // (read with the frame counts: room-peer may already have finished and left)
      assert.equal(st.mimeType, 'video/' + codec, tag + ': negotiated codec');

      // pipeline -> browser text
      const got = await h.waitInPage(page, ([t, from]) => window.roomApp.chatLog.find((m) => !m.self && m.text === t && m.from === from),
        [textFromGst, gstId], { what: 'chat from the pipeline' });
      assert.equal(got.name, 'gst');

      // pipeline: decoded the browser's video+audio and got the text, then exits 0
      await peer.waitLine(/^DONE /, 45000, 'DONE');
      const textLine = peer.lines.find((l) => l.startsWith('TEXT '));
      assert.ok(textLine && textLine.endsWith(' ' + textFromBrowser), tag + ': pipeline got text: ' + textLine);

      // screenshot with the pipeline's video playing in its tile
      await h.waitInPage(page, ([id, size]) => {
        const v = document.querySelector('#tile-' + CSS.escape(id) + ' video');
        const stats = document.querySelector('#tile-' + CSS.escape(id) + ' .stats');
        return v && v.videoWidth === size.width && v.readyState >= 2 && v.currentTime > 0.5 &&
          stats && stats.textContent.startsWith(size.width + 'x' + size.height);
      }, [gstId, GST_VIDEO], { what: 'pipeline video playing in its tile' });
      const shot = path.join(dir, 'gst-interop-' + codec.toLowerCase() + '-' + flow + '.png');
      await page.screenshot({ path: shot });
      console.log(tag + ': browser decoded ' + JSON.stringify(st) + ', pipeline ' +
        peer.lines.find((l) => l.startsWith('DONE ')) + ', screenshot ' + shot);

      const x = await h.withTimeout(peer.exitPromise, 30000, 'room-peer exit');
      assert.deepEqual(x, { code: 0, signal: null }, tag + ': room-peer exit status');
    } catch (e) {
      console.error('--- ' + tag + ' page: ' + await h.describe(page));
      const sdps = await page.evaluate(() => window.__sdpLog).catch((x) => x.message);
      fs.writeFileSync(logFile.replace(/\.log$/, '.sdp.json'), JSON.stringify(sdps, null, 1));
      console.error('--- browser SDP log written to ' + logFile.replace(/\.log$/, '.sdp.json'));
      console.error(browser.logs.slice(-30).join('\n'));
      if (peer) {
        console.error('--- room-peer stdout:\n' + peer.lines.join('\n'));
        console.error('--- room-peer stderr (tail):\n' + peer.errLines.slice(-60).join('\n'));
      }
      console.error('--- server output (tail):\n' + server.output.slice(-20).join('\n'));
      throw e;
    } finally {
      if (peer) await peer.stop();
      await page.goto('about:blank').catch(() => {});
    }
  }

  for (const codec of ['VP8', 'H264']) {
    for (const flow of ['browser-offers', 'pipeline-offers', 'pipeline-newcomer']) {
      test(codec + ': ' + flow, { timeout: TEST_TIMEOUT }, () => runCase(codec, flow));
    }
  }
});
