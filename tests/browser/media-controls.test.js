// The web client's media controls, as a person uses them, in headless Chromium against the
// real room server: mute/unmute camera and microphone (the other side gets black frames /
// silence and a muted badge), screen sharing (getDisplayMedia, replaceTrack and back to
// the camera), the camera/microphone picker (two fake devices, replaceTrack), a
// receive-only participant shown as a placeholder, and a 3-participant room whose
// screenshot is saved as a test artefact (room-3.png) and checked.
'use strict';

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./lib/harness');

const TEST_TIMEOUT = 180000;
// Joining is slow on a loaded machine (a second page of one Chromium took 40 s to load
// at load average 50): the pages get a generous, still bounded, time to join.
const JOIN = { timeoutMs: 60000 };

// Presses a control button: it must be visible and enabled; the click is dispatched in the
// page (element.click()), as playwright's input pipeline took > 30 s to deliver a mouse
// click at load average 45.
async function press(page, sel) {
  const st = await page.$eval(sel, (b) => {
    const r = b.getBoundingClientRect();
    return { disabled: b.disabled, w: r.width, h: r.height, visible: getComputedStyle(b).visibility === 'visible' };
  });
  assert.ok(!st.disabled && st.visible && st.w > 0 && st.h > 0, sel + ' is a visible, enabled control: ' + JSON.stringify(st));
  await page.$eval(sel, (b) => b.click());
}

// Mean luma (0..255) of what the tile of peer `id` shows, drawn to a small canvas.
function tileLuma(page, id) {
  return page.evaluate((id) => {
    const v = document.querySelector(id === 'local' ? '#local-video' : '#tile-' + CSS.escape(id) + ' video');
    if (!v || v.readyState < 2 || !v.videoWidth) return null;
    const c = document.createElement('canvas');
    c.width = 64; c.height = 48;
    const g = c.getContext('2d', { willReadFrequently: true });
    g.drawImage(v, 0, 0, 64, 48);
    const d = g.getImageData(0, 0, 64, 48).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
    return sum / (d.length / 4);
  }, id);
}

// Waits until the video from `id` decodes more frames than `after` within a bounded time.
async function waitFramesAdvance(page, id, what, { frames = 10, timeoutMs = 20000 } = {}) {
  const start = (await h.videoStats(page, id)) || { framesDecoded: 0 };
  return h.waitInPage(page, async ({ id, target }) => {
    const s = window.roomApp.peers.get(id);
    if (!s) return null;
    for (const r of (await s.pc.getStats()).values()) {
      if (r.type === 'inbound-rtp' && r.kind === 'video' && (r.framesDecoded || 0) >= target && r.frameWidth) {
        return { framesDecoded: r.framesDecoded, frameWidth: r.frameWidth, frameHeight: r.frameHeight };
      }
    }
    return null;
  }, { id, target: start.framesDecoded + frames }, { timeoutMs, what, polling: 250 });
}

// Energy of the audio received from `id` over `ms` (inbound-rtp totalAudioEnergy delta).
async function audioEnergy(page, id, ms = 1500) {
  return page.evaluate(async ({ id, ms }) => {
    const read = async () => {
      const s = window.roomApp.peers.get(id);
      for (const r of (await s.pc.getStats()).values()) {
        if (r.type === 'inbound-rtp' && r.kind === 'audio') return r.totalAudioEnergy || 0;
      }
      return 0;
    };
    const a = await read();
    await new Promise((r) => setTimeout(r, ms));
    return (await read()) - a;
  }, { id, ms });
}

// The tracks on the senders of every peer connection of the page, by kind.
function senderTracks(page, kind) {
  return page.evaluate((kind) => Array.from(window.roomApp.peers.values()).map((s) => {
    const t = s.senders[kind] && s.senders[kind].track;
    return t ? { id: t.id, label: t.label, enabled: t.enabled, readyState: t.readyState, settings: t.getSettings() } : null;
  }), kind);
}

function tileAttr(page, id, attr) {
  return page.evaluate(([id, attr]) => {
    const t = document.getElementById('tile-' + id);
    return t ? t.dataset[attr] : undefined;
  }, [id, attr]);
}

