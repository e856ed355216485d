// gst-webrtc-rooms browser client: room protocol v1 (see docs/protocol.md).
// Plain JS, no build step. One RTCPeerConnection per remote peer, perfect
// negotiation for renegotiation/glare, a "chat" data channel per peer.
//
// URL parameters (all optional): room, name, server (ws:// URL), offers (true/false),
// video (0/1), audio (0/1). With ?room= the page joins at load; otherwise use the form.
//
// For tests the state is exposed as window.roomApp and document.body.dataset.state
// ("idle", "connecting", "joined", "reconnecting", "left", "error").
'use strict';

(function () {
  const PROTOCOL_VERSION = 1;
  const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000, 5000];

  // ---------- helpers ----------
  const $ = (id) => document.getElementById(id);
  const utf8 = new TextEncoder();

  // Byte-order comparison of two ids (protocol: the lower id is polite).
  function compareBytes(a, b) {
    const x = utf8.encode(a), y = utf8.encode(b);
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return x.length - y.length;
  }

  function parseBool(v, dflt) {
    if (v === null || v === undefined || v === '') return dflt;
    return !/^(0|false|no|off)$/i.test(v);
  }

  function defaultServerUrl() {
    if (location.protocol === 'http:' || location.protocol === 'https:') {
      return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
    }
    return 'ws://127.0.0.1:8443/ws';
  }

  function closeCodeText(code) {
    switch (code) {
      case 1000: return 'normal closure';
      case 1001: return 'going away';
      case 1006: return 'connection lost (no close frame)';
      case 1008: return 'policy violation';
      case 1009: return 'message too large';
      case 1011: return 'server error';
      case 1012: return 'service restart';
      case 1013: return 'try again later';
      default: return 'code ' + code;
    }
  }

  // ---------- state ----------
  const params = new URLSearchParams(location.search);
  const config = {
    room: params.get('room') || '',
    name: params.get('name') || '',
    server: params.get('server') || defaultServerUrl(),
    offers: parseBool(params.get('offers'), true),
    video: parseBool(params.get('video'), true),
    audio: parseBool(params.get('audio'), true),
    token: params.get('token') || undefined,
    // RTCRtpSendParameters.degradationPreference for video: balanced (browser default),
    // maintain-framerate or maintain-resolution (no downscaling under CPU/bandwidth load)
    degradation: params.get('degradation') || '',
  };

  const app = {
    peerId: null,
    room: null,
    peers: new Map(),      // id -> PeerSession {pc, name, state, ...}
    roster: new Map(),     // id -> peer info from the server (id, name, meta, offers)
    chatLog: [],           // {from, name, to, text, time, self}
    errors: [],            // {source, code, message, ref, time}
    warnings: [],          // local warnings (e.g. two offers=false peers)
    iceServers: [],
    localStream: null,
    config,
    ws: null,
    resumeToken: null,
    sendChat,
    join,
    leave,
  };
  window.roomApp = app;

  let leaving = false;          // a leave we asked for: no reconnect
  let joinedOnce = false;       // got at least one welcome on this session
  let reconnectAttempt = 0;
  let reconnectTimer = null;
  let resumeRejected = false;
  let outbox = [];              // signal frames waiting for a (re)connected socket
  let sentJoinWithResume = false;

  function setState(state, label) {
    document.body.dataset.state = state;
    $('state-label').textContent = label || state;
  }

  function reportError(source, message, extra) {
    const err = Object.assign({ source, message, time: Date.now() }, extra || {});
    app.errors.push(err);
    const li = document.createElement('li');
    const code = err.code !== undefined ? ' [' + err.code + ']' : '';
    li.textContent = source + code + ': ' + message;
    li.dataset.source = source;
    if (err.code !== undefined) li.dataset.code = String(err.code);
    $('error-list').appendChild(li);
    console.warn('roomApp error', err);
    return err;
  }

  function warn(message) {
    app.warnings.push({ message, time: Date.now() });
    const li = document.createElement('li');
    li.textContent = message;
    $('warning-list').appendChild(li);
  }

  function systemChat(text) {
    const li = document.createElement('li');
    li.className = 'system';
    li.textContent = text;
    appendChatLi(li);
  }

  function appendChatLi(li) {
    const log = $('chat-log');
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.appendChild(li);
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  function peerLabel(id) {
    const info = app.roster.get(id);
    return (info && info.name) || ('peer ' + id.slice(0, 6));
  }

  // ---------- signaling socket ----------
  function wsSend(obj) {
    if (app.ws && app.ws.readyState === WebSocket.OPEN) {
      app.ws.send(JSON.stringify(obj));
      return true;
    }
    return false;
  }

  // Signals are queued while the socket is down (reconnect/resume) and flushed after welcome.
  function sendSignal(to, data) {
    const frame = { type: 'signal', to, data };
    if (joinedSocket() && wsSend(frame)) return;
    outbox.push(frame);
  }

  let socketJoined = false;
  function joinedSocket() { return socketJoined; }

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    let ws;
    try {
      ws = new WebSocket(config.server);
    } catch (e) {
      reportError('websocket', 'cannot open ' + config.server + ': ' + e.message);
      setState('error', 'error');
      return;
    }
    app.ws = ws;
    socketJoined = false;
    ws.onopen = () => {
      if (app.ws !== ws) return;
      const join = { type: 'join', room: config.room, offers: config.offers };
      if (config.name) join.name = config.name;
      if (config.token) join.token = config.token;
      sentJoinWithResume = false;
      if (app.resumeToken && !resumeRejected) {
        join.resume = app.resumeToken;
        sentJoinWithResume = true;
      }
      wsSend(join);
    };
    ws.onmessage = (ev) => {
      if (app.ws !== ws) return;
      if (typeof ev.data !== 'string') return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch (e) {
        reportError('protocol', 'server sent invalid JSON');
        return;
      }
      if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return;
      try {
        handleMessage(msg);
      } catch (e) {
        reportError('client', 'while handling ' + msg.type + ': ' + e.message);
      }
    };
    ws.onerror = () => { /* details come with onclose */ };
    ws.onclose = (ev) => {
      if (app.ws !== ws) return;
      onSocketClosed(ev);
    };
  }

  function onSocketClosed(ev) {
    const wasJoined = socketJoined;
    socketJoined = false;
    app.ws = null;
    if (leaving) {
      setState('left', 'left the room');
      return;
    }
    const why = 'WebSocket closed: ' + closeCodeText(ev.code) + (ev.reason ? ' (' + ev.reason + ')' : '');
    // A rejected resume (token expired / server without our secret): join afresh once.
    if (sentJoinWithResume && !wasJoined && ev.code === 1008 && !resumeRejected) {
      resumeRejected = true;
      reportError('websocket', why + '; resume rejected, joining as a new peer', { code: ev.code });
      scheduleReconnect(0);
      return;
    }
    const fatal = ev.code === 1000 || ev.code === 1008 || ev.code === 1009;
    if (joinedOnce && !fatal) {
      // report the loss once, not every failed attempt
      if (wasJoined) reportError('websocket', why + '; reconnecting', { code: ev.code });
      scheduleReconnect();
      return;
    }
    reportError('websocket', joinedOnce ? why : (why + ' (could not join ' + config.server + ')'), { code: ev.code });
    setState('error', 'disconnected');
    $('join-btn').disabled = false;
  }

  function scheduleReconnect(delay) {
    const d = delay !== undefined ? delay
      : RECONNECT_DELAYS_MS[Math.min(reconnectAttempt, RECONNECT_DELAYS_MS.length - 1)];
    reconnectAttempt++;
    setState('reconnecting', 'reconnecting (attempt ' + reconnectAttempt + ')…');
    reconnectTimer = setTimeout(connect, d);
  }

  function handleMessage(msg) {
    switch (msg.type) {
      case 'welcome': return onWelcome(msg);
      case 'peer-joined': return onPeerJoined(msg.peer);
      case 'peer-left': return onPeerLeft(msg.peer, msg.reason);
      case 'signal': return onSignal(msg.from, msg.data);
      case 'broadcast': return; // not used by this client
      case 'pong': return;
      case 'error': return onErrorFrame(msg);
      default: return; // unknown types are ignored
    }
  }

  function onErrorFrame(msg) {
    const err = reportError('server', msg.message || msg.code || 'error',
      { code: msg.code, ref: msg.ref });
    if (msg.ref === 'join' || (!socketJoined && ['bad-message', 'room-full', 'unauthorized',
      'already-joined', 'join-timeout'].includes(msg.code))) {
      if (sentJoinWithResume && !resumeRejected && !socketJoined) {
        // resume token not accepted: start over as a new peer
        resumeRejected = true;
        teardownAllSessions();
        app.peerId = null;
        if (app.ws) { const ws = app.ws; app.ws = null; ws.close(1000); }
        scheduleReconnect(0);
        return err;
      }
      setState('error', 'join failed: ' + (msg.code || 'error'));
      $('join-btn').disabled = false;
      $('leave-btn').disabled = true;
      if (!socketJoined && app.ws) {
        // nothing more to do on this connection; a new join opens a new one
        const ws = app.ws;
        app.ws = null;
        ws.close(1000);
      }
    }
    return err;
  }

  function onWelcome(msg) {
    if (msg.protocol !== undefined && msg.protocol !== PROTOCOL_VERSION) {
      warn('server speaks protocol ' + msg.protocol + ', this client speaks ' + PROTOCOL_VERSION);
    }
    const resumed = app.peerId !== null && msg.peer === app.peerId;
    if (app.peerId !== null && !resumed) {
      // we got a new identity: the old sessions are gone for the others too
      teardownAllSessions();
      outbox = [];
    }
    app.peerId = msg.peer;
    app.room = msg.room;
    app.resumeToken = msg.resume || null;
    app.iceServers = Array.isArray(msg.iceServers) ? msg.iceServers : [];
    resumeRejected = false;
    socketJoined = true;
    joinedOnce = true;
    reconnectAttempt = 0;
    setState('joined', 'joined ' + msg.room);
    $('self-id').textContent = 'as ' + (config.name || 'anonymous') + ' (' + msg.peer + ')';
    $('leave-btn').disabled = false;
    $('join-btn').disabled = true;
    updateChatControls();

    const peers = Array.isArray(msg.peers) ? msg.peers : [];
    if (resumed) {
      // Peers that left while our socket was down are not listed (their peer-left was
      // lost). After a server restart, peers that have not resumed yet are not listed
      // either: keep connected sessions until their connection ends, drop the others.
      const listed = new Set(peers.map((p) => p && p.id));
      for (const [id, s] of Array.from(app.peers)) {
        if (listed.has(id)) continue;
        if (s.state === 'connected') s.unlisted = true;
        else removeSession(id);
      }
    }
    for (const info of peers) {
      if (!info || typeof info.id !== 'string') continue;
      app.roster.set(info.id, info);
      const existing = app.peers.get(info.id);
      if (existing && existing.isLive()) {
        existing.unlisted = false;
        existing.setName(info.name);
        continue; // resumed: keep the running session
      }
      if (existing) removeSession(info.id);
      // newcomer rule: offer to every listed peer; reverse flow otherwise
      if (config.offers) {
        createSession(info.id, true);
      } else if (info.offers !== false) {
        createSession(info.id, false); // it will offer to us when it sees peer-joined
      } else {
        warnNoOfferer(info);
      }
    }
    if (resumed) {
      // flush signals produced while the socket was down
      const pending = outbox; outbox = [];
      for (const f of pending) if (!wsSend(f)) outbox.push(f);
    } else {
      outbox = [];
    }
  }

  function warnNoOfferer(info) {
    warn('Cannot connect to ' + (info.name || info.id) +
      ': both of you joined with offers=false, so nobody sends the first offer.');
  }

  function onPeerJoined(info) {
    if (!info || typeof info.id !== 'string' || info.id === app.peerId) return;
    app.roster.set(info.id, info);
    const existing = app.peers.get(info.id);
    if (existing && existing.isLive()) {
      // a peer coming back (resume, server restart): keep the session, no new offer
      existing.unlisted = false;
      existing.setName(info.name);
      return;
    }
    if (existing) removeSession(info.id);
    if (info.offers === false) {
      if (config.offers) {
        createSession(info.id, true); // reverse flow: we offer to the offers=false newcomer
      } else {
        warnNoOfferer(info);
      }
    } else {
      createSession(info.id, false); // the newcomer offers to us
    }
    systemChat(peerLabel(info.id) + ' joined');
  }

  function onPeerLeft(id, reason) {
    if (typeof id !== 'string') return;
    const label = peerLabel(id);
    removeSession(id);
    app.roster.delete(id);
    systemChat(label + ' left' + (reason ? ' (' + reason + ')' : ''));
  }

  function onSignal(from, data) {
    if (typeof from !== 'string' || !data || typeof data !== 'object') return;
    let s = app.peers.get(from);
    if (s && !s.closed && data.restart === true && data.description &&
        data.description.type === 'offer') {
      // the peer replaced a dead connection (protocol.md, restart): so do we
      removeSession(from);
      systemChat(peerLabel(from) + ': reconnecting');
      s = null;
    }
    if (!s || s.closed) {
      if (data.description && data.description.type === 'offer') {
        s = createSession(from, false);
      } else {
        return; // candidate/answer for a session we do not have
      }
    }
    s.enqueue(data);
  }

  // ---------- peer sessions ----------
  class PeerSession {
    constructor(id, initiator) {
      this.id = id;
      this.initiator = initiator;
      this.polite = compareBytes(app.peerId, id) < 0;
      this.name = (app.roster.get(id) || {}).name || '';
      this.state = 'new';
      this.negotiated = false;
      this.makingOffer = false;
      this.ignoreOffer = false;
      this.settingRemoteAnswer = false;
      this.pendingCandidates = [];
      this.chain = Promise.resolve();
      this.closed = false;
      this.dc = null;
      // negotiation counters (diagnostics, used by the tests)
      this.counters = { offersSent: 0, answersSent: 0, collisions: 0, offersIgnored: 0 };
      this.remoteStream = new MediaStream();

      this.buildTile();
      const pc = this.pc = new RTCPeerConnection({
        iceServers: app.iceServers,
        bundlePolicy: 'max-bundle',
      });

      pc.onicecandidate = (ev) => {
        if (this.closed) return;
        if (!ev.candidate) {
          sendSignal(this.id, { candidate: null });
          return;
        }
        if (!ev.candidate.candidate) return; // legacy empty end-of-candidates
        sendSignal(this.id, {
          candidate: {
            candidate: ev.candidate.candidate,
            sdpMid: ev.candidate.sdpMid,
            sdpMLineIndex: ev.candidate.sdpMLineIndex,
          },
        });
      };
      pc.onsignalingstatechange = () => {
        if (pc.signalingState === 'stable' && pc.currentRemoteDescription && pc.currentLocalDescription) {
          this.negotiated = true;
        }
      };
      pc.onconnectionstatechange = () => this.setState(pc.connectionState);
      pc.ontrack = (ev) => this.onTrack(ev);
      pc.ondatachannel = (ev) => {
        if (ev.channel.label === 'chat') this.attachChannel(ev.channel);
      };
      pc.onnegotiationneeded = () => this.onNegotiationNeeded();

      // The offerer creates the chat channel before its first offer.
      if (initiator) this.attachChannel(pc.createDataChannel('chat'));

      const stream = app.localStream;
      const kinds = new Set();
      if (stream) {
        for (const track of stream.getTracks()) {
          const sender = pc.addTrack(track, stream);
          kinds.add(track.kind);
          if (track.kind === 'video' && config.degradation) setDegradation(sender, config.degradation);
        }
      }
      if (initiator) {
        // receive what we do not send
        for (const kind of ['audio', 'video']) {
          if (!kinds.has(kind)) pc.addTransceiver(kind, { direction: 'recvonly' });
        }
      }
    }

    isLive() {
      return !this.closed && !['failed', 'closed'].includes(this.pc.connectionState);
    }

    buildTile() {
      const fig = document.createElement('figure');
      fig.className = 'tile remote';
      fig.id = 'tile-' + this.id;
      fig.dataset.peer = this.id;
      fig.dataset.state = 'new';
      const video = document.createElement('video');
      video.autoplay = true;
      video.playsInline = true;
      const cap = document.createElement('figcaption');
      const name = document.createElement('span');
      name.className = 'name';
      const st = document.createElement('span');
      st.className = 'state';
      st.textContent = 'new';
      const stats = document.createElement('span');
      stats.className = 'stats';
      cap.append(name, stats, st);
      this.statsEl = stats;
      fig.append(video, cap);
      $('grid').appendChild(fig);
      this.tile = fig;
      this.video = video;
      this.nameEl = name;
      this.stateEl = st;
      this.setName(this.name);
    }

    setName(name) {
      if (typeof name === 'string' && name) this.name = name;
      this.nameEl.textContent = this.name || ('peer ' + this.id.slice(0, 6));
      this.nameEl.title = this.id;
      refreshChatTargets();
    }

    setState(state) {
      this.state = state;
      this.tile.dataset.state = state;
      this.stateEl.textContent = state + (this.dc && this.dc.readyState === 'open' ? ' · chat' : '');
      if (this.unlisted && (state === 'failed' || state === 'closed')) {
        const label = peerLabel(this.id);
        setTimeout(() => { if (app.peers.get(this.id) === this) removeSession(this.id); }, 0);
        systemChat(label + ' is gone');
        return;
      }
      if (state === 'failed') {
        reportError('webrtc', 'connection to ' + peerLabel(this.id) + ' failed', { peer: this.id });
      }
      if (state === 'connected') this.startStats();
    }

    // Resolution, frame rate and codec of the incoming video, shown on the tile.
    startStats() {
      if (this.statsTimer) return;
      let last = null;
      this.statsTimer = setInterval(async () => {
        if (this.closed) { clearInterval(this.statsTimer); return; }
        let report;
        try { report = await this.pc.getStats(); } catch (e) { return; }
        let text = '';
        for (const r of report.values()) {
          if (r.type !== 'inbound-rtp' || r.kind !== 'video' || !r.frameWidth) continue;
          const codec = r.codecId && report.get(r.codecId);
          let fps = r.framesPerSecond;
          if (fps === undefined && last) fps = (r.framesDecoded - last.framesDecoded) * 1000 / (r.timestamp - last.timestamp);
          last = r;
          text = r.frameWidth + 'x' + r.frameHeight + (fps ? ' ' + Math.round(fps) + 'fps' : '') +
            (codec ? ' ' + codec.mimeType.replace(/^video\//, '') : '');
        }
        this.statsEl.textContent = text;
      }, 1000);
    }

    onTrack(ev) {
      const track = ev.track;
      if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
      track.onended = () => this.remoteStream.removeTrack(track);
      if (this.video.srcObject !== this.remoteStream) this.video.srcObject = this.remoteStream;
      this.play();
    }

    play() {
      const p = this.video.play();
      if (!p || !p.catch) return;
      p.catch((e) => {
        if (e.name !== 'NotAllowedError' || this.video.muted) return;
        // autoplay policy: play muted, offer a button to unmute
        this.video.muted = true;
        this.video.play().catch(() => {});
        if (!this.tile.querySelector('.unmute')) {
          const b = document.createElement('button');
          b.className = 'unmute';
          b.type = 'button';
          b.textContent = 'unmute';
          b.onclick = () => { this.video.muted = false; this.video.play().catch(() => {}); b.remove(); };
          this.tile.appendChild(b);
        }
      });
    }

    attachChannel(dc) {
      this.dc = dc;
      const opened = () => {
        if (this.dcOpenSeen) return; // a remote channel may already be open and still fire open
        this.dcOpenSeen = true;
        this.setState(this.state);
        updateChatControls();
      };
      dc.onopen = opened;
      dc.onclose = () => { this.setState(this.state); updateChatControls(); };
      dc.onmessage = (ev) => {
        if (typeof ev.data === 'string') {
          receiveChat(this.id, ev.data);
        } else {
          const buf = ev.data instanceof ArrayBuffer ? ev.data : null;
          if (buf) receiveChat(this.id, new TextDecoder().decode(buf));
        }
      };
      if (dc.readyState === 'open') opened();
    }

    async onNegotiationNeeded() {
      if (this.closed) return;
      // The first offer comes only from the designated offerer; after the initial
      // negotiation, either side may renegotiate (perfect negotiation handles glare).
      if (!this.initiator && !this.negotiated) return;
      try {
        this.makingOffer = true;
        await this.pc.setLocalDescription();
        this.counters.offersSent++;
        sendSignal(this.id, { description: this.pc.localDescription.toJSON() });
      } catch (e) {
        reportError('webrtc', 'creating an offer for ' + peerLabel(this.id) + ' failed: ' + e.message);
      } finally {
        this.makingOffer = false;
      }
    }

    // Signals are processed one at a time per peer.
    enqueue(data) {
      this.chain = this.chain.then(() => this.handleSignal(data)).catch((e) => {
        reportError('webrtc', 'signal from ' + peerLabel(this.id) + ': ' + e.message);
      });
    }

    async handleSignal(data) {
      if (this.closed) return;
      const pc = this.pc;
      if (data.description && typeof data.description === 'object') {
        const desc = { type: data.description.type, sdp: data.description.sdp };
        const readyForOffer = !this.makingOffer &&
          (pc.signalingState === 'stable' || this.settingRemoteAnswer);
        const collision = desc.type === 'offer' && !readyForOffer;
        if (collision) this.counters.collisions++;
        this.ignoreOffer = !this.polite && collision;
        if (this.ignoreOffer) {
          this.counters.offersIgnored++;
          return;
        }
        this.settingRemoteAnswer = desc.type === 'answer';
        try {
          await pc.setRemoteDescription(desc); // implicit rollback when polite
        } finally {
          this.settingRemoteAnswer = false;
        }
        if (desc.type === 'offer') {
          await pc.setLocalDescription();
          this.counters.answersSent++;
          sendSignal(this.id, { description: pc.localDescription.toJSON() });
        }
        const queued = this.pendingCandidates;
        this.pendingCandidates = [];
        for (const c of queued) await this.addCandidate(c);
      } else if ('candidate' in data) {
        if (!pc.remoteDescription) {
          this.pendingCandidates.push(data.candidate);
        } else {
          await this.addCandidate(data.candidate);
        }
      }
      // other keys: extensions, ignored
    }

    async addCandidate(c) {
      try {
        if (c === null || c === undefined) {
          await this.pc.addIceCandidate();
        } else if (typeof c === 'object') {
          const init = { candidate: c.candidate };
          if (c.sdpMid !== undefined && c.sdpMid !== null) init.sdpMid = c.sdpMid;
          if (c.sdpMLineIndex !== undefined && c.sdpMLineIndex !== null) init.sdpMLineIndex = c.sdpMLineIndex;
          if (init.sdpMid === undefined && init.sdpMLineIndex === undefined) init.sdpMLineIndex = 0;
          await this.pc.addIceCandidate(init);
        }
      } catch (e) {
        if (!this.ignoreOffer && c) {
          reportError('webrtc', 'bad ICE candidate from ' + peerLabel(this.id) + ': ' + e.message);
        }
      }
    }

    close() {
      if (this.closed) return;
      this.closed = true;
      clearInterval(this.statsTimer);
      try { if (this.dc) this.dc.close(); } catch (e) { /* ignore */ }
      try { this.pc.close(); } catch (e) { /* ignore */ }
      this.state = 'closed';
      this.video.srcObject = null;
      this.tile.remove();
    }
  }

  function setDegradation(sender, pref) {
    try {
      const p = sender.getParameters();
      p.degradationPreference = pref;
      sender.setParameters(p).catch((e) => warn('degradation=' + pref + ' not applied: ' + e.message));
    } catch (e) {
      warn('degradation=' + pref + ' not applied: ' + e.message);
    }
  }

  function createSession(id, initiator) {
    const s = new PeerSession(id, initiator);
    app.peers.set(id, s);
    refreshChatTargets();
    return s;
  }

  function removeSession(id) {
    const s = app.peers.get(id);
    if (!s) return;
    s.close();
    app.peers.delete(id);
    refreshChatTargets();
    updateChatControls();
  }

  function teardownAllSessions() {
    for (const id of Array.from(app.peers.keys())) removeSession(id);
    app.roster.clear();
  }

  // ---------- chat ----------
  function openChannels(to) {
    const out = [];
    for (const [id, s] of app.peers) {
      if (to && id !== to) continue;
      if (s.dc && s.dc.readyState === 'open') out.push(s);
    }
    return out;
  }

  // Sends text over the "chat" data channel(s); returns the number of peers reached.
  function sendChat(text, to) {
    text = String(text);
    if (!text) return 0;
    const targets = openChannels(to);
    for (const s of targets) s.dc.send(text);
    if (targets.length === 0) {
      reportError('chat', to ? ('no open chat channel to ' + peerLabel(to)) : 'nobody to send to yet');
      return 0;
    }
    const entry = { from: app.peerId, name: config.name, to: to || null, text, time: Date.now(), self: true };
    app.chatLog.push(entry);
    renderChat(entry);
    return targets.length;
  }

  function receiveChat(from, text) {
    const entry = { from, name: peerLabel(from), to: app.peerId, text, time: Date.now(), self: false };
    app.chatLog.push(entry);
    renderChat(entry);
  }

  function renderChat(entry) {
    const li = document.createElement('li');
    if (entry.self) li.className = 'self';
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = entry.self
      ? ('you' + (entry.to ? ' → ' + peerLabel(entry.to) : ''))
      : entry.name;
    li.append(who, document.createTextNode(': ' + entry.text));
    appendChatLi(li);
  }

  function refreshChatTargets() {
    const sel = $('chat-to');
    const cur = sel.value;
    sel.textContent = '';
    const all = document.createElement('option');
    all.value = '';
    all.textContent = 'everyone';
    sel.appendChild(all);
    for (const [id, s] of app.peers) {
      const o = document.createElement('option');
      o.value = id;
      o.textContent = s.name || ('peer ' + id.slice(0, 6));
      sel.appendChild(o);
    }
    sel.value = app.peers.has(cur) ? cur : '';
  }

  function updateChatControls() {
    const any = openChannels().length > 0;
    $('chat-input').disabled = !any;
    $('chat-send').disabled = !any;
  }

  // ---------- media ----------
  async function getMedia() {
    if (!config.video && !config.audio) {
      $('local-state').textContent = 'receive only';
      return null;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      reportError('media', 'getUserMedia is not available (needs https or localhost); joining receive-only');
      $('local-state').textContent = 'receive only';
      return null;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: config.video ? { width: { ideal: 640 }, height: { ideal: 480 } } : false,
        audio: config.audio,
      });
      $('local-video').srcObject = stream;
      $('local-state').textContent = stream.getTracks().map((t) => t.kind).join('+');
      return stream;
    } catch (e) {
      reportError('media', 'camera/microphone unavailable (' + e.name + ': ' + e.message + '); joining receive-only',
        { code: e.name });
      $('local-state').textContent = 'receive only';
      return null;
    }
  }

  // ---------- join / leave ----------
  async function join(opts) {
    if (opts) Object.assign(config, opts);
    if (app.ws) { const ws = app.ws; app.ws = null; try { ws.close(1000); } catch (e) { /* ignore */ } }
    teardownAllSessions();
    leaving = false;
    joinedOnce = false;
    resumeRejected = false;
    app.peerId = null;
    app.resumeToken = null;
    outbox = [];
    $('join-btn').disabled = true;
    setState('connecting', 'connecting…');
    if (!app.localStream) app.localStream = await getMedia();
    connect();
  }

  function leave() {
    leaving = true;
    clearTimeout(reconnectTimer);
    if (!wsSend({ type: 'leave' }) && app.ws) app.ws.close(1000);
    teardownAllSessions();
    app.resumeToken = null;
    socketJoined = false;
    if (!app.ws) setState('left', 'left the room');
    $('leave-btn').disabled = true;
    $('join-btn').disabled = false;
    updateChatControls();
  }

  // ---------- UI wiring ----------
  function initUi() {
    $('room').value = config.room;
    $('name').value = config.name;
    $('server').value = config.server;
    $('offers').checked = config.offers;
    $('video').checked = config.video;
    $('audio').checked = config.audio;

    $('join-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const opts = {
        room: $('room').value.trim(),
        name: $('name').value.trim(),
        server: $('server').value.trim() || defaultServerUrl(),
        offers: $('offers').checked,
        video: $('video').checked,
        audio: $('audio').checked,
      };
      if (app.localStream && (opts.video !== config.video || opts.audio !== config.audio)) {
        app.localStream.getTracks().forEach((t) => t.stop());
        app.localStream = null;
      }
      join(opts);
    });
    $('leave-btn').addEventListener('click', leave);
    $('chat-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = $('chat-input');
      if (!input.value) return;
      if (sendChat(input.value, $('chat-to').value || undefined) > 0) input.value = '';
    });
    // Closing the tab: leave cleanly so the others see peer-left at once.
    window.addEventListener('pagehide', () => {
      if (app.ws && socketJoined) {
        leaving = true;
        wsSend({ type: 'leave' });
      }
    });
  }

  initUi();
  setState('idle', 'not connected');
  if (config.room) join();
})();
