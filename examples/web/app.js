// gst-webrtc-rooms browser client: room protocol v1 (see docs/protocol.md).
// Plain JS, no build step. One RTCPeerConnection per remote peer, perfect
// negotiation for renegotiation/glare, a "chat" data channel per peer.
//
// URL parameters (all optional, see README.md): room, name, server (ws:// URL),
// offers (true/false), video (0/1), audio (0/1), token, degradation, muted (audio,video),
// videoDevice / audioDevice (device id or part of its label), stats (0/1).
// With ?room= the page joins at load; otherwise use the form.
//
// Media controls after joining: mute/unmute microphone and camera (track.enabled: the
// others get silence/black frames and a "mediaState" extension message), screen sharing
// (getDisplayMedia + replaceTrack on every peer connection), camera/microphone pickers
// (replaceTrack), per-tile stats overlays.
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
    // start with these captured tracks muted: "audio", "video" or "audio,video"
    muted: (params.get('muted') || '').split(',').map((x) => x.trim()).filter((x) => x === 'audio' || x === 'video'),
    videoDevice: params.get('videoDevice') || '',
    audioDevice: params.get('audioDevice') || '',
    stats: parseBool(params.get('stats'), false),
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
    localStream: null,     // camera + microphone tracks from getUserMedia
    screenTrack: null,     // getDisplayMedia video track while sharing
    media: { audioMuted: config.muted.includes('audio'), videoMuted: config.muted.includes('video') },
    remoteMedia: new Map(), // id -> last mediaState received from that peer
    devices: [],           // enumerateDevices() result (audioinput/videoinput)
    config,
    ws: null,
    resumeToken: null,
    sendChat,
    join,
    leave,
    setMuted,
    toggleMuted,
    startScreenShare,
    stopScreenShare,
    switchDevice,
    refreshDevices,
    showStats,
    mediaState,
    layoutGrid,
  };
  window.roomApp = app;

  let leaving = false;          // a leave we asked for: no reconnect
  let joinedOnce = false;       // got at least one welcome on this session
  let reconnectAttempt = 0;
  let reconnectTimer = null;
  let resumeRejected = false;
  let outbox = [];              // signal frames waiting for a (re)connected socket
  let sentJoinWithResume = false;
  let joinedSends = [];         // meta.sends of our last join

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
      // roles (shared with the GStreamer elements): what we send, whether we receive
      joinedSends = sendingKinds();
      join.meta = { sends: joinedSends, receives: true };
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
      case 'broadcast': return onBroadcast(msg.from, msg.data);
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
    // tell everyone whether we are muted or sharing (after a resume: always, changes made
    // while the socket was down were not sent)
    const ms = mediaState();
    if (resumed || ms.audioMuted || ms.videoMuted || ms.screen) announceMediaState();
    layoutGrid();
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
    // the newcomer missed our mediaState broadcasts: tell it when our join meta alone
    // would mislead it (muted, sharing, or sending other kinds than announced)
    const ms = mediaState();
    if (ms.audioMuted || ms.videoMuted || ms.screen || ms.sends.join() !== joinedSends.join()) {
      sendSignal(info.id, { mediaState: ms });
    }
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
    app.remoteMedia.delete(id);
    systemChat(label + ' left' + (reason ? ' (' + reason + ')' : ''));
  }

  function onSignal(from, data) {
    if (typeof from !== 'string' || !data || typeof data !== 'object') return;
    if ('mediaState' in data) onMediaState(from, data.mediaState);
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
          this.updateView(); // the answer tells what the peer really sends
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

      // our microphone, and the camera or the shared screen
      const stream = app.localStream || new MediaStream();
      const kinds = new Set();
      this.senders = { audio: null, video: null };
      for (const track of [localAudioTrack(), outgoingVideoTrack()]) {
        if (!track) continue;
        const sender = pc.addTrack(track, stream);
        this.senders[track.kind] = sender;
        kinds.add(track.kind);
        if (track.kind === 'video' && config.degradation) setDegradation(sender, config.degradation);
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
      const badges = document.createElement('span');
      badges.className = 'badges';
      cap.append(name, badges, st);
      // stats overlay (shown with the Stats toggle); first line "WxH fps codec"
      const stats = document.createElement('div');
      stats.className = 'stats';
      this.statsEl = stats;
      const ph = buildPlaceholder();
      fig.append(video, ph.el, stats, cap);
      fig.dataset.video = 'on';
      $('grid').appendChild(fig);
      this.tile = fig;
      this.video = video;
      this.nameEl = name;
      this.stateEl = st;
      this.badgesEl = badges;
      this.placeholder = ph;
      this.setName(this.name);
      layoutGrid();
    }

    setName(name) {
      if (typeof name === 'string' && name) this.name = name;
      this.nameEl.textContent = this.name || ('peer ' + this.id.slice(0, 6));
      this.nameEl.title = this.id;
      refreshChatTargets();
      this.updateView();
    }

    // What the peer sends: its mediaState (latest), else its join meta ("sends"), else
    // audio+video; after negotiation, only kinds the answer really lets us receive.
    remoteSends() {
      const ms = app.remoteMedia.get(this.id);
      const info = app.roster.get(this.id);
      let sends = ms && ms.sends ? ms.sends : metaSends(info && info.meta);
      if (!sends) sends = ['audio', 'video'];
      if (this.negotiated) {
        const rx = new Set();
        for (const t of this.pc.getTransceivers()) {
          if (t.currentDirection === 'recvonly' || t.currentDirection === 'sendrecv') rx.add(t.receiver.track.kind);
        }
        sends = sends.filter((k) => rx.has(k));
      }
      return sends;
    }

    // Video tile or placeholder (receive-only, audio-only, camera off), mute badges.
    updateView() {
      if (!this.tile) return;
      const ms = app.remoteMedia.get(this.id) || {};
      const sends = this.remoteSends();
      const sendsVideo = sends.includes('video');
      const sendsAudio = sends.includes('audio');
      let why = '';
      if (!sendsVideo && !sendsAudio) why = 'receive only';
      else if (!sendsVideo) why = 'audio only';
      else if (ms.videoMuted && !ms.screen) why = 'camera off';
      this.tile.dataset.video = why ? 'off' : 'on';
      this.tile.dataset.role = sendsVideo || sendsAudio ? 'sender' : 'receive-only';
      this.tile.dataset.audioMuted = String(!!(sendsAudio && ms.audioMuted));
      this.tile.dataset.videoMuted = String(!!ms.videoMuted);
      this.tile.dataset.screen = String(!!ms.screen);
      this.placeholder.set(this.name || ('peer ' + this.id.slice(0, 6)), why, this.id);
      setBadges(this.badgesEl, {
        'mic off': sendsAudio && ms.audioMuted,
        'camera off': sendsVideo && ms.videoMuted && !ms.screen,
        'screen': ms.screen,
        'receive only': !sendsVideo && !sendsAudio,
      });
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

    // Incoming video (resolution, frame rate, codec), bit rate, loss, round trip and
    // audio, in the tile's stats overlay; the first line starts with "WxH".
    startStats() {
      if (this.statsTimer) return;
      let last = new Map();
      this.statsTimer = setInterval(async () => {
        if (this.closed) { clearInterval(this.statsTimer); return; }
        let report;
        try { report = await this.pc.getStats(); } catch (e) { return; }
        const lines = [];
        const now = new Map();
        let rtt = null;
        let audio = null;
        for (const r of report.values()) {
          if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded' &&
              typeof r.currentRoundTripTime === 'number') rtt = r.currentRoundTripTime;
          if (r.type !== 'inbound-rtp') continue;
          now.set(r.id, r);
          const prev = last.get(r.id);
          const dt = prev ? (r.timestamp - prev.timestamp) / 1000 : 0;
          const kbps = dt > 0 ? (r.bytesReceived - prev.bytesReceived) * 8 / 1000 / dt : null;
          const codec = r.codecId && report.get(r.codecId);
          const codecName = codec ? codec.mimeType.replace(/^(video|audio)\//, '') : '';
          if (r.kind === 'video' && r.frameWidth) {
            let fps = r.framesPerSecond;
            if (fps === undefined && prev && dt > 0) fps = (r.framesDecoded - prev.framesDecoded) / dt;
            lines.unshift(r.frameWidth + 'x' + r.frameHeight + (fps ? ' ' + Math.round(fps) + 'fps' : '') +
              (codecName ? ' ' + codecName : ''));
            let line2 = kbps !== null ? formatRate(kbps) : '';
            if (prev) {
              const lost = (r.packetsLost || 0) - (prev.packetsLost || 0);
              const got = (r.packetsReceived || 0) - (prev.packetsReceived || 0);
              if (lost + got > 0) line2 += ' loss ' + (100 * Math.max(0, lost) / (lost + got)).toFixed(1) + '%';
            }
            if (line2) lines.push(line2.trim());
          } else if (r.kind === 'audio' && r.packetsReceived) {
            audio = 'audio' + (codecName ? ' ' + codecName : '') + (kbps !== null ? ' ' + formatRate(kbps) : '');
          }
        }
        if (audio) lines.push(audio);
        if (rtt !== null) lines.push('rtt ' + Math.round(rtt * 1000) + ' ms');
        last = now;
        renderStats(this.statsEl, lines);
      }, 1000);
    }

    onTrack(ev) {
      const track = ev.track;
      if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
      track.onended = () => this.remoteStream.removeTrack(track);
      if (this.video.srcObject !== this.remoteStream) this.video.srcObject = this.remoteStream;
      this.play();
      this.updateView();
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
      layoutGrid();
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
  let mediaTried = false; // getMedia() ran (no tracks after that: receive only)
  async function getMedia() {
    mediaTried = true;
    if (!config.video && !config.audio) {
      updateLocalView();
      return null;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      reportError('media', 'getUserMedia is not available (needs https or localhost); joining receive-only');
      updateLocalView();
      return null;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: config.video ? videoConstraints(null) : false,
        audio: config.audio,
      });
    } catch (e) {
      reportError('media', 'camera/microphone unavailable (' + e.name + ': ' + e.message + '); joining receive-only',
        { code: e.name });
      updateLocalView();
      return null;
    }
    app.localStream = stream;
    for (const t of stream.getTracks()) t.enabled = !isMuted(t.kind);
    $('local-video').srcObject = stream;
    await refreshDevices();
    // ?videoDevice= / ?audioDevice=: a device id or a part of its label
    for (const [kind, pref] of [['videoinput', config.videoDevice], ['audioinput', config.audioDevice]]) {
      if (!pref) continue;
      const p = pref.toLowerCase();
      const d = app.devices.find((x) => x.kind === kind && x.deviceId === pref) ||
        app.devices.find((x) => x.kind === kind && x.label.toLowerCase().includes(p));
      if (!d) {
        warn('no ' + (kind === 'videoinput' ? 'camera' : 'microphone') + ' matches "' + pref + '"');
      } else {
        await switchDevice(kind === 'videoinput' ? 'video' : 'audio', d.deviceId);
      }
    }
    updateLocalView();
    return stream;
  }

  function videoConstraints(deviceId) {
    const c = { width: { ideal: 640 }, height: { ideal: 480 } };
    if (deviceId) c.deviceId = { exact: deviceId };
    return c;
  }

  function localTrack(kind) {
    return app.localStream ? (app.localStream.getTracks().find((t) => t.kind === kind) || null) : null;
  }
  function localAudioTrack() { return localTrack('audio'); }
  // what goes out on the video sender: the shared screen, else the camera
  function outgoingVideoTrack() { return app.screenTrack || localTrack('video'); }
  function isMuted(kind) { return kind === 'audio' ? app.media.audioMuted : app.media.videoMuted; }

  function sendingKinds() {
    const k = [];
    if (localAudioTrack()) k.push('audio');
    if (outgoingVideoTrack()) k.push('video');
    return k;
  }

  // The "mediaState" extension (ignored by receivers that do not know it, protocol v1
  // "unknown keys"): broadcast on every change and after each welcome, and sent in a
  // signal to each newcomer.
  function mediaState() {
    return {
      audioMuted: !!(localAudioTrack() && app.media.audioMuted),
      videoMuted: !!(localTrack('video') && app.media.videoMuted),
      screen: !!app.screenTrack,
      sends: sendingKinds(),
    };
  }

  function announceMediaState() {
    if (socketJoined) wsSend({ type: 'broadcast', data: { mediaState: mediaState() } });
  }

  function onBroadcast(from, data) {
    if (typeof from !== 'string' || !data || typeof data !== 'object') return;
    if ('mediaState' in data) onMediaState(from, data.mediaState);
    // other broadcast payloads: not used by this client
  }

  function onMediaState(from, st) {
    if (!st || typeof st !== 'object' || Array.isArray(st) || from === app.peerId) return;
    const clean = {
      audioMuted: st.audioMuted === true,
      videoMuted: st.videoMuted === true,
      screen: st.screen === true,
      sends: Array.isArray(st.sends) ? metaSends({ sends: st.sends }) : null,
    };
    if (app.remoteMedia.size > 1000 && !app.remoteMedia.has(from)) return; // bounded
    app.remoteMedia.set(from, clean);
    const s = app.peers.get(from);
    if (s) s.updateView();
  }

  // "sends" of a peer's join meta (elements and this client): array of "audio"/"video";
  // null when absent (an older peer: assume it sends audio and video).
  function metaSends(meta) {
    if (!meta || typeof meta !== 'object' || !Array.isArray(meta.sends)) return null;
    const out = [];
    for (const k of meta.sends.slice(0, 8)) if ((k === 'audio' || k === 'video') && !out.includes(k)) out.push(k);
    return out;
  }

  // A tile's placeholder: initial in a coloured disc, name, reason ("receive only", ...).
  function buildPlaceholder() {
    const el = document.createElement('div');
    el.className = 'placeholder';
    const avatar = document.createElement('div');
    avatar.className = 'avatar';
    const name = document.createElement('div');
    name.className = 'ph-name';
    const why = document.createElement('div');
    why.className = 'ph-why';
    el.append(avatar, name, why);
    return {
      el,
      set(label, reason, seed) {
        avatar.textContent = (Array.from(label.trim())[0] || '?').toUpperCase();
        let hue = 0;
        for (const c of utf8.encode(seed || label)) hue = (hue * 31 + c) % 360;
        avatar.style.background = 'hsl(' + hue + ' 45% 38%)';
        name.textContent = label;
        why.textContent = reason;
      },
    };
  }

  function setBadges(el, badges) {
    el.textContent = '';
    for (const [text, on] of Object.entries(badges)) {
      if (!on) continue;
      const b = document.createElement('span');
      b.className = 'badge badge-' + text.replace(/\s+/g, '-');
      b.textContent = text;
      el.appendChild(b);
    }
  }

  function renderStats(el, lines) {
    el.textContent = '';
    for (const l of lines) {
      const d = document.createElement('div');
      d.textContent = l;
      el.appendChild(d);
    }
  }

  function formatRate(kbps) {
    return kbps >= 1000 ? (kbps / 1000).toFixed(2) + ' Mb/s' : Math.round(kbps) + ' kb/s';
  }

  // Mute: the track stays on its sender, disabled (the others get silence / black
  // frames), so unmuting needs no renegotiation.
  function setMuted(kind, muted) {
    if (kind !== 'audio' && kind !== 'video') throw new Error('kind must be audio or video');
    if (kind === 'audio') app.media.audioMuted = !!muted; else app.media.videoMuted = !!muted;
    const t = localTrack(kind);
    if (t) t.enabled = !muted;
    updateLocalView();
    announceMediaState();
    return !!t;
  }

  function toggleMuted(kind) {
    return setMuted(kind, !isMuted(kind));
  }

  // Puts `track` on the video sender of every peer connection (replaceTrack; a peer
  // connection without a video sender gets one, which renegotiates).
  async function setOutgoingVideo(track) {
    const jobs = [];
    for (const s of app.peers.values()) {
      if (s.closed) continue;
      if (s.senders.video) {
        jobs.push(s.senders.video.replaceTrack(track).catch((e) =>
          reportError('media', 'replaceTrack for ' + peerLabel(s.id) + ' failed: ' + e.message)));
      } else if (track) {
        s.senders.video = s.pc.addTrack(track, app.localStream || new MediaStream());
        if (config.degradation) setDegradation(s.senders.video, config.degradation);
      }
    }
    await Promise.all(jobs);
  }

  async function startScreenShare() {
    if (app.screenTrack) return app.screenTrack;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) {
      reportError('media', 'screen sharing (getDisplayMedia) is not available in this browser');
      return null;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    } catch (e) {
      if (e.name !== 'NotAllowedError') reportError('media', 'screen sharing failed (' + e.name + ': ' + e.message + ')', { code: e.name });
      return null;
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return null;
    try { track.contentHint = 'detail'; } catch (e) { /* optional */ }
    app.screenTrack = track;
    // the browser's own "stop sharing" ends the track
    track.addEventListener('ended', () => { if (app.screenTrack === track) stopScreenShare(); });
    await setOutgoingVideo(track);
    updateLocalView();
    announceMediaState();
    return track;
  }

  async function stopScreenShare() {
    const track = app.screenTrack;
    if (!track) return;
    app.screenTrack = null;
    await setOutgoingVideo(localTrack('video')); // back to the camera (or nothing)
    track.stop();
    updateLocalView();
    announceMediaState();
  }

  async function refreshDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return [];
    let list = [];
    try { list = await navigator.mediaDevices.enumerateDevices(); } catch (e) { return app.devices; }
    app.devices = list.filter((d) => d.kind === 'videoinput' || d.kind === 'audioinput')
      .map((d) => ({ kind: d.kind, deviceId: d.deviceId, label: d.label, groupId: d.groupId }));
    fillDeviceSelect($('camera-select'), 'videoinput', 'camera');
    fillDeviceSelect($('mic-select'), 'audioinput', 'microphone');
    return app.devices;
  }

  function fillDeviceSelect(sel, kind, what) {
    const track = localTrack(kind === 'videoinput' ? 'video' : 'audio');
    const current = track ? track.getSettings().deviceId : '';
    sel.textContent = '';
    let n = 0;
    for (const d of app.devices) {
      if (d.kind !== kind || !d.deviceId) continue;
      const o = document.createElement('option');
      o.value = d.deviceId;
      o.textContent = d.label || (what + ' ' + (n + 1));
      sel.appendChild(o);
      n++;
    }
    if (current && Array.from(sel.options).some((o) => o.value === current)) sel.value = current;
    sel.disabled = !track || n === 0;
  }

  // Opens another camera/microphone and puts it on every sender (replaceTrack); the
  // mute state carries over. Returns the new track.
  async function switchDevice(kind, deviceId) {
    if (kind !== 'audio' && kind !== 'video') throw new Error('kind must be audio or video');
    const old = localTrack(kind);
    if (!old) throw new Error('no ' + kind + ' track to switch');
    if (old.getSettings().deviceId === deviceId && old.readyState === 'live') return old;
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(kind === 'video'
        ? { video: videoConstraints(deviceId) }
        : { audio: { deviceId: { exact: deviceId } } });
    } catch (e) {
      reportError('media', 'cannot open that ' + (kind === 'video' ? 'camera' : 'microphone') +
        ' (' + e.name + ': ' + e.message + ')', { code: e.name });
      fillDeviceSelect(kind === 'video' ? $('camera-select') : $('mic-select'),
        kind === 'video' ? 'videoinput' : 'audioinput', kind === 'video' ? 'camera' : 'microphone');
      return null;
    }
    const track = stream.getTracks()[0];
    track.enabled = !isMuted(kind);
    app.localStream.removeTrack(old);
    app.localStream.addTrack(track);
    if (kind === 'audio') {
      await Promise.all(Array.from(app.peers.values()).filter((s) => !s.closed && s.senders.audio)
        .map((s) => s.senders.audio.replaceTrack(track).catch((e) =>
          reportError('media', 'replaceTrack for ' + peerLabel(s.id) + ' failed: ' + e.message))));
    } else if (!app.screenTrack) {
      await setOutgoingVideo(track);
    }
    old.stop();
    $('local-video').srcObject = null;
    updateLocalView();
    await refreshDevices();
    return track;
  }

  function showStats(on) {
    document.body.classList.toggle('show-stats', !!on);
    $('stats-btn').setAttribute('aria-pressed', String(!!on));
  }

  // Local tile and control bar from the local media state.
  let localPlaceholder = null;
  function updateLocalView() {
    const tile = $('tile-local');
    if (!localPlaceholder) {
      localPlaceholder = buildPlaceholder();
      tile.insertBefore(localPlaceholder.el, $('local-stats')); // under the stats overlay
    }
    const audio = localAudioTrack();
    const camera = localTrack('video');
    const screen = app.screenTrack;
    const shown = screen || camera;
    const video = $('local-video');
    const want = shown ? new MediaStream([shown]) : null;
    if (!shown) {
      video.srcObject = null;
    } else if (!video.srcObject || video.srcObject.getVideoTracks()[0] !== shown) {
      video.srcObject = want;
    }
    let why = '';
    if (!audio && !shown) why = mediaTried ? 'receive only' : 'not joined';
    else if (!shown) why = 'audio only';
    else if (!screen && app.media.videoMuted) why = 'camera off';
    tile.dataset.video = why ? 'off' : 'on';
    tile.dataset.screen = String(!!screen);
    localPlaceholder.set(config.name || 'you', why, app.peerId || config.name || 'you');
    // what actually goes out, unmuted: "audio+video", "audio+screen", "audio", "nothing"
    const out = [];
    if (audio && !app.media.audioMuted) out.push('audio');
    if (screen) out.push('screen');
    else if (camera && !app.media.videoMuted) out.push('video');
    $('local-state').textContent = !audio && !shown ? (mediaTried ? 'receive only' : 'no media')
      : (out.length ? out.join('+') : 'all muted');
    setBadges($('local-badges'), {
      'mic off': audio && app.media.audioMuted,
      'camera off': camera && app.media.videoMuted && !screen,
      'screen': !!screen,
    });

    const mic = $('mic-btn');
    mic.disabled = !audio;
    mic.setAttribute('aria-pressed', String(!!audio && app.media.audioMuted));
    mic.textContent = audio && app.media.audioMuted ? 'Unmute mic' : 'Mute mic';
    const cam = $('cam-btn');
    cam.disabled = !camera;
    cam.setAttribute('aria-pressed', String(!!camera && app.media.videoMuted));
    cam.textContent = camera && app.media.videoMuted ? 'Start camera' : 'Stop camera';
    const sh = $('screen-btn');
    sh.disabled = !(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
    sh.setAttribute('aria-pressed', String(!!screen));
    sh.textContent = screen ? 'Stop sharing' : 'Share screen';
  }

  // Outgoing video of the local tile's stats overlay (summed over peer connections).
  let localStatsTimer = null;
  function startLocalStats() {
    if (localStatsTimer) return;
    let last = new Map();
    localStatsTimer = setInterval(async () => {
      if (!document.body.classList.contains('show-stats')) return; // only while shown
      const lines = [];
      const now = new Map();
      let kbps = 0;
      let head = '';
      for (const s of app.peers.values()) {
        if (s.closed || s.state !== 'connected') continue;
        let report;
        try { report = await s.pc.getStats(); } catch (e) { continue; }
        for (const r of report.values()) {
          if (r.type !== 'outbound-rtp') continue;
          const key = s.id + '/' + r.id;
          now.set(key, r);
          const prev = last.get(key);
          if (prev && r.timestamp > prev.timestamp) kbps += (r.bytesSent - prev.bytesSent) * 8 / (r.timestamp - prev.timestamp);
          if (r.kind === 'video' && r.frameWidth && !head) {
            const codec = r.codecId && report.get(r.codecId);
            head = r.frameWidth + 'x' + r.frameHeight + (r.framesPerSecond ? ' ' + Math.round(r.framesPerSecond) + 'fps' : '') +
              (codec ? ' ' + codec.mimeType.replace(/^video\//, '') : '');
          }
        }
      }
      last = now;
      if (head) lines.push(head);
      if (now.size) lines.push('sending ' + formatRate(kbps) + ' total');
      renderStats($('local-stats'), lines);
    }, 1000);
  }

  // Tiles as large as the grid allows: the column count that gives the largest 4:3
  // tiles for the number of participants and the grid's current size.
  function layoutGrid() {
    const grid = $('grid');
    const tiles = Array.from(grid.children).filter((t) => t.classList.contains('tile'));
    const n = Math.max(1, tiles.length);
    const W = grid.clientWidth;
    const H = grid.clientHeight;
    grid.dataset.count = String(tiles.length);
    if (!W || !H) return;
    const gap = parseFloat(getComputedStyle(grid).columnGap) || 0;
    let best = { cols: 1, rows: n, w: 0, h: 0 };
    for (let cols = 1; cols <= n; cols++) {
      const rows = Math.ceil(n / cols);
      let w = (W - gap * (cols - 1)) / cols;
      let h = (H - gap * (rows - 1)) / rows;
      if (w * 3 / 4 > h) w = h * 4 / 3; else h = w * 3 / 4;
      if (w > best.w) best = { cols, rows, w, h };
    }
    // two half-width tracks per column, each tile spanning two, so that an incomplete
    // last row can be centred
    const half = Math.max(1, Math.floor((best.w - gap) / 2));
    grid.style.gridTemplateColumns = 'repeat(' + (2 * best.cols) + ', ' + half + 'px)';
    grid.style.gridAutoRows = Math.floor(best.h) + 'px';
    const rem = tiles.length % best.cols;
    tiles.forEach((t, i) => {
      const firstOfLastRow = rem && i === tiles.length - rem;
      t.style.gridColumn = firstOfLastRow ? (best.cols - rem + 1) + ' / span 2' : 'span 2';
    });
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
    // media controls
    $('mic-btn').addEventListener('click', () => toggleMuted('audio'));
    $('cam-btn').addEventListener('click', () => toggleMuted('video'));
    $('screen-btn').addEventListener('click', () => (app.screenTrack ? stopScreenShare() : startScreenShare()));
    $('camera-select').addEventListener('change', (ev) => switchDevice('video', ev.target.value));
    $('mic-select').addEventListener('change', (ev) => switchDevice('audio', ev.target.value));
    $('stats-btn').addEventListener('click', () => showStats(!document.body.classList.contains('show-stats')));
    if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
      navigator.mediaDevices.addEventListener('devicechange', () => { if (app.localStream) refreshDevices(); });
    }
    showStats(config.stats);
    updateLocalView();
    startLocalStats();
    if (window.ResizeObserver) new ResizeObserver(() => layoutGrid()).observe($('grid'));
    window.addEventListener('resize', layoutGrid);
    layoutGrid();
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