describe('web client media controls', { timeout: 600000 }, () => {
  let server;
  // three fake cameras/microphones, screen capture allowed. Chromium's fake cameras differ
  // in pixel format: fake_device_0 I420, fake_device_1 Y16 (a depth camera, which the
  // WebRTC encoder never gets frames from), fake_device_2 MJPEG: the test switches 0 -> 2.
  let alice;
  let bob;

  before(async () => {
    server = await h.startServer();
    [alice, bob] = await Promise.all([
      h.launchBrowser({
        fakeDevices: 'device-count=3',
        extraArgs: ['--auto-select-desktop-capture-source=Entire screen'],
      }),
      // bob's browser also hosts carol's page: bob's page is then a background tab, whose
      // renderer Chromium deprioritises; on a loaded machine that starved its ICE consent
      // checks (connections to bob failed). Keep both pages at normal priority.
      h.launchBrowser({
        extraArgs: ['--disable-renderer-backgrounding', '--disable-background-timer-throttling',
          '--disable-backgrounding-occluded-windows'],
      }),
    ]);
  });

  after(async () => {
    await Promise.all([alice && alice.close(), bob && bob.close()]);
    if (server) await server.stop();
  });

  function diagnose(fn) {
    return h.withDiagnostics(fn, () => [['alice', alice], ['bob', bob]], server);
  }

  // A further participant: a page of its own in bob's browser (closed by the caller).
  async function newPageIn(browser, tag) {
    const page = await browser.context.newPage();
    page.on('console', (m) => browser.logs.push('[' + tag + ' console.' + m.type() + '] ' + m.text()));
    page.on('pageerror', (e) => browser.logs.push('[' + tag + ' pageerror] ' + e.message));
    return page;
  }

  async function twoInRoom(room) {
    const pa = await h.openClient(alice, server, { room, name: 'alice' }, JOIN);
    const pb = await h.openClient(bob, server, { room, name: 'bob' }, JOIN);
    const idB = await h.waitForPeer(pa, { name: 'bob' });
    const idA = await h.waitForPeer(pb, { name: 'alice' });
    await Promise.all([h.waitForDecodedVideo(pa, idB, { minFrames: 5, timeoutMs: 60000 }), h.waitForDecodedVideo(pb, idA, { minFrames: 5, timeoutMs: 60000 })]);
    return { pa, pb, idA, idB };
  }

  test('mute and unmute camera and microphone; the other side sees it', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const { pa, pb, idA } = await twoInRoom('media-mute');
    const remoteLit = await h.waitInPage(pb, async (id) => {
      const v = document.querySelector('#tile-' + CSS.escape(id) + ' video');
      return v && v.readyState >= 2 && v.currentTime > 0.3;
    }, idA, { what: 'alice video playing at bob' }).then(() => tileLuma(pb, idA));
    assert.ok(remoteLit > 20, 'the fake camera picture is not black at bob: luma ' + remoteLit);
    assert.equal(await tileAttr(pb, idA, 'video'), 'on');
    assert.equal(await tileAttr(pb, idA, 'videoMuted'), 'false');

    // --- camera off
    await press(pa, '#cam-btn');
    assert.equal(await pa.getAttribute('#cam-btn', 'aria-pressed'), 'true');
    for (const t of await senderTracks(pa, 'video')) {
      assert.ok(t && t.enabled === false && t.readyState === 'live', 'video sender track disabled: ' + JSON.stringify(t));
    }
    assert.equal(await pa.evaluate(() => window.roomApp.mediaState().videoMuted), true);
    assert.equal(await pa.getAttribute('#tile-local', 'data-video'), 'off');
    // bob: the muted indicator (mediaState extension) and black frames on the wire
    await h.waitInPage(pb, (id) => {
      const t = document.getElementById('tile-' + id);
      return t.dataset.videoMuted === 'true' && t.dataset.video === 'off' &&
        !!t.querySelector('.badge-camera-off') && getComputedStyle(t.querySelector('.placeholder')).display === 'flex';
    }, idA, { what: 'camera-off indicator at bob', timeoutMs: 20000 });
    const dark = await h.waitInPage(pb, async (id) => {
      const v = document.querySelector('#tile-' + CSS.escape(id) + ' video');
      const c = document.createElement('canvas');
      c.width = 64; c.height = 48;
      const g = c.getContext('2d', { willReadFrequently: true });
      g.drawImage(v, 0, 0, 64, 48);
      const d = g.getImageData(0, 0, 64, 48).data;
      let max = 0;
      for (let i = 0; i < d.length; i += 4) max = Math.max(max, d[i], d[i + 1], d[i + 2]);
      return max < 40 ? { max } : null;
    }, idA, { what: 'black frames from alice at bob', timeoutMs: 30000 });
    console.log('camera off: remote luma before ' + remoteLit.toFixed(1) + ', max channel after ' + dark.max);

    // --- camera on again: picture and frames come back, indicator goes
    await press(pa, '#cam-btn');
    assert.equal(await pa.getAttribute('#cam-btn', 'aria-pressed'), 'false');
    for (const t of await senderTracks(pa, 'video')) assert.equal(t.enabled, true);
    await h.waitInPage(pb, (id) => {
      const t = document.getElementById('tile-' + id);
      return t.dataset.videoMuted === 'false' && t.dataset.video === 'on' && !t.querySelector('.badge-camera-off');
    }, idA, { what: 'camera-on at bob', timeoutMs: 20000 });
    await h.waitInPage(pb, async (id) => {
      const v = document.querySelector('#tile-' + CSS.escape(id) + ' video');
      const c = document.createElement('canvas');
      c.width = 64; c.height = 48;
      const g = c.getContext('2d', { willReadFrequently: true });
      g.drawImage(v, 0, 0, 64, 48);
      const d = g.getImageData(0, 0, 64, 48).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
      return sum / (d.length / 4 * 3) > 20;
    }, idA, { what: 'picture back from alice at bob', timeoutMs: 30000 });
    await waitFramesAdvance(pb, idA, 'frames after camera on');

    // --- microphone: the fake device beeps every 500 ms (a 1.5 s window holds ~3 beeps);
    // muted, bob receives silence
    const loud = await h.waitInPage(pb, async (id) => {
      const s = window.roomApp.peers.get(id);
      const read = async () => {
        for (const r of (await s.pc.getStats()).values()) if (r.type === 'inbound-rtp' && r.kind === 'audio') return r.totalAudioEnergy || 0;
        return 0;
      };
      const a = await read();
      await new Promise((r) => setTimeout(r, 1500));
      const e = (await read()) - a;
      return e > 0 ? e : null;
    }, idA, { what: 'audio energy from alice at bob', timeoutMs: 40000 });
    await press(pa, '#mic-btn');
    assert.equal(await pa.getAttribute('#mic-btn', 'aria-pressed'), 'true');
    for (const t of await senderTracks(pa, 'audio')) {
      assert.ok(t && t.enabled === false && t.readyState === 'live', 'audio sender track disabled: ' + JSON.stringify(t));
    }
    await h.waitInPage(pb, (id) => {
      const t = document.getElementById('tile-' + id);
      return t.dataset.audioMuted === 'true' && !!t.querySelector('.badge-mic-off');
    }, idA, { what: 'mic-off indicator at bob', timeoutMs: 20000 });
    let quiet = null;
    for (let i = 0; i < 8 && quiet === null; i++) {
      const e = await audioEnergy(pb, idA, 1500);
      if (e < loud / 20) quiet = e;
    }
    assert.notEqual(quiet, null, 'bob still hears alice after she muted (energy ' + loud + ' before)');
    console.log('mic: audio energy at bob over 1.5 s: ' + loud.toExponential(2) + ' unmuted, ' + quiet.toExponential(2) + ' muted');
    await press(pa, '#mic-btn');
    for (const t of await senderTracks(pa, 'audio')) assert.equal(t.enabled, true);
    await h.waitInPage(pb, (id) => document.getElementById('tile-' + id).dataset.audioMuted === 'false' &&
      !document.querySelector('#tile-' + CSS.escape(id) + ' .badge-mic-off'), idA, { what: 'mic-on at bob', timeoutMs: 20000 });
    let back = 0;
    for (let i = 0; i < 8 && !(back > loud / 20); i++) back = await audioEnergy(pb, idA, 1500);
    assert.ok(back > loud / 20, 'bob hears alice again: energy ' + back);
    assert.deepEqual(await pa.evaluate(() => window.roomApp.errors), []);
    assert.deepEqual(await pb.evaluate(() => window.roomApp.errors), []);
  }));

  test('screen sharing: replaceTrack to the screen and back to the camera', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const { pa, pb, idA } = await twoInRoom('media-screen');
    const [camera] = await senderTracks(pa, 'video');
    assert.ok(camera && camera.label, 'camera on the sender');

    await press(pa, '#screen-btn');
    await h.waitInPage(pa, () => document.getElementById('screen-btn').getAttribute('aria-pressed') === 'true', null,
      { what: 'sharing started', timeoutMs: 20000 });
    const shared = await senderTracks(pa, 'video');
    for (const t of shared) {
      assert.ok(t && t.id !== camera.id && t.label !== camera.label, 'screen track on the sender: ' + JSON.stringify(t));
      assert.ok(t.settings.displaySurface, 'a display capture track: ' + JSON.stringify(t.settings));
    }
    assert.equal(await pa.getAttribute('#tile-local', 'data-screen'), 'true');
    // bob sees the screen: a "screen" badge and 16:9 frames that keep coming
    await h.waitInPage(pb, (id) => document.getElementById('tile-' + id).dataset.screen === 'true' &&
      !!document.querySelector('#tile-' + CSS.escape(id) + ' .badge-screen'), idA, { what: 'screen badge at bob', timeoutMs: 20000 });
    const wide = await h.waitInPage(pb, async (id) => {
      const s = window.roomApp.peers.get(id);
      for (const r of (await s.pc.getStats()).values()) {
        if (r.type === 'inbound-rtp' && r.kind === 'video' && r.frameWidth && Math.abs(r.frameWidth / r.frameHeight - 16 / 9) < 0.05) {
          return { w: r.frameWidth, h: r.frameHeight };
        }
      }
      return null;
    }, idA, { what: '16:9 screen frames at bob', timeoutMs: 40000 });
    await waitFramesAdvance(pb, idA, 'screen frames flowing');
    console.log('screen share received at ' + wide.w + 'x' + wide.h);

    await press(pa, '#screen-btn');
    await h.waitInPage(pa, () => document.getElementById('screen-btn').getAttribute('aria-pressed') === 'false', null,
      { what: 'sharing stopped', timeoutMs: 20000 });
    for (const t of await senderTracks(pa, 'video')) assert.equal(t.id, camera.id, 'back to the camera track');
    assert.equal(await pa.evaluate(() => window.roomApp.screenTrack), null);
    await h.waitInPage(pb, (id) => document.getElementById('tile-' + id).dataset.screen === 'false', idA,
      { what: 'screen badge gone at bob', timeoutMs: 20000 });
    await h.waitInPage(pb, async (id) => {
      const s = window.roomApp.peers.get(id);
      for (const r of (await s.pc.getStats()).values()) {
        if (r.type === 'inbound-rtp' && r.kind === 'video' && r.frameWidth === 640 && r.frameHeight === 480) return true;
      }
      return false;
    }, idA, { what: '640x480 camera frames again at bob', timeoutMs: 40000 });
    await waitFramesAdvance(pb, idA, 'camera frames flowing after sharing');
    assert.deepEqual(await pa.evaluate(() => window.roomApp.errors), []);
  }));

  test('device picker: lists the fake devices, switching keeps frames flowing', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const { pa, pb, idA } = await twoInRoom('media-devices');
    const cams = await pa.$$eval('#camera-select option', (os) => os.map((o) => ({ value: o.value, label: o.textContent })));
    const mics = await pa.$$eval('#mic-select option', (os) => os.map((o) => ({ value: o.value, label: o.textContent })));
    assert.equal(cams.length, 3, 'three fake cameras listed: ' + JSON.stringify(cams));
    assert.ok(mics.length >= 3, 'fake microphones listed: ' + JSON.stringify(mics));
    assert.deepEqual(cams.map((c) => c.label), ['fake_device_0', 'fake_device_1', 'fake_device_2']);
    assert.equal(await pa.isDisabled('#camera-select'), false);
    const [before] = await senderTracks(pa, 'video');
    assert.equal(await pa.inputValue('#camera-select'), before.settings.deviceId, 'the picker shows the camera in use');

    assert.equal(before.label, 'fake_device_0');
    const other = cams.find((c) => c.label === 'fake_device_2');
    await pa.selectOption('#camera-select', other.value);
    await h.waitInPage(pa, (dev) => Array.from(window.roomApp.peers.values())
      .every((s) => s.senders.video.track && s.senders.video.track.getSettings().deviceId === dev), other.value,
    { what: 'the other camera on every sender', timeoutMs: 30000 });
    const [after] = await senderTracks(pa, 'video');
    assert.equal(after.label, other.label);
    assert.notEqual(after.id, before.id);
    assert.equal(await pa.evaluate((id) => window.roomApp.localStream.getVideoTracks().map((t) => t.id).join(), after.id), after.id);
    await waitFramesAdvance(pb, idA, 'frames from the other camera');

    const [micBefore] = await senderTracks(pa, 'audio');
    const otherMic = mics.find((m) => m.value !== micBefore.settings.deviceId && m.value !== 'default') ||
      mics.find((m) => m.value !== micBefore.settings.deviceId);
    await pa.selectOption('#mic-select', otherMic.value);
    await h.waitInPage(pa, (dev) => Array.from(window.roomApp.peers.values())
      .every((s) => s.senders.audio.track && s.senders.audio.track.getSettings().deviceId === dev), otherMic.value,
    { what: 'the other microphone on every sender', timeoutMs: 30000 });
    const [micAfter] = await senderTracks(pa, 'audio');
    assert.notEqual(micAfter.id, micBefore.id);
    await h.waitInPage(pb, async (id) => {
      const s = window.roomApp.peers.get(id);
      const read = async () => {
        for (const r of (await s.pc.getStats()).values()) if (r.type === 'inbound-rtp' && r.kind === 'audio') return r.packetsReceived || 0;
        return 0;
      };
      const a = await read();
      await new Promise((r) => setTimeout(r, 500));
      return (await read()) > a;
    }, idA, { what: 'audio packets after the microphone switch' });
    await waitFramesAdvance(pb, idA, 'frames after the microphone switch');
    assert.deepEqual(await pa.evaluate(() => window.roomApp.errors), []);
  }));

  test('a receive-only participant is a placeholder tile, not a black video', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const room = 'media-recvonly';
    const pa = await h.openClient(alice, server, { room, name: 'alice' }, JOIN);
    const pb = await h.openClient(bob, server, { room, name: 'bob' }, JOIN);
    const carolPage = await newPageIn(bob, 'carol');
    const pc = await h.openClient({ page: carolPage }, server, { room, name: 'carol', video: '0', audio: '0' }, JOIN);
    const idC = await pc.evaluate(() => window.roomApp.peerId);
    const idA = await h.waitForPeer(pc, { name: 'alice' });
    // carol still receives alice's video
    await h.waitForDecodedVideo(pc, idA, { minFrames: 5, timeoutMs: 60000 });
    for (const p of [pa, pb]) {
      await h.waitForPeer(p, { name: 'carol' });
      const tile = await h.waitInPage(p, (id) => {
        const t = document.getElementById('tile-' + id);
        if (!t || t.dataset.role !== 'receive-only' || t.dataset.video !== 'off') return null;
        const ph = t.querySelector('.placeholder');
        const v = t.querySelector('video');
        return {
          ph: getComputedStyle(ph).display, text: ph.textContent,
          videoVisibility: getComputedStyle(v).visibility, meta: window.roomApp.roster.get(id).meta,
        };
      }, idC, { what: 'receive-only placeholder for carol', timeoutMs: 30000 });
      assert.equal(tile.ph, 'flex');
      assert.match(tile.text, /carol/);
      assert.match(tile.text, /receive only/);
      assert.equal(tile.videoVisibility, 'hidden');
      assert.deepEqual(tile.meta, { sends: [], receives: true }, 'carol announced her role in her join meta');
      assert.equal(await p.isVisible('#tile-' + idC + ' .placeholder'), true);
      assert.equal(await p.isVisible('#tile-' + idC + ' video'), false);
    }
    // the senders' tiles at carol are videos, not placeholders
    assert.equal(await tileAttr(pc, idA, 'video'), 'on');
    assert.equal(await pc.getAttribute('#tile-local', 'data-video'), 'off');
    assert.match(await pc.textContent('#local-state'), /receive only/);
    await carolPage.close();
  }));

  test('three participants: tiles fill the page; screenshot room-3.png', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const room = 'media-three';
    const pa = await h.openClient(alice, server, { room, name: 'alice', stats: '1' }, JOIN);
    const pb = await h.openClient(bob, server, { room, name: 'bob' }, JOIN);
    const carolPage = await newPageIn(bob, 'carol');
    const pc = await h.openClient({ page: carolPage }, server, { room, name: 'carol', muted: 'audio' }, JOIN);
    const pages = { alice: pa, bob: pb, carol: pc };
    const ids = {};
    for (const [n, p] of Object.entries(pages)) ids[n] = await p.evaluate(() => window.roomApp.peerId);
    const checks = [];
    for (const [n, p] of Object.entries(pages)) {
      for (const other of Object.keys(pages)) {
        if (other !== n) checks.push(h.waitForDecodedVideo(p, ids[other], { minFrames: 10, timeoutMs: 60000 }));
      }
    }
    await Promise.all(checks);

    // alice's page: her own tile and two remote tiles, all visible and playing, large
    const tiles = await h.waitInPage(pa, async () => {
      const read = () => Array.from(document.querySelectorAll('#grid .tile')).map((t) => {
        const v = t.querySelector('video');
        const r = t.getBoundingClientRect();
        return {
          id: t.id, w: r.width, h: r.height, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
          video: t.dataset.video, playing: v.readyState >= 2 && !v.paused && v.videoWidth > 0, t: v.currentTime,
          stats: (t.querySelector('.stats') || {}).textContent || '',
        };
      });
      const a = read();
      await new Promise((r) => setTimeout(r, 400));
      const b = read();
      if (a.length !== 3 || !b.every((x, i) => x.playing && x.video === 'on' && x.t > a[i].t)) return null;
      if (!b.every((x) => /^\d+x\d+/.test(x.stats))) return null; // stats overlays filled in
      return b;
    }, null, { what: 'three playing tiles with stats on alice\'s page', timeoutMs: 60000 });
    const vw = await pa.evaluate(() => ({ w: innerWidth, h: innerHeight }));
    for (const t of tiles) {
      assert.ok(t.w >= 360 && t.h >= 270, 'tile large enough: ' + JSON.stringify(t));
      assert.ok(t.left >= 0 && t.right <= vw.w && t.top >= 0 && t.bottom <= vw.h, 'tile inside the viewport: ' + JSON.stringify(t));
    }
    // the stats overlays fit in their tiles
    const fits = await pa.evaluate(() => Array.from(document.querySelectorAll('#grid .tile')).map((t) => {
      const s = t.querySelector('.stats').getBoundingClientRect();
      const r = t.getBoundingClientRect();
      return getComputedStyle(t.querySelector('.stats')).display === 'block' &&
        s.left >= r.left && s.right <= r.right && s.top >= r.top && s.bottom <= r.bottom;
    }));
    assert.deepEqual(fits, [true, true, true]);
    // carol joined muted: her tile at alice says so
    await h.waitInPage(pa, (id) => !!document.querySelector('#tile-' + CSS.escape(id) + ' .badge-mic-off'), ids.carol,
      { what: 'mic-off badge on carol\'s tile', timeoutMs: 20000 });

    const dir = await h.ensureArtifactsDir();
    const shot = path.join(dir, 'room-3.png');
    fs.rmSync(shot, { force: true });
    await pa.screenshot({ path: shot, timeout: 60000 });
    const png = fs.readFileSync(shot);
    assert.ok(png.length > 50000, 'screenshot size ' + png.length);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.equal(png.toString('ascii', 12, 16), 'IHDR');
    assert.equal(png.readUInt32BE(16), vw.w);
    assert.equal(png.readUInt32BE(20), vw.h);
    console.log('screenshot: ' + shot + ' (' + png.length + ' bytes)');
    await carolPage.close();
  }));
});
