// Failure paths of the web client against the real room server: camera/microphone
// refused (receive-only join), a lost WebSocket (reconnect with the resume token, the
// call and the peer id survive), and renegotiation glare after the initial negotiation
// (perfect negotiation, lower id polite).
'use strict';

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./lib/harness');

const TEST_TIMEOUT = 120000;

describe('web client failure paths', { timeout: 280000 }, () => {
  let server;
  let proxy;
  let alice;
  let bob;

  before(async () => {
    server = await h.startServer();
    proxy = await h.startTcpProxy(server.port);
    [alice, bob] = await Promise.all([h.launchBrowser(), h.launchBrowser()]);
  });

  after(async () => {
    await Promise.all([alice && alice.close(), bob && bob.close()]);
    if (proxy) await proxy.close();
    if (server) await server.stop();
  });

  function diagnose(fn) {
    return h.withDiagnostics(fn, () => [['alice', alice], ['bob', bob]], server);
  }

  test('getUserMedia refused: joins receive-only, shows the error, still receives', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const room = 'browser-recvonly';
    const pa = await h.openClient(alice, server, { room, name: 'alice' });
    // bob's page: getUserMedia rejects like a user who denied the permission prompt
    const page = await bob.context.newPage();
    page.on('console', (m) => bob.logs.push('[console.' + m.type() + '] ' + m.text()));
    await page.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    const oldPage = bob.page;
    bob.page = page;
    await oldPage.close();
    const pb = await h.openClient(bob, server, { room, name: 'bob' });

    const mediaErr = await pb.evaluate(() => window.roomApp.errors.find((e) => e.source === 'media'));
    assert.ok(mediaErr, 'media error recorded');
    assert.equal(mediaErr.code, 'NotAllowedError');
    assert.match(await pb.textContent('#error-list'), /NotAllowedError/);
    assert.match(await pb.textContent('#local-state'), /receive only/);

    // bob (newcomer, receive-only) offers recvonly transceivers; alice's video reaches him
    const idA = await h.waitForPeer(pb, { name: 'alice' });
    const idB = await h.waitForPeer(pa, { name: 'bob' });
    const st = await h.waitForDecodedVideo(pb, idA, { minFrames: 5 });
    assert.equal(st.frameWidth, h.FAKE_VIDEO.width);
    assert.equal(st.frameHeight, h.FAKE_VIDEO.height);
    const dirs = await pb.evaluate((id) => window.roomApp.peers.get(id).pc.getTransceivers()
      .map((t) => t.receiver.track.kind + ':' + t.currentDirection).sort(), idA);
    assert.deepEqual(dirs, ['audio:recvonly', 'video:recvonly']);
    // chat works without media
    await h.waitInPage(pa, (id) => { const s = window.roomApp.peers.get(id); return s && s.dc && s.dc.readyState === 'open'; },
      idB, { what: 'chat channel at alice' });
    assert.equal(await pa.evaluate(() => window.roomApp.sendChat('can you see me?')), 1);
    await h.waitInPage(pb, () => window.roomApp.chatLog.some((m) => m.text === 'can you see me?'), null,
      { what: 'chat at receive-only bob' });

    // back to a normal page for the next tests
    bob.page = await bob.context.newPage();
    bob.page.on('console', (m) => bob.logs.push('[console.' + m.type() + '] ' + m.text()));
    await page.close();
  }));

  test('lost WebSocket: reconnects with resume, keeps its id and the call', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const room = 'browser-resume';
    // alice reaches the server through a relay we can cut; bob connects directly
    const viaProxy = { ...server, wsUrl: 'ws://127.0.0.1:' + proxy.port + '/ws' };
    const pa = await h.openClient(alice, viaProxy, { room, name: 'alice' });
    const pb = await h.openClient(bob, server, { room, name: 'bob' });
    const idA = await h.waitForPeer(pb, { name: 'alice' });
    const idB = await h.waitForPeer(pa, { name: 'bob' });
    await Promise.all([h.waitForDecodedVideo(pa, idB), h.waitForDecodedVideo(pb, idA)]);
    // tag the live peer connections so we can tell they were kept
    await pa.evaluate((id) => { window.roomApp.peers.get(id).pc.testTag = 'before-cut'; }, idB);
    await pb.evaluate((id) => { window.roomApp.peers.get(id).pc.testTag = 'before-cut'; }, idA);
    const before = await h.videoStats(pb, idA);

    assert.ok(proxy.cutAll() >= 1, 'alice had a relayed connection');
    await h.waitInPage(pa, () => window.roomApp.errors.some((e) => e.source === 'websocket' && e.code === 1006),
      null, { what: 'lost-connection error at alice', timeoutMs: 10000 });
    await h.waitForState(pa, 'joined', 20000);
    assert.equal(await pa.evaluate(() => window.roomApp.peerId), idA, 'same peer id after resume');
    assert.ok(proxy.connections >= 1, 'reconnected through the relay');

    // both sides kept the same session, bob saw no peer-left
    assert.equal(await pa.evaluate((id) => window.roomApp.peers.get(id).pc.testTag, idB), 'before-cut');
    assert.equal(await pb.evaluate((id) => window.roomApp.peers.get(id) && window.roomApp.peers.get(id).pc.testTag, idA), 'before-cut');
    assert.ok(!(await pb.textContent('#chat-log')).includes('alice left'));
    // media kept flowing
    await h.waitInPage(pb, async ([id, n]) => {
      const s = window.roomApp.peers.get(id);
      for (const r of (await s.pc.getStats()).values()) {
        if (r.type === 'inbound-rtp' && r.kind === 'video') return r.framesDecoded > n + 10;
      }
      return false;
    }, [idA, before.framesDecoded], { what: 'video still decoded at bob' });

    // signaling works again: renegotiate from both sides at once (glare)
    await Promise.all([
      pa.evaluate((id) => { window.roomApp.peers.get(id).pc.addTransceiver('video', { direction: 'recvonly' }); }, idB),
      pb.evaluate((id) => { window.roomApp.peers.get(id).pc.addTransceiver('video', { direction: 'recvonly' }); }, idA),
    ]);
    const settled = (id) => {
      const pc = window.roomApp.peers.get(id).pc;
      const ts = pc.getTransceivers();
      return pc.signalingState === 'stable' && ts.length === 4 && ts.every((t) => t.mid !== null)
        ? ts.map((t) => t.mid).sort().join(',') : null;
    };
    const midsA = await h.waitInPage(pa, settled, idB, { what: 'renegotiation settled at alice' });
    const midsB = await h.waitInPage(pb, settled, idA, { what: 'renegotiation settled at bob' });
    assert.equal(midsA, midsB, 'both sides agree on the m-lines');
    const ca = await pa.evaluate((id) => window.roomApp.peers.get(id).counters, idB);
    const cb = await pb.evaluate((id) => window.roomApp.peers.get(id).counters, idA);
    console.log('negotiation counters alice->bob ' + JSON.stringify(ca) + ' bob->alice ' + JSON.stringify(cb));
    // a collision seen by the impolite side is ignored, never by the polite side
    const [impolite, polite] = idA < idB ? [cb, ca] : [ca, cb];
    assert.equal(polite.offersIgnored, 0);
    assert.equal(impolite.offersIgnored, impolite.collisions);
    assert.equal(await pa.evaluate((id) => window.roomApp.peers.get(id).pc.testTag, idB), 'before-cut');

    // chat over the surviving data channel
    assert.equal(await pb.evaluate((t) => window.roomApp.sendChat(t), 'still here'), 1);
    await h.waitInPage(pa, () => window.roomApp.chatLog.some((m) => !m.self && m.text === 'still here'), null,
      { what: 'chat after resume' });
    const webrtcErrors = await pa.evaluate(() => window.roomApp.errors.filter((e) => e.source !== 'websocket'));
    assert.deepEqual(webrtcErrors, []);
  }));

  test('server unreachable: the page shows the WebSocket error', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    // a port nobody listens on (the relay's port after closing a throwaway relay)
    const gone = await h.startTcpProxy(1);
    const deadPort = gone.port;
    await gone.close();
    const pa = await h.openClient(alice, { ...server, wsUrl: 'ws://127.0.0.1:' + deadPort + '/ws' },
      { room: 'browser-unreachable', name: 'alice' }, { state: 'error' });
    const err = await pa.evaluate(() => window.roomApp.errors.find((e) => e.source === 'websocket'));
    assert.equal(err.code, 1006);
    assert.match(await pa.textContent('#error-list'), /could not join ws:\/\/127\.0\.0\.1:\d+\/ws/);
    assert.equal(await pa.isEnabled('#join-btn'), true, 'the user can retry');
  }));

  test('leave is clean: no reconnect, the other side sees peer-left at once', { timeout: TEST_TIMEOUT }, () => diagnose(async () => {
    const room = 'browser-leave';
    const pa = await h.openClient(alice, server, { room, name: 'alice' });
    const pb = await h.openClient(bob, server, { room, name: 'bob' });
    const idA = await h.waitForPeer(pb, { name: 'alice' });
    await h.waitForPeer(pa, { name: 'bob' });
    await pa.click('#leave-btn');
    await h.waitForState(pa, 'left', 10000);
    await h.waitInPage(pb, (id) => !window.roomApp.peers.has(id) &&
      document.getElementById('chat-log').textContent.includes('alice left (left)'), idA,
    { what: 'peer-left at bob', timeoutMs: 10000 });
    assert.equal(await pa.evaluate(() => window.roomApp.peers.size), 0);
    assert.deepEqual(await pa.evaluate(() => window.roomApp.errors), []);
    assert.equal(await pa.evaluate(() => document.body.dataset.state), 'left');
  }));
});
