// A call survives a room server restart: both pages lose their socket, reconnect to the
// restarted server (same port, same resume secret) with their resume tokens, keep their
// peer ids and their running peer connections; the peer that comes back second is seen
// as peer-joined by the first, which keeps its live session (no new offer).
'use strict';

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fsp = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const h = require('./lib/harness');

describe('room server restart', { timeout: 280000 }, () => {
  let server;
  let alice;
  let bob;
  let tmp;

  before(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'webrtc-room-restart-'));
    [alice, bob] = await Promise.all([h.launchBrowser(), h.launchBrowser()]);
  });

  after(async () => {
    await Promise.all([alice && alice.close(), bob && bob.close()]);
    if (server) await server.stop();
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  test('the call and the peer ids survive a server restart', { timeout: 150000 }, async () => {
    const secretArgs = ['--secret-file', path.join(tmp, 'resume-secret')];
    server = await h.startServer({ extraArgs: secretArgs });
    const port = server.port;
    try {
      const room = 'browser-restart';
      const pa = await h.openClient(alice, server, { room, name: 'alice' });
      const pb = await h.openClient(bob, server, { room, name: 'bob' });
      const idA = await h.waitForPeer(pb, { name: 'alice' });
      const idB = await h.waitForPeer(pa, { name: 'bob' });
      await Promise.all([h.waitForDecodedVideo(pa, idB), h.waitForDecodedVideo(pb, idA)]);
      const tag = (p, id) => p.evaluate((id) => { window.roomApp.peers.get(id).pc.testTag = 'first-server'; }, id);
      await Promise.all([tag(pa, idB), tag(pb, idA)]);
      const countersBefore = await Promise.all([
        pa.evaluate((id) => ({ ...window.roomApp.peers.get(id).counters }), idB),
        pb.evaluate((id) => ({ ...window.roomApp.peers.get(id).counters }), idA),
      ]);

      await server.stop();
      server = null;
      await Promise.all([h.waitForState(pa, 'reconnecting', 10000), h.waitForState(pb, 'reconnecting', 10000)]);
      // media is peer to peer: it keeps flowing while the server is down
      const frames = (await h.videoStats(pb, idA)).framesDecoded;
      await h.waitInPage(pb, async ([id, n]) => {
        for (const r of (await window.roomApp.peers.get(id).pc.getStats()).values()) {
          if (r.type === 'inbound-rtp' && r.kind === 'video') return r.framesDecoded > n + 10;
        }
        return false;
      }, [idA, frames], { what: 'video decoded while the server is down' });

      server = await h.startServer({ extraArgs: secretArgs, port });
      await Promise.all([h.waitForState(pa, 'joined', 30000), h.waitForState(pb, 'joined', 30000)]);
      assert.equal(await pa.evaluate(() => window.roomApp.peerId), idA);
      assert.equal(await pb.evaluate(() => window.roomApp.peerId), idB);
      // both pages are back in the room and each still knows the other, same session
      for (const [p, id] of [[pa, idB], [pb, idA]]) {
        await h.waitInPage(p, (id) => {
          const s = window.roomApp.peers.get(id);
          return s && s.pc.testTag === 'first-server' && s.state === 'connected' && !s.unlisted;
        }, id, { what: 'kept session with ' + id, timeoutMs: 15000 });
      }
      const countersAfter = await Promise.all([
        pa.evaluate((id) => ({ ...window.roomApp.peers.get(id).counters }), idB),
        pb.evaluate((id) => ({ ...window.roomApp.peers.get(id).counters }), idA),
      ]);
      assert.deepEqual(countersAfter, countersBefore, 'no new offer/answer after the restart');
      for (const p of [pa, pb]) assert.ok(!/ left/.test(await p.textContent('#chat-log')));

      // signaling works through the new server: renegotiate, then chat
      await pa.evaluate((id) => { window.roomApp.peers.get(id).pc.addTransceiver('audio', { direction: 'recvonly' }); }, idB);
      await h.waitInPage(pb, (id) => {
        const pc = window.roomApp.peers.get(id).pc;
        return pc.signalingState === 'stable' && pc.getTransceivers().length === 3;
      }, idA, { what: 'renegotiation through the restarted server' });
      assert.equal(await pb.evaluate(() => window.roomApp.sendChat('after restart')), 1);
      await h.waitInPage(pa, () => window.roomApp.chatLog.some((m) => !m.self && m.text === 'after restart'), null,
        { what: 'chat after restart' });
    } catch (e) {
      for (const [n, b] of [['alice', alice], ['bob', bob]]) {
        console.error('--- ' + n + ': ' + await h.describe(b.page));
        console.error(b.logs.slice(-40).join('\n'));
      }
      if (server) console.error('--- server output (tail):\n' + server.output.slice(-40).join('\n'));
      throw e;
    }
  });
});
