// Two headless Chromium participants in one room through the real room server:
// video decoded both ways, chat over the "chat" data channel both ways, peer-left,
// the reverse offer flow (offers=false newcomer), two offers=false peers, and the
// server's bad-message error for an invalid room name.
'use strict';

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const h = require('./lib/harness');

const TEST_TIMEOUT = 120000;

describe('two browsers in one room', { timeout: 280000 }, () => {
  let server;
  let alice; // browser 1
  let bob;   // browser 2

  before(async () => {
    server = await h.startServer();
    [alice, bob] = await Promise.all([h.launchBrowser(), h.launchBrowser()]);
  });

  after(async () => {
    await Promise.all([alice && alice.close(), bob && bob.close()]);
    if (server) await server.stop();
  });

  // Dump page logs when a test fails, to make CI failures debuggable.
  function diagnose(fn) {
    return h.withDiagnostics(fn, () => [['alice', alice], ['bob', bob]], server);
  }

  async function checkVideoBothWays(pa, pb) {
    const idB = await h.waitForPeer(pa, { name: 'bob' });
    const idA = await h.waitForPeer(pb, { name: 'alice' });
    const [statsAtA, statsAtB] = await Promise.all([
      h.waitForDecodedVideo(pa, idB, { minFrames: 5 }),
      h.waitForDecodedVideo(pb, idA, { minFrames: 5 }),
    ]);
    for (const st of [statsAtA, statsAtB]) {
      assert.ok(st.framesDecoded >= 5, 'frames decoded: ' + JSON.stringify(st));
      assert.equal(st.frameWidth, h.FAKE_VIDEO.width, 'frame width ' + JSON.stringify(st));
      assert.equal(st.frameHeight, h.FAKE_VIDEO.height, 'frame height ' + JSON.stringify(st));
    }
    // connection state is tracked per peer and shown on the tile
    for (const [p, id] of [[pa, idB], [pb, idA]]) {
      await h.waitInPage(p, (id) => window.roomApp.peers.get(id).state === 'connected' &&
        document.querySelector('#tile-' + CSS.escape(id) + ' .state').textContent.startsWith('connected'),
      id, { what: 'connected state on the tile of ' + id });
    }
    return { idA, idB };
  }

  async function checkChatBothWays(pa, pb, idA, idB, tag) {
    const toBob = 'hello bob ' + tag + ' — ünïcödé ✓';
    const toAlice = 'hi alice ' + tag + ' 👋';
    // the channel must be open on both ends before sending
    for (const [p, id] of [[pa, idB], [pb, idA]]) {
      await h.waitInPage(p, (id) => {
        const s = window.roomApp.peers.get(id);
        return s && s.dc && s.dc.readyState === 'open' && s.dc.label === 'chat';
      }, id, { what: 'open chat channel to ' + id });
    }
    assert.equal(await pa.evaluate((t) => window.roomApp.sendChat(t), toBob), 1);
    assert.equal(await pb.evaluate(([t, to]) => window.roomApp.sendChat(t, to), [toAlice, idA]), 1);
    const gotAtB = await h.waitInPage(pb, ([t, from]) => window.roomApp.chatLog.find((m) => !m.self && m.text === t && m.from === from),
      [toBob, idA], { what: 'chat from alice at bob' });
    const gotAtA = await h.waitInPage(pa, ([t, from]) => window.roomApp.chatLog.find((m) => !m.self && m.text === t && m.from === from),
      [toAlice, idB], { what: 'chat from bob at alice' });
    assert.equal(gotAtB.name, 'alice');
    assert.equal(gotAtA.name, 'bob');
    // and it is rendered in the chat box
    assert.ok((await pb.textContent('#chat-log')).includes(toBob));
    assert.ok((await pa.textContent('#chat-log')).includes(toAlice));
  }

  test('video and chat both ways, peer-left on close', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const room = 'browser-basic';
    const pa = await h.openClient(alice, server, { room, name: 'alice' });
    const pb = await h.openClient(bob, server, { room, name: 'bob' });

    const { idA, idB } = await checkVideoBothWays(pa, pb);
    // default flow: the newcomer (bob) offered
    assert.equal(await pb.evaluate((id) => window.roomApp.peers.get(id).initiator, idA), true);
    assert.equal(await pa.evaluate((id) => window.roomApp.peers.get(id).initiator, idB), false);
    // polite = lower id (byte order)
    const politeA = await pa.evaluate((id) => window.roomApp.peers.get(id).polite, idB);
    assert.equal(politeA, Buffer.compare(Buffer.from(idA), Buffer.from(idB)) < 0);

    await checkChatBothWays(pa, pb, idA, idB, 'basic');
    // the degradation preference asked for in the URL is applied, no warnings
    for (const [p, id] of [[pa, idB], [pb, idA]]) {
      assert.deepEqual(await p.evaluate(() => window.roomApp.warnings), []);
      assert.equal(await p.evaluate((id) => window.roomApp.peers.get(id).pc.getSenders()
        .find((x) => x.track && x.track.kind === 'video').getParameters().degradationPreference, id), 'maintain-resolution');
    }

    // screenshot with the remote video actually playing in the tile
    await h.waitInPage(pa, (id) => {
      const v = document.querySelector('#tile-' + CSS.escape(id) + ' video');
      const stats = document.querySelector('#tile-' + CSS.escape(id) + ' .stats');
      return v && v.videoWidth > 0 && v.readyState >= 2 && v.currentTime > 0.5 && /^640x480/.test(stats.textContent);
    }, idB, { what: 'remote video playing in the tile, with its stats' });
    const dir = await h.ensureArtifactsDir();
    const shot = path.join(dir, 'two-browsers-alice.png');
    await pa.screenshot({ path: shot });
    console.log('screenshot: ' + shot);

    // bob closes his page: alice sees peer-left (reason left, not after a timeout)
    const t0 = Date.now();
    await pb.close({ runBeforeUnload: true });
    await h.waitInPage(pa, (id) => !window.roomApp.peers.has(id) && !document.getElementById('tile-' + id) &&
      document.getElementById('chat-log').textContent.includes('bob left (left)'),
    idB, { what: 'peer-left for bob', timeoutMs: 15000 });
    assert.ok(Date.now() - t0 < 15000);
    assert.equal(await pa.evaluate(() => document.body.dataset.state), 'joined');
    bob.page = await bob.context.newPage();
    bob.page.on('console', (m) => bob.logs.push('[console.' + m.type() + '] ' + m.text()));
  }));

  test('reverse flow: the existing peer offers to an offers=false newcomer', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const room = 'browser-reverse';
    const pa = await h.openClient(alice, server, { room, name: 'alice' });
    const pb = await h.openClient(bob, server, { room, name: 'bob', offers: 'false' });

    const { idA, idB } = await checkVideoBothWays(pa, pb);
    // alice (offers=true, already in the room) created the offer; bob only answered
    assert.equal(await pa.evaluate((id) => window.roomApp.peers.get(id).initiator, idB), true);
    assert.equal(await pb.evaluate((id) => window.roomApp.peers.get(id).initiator, idA), false);
    assert.equal(await pb.evaluate((id) => window.roomApp.peers.get(id).pc.currentRemoteDescription.type, idA), 'offer');
    assert.equal(await pa.evaluate((id) => window.roomApp.peers.get(id).pc.currentRemoteDescription.type, idB), 'answer');
    await checkChatBothWays(pa, pb, idA, idB, 'reverse');
    assert.deepEqual(await pb.evaluate(() => window.roomApp.errors), []);
    assert.deepEqual(await pa.evaluate(() => window.roomApp.errors), []);
  }));

  test('two offers=false peers do not connect and warn locally', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const room = 'browser-nobody-offers';
    const pa = await h.openClient(alice, server, { room, name: 'alice', offers: 'false' });
    const pb = await h.openClient(bob, server, { room, name: 'bob', offers: 'false' });
    for (const p of [pa, pb]) {
      const w = await h.waitInPage(p, () => window.roomApp.warnings.find((x) => /offers=false/.test(x.message)),
        null, { what: 'offers=false warning', timeoutMs: 10000 });
      assert.ok(w);
      assert.ok((await p.textContent('#warning-list')).includes('offers=false'));
      assert.equal(await p.evaluate(() => window.roomApp.peers.size), 0);
    }
  }));

  test('join from the form (same-origin server URL) and chat from the UI', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const room = 'browser-form';
    const pa = alice.page;
    await pa.goto(server.httpBase + '/', { timeout: 20000 });
    await h.waitForState(pa, 'idle', 10000);
    assert.equal(await pa.inputValue('#server'), server.wsUrl, 'default server is the page origin /ws');
    await pa.fill('#room', room);
    await pa.fill('#name', 'alice');
    await pa.click('#join-btn');
    await h.waitForState(pa, 'joined', 20000);
    const pb = await h.openClient(bob, server, { room, name: 'bob' });
    const idA = await h.waitForPeer(pb, { name: 'alice' });
    const idB = await h.waitForPeer(pa, { name: 'bob' });
    await h.waitForDecodedVideo(pb, idA);
    await pa.waitForSelector('#chat-input:not([disabled])', { timeout: 20000 });
    await pa.fill('#chat-input', 'typed in the chat box');
    await pa.click('#chat-send');
    await h.waitInPage(pb, () => window.roomApp.chatLog.some((m) => m.text === 'typed in the chat box'), null,
      { what: 'chat typed by alice' });
    assert.equal(await pa.inputValue('#chat-input'), '');
    // a private message to one peer via the selector
    await pb.waitForSelector('#chat-input:not([disabled])', { timeout: 20000 });
    await pb.selectOption('#chat-to', idA);
    await pb.fill('#chat-input', 'just for alice');
    await pb.click('#chat-send');
    const got = await h.waitInPage(pa, () => window.roomApp.chatLog.find((m) => m.text === 'just for alice'), null,
      { what: 'private chat at alice' });
    assert.equal(got.from, idB);
  }));

  test('three participants: every pair decodes video', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const room = 'browser-three';
    const pa = await h.openClient(alice, server, { room, name: 'alice' });
    const pb = await h.openClient(bob, server, { room, name: 'bob' });
    // carol: a second page in bob's browser, a third participant
    const carolPage = await bob.context.newPage();
    carolPage.on('console', (m) => bob.logs.push('[carol console.' + m.type() + '] ' + m.text()));
    try {
      const pc = await h.openClient({ page: carolPage }, server, { room, name: 'carol' });
      const pages = { alice: pa, bob: pb, carol: pc };
      const ids = {};
      for (const [n, p] of Object.entries(pages)) ids[n] = await p.evaluate(() => window.roomApp.peerId);
      const checks = [];
      for (const [n, p] of Object.entries(pages)) {
        for (const other of Object.keys(pages)) {
          if (other === n) continue;
          checks.push(h.waitForDecodedVideo(p, ids[other], { timeoutMs: 45000 }).then((st) => {
            assert.equal(st.frameWidth, h.FAKE_VIDEO.width, n + ' <- ' + other);
            assert.equal(st.frameHeight, h.FAKE_VIDEO.height, n + ' <- ' + other);
          }));
        }
      }
      await Promise.all(checks);
      for (const p of Object.values(pages)) {
        assert.equal(await p.locator('.tile.remote').count(), 2);
      }
      // a broadcast chat from carol reaches both
      await h.waitInPage(pc, () => Array.from(window.roomApp.peers.values()).every((s) => s.dc && s.dc.readyState === 'open') &&
        window.roomApp.peers.size === 2, null, { what: 'carol chat channels open' });
      assert.equal(await pc.evaluate(() => window.roomApp.sendChat('hi all')), 2);
      for (const p of [pa, pb]) {
        await h.waitInPage(p, () => window.roomApp.chatLog.some((m) => m.text === 'hi all' && m.name === 'carol'), null,
          { what: 'chat from carol' });
      }
    } finally {
      await carolPage.close();
    }
  }));

  test('an invalid room name shows the server bad-message error', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const pa = await h.openClient(alice, server, { room: 'not a valid room!', name: 'alice' }, { state: 'error' });
    const err = await h.waitInPage(pa, () => window.roomApp.errors.find((e) => e.source === 'server'),
      null, { what: 'server error frame', timeoutMs: 10000 });
    assert.equal(err.code, 'bad-message');
    assert.ok(typeof err.message === 'string' && err.message.length > 0);
    const shown = await pa.textContent('#error-list');
    assert.ok(shown.includes('bad-message'), 'error list shows the code: ' + shown);
    assert.equal(await pa.evaluate(() => window.roomApp.peerId), null);
  }));
});
