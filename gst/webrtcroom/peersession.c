/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* One remote peer: a webrtcbin and its negotiation (seed steps 4-13).
 *
 * Every state change happens on the host's signalling context. webrtcbin
 * calls back from its own threads (promises, on-ice-candidate, notify);
 * those callbacks only carry the peer id back to the context, where the
 * session is looked up again: a session closed in between is simply not
 * found. */

#include "peersession-private.h"
#include "mediawatch-private.h"

#include <string.h>

/* the elements' category, looked up by name: peersession.c also builds
 * without the bin (tests/peer) */
GST_DEBUG_CATEGORY_STATIC (peer_debug);
#define GST_CAT_DEFAULT peer_debug

G_DEFINE_QUARK (gst - webrtc - room - peer - error - quark,
    gst_webrtc_room_peer_error);

/* How long we wait for caps on every webrtcbin sink pad before creating
 * an offer or answer (TRAPS.md: offers/answers made before caps are
 * broken). */
#define CAPS_POLL_MS 10
#define CAPS_WAIT_MAX_ROUNDS 1000

/* STUN retransmissions of an ICE check before its pair fails */
#define ICE_MAX_RETRANSMISSIONS 2
/* Ta, the pacing of ICE checks: RFC 8445's floor instead of libnice's 20 ms */
#define ICE_PACING_MS 5
/* Remote candidates taken per connection, queued or applied: a browser
 * sends a few per network interface; beyond this they are dropped (one
 * warning), so a peer flooding candidates cannot grow our memory or
 * libnice's candidate lists (issue 11: 45 candidates of 64 KB a second
 * grew RSS by 2.6 MB/s) */
#define MAX_REMOTE_CANDIDATES 100
/* A peer's restart (or glare) offer replaces our webrtcbin: at most once
 * per this interval (our own restarts back off from 1 s) */
#define REMOTE_RESTART_MIN_INTERVAL_MS 500

/* One connection to the peer: a webrtcbin and its negotiation. A restart
 * or a glare replaces it; the session around it stays. */
typedef struct
{
  GstElement *webrtcbin;
  GstWebRTCDataChannel *channel;

  /* negotiation, touched on the host's signalling context only */
  gboolean making_offer;
  gboolean answering;
  gboolean remote_set;
  gboolean renegotiate;
  gboolean initial_done;
  gboolean offered_first;       /* we made the initial offer */
  gboolean force_offer;         /* the peer asked us to offer again */
  GPtrArray *requested_kinds;   /* new m-lines it asked for ("audio"...) */
  GPtrArray *pending_candidates;        /* GstWebRTCRoomSignalPayload* */
  guint remote_candidates;      /* taken for this connection (bounded) */
  gboolean candidates_dropped;  /* the bound was hit (warned once) */
  GSource *caps_wait;
  guint caps_wait_rounds;
  GstWebRTCPeerConnectionState connection_state;

  GstWebRTCRoomMediaWatch watch;
  gboolean restart_offer;       /* our next offer replaces a dead connection */

  /* An endpoint (WHIP/WHEP) tells its ICE servers with its answer: our
   * initial offer to it is sent before it is set, as webrtcbin gathers at
   * set-local-description, and set together with the answer */
  GstWebRTCSessionDescription *deferred_offer;
  GstWebRTCSessionDescription *deferred_answer;
} PeerConnection;

/* The peer: what lasts while it is in the room, across connections */
struct _GstWebRTCRoomPeerSession
{
  const GstWebRTCRoomPeerHost *host;
  gpointer host_data;
  GstBin *container;            /* not a ref: it outlives sessions */
  GstWebRTCRoomMediaMode mode;
  gchar *peer_id;
  gchar *name;
  GstWebRTCRoomPeerRole remote_role;    /* what the peer sends/receives */
  gboolean polite;
  gboolean closed;
  gboolean nack;
  gboolean fec;
  guint restarts;               /* times this peer's connection was replaced */
  gint64 remote_replace_us;     /* the connection replaced one on the
                                 * peer's offer (restart, glare), then */
  /* the host's media for this peer (send branches, receive pads) */
  gpointer media;
  GDestroyNotify media_free;

  PeerConnection conn;
};

/* Runs @func on the host's signalling context; @notify frees @data either
 * way (at once when the host has stopped). Any thread. */
static void
invoke (const GstWebRTCRoomPeerHost * host, gpointer host_data,
    GSourceFunc func, gpointer data, GDestroyNotify notify)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  /* not attached: unref frees @data */
  host->attach (host_data, source);
  g_source_unref (source);
}

/* A failure of this peer's negotiation (a warning for the host) */
static void
session_error (GstWebRTCRoomPeerSession * s, const gchar * text,
    const gchar * debug)
{
  g_autoptr (GError) error = g_error_new_literal (GST_WEBRTC_ROOM_PEER_ERROR,
      GST_WEBRTC_ROOM_PEER_ERROR_NEGOTIATION, text);

  s->host->error (s->host_data, s, error, debug);
}

static void
post_message (GstWebRTCRoomPeerSession * s, const gchar * what,
    const gchar * first_field, ...)
{
  GstStructure *fields = gst_structure_new (what, "peer-id", G_TYPE_STRING,
      s->peer_id, NULL);
  va_list args;

  va_start (args, first_field);
  if (first_field)
    gst_structure_set_valist (fields, first_field, args);
  va_end (args);
  s->host->post_message (s->host_data, fields);
}


typedef void (*SessionStep) (GstWebRTCRoomPeerSession * s,
    GstPromise * promise);

typedef struct
{
  const GstWebRTCRoomPeerHost *host;
  gpointer host_data;
  gchar *peer_id;
  GstElement *webrtcbin;        /* the one the step was started on */
  SessionStep step;
  GstPromise *promise;
} StepData;

static void
step_data_free (StepData * data)
{
  g_free (data->peer_id);
  gst_object_unref (data->webrtcbin);
  if (data->promise)
    gst_promise_unref (data->promise);
  g_free (data);
}

static gboolean
step_dispatch (gpointer user_data)
{
  StepData *data = user_data;
  GstWebRTCRoomPeerSession *s =
      data->host->lookup (data->host_data, data->peer_id);

  /* dropped when the peer left or its webrtcbin was replaced meanwhile */
  if (s && !s->closed && s->conn.webrtcbin == data->webrtcbin)
    data->step (s, data->promise);
  return G_SOURCE_REMOVE;
}

static StepData *
step_data_new (const GstWebRTCRoomPeerHost * host, gpointer host_data,
    const gchar * peer_id, GstElement * webrtcbin, SessionStep step)
{
  StepData *data = g_new0 (StepData, 1);

  data->host = host;
  data->host_data = host_data;
  data->peer_id = g_strdup (peer_id);
  data->webrtcbin = gst_object_ref (webrtcbin);
  data->step = step;
  return data;
}

/* The promise owns @user_data (freed with the promise, even when webrtcbin
 * never answers); the reply goes to the context in a copy. */
static void
on_promise_reply (GstPromise * promise, gpointer user_data)
{
  StepData *data = user_data;
  StepData *copy = step_data_new (data->host, data->host_data, data->peer_id,
      data->webrtcbin, data->step);

  copy->promise = gst_promise_ref (promise);
  invoke (copy->host, copy->host_data, step_dispatch, copy,
      (GDestroyNotify) step_data_free);
}

static GstPromise *
promise_for_step (GstWebRTCRoomPeerSession * s, SessionStep step)
{
  StepData *data = step_data_new (s->host, s->host_data, s->peer_id,
      s->conn.webrtcbin, step);

  return gst_promise_new_with_change_func (on_promise_reply, data,
      (GDestroyNotify) step_data_free);
}

/* Returns the reply, or NULL after reporting the promise's error. */
static const GstStructure *
promise_reply_checked (GstWebRTCRoomPeerSession * s, GstPromise * promise,
    const gchar * what)
{
  const GstStructure *reply;
  GError *error = NULL;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED) {
    session_error (s, what, "interrupted");
    return NULL;
  }
  reply = gst_promise_get_reply (promise);
  if (reply && gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL)) {
    g_autofree gchar *text = g_strdup_printf ("%s failed for peer %s: %s",
        what, s->peer_id, error->message);
    session_error (s, text, error->message);
    g_error_free (error);
    return NULL;
  }
  return reply ? reply : gst_structure_new_empty ("empty");
}

/* Sending */

static void
send_description (GstWebRTCRoomPeerSession * s,
    GstWebRTCSessionDescription * desc)
{
  g_autoptr (GstWebRTCRoomSignalPayload) payload = NULL;
  g_autoptr (JsonObject) data = NULL;
  g_autofree gchar *sdp = gst_sdp_message_as_text (desc->sdp);
  gboolean offer = desc->type == GST_WEBRTC_SDP_TYPE_OFFER;
  /* the peer replaces its side of the dead connection too */
  gboolean restart = offer && s->conn.restart_offer;

  GST_DEBUG_OBJECT (s->container, "sending %s to %s:\n%s",
      gst_webrtc_sdp_type_to_string (desc->type), s->peer_id, sdp);
  payload = gst_webrtc_room_signal_payload_new_description (offer ?
      GST_WEBRTC_ROOM_SDP_OFFER : GST_WEBRTC_ROOM_SDP_ANSWER, sdp, restart);
  if (restart) {
    s->conn.restart_offer = FALSE;
    s->conn.watch.restart_sent_us = g_get_monotonic_time ();
  }
  data = gst_webrtc_room_signal_payload_to_json (payload);
  s->host->send_signal (s->host_data, s->peer_id, data);
}

/* mid of m-line @mline in @webrtcbin's local description (TRAPS.md: aiortc
 * needs sdpMid). */
static gchar *
local_mid (GstElement * webrtcbin, guint mline)
{
  GstWebRTCSessionDescription *desc = NULL;
  gchar *mid = NULL;

  g_object_get (webrtcbin, "local-description", &desc, NULL);
  if (!desc)
    return NULL;
  if (mline < gst_sdp_message_medias_len (desc->sdp)) {
    const GstSDPMedia *media = gst_sdp_message_get_media (desc->sdp, mline);
    mid = g_strdup (gst_sdp_media_get_attribute_val (media, "mid"));
  }
  gst_webrtc_session_description_free (desc);
  return mid;
}

typedef struct
{
  const GstWebRTCRoomPeerHost *host;
  gpointer host_data;
  gchar *peer_id;
} PeerRef;

static void
peer_ref_free (gpointer data, GClosure * closure)
{
  PeerRef *ref = data;

  g_free (ref->peer_id);
  g_free (ref);
}

static PeerRef *
peer_ref_new (GstWebRTCRoomPeerSession * s)
{
  PeerRef *ref = g_new0 (PeerRef, 1);

  ref->host = s->host;
  ref->host_data = s->host_data;
  ref->peer_id = g_strdup (s->peer_id);
  return ref;
}

/* webrtcbin thread: the signaller's send is thread safe. */
static void
on_ice_candidate (GstElement * webrtcbin, guint mline, const gchar * candidate,
    PeerRef * ref)
{
  g_autofree gchar *mid = local_mid (webrtcbin, mline);
  g_autoptr (GstWebRTCRoomSignalPayload) payload =
      gst_webrtc_room_signal_payload_new_candidate (candidate, mid, mline);
  g_autoptr (JsonObject) data =
      gst_webrtc_room_signal_payload_to_json (payload);

  GST_DEBUG_OBJECT (webrtcbin, "local candidate for %s: %s", ref->peer_id,
      candidate);
  ref->host->send_signal (ref->host_data, ref->peer_id, data);
}

static void
on_gathering_state (GstElement * webrtcbin, GParamSpec * pspec, PeerRef * ref)
{
  GstWebRTCICEGatheringState state;

  g_object_get (webrtcbin, "ice-gathering-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) {
    /* webrtcbin 1.22 emits no end-of-candidates (TRAPS.md) */
    g_autoptr (GstWebRTCRoomSignalPayload) payload =
        gst_webrtc_room_signal_payload_new
        (GST_WEBRTC_ROOM_PAYLOAD_END_OF_CANDIDATES);
    g_autoptr (JsonObject) data =
        gst_webrtc_room_signal_payload_to_json (payload);

    ref->host->send_signal (ref->host_data, ref->peer_id, data);
  }
}

static gboolean
dispatch_state_changed (gpointer user_data)
{
  PeerRef *ref = user_data;
  GstWebRTCRoomPeerSession *s = ref->host->lookup (ref->host_data,
      ref->peer_id);
  GstWebRTCPeerConnectionState state;

  if (!s || s->closed)
    return G_SOURCE_REMOVE;
  g_object_get (s->conn.webrtcbin, "connection-state", &state, NULL);
  if (state != s->conn.connection_state) {
    s->conn.connection_state = state;
    s->host->state_changed (s->host_data, s);
  }
  return G_SOURCE_REMOVE;
}

static void
on_connection_state (GstElement * webrtcbin, GParamSpec * pspec, PeerRef * ref)
{
  PeerRef *copy = g_new0 (PeerRef, 1);

  copy->host = ref->host;
  copy->host_data = ref->host_data;
  copy->peer_id = g_strdup (ref->peer_id);
  invoke (ref->host, ref->host_data, dispatch_state_changed, copy,
      (GDestroyNotify) (void (*)(void)) peer_ref_free);
}

/* Data channel */

static void
on_channel_message (GstWebRTCDataChannel * channel, const gchar * text,
    PeerRef * ref)
{
  /* SCTP thread: the host emits its signal from here, without locks held */
  ref->host->data_received (ref->host_data, ref->peer_id, text);
}

static void
adopt_channel (GstWebRTCRoomPeerSession * s, GstWebRTCDataChannel * channel)
{
  if (s->conn.channel)
    return;
  s->conn.channel = g_object_ref (channel);
  g_signal_connect_data (channel, "on-message-string",
      G_CALLBACK (on_channel_message), peer_ref_new (s), peer_ref_free, 0);
}

static void
on_data_channel (GstElement * webrtcbin, GstWebRTCDataChannel * channel,
    GstWebRTCRoomPeerSession * s)
{
  /* announced by the remote; may already be open (TRAPS.md) */
  adopt_channel (s, channel);
}

gboolean
gst_webrtc_room_peer_session_send_text (GstWebRTCRoomPeerSession * s,
    const gchar * text)
{
  GstWebRTCDataChannelState state;
  g_autoptr (GError) error = NULL;

  if (!s->conn.channel)
    return FALSE;
  g_object_get (s->conn.channel, "ready-state", &state, NULL);
  if (state != GST_WEBRTC_DATA_CHANNEL_STATE_OPEN)
    return FALSE;
  return gst_webrtc_data_channel_send_string_full (s->conn.channel, text,
      &error);
}

/* Incoming media: pad-added runs in a streaming thread; the session is
 * safe to use because it is freed only after its webrtcbin went to NULL. */
static void
on_pad_added (GstElement * webrtcbin, GstPad * pad,
    GstWebRTCRoomPeerSession * s)
{
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC || s->closed)
    return;
  s->host->src_pad_added (s->host_data, s, pad);
}

static void
on_new_transceiver (GstElement * webrtcbin, GstWebRTCRTPTransceiver * trans,
    GstWebRTCRoomPeerSession * s)
{
  GstWebRTCKind kind = GST_WEBRTC_KIND_UNKNOWN;

  /* NACK/RTX (and FEC) on both sides for video, set before the answer is
   * made (TRAPS.md). Never for audio: Chromium rejects an audio m-line with
   * an RTX ssrc-group. Transceivers of unknown kind get it when
   * configured. */
  g_object_get (trans, "kind", &kind, NULL);
  if (kind == GST_WEBRTC_KIND_VIDEO)
    gst_webrtc_room_peer_session_configure_transceiver (s, trans, "video");
}

/* @media: "video" or "audio", the kind the transceiver carries */
void
gst_webrtc_room_peer_session_configure_transceiver (GstWebRTCRoomPeerSession *
    s, GstWebRTCRTPTransceiver * trans, const gchar * media)
{
  gboolean video = !g_strcmp0 (media, "video");

  g_object_set (trans, "do-nack", video && s->nack, NULL);
  if (video && s->fec)
    g_object_set (trans, "fec-type", GST_WEBRTC_FEC_TYPE_ULP_RED, NULL);
}

/* Media watchdog (mediawatch.c) */

/* webrtcbin's RTP elements are tuned, and its nicesrc watched, as they
 * come */
static void
on_deep_element_added (GstBin * webrtcbin, GstBin * sub_bin,
    GstElement * element, GstWebRTCRoomPeerSession * s)
{
  gst_webrtc_room_media_watch_element_added (&s->conn.watch, element);
}

/* Returns why the connection should be replaced, or NULL while it is
 * fine. Context thread. */
const gchar *
gst_webrtc_room_peer_session_check_media (GstWebRTCRoomPeerSession * s,
    guint timeout_ms, gint64 * silent_ms)
{
  *silent_ms = 0;
  if (s->closed || timeout_ms == 0)
    return NULL;
  /* a WHIP/WHEP session of the room server: the peer is its gateway */
  return gst_webrtc_room_media_watch_check (&s->conn.watch, s->restarts,
      s->remote_role.gateway_for[0] != '\0', timeout_ms, silent_ms);
}

/* webrtcbin construction */

static void
configure_ice (GstElement * webrtcbin, const GstWebRTCRoomIceConfig * config)
{
  GObject *ice = NULL;
  GObject *agent = NULL;
  guint i;

  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  if (!ice)
    return;
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent"))
    g_object_get (ice, "agent", &agent, NULL);
  if (agent) {
    /* UPnP sends SSDP multicast out of the host interface (TRAPS.md) */
    g_object_set (agent, "upnp", config->upnp, NULL);
    /* libnice's regular nomination waits for every pair to succeed or
     * fail; behind NATs the host pairs only fail when their checks run out
     * of retransmissions: 3 (libnice's default) kept a working srflx pair
     * waiting ~2 s, 2 connects it in ~0.8 s (tests/network, cone NATs) */
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (agent),
            "stun-max-retransmissions"))
      g_object_set (agent, "stun-max-retransmissions", ICE_MAX_RETRANSMISSIONS,
          NULL);
    /* libnice runs one step of the checks per Ta tick: unfreezing a new
     * pair, nominating the valid one (regular nomination) and sending its
     * USE-CANDIDATE check each waited a tick, ~60 ms of 20 ms ticks
     * between the answer and ICE connected on loopback */
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (agent),
            "stun-pacing-timer"))
      g_object_set (agent, "stun-pacing-timer", ICE_PACING_MS, NULL);
    g_object_unref (agent);
  }
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "ice-tcp"))
    g_object_set (ice, "ice-tcp", config->ice_tcp, NULL);
  /* libnice skips loopback; the user names the host addresses to use */
  for (i = 0; config->local_addresses && config->local_addresses[i]; i++) {
    gboolean ok = FALSE;
    g_signal_emit_by_name (ice, "add-local-ip-address",
        config->local_addresses[i], &ok);
    if (!ok)
      GST_WARNING ("could not add local address %s",
          config->local_addresses[i]);
  }
  g_object_unref (ice);
}

static gboolean
connection_open (GstWebRTCRoomPeerSession * s,
    const GstWebRTCRoomIceConfig * config)
{
  g_autofree gchar *element_name = g_strdup_printf ("webrtc-%s", s->peer_id);
  guint i;

  s->conn.pending_candidates = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_webrtc_room_signal_payload_free);
  s->conn.requested_kinds = g_ptr_array_new_with_free_func (g_free);
  s->conn.connection_state = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;
  gst_webrtc_room_media_watch_init (&s->conn.watch);

  s->conn.webrtcbin = gst_element_factory_make ("webrtcbin", element_name);
  if (!s->conn.webrtcbin)
    return FALSE;
  gst_object_ref_sink (s->conn.webrtcbin);
  g_object_set (s->conn.webrtcbin, "bundle-policy",
      GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency", config->latency,
      "ice-transport-policy", config->ice_transport_policy, NULL);
  GST_DEBUG_OBJECT (s->container,
      "peer %s: stun %s, %u turn server(s), policy %d", s->peer_id,
      GST_STR_NULL (config->stun_server),
      config->turn_servers ? g_strv_length (config->turn_servers) : 0,
      config->ice_transport_policy);
  if (config->stun_server)
    g_object_set (s->conn.webrtcbin, "stun-server", config->stun_server, NULL);
  for (i = 0; config->turn_servers && config->turn_servers[i]; i++) {
    gboolean ok = FALSE;
    g_signal_emit_by_name (s->conn.webrtcbin, "add-turn-server",
        config->turn_servers[i], &ok);
    if (!ok)
      GST_WARNING ("webrtcbin refused TURN server %s", config->turn_servers[i]);
  }
  configure_ice (s->conn.webrtcbin, config);

  g_signal_connect_data (s->conn.webrtcbin, "on-ice-candidate",
      G_CALLBACK (on_ice_candidate), peer_ref_new (s), peer_ref_free, 0);
  g_signal_connect_data (s->conn.webrtcbin, "notify::ice-gathering-state",
      G_CALLBACK (on_gathering_state), peer_ref_new (s), peer_ref_free, 0);
  g_signal_connect_data (s->conn.webrtcbin, "notify::connection-state",
      G_CALLBACK (on_connection_state), peer_ref_new (s), peer_ref_free, 0);
  g_signal_connect (s->conn.webrtcbin, "on-data-channel",
      G_CALLBACK (on_data_channel), s);
  g_signal_connect (s->conn.webrtcbin, "pad-added", G_CALLBACK (on_pad_added),
      s);
  g_signal_connect (s->conn.webrtcbin, "on-new-transceiver",
      G_CALLBACK (on_new_transceiver), s);
  g_signal_connect (s->conn.webrtcbin, "deep-element-added",
      G_CALLBACK (on_deep_element_added), s);

  gst_bin_add (s->container, s->conn.webrtcbin);
  gst_element_sync_state_with_parent (s->conn.webrtcbin);
  return TRUE;
}

/* ICE servers for the current connection (an endpoint's answer brought
 * them): used by its gathering if that has not started yet. */
void
gst_webrtc_room_peer_session_add_ice_servers (GstWebRTCRoomPeerSession * s,
    const gchar * stun_server, GStrv turn_servers)
{
  guint i;

  if (s->closed)
    return;
  if (!s->conn.deferred_offer) {
    GST_WARNING_OBJECT (s->container, "peer %s: ICE servers came after our "
        "ICE gathering started: not used", s->peer_id);
    return;
  }
  if (stun_server) {
    GST_INFO_OBJECT (s->container, "peer %s: STUN server %s", s->peer_id,
        stun_server);
    g_object_set (s->conn.webrtcbin, "stun-server", stun_server, NULL);
  }
  for (i = 0; turn_servers && turn_servers[i]; i++) {
    gboolean ok = FALSE;

    g_signal_emit_by_name (s->conn.webrtcbin, "add-turn-server",
        turn_servers[i], &ok);
    if (ok)
      GST_INFO_OBJECT (s->container, "peer %s: a TURN server added",
          s->peer_id);
    else
      GST_WARNING_OBJECT (s->container, "peer %s: webrtcbin refused a TURN "
          "server", s->peer_id);
  }
}

/* Stops the connection's webrtcbin and takes it out of the container */
static void
connection_stop (GstWebRTCRoomPeerSession * s)
{
  if (s->conn.caps_wait) {
    g_source_destroy (s->conn.caps_wait);
    g_clear_pointer (&s->conn.caps_wait, g_source_unref);
  }
  if (s->conn.channel) {
    g_signal_handlers_disconnect_matched (s->conn.channel,
        G_SIGNAL_MATCH_FUNC, 0, 0, NULL, on_channel_message, NULL);
  }
  g_signal_handlers_disconnect_matched (s->conn.webrtcbin, G_SIGNAL_MATCH_DATA,
      0, 0, NULL, NULL, s);
  /* stops the webrtcbin too */
  s->host->detach_send (s->host_data, s);
  gst_bin_remove (s->container, s->conn.webrtcbin);
  s->host->detach_recv (s->host_data, s);
}

static void
connection_clear (GstWebRTCRoomPeerSession * s)
{
  PeerConnection *c = &s->conn;

  g_clear_object (&c->channel);
  g_clear_pointer (&c->pending_candidates, g_ptr_array_unref);
  g_clear_pointer (&c->requested_kinds, g_ptr_array_unref);
  if (c->caps_wait) {
    g_source_destroy (c->caps_wait);
    g_source_unref (c->caps_wait);
  }
  g_clear_pointer (&c->deferred_offer, gst_webrtc_session_description_free);
  g_clear_pointer (&c->deferred_answer, gst_webrtc_session_description_free);
  gst_clear_object (&c->webrtcbin);
  memset (c, 0, sizeof (*c));
}

GstWebRTCRoomPeerSession *
gst_webrtc_room_peer_session_new (const GstWebRTCRoomPeerHost * host,
    gpointer host_data, const GstWebRTCRoomPeerConfig * peer_config,
    const gchar * peer_id, const gchar * name)
{
  static gsize debug_init = 0;
  GstWebRTCRoomPeerSession *s;
  const gchar *own_id = peer_config->own_id;

  if (g_once_init_enter (&debug_init)) {
    GST_DEBUG_CATEGORY_INIT (peer_debug, "webrtcroom", 0,
        "WebRTC room elements");
    g_once_init_leave (&debug_init, 1);
  }
  s = g_new0 (GstWebRTCRoomPeerSession, 1);

  s->host = host;
  s->host_data = host_data;
  s->container = peer_config->container;
  s->mode = peer_config->mode;
  s->remote_role = peer_config->remote_role;
  s->media = peer_config->media;
  s->media_free = peer_config->media_free;
  s->peer_id = g_strdup (peer_id);
  s->name = g_strdup (name);
  /* protocol.md: the peer whose id sorts lower (byte order) is polite */
  s->polite = own_id && strcmp (own_id, peer_id) < 0;
  s->nack = peer_config->ice.nack;
  s->fec = peer_config->ice.fec;
  if (!connection_open (s, &peer_config->ice)) {
    gst_webrtc_room_peer_session_free (s);
    return NULL;
  }
  return s;
}

/* A fresh connection to the same peer (restart, glare): webrtcbin 1.22
 * has neither ICE restart nor rollback. The peer, its src pads and its
 * restart count stay. FALSE when no webrtcbin could be made: @s is
 * closed (the host reported why). */
gboolean
gst_webrtc_room_peer_session_replace_connection (GstWebRTCRoomPeerSession * s)
{
  GstWebRTCRoomIceConfig config = { 0, };
  gpointer token;
  gboolean ok;

  if (s->closed)
    return FALSE;
  token = s->host->replace_begin (s->host_data, s);
  /* set again by a replacement the peer's offer asks for */
  s->remote_replace_us = 0;
  connection_stop (s);
  connection_clear (s);
  s->host->ice_config (s->host_data, &config);
  ok = connection_open (s, &config);
  gst_webrtc_room_ice_config_clear (&config);
  if (!ok) {
    s->closed = TRUE;
    connection_clear (s);
  }
  s->host->replace_end (s->host_data, s, token, ok);
  return ok;
}

void
gst_webrtc_room_ice_config_clear (GstWebRTCRoomIceConfig * config)
{
  g_free (config->stun_server);
  g_strfreev (config->turn_servers);
  g_strfreev (config->local_addresses);
}

/* Waiting for caps on every sink pad before an offer or answer. */

static gboolean
all_sink_pads_have_caps (GstElement * element)
{
  gboolean ready = TRUE;
  GList *l;

  GST_OBJECT_LOCK (element);
  for (l = element->sinkpads; l; l = l->next) {
    if (!gst_pad_has_current_caps (GST_PAD (l->data)))
      ready = FALSE;
  }
  GST_OBJECT_UNLOCK (element);
  return ready;
}

/* Every send input knows its codec once its first caps arrived (raw or
 * already encoded); only then can a branch pick its payloader. */
static gboolean
all_inputs_built (GstWebRTCRoomPeerSession * s)
{
  if (s->mode == GST_WEBRTC_ROOM_MEDIA_RECVONLY)
    return TRUE;
  return s->host->inputs_ready (s->host_data);
}

static gboolean
sink_caps_ready (GstWebRTCRoomPeerSession * s)
{
  return all_sink_pads_have_caps (s->conn.webrtcbin);
}

typedef struct
{
  const GstWebRTCRoomPeerHost *host;
  gpointer host_data;
  gchar *peer_id;
  GstElement *webrtcbin;
    gboolean (*ready) (GstWebRTCRoomPeerSession * s);
  void (*next) (GstWebRTCRoomPeerSession * s);
} CapsWait;

static void
caps_wait_free (CapsWait * wait)
{
  g_free (wait->peer_id);
  gst_object_unref (wait->webrtcbin);
  g_free (wait);
}

static gboolean
caps_wait_poll (gpointer user_data)
{
  CapsWait *wait = user_data;
  GstWebRTCRoomPeerSession *s = wait->host->lookup (wait->host_data,
      wait->peer_id);

  if (!s || s->closed || s->conn.webrtcbin != wait->webrtcbin)
    return G_SOURCE_REMOVE;
  if (!wait->ready (s)) {
    if (++s->conn.caps_wait_rounds < CAPS_WAIT_MAX_ROUNDS)
      return G_SOURCE_CONTINUE;
    session_error (s,
        "No media reached the peer connection: a send branch never "
        "produced caps (is the upstream source running?)", NULL);
  } else {
    /* our reference: GLib keeps its own while this runs */
    g_clear_pointer (&s->conn.caps_wait, g_source_unref);
    wait->next (s);
    return G_SOURCE_REMOVE;
  }
  g_clear_pointer (&s->conn.caps_wait, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* Something the session may be waiting for happened: look now rather than
 * at the next poll (context thread). */
void
gst_webrtc_room_peer_session_recheck (GstWebRTCRoomPeerSession * s)
{
  if (s->conn.caps_wait)
    g_source_set_ready_time (s->conn.caps_wait, 0);
}

static void
when_ready (GstWebRTCRoomPeerSession * s,
    gboolean (*ready) (GstWebRTCRoomPeerSession * s),
    void (*next) (GstWebRTCRoomPeerSession * s))
{
  CapsWait *wait;

  if (ready (s)) {
    next (s);
    return;
  }
  wait = g_new0 (CapsWait, 1);
  wait->host = s->host;
  wait->host_data = s->host_data;
  wait->peer_id = g_strdup (s->peer_id);
  wait->webrtcbin = gst_object_ref (s->conn.webrtcbin);
  wait->ready = ready;
  wait->next = next;
  s->conn.caps_wait_rounds = 0;
  if (s->conn.caps_wait) {
    g_source_destroy (s->conn.caps_wait);
    g_source_unref (s->conn.caps_wait);
  }
  s->conn.caps_wait = g_timeout_source_new (CAPS_POLL_MS);
  g_source_set_callback (s->conn.caps_wait, caps_wait_poll, wait,
      (GDestroyNotify) caps_wait_free);
  s->host->attach (s->host_data, s->conn.caps_wait);
}

/* Offer (we are the caller of the seed's flow) */

static void
on_local_description_set (GstWebRTCRoomPeerSession * s, GstPromise * promise)
{
  GstWebRTCSessionDescription *desc = NULL;

  if (!promise_reply_checked (s, promise, "Setting the local description"))
    return;
  g_object_get (s->conn.webrtcbin, "local-description", &desc, NULL);
  if (desc) {
    send_description (s, desc);
    gst_webrtc_session_description_free (desc);
  }
  /* an answer is applied: back to stable, a pending track change can be
   * offered now */
  if (s->conn.renegotiate && !s->conn.making_offer && !s->conn.answering)
    gst_webrtc_room_peer_session_negotiate (s);
}

static void
set_local_and_send (GstWebRTCRoomPeerSession * s,
    GstWebRTCSessionDescription * desc)
{
  GstPromise *promise = promise_for_step (s, on_local_description_set);

  g_signal_emit_by_name (s->conn.webrtcbin, "set-local-description", desc,
      promise);
  gst_promise_unref (promise);
}

static void
on_offer_created (GstWebRTCRoomPeerSession * s, GstPromise * promise)
{
  const GstStructure *reply;
  GstWebRTCSessionDescription *offer = NULL;

  reply = promise_reply_checked (s, promise, "Creating an offer");
  if (!reply) {
    s->conn.making_offer = FALSE;
    return;
  }
  gst_structure_get (reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
      &offer, NULL);
  if (!offer) {
    s->conn.making_offer = FALSE;
    return;
  }
  if (!s->conn.initial_done && s->remote_role.gateway
      && !s->remote_role.gateway_for[0]) {
    GST_INFO_OBJECT (s->container, "offer to endpoint %s sent before it is "
        "set: its answer may bring ICE servers", s->peer_id);
    s->conn.deferred_offer = offer;
    send_description (s, offer);
    return;
  }
  set_local_and_send (s, offer);
  gst_webrtc_session_description_free (offer);
}

static void
when_caps_ready (GstWebRTCRoomPeerSession * s,
    void (*next) (GstWebRTCRoomPeerSession * s))
{
  when_ready (s, sink_caps_ready, next);
}

static void
create_offer (GstWebRTCRoomPeerSession * s)
{
  GstPromise *promise = promise_for_step (s, on_offer_created);

  GST_INFO_OBJECT (s->container, "creating offer for peer %s", s->peer_id);
  g_signal_emit_by_name (s->conn.webrtcbin, "create-offer", NULL, promise);
  gst_promise_unref (promise);
}

static GstWebRTCSignalingState
signaling_state (GstWebRTCRoomPeerSession * s)
{
  GstWebRTCSignalingState state;

  g_object_get (s->conn.webrtcbin, "signaling-state", &state, NULL);
  return state;
}

static void
prepare_offer (GstWebRTCRoomPeerSession * s)
{
  g_autoptr (GError) error = NULL;
  guint n_added = 0;

  if (!s->host->attach_send (s->host_data, s, NULL, &n_added, &error)) {
    s->host->error (s->host_data, s, error, NULL);
    s->conn.making_offer = FALSE;
    return;
  }
  if (s->conn.initial_done && n_added == 0 && !s->conn.force_offer) {
    /* nothing new to offer (the track went into an answer meanwhile) */
    s->conn.making_offer = FALSE;
    return;
  }
  s->conn.force_offer = FALSE;
  for (guint i = 0; i < s->conn.requested_kinds->len; i++)
    s->host->add_receive (s->host_data, s, s->conn.requested_kinds->pdata[i]);
  g_ptr_array_set_size (s->conn.requested_kinds, 0);
  if (!s->conn.initial_done) {
    s->conn.offered_first = TRUE;
    s->host->add_receive (s->host_data, s, NULL);
    /* WHIP and WHEP carry media only: an SCTP association there failed
     * when the endpoint went away first (sctpenc error at stop) */
    if (!s->conn.channel && !s->remote_role.gateway) {
      GstWebRTCDataChannel *channel = NULL;
      g_signal_emit_by_name (s->conn.webrtcbin, "create-data-channel", "chat",
          NULL, &channel);
      if (channel) {
        adopt_channel (s, channel);
        g_object_unref (channel);
      }
    }
  }
  when_caps_ready (s, create_offer);
}

void
gst_webrtc_room_peer_session_negotiate (GstWebRTCRoomPeerSession * s)
{
  if (s->closed)
    return;
  if (s->conn.making_offer || s->conn.answering
      || signaling_state (s) != GST_WEBRTC_SIGNALING_STATE_STABLE) {
    s->conn.renegotiate = TRUE;
    return;
  }
  s->conn.renegotiate = FALSE;
  if (s->conn.initial_done && !s->conn.offered_first) {
    /* webrtcbin 1.22 cannot re-offer from the answering side once a data
     * channel m-line exists ("m=lines removed from the SDP"): ask the peer
     * that made the first offer to offer again (an extension key of
     * protocol.md; peers that ignore it keep the current media) */
    g_autoptr (GstWebRTCRoomSignalPayload) payload =
        gst_webrtc_room_signal_payload_new
        (GST_WEBRTC_ROOM_PAYLOAD_RENEGOTIATE);
    g_autoptr (JsonObject) data = NULL;

    /* the kinds of our new tracks: each needs a fresh m-line */
    payload->media = s->host->new_track_kinds (s->host_data, s);
    data = gst_webrtc_room_signal_payload_to_json (payload);
    s->host->send_signal (s->host_data, s->peer_id, data);
    return;
  }
  s->conn.making_offer = TRUE;
  when_ready (s, all_inputs_built, prepare_offer);
}

/* Answer (we are the callee) */

static void
on_answer_created (GstWebRTCRoomPeerSession * s, GstPromise * promise)
{
  const GstStructure *reply;
  GstWebRTCSessionDescription *answer = NULL;

  s->conn.answering = FALSE;
  reply = promise_reply_checked (s, promise, "Creating an answer");
  if (!reply)
    return;
  gst_structure_get (reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
      &answer, NULL);
  if (!answer)
    return;
  set_local_and_send (s, answer);
  gst_webrtc_session_description_free (answer);
  s->conn.initial_done = TRUE;
}

static void
create_answer (GstWebRTCRoomPeerSession * s)
{
  GstPromise *promise = promise_for_step (s, on_answer_created);

  GST_INFO_OBJECT (s->container, "creating answer for peer %s", s->peer_id);
  g_signal_emit_by_name (s->conn.webrtcbin, "create-answer", NULL, promise);
  gst_promise_unref (promise);
}

/* mline of @cand in the remote description, -1 when it names none */
static gint
candidate_mline (GstWebRTCRoomPeerSession * s,
    const GstWebRTCRoomSignalPayload * cand)
{
  GstWebRTCSessionDescription *desc = NULL;
  gint mline = -1;
  guint i, n;

  g_object_get (s->conn.webrtcbin, "remote-description", &desc, NULL);
  if (!desc)
    return -1;
  n = gst_sdp_message_medias_len (desc->sdp);
  if (cand->sdp_mline_index >= 0) {
    /* webrtcbin asserts nothing on an index past its m-lines, but
     * libnice would get a stream that does not exist */
    if ((guint) cand->sdp_mline_index < n)
      mline = cand->sdp_mline_index;
  } else {
    for (i = 0; i < n && mline < 0; i++) {
      if (!g_strcmp0 (cand->sdp_mid,
              gst_sdp_media_get_attribute_val (gst_sdp_message_get_media
                  (desc->sdp, i), "mid")))
        mline = i;
    }
  }
  gst_webrtc_session_description_free (desc);
  return mline;
}

static void
add_candidate (GstWebRTCRoomPeerSession * s,
    const GstWebRTCRoomSignalPayload * cand)
{
  gint mline = candidate_mline (s, cand);

  if (mline < 0) {
    GST_WARNING_OBJECT (s->container,
        "candidate from %s without a usable m-line "
        "(sdpMid %s, sdpMLineIndex %d): ignored", s->peer_id,
        GST_STR_NULL (cand->sdp_mid), cand->sdp_mline_index);
    return;
  }
  GST_DEBUG_OBJECT (s->container, "remote candidate from %s: %s",
      s->peer_id, cand->candidate);
  g_signal_emit_by_name (s->conn.webrtcbin, "add-ice-candidate", (guint) mline,
      cand->candidate);
}

static void
flush_candidates (GstWebRTCRoomPeerSession * s)
{
  guint i;

  for (i = 0; i < s->conn.pending_candidates->len; i++)
    add_candidate (s, s->conn.pending_candidates->pdata[i]);
  g_ptr_array_set_size (s->conn.pending_candidates, 0);
}

static void
take_candidate (GstWebRTCRoomPeerSession * s,
    const GstWebRTCRoomSignalPayload * cand)
{
  if (s->conn.remote_candidates >= MAX_REMOTE_CANDIDATES) {
    if (!s->conn.candidates_dropped) {
      g_autofree gchar *reason = g_strdup_printf ("more than %u candidates "
          "for one connection: dropping the rest", MAX_REMOTE_CANDIDATES);

      GST_WARNING_OBJECT (s->container, "peer %s sent %s", s->peer_id, reason);
      post_message (s, "webrtcroom-peer-bad-signal", "reason", G_TYPE_STRING,
          reason, NULL);
    }
    s->conn.candidates_dropped = TRUE;
    return;
  }
  s->conn.remote_candidates++;
  /* candidates before the remote description are queued, not dropped */
  if (s->conn.remote_set)
    add_candidate (s, cand);
  else
    g_ptr_array_add (s->conn.pending_candidates,
        gst_webrtc_room_signal_payload_copy (cand));
}

static void
prepare_answer (GstWebRTCRoomPeerSession * s)
{
  GstWebRTCSessionDescription *desc = NULL;
  g_autoptr (GError) error = NULL;

  /* TRAPS.md: build the send branches with the offer's payload types
   * before the answer, or webrtcbin answers recvonly. */
  g_object_get (s->conn.webrtcbin, "remote-description", &desc, NULL);
  if (!s->host->attach_send (s->host_data, s, desc->sdp, NULL, &error))
    s->host->error (s->host_data, s, error, NULL);
  s->host->configure_answer (s->host_data, s, desc->sdp);
  gst_webrtc_session_description_free (desc);
  when_caps_ready (s, create_answer);
}

static void
on_remote_offer_set (GstWebRTCRoomPeerSession * s, GstPromise * promise)
{
  if (!promise_reply_checked (s, promise, "Applying the remote offer")) {
    s->conn.answering = FALSE;
    return;
  }
  s->conn.remote_set = TRUE;
  flush_candidates (s);
  when_ready (s, all_inputs_built, prepare_answer);
}

static void on_remote_answer_set (GstWebRTCRoomPeerSession * s,
    GstPromise * promise);

/* Our deferred offer is set (ICE gathering starts, with the servers the
 * answer brought): the answer now */
static void
on_deferred_offer_set (GstWebRTCRoomPeerSession * s, GstPromise * promise)
{
  GstWebRTCSessionDescription *answer = g_steal_pointer
      (&s->conn.deferred_answer);

  if (!promise_reply_checked (s, promise, "Setting the local description")) {
    s->conn.making_offer = FALSE;
    gst_webrtc_session_description_free (answer);
    return;
  }
  promise = promise_for_step (s, on_remote_answer_set);
  g_signal_emit_by_name (s->conn.webrtcbin, "set-remote-description", answer,
      promise);
  gst_promise_unref (promise);
  gst_webrtc_session_description_free (answer);
}

static void
on_remote_answer_set (GstWebRTCRoomPeerSession * s, GstPromise * promise)
{
  s->conn.making_offer = FALSE;
  s->conn.watch.restart_sent_us = 0;
  if (!promise_reply_checked (s, promise, "Applying the remote answer"))
    return;
  s->conn.remote_set = TRUE;
  s->conn.initial_done = TRUE;
  flush_candidates (s);
  if (s->conn.renegotiate)
    gst_webrtc_room_peer_session_negotiate (s);
}


/* The peer's offers (restart, glare) replace our webrtcbin: at most once
 * per REMOTE_RESTART_MIN_INTERVAL_MS, so offers in a loop cannot make us
 * churn webrtcbins and their threads. TRUE when this one must be
 * ignored. */
static gboolean
remote_replace_too_soon (GstWebRTCRoomPeerSession * s, const gchar * why)
{
  gint64 since_ms = (g_get_monotonic_time () - s->remote_replace_us) /
      G_TIME_SPAN_MILLISECOND;

  if (!s->remote_replace_us || since_ms >= REMOTE_RESTART_MIN_INTERVAL_MS)
    return FALSE;
  GST_WARNING_OBJECT (s->container,
      "peer %s: offer (%s) %" G_GINT64_FORMAT " ms "
      "after the last one that replaced our connection: ignored", s->peer_id,
      why, since_ms);
  post_message (s, "webrtcroom-peer-bad-signal", "reason", G_TYPE_STRING,
      "offers replacing the connection too often", NULL);
  return TRUE;
}

static gboolean
replace_for_remote_offer (GstWebRTCRoomPeerSession * s)
{
  if (!gst_webrtc_room_peer_session_replace_connection (s))
    return FALSE;
  s->remote_replace_us = g_get_monotonic_time ();
  return TRUE;
}

static void
handle_description (GstWebRTCRoomPeerSession * s,
    const GstWebRTCRoomSignalPayload * payload)
{
  gboolean restart = payload->restart;
  GstSDPMessage *sdp = NULL;
  GstWebRTCSessionDescription *desc;
  GstPromise *promise;
  gboolean is_offer = payload->sdp_type == GST_WEBRTC_ROOM_SDP_OFFER;

  /* type, size and m-line count were checked by the payload codec */
  if (gst_sdp_message_new_from_text (payload->sdp, &sdp) != GST_SDP_OK) {
    session_error (s, "The remote peer sent an SDP that cannot be parsed",
        s->peer_id);
    if (sdp)
      gst_sdp_message_free (sdp);
    return;
  }
  if (gst_sdp_message_medias_len (sdp) > GST_WEBRTC_ROOM_MAX_MLINES) {
    GST_WARNING_OBJECT (s->container, "peer %s sent an SDP with %u m-lines (at "
        "most %u): ignored", s->peer_id, gst_sdp_message_medias_len (sdp),
        GST_WEBRTC_ROOM_MAX_MLINES);
    gst_sdp_message_free (sdp);
    return;
  }

  if (is_offer && restart && (s->conn.initial_done || s->conn.remote_set)) {
    if (remote_replace_too_soon (s, "restart")) {
      gst_sdp_message_free (sdp);
      return;
    }
    /* the peer found our connection dead and made a new one */
    post_message (s, "webrtcroom-peer-reconnecting", "reason", G_TYPE_STRING,
        "remote-restart", "attempt", G_TYPE_UINT, s->restarts + 1, NULL);
    if (!replace_for_remote_offer (s)) {
      gst_sdp_message_free (sdp);
      return;
    }
  }
  if (is_offer) {
    gboolean collision = s->conn.making_offer || s->conn.answering
        || signaling_state (s) != GST_WEBRTC_SIGNALING_STATE_STABLE;
    /* a restart offer of ours that got no answer was lost: the peer's new
     * one wins even against the impolite side */
    gboolean yield = s->polite || (restart
        && gst_webrtc_room_media_watch_restart_lost (&s->conn.watch,
            s->restarts));

    if (collision && !yield) {
      GST_INFO_OBJECT (s->container,
          "glare with %s: impolite, ignoring its offer", s->peer_id);
      gst_sdp_message_free (sdp);
      return;
    }
    /* Glare, yielding side: webrtcbin 1.22 has no rollback, so our pending
     * offer is dropped by replacing the webrtcbin before answering. */
    if (collision) {
      /* a real glare (we are offering too) always yields; offers piling
       * up while we answer are the peer's doing, and limited */
      if (!s->conn.making_offer && remote_replace_too_soon (s, "offer while we "
              "answer")) {
        gst_sdp_message_free (sdp);
        return;
      }
      GST_INFO_OBJECT (s->container, "glare with %s: %s, dropping our offer",
          s->peer_id, s->polite ? "polite" : "our restart offer was lost");
      if (!replace_for_remote_offer (s)) {
        gst_sdp_message_free (sdp);
        return;
      }
    }
    s->conn.answering = TRUE;
    s->conn.remote_set = FALSE;
    promise = promise_for_step (s, on_remote_offer_set);
  } else {
    if (!s->conn.making_offer) {
      GST_WARNING_OBJECT (s->container, "unexpected answer from %s",
          s->peer_id);
      gst_sdp_message_free (sdp);
      return;
    }
    if (s->conn.deferred_offer) {
      /* our offer first: its gathering uses the ICE servers set meanwhile */
      g_clear_pointer (&s->conn.deferred_answer,
          gst_webrtc_session_description_free);
      s->conn.deferred_answer =
          gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
      promise = promise_for_step (s, on_deferred_offer_set);
      g_signal_emit_by_name (s->conn.webrtcbin, "set-local-description",
          s->conn.deferred_offer, promise);
      gst_promise_unref (promise);
      g_clear_pointer (&s->conn.deferred_offer,
          gst_webrtc_session_description_free);
      return;
    }
    promise = promise_for_step (s, on_remote_answer_set);
  }
  desc = gst_webrtc_session_description_new (is_offer ?
      GST_WEBRTC_SDP_TYPE_OFFER : GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
  g_signal_emit_by_name (s->conn.webrtcbin, "set-remote-description", desc,
      promise);
  gst_promise_unref (promise);
  gst_webrtc_session_description_free (desc);
}

void
gst_webrtc_room_peer_session_handle_payload (GstWebRTCRoomPeerSession * s,
    const GstWebRTCRoomSignalPayload * payload)
{
  if (s->closed)
    return;
  switch (payload->type) {
    case GST_WEBRTC_ROOM_PAYLOAD_DESCRIPTION:
      handle_description (s, payload);
      break;
    case GST_WEBRTC_ROOM_PAYLOAD_RENEGOTIATE:{
      guint i;

      s->conn.force_offer = TRUE;
      for (i = 0; payload->media && payload->media[i]; i++) {
        /* one new m-line per kind asked, never more than an SDP may hold */
        if (s->conn.requested_kinds->len < GST_WEBRTC_ROOM_MAX_MLINES)
          g_ptr_array_add (s->conn.requested_kinds,
              g_strdup (payload->media[i]));
      }
      gst_webrtc_room_peer_session_negotiate (s);
      break;
    }
    case GST_WEBRTC_ROOM_PAYLOAD_CANDIDATE:
      take_candidate (s, payload);
      break;
    case GST_WEBRTC_ROOM_PAYLOAD_END_OF_CANDIDATES:
    case GST_WEBRTC_ROOM_PAYLOAD_OTHER:
      /* end of candidates and unknown keys: nothing to do */
      break;
  }
}

gpointer
gst_webrtc_room_peer_session_get_host_data (GstWebRTCRoomPeerSession * s)
{
  return s->host_data;
}

void
gst_webrtc_room_peer_session_close (GstWebRTCRoomPeerSession * s)
{
  if (s->closed)
    return;
  s->closed = TRUE;
  connection_stop (s);
}

void
gst_webrtc_room_peer_session_free (GstWebRTCRoomPeerSession * s)
{
  if (!s)
    return;
  if (s->conn.webrtcbin && !s->closed && GST_OBJECT_PARENT (s->conn.webrtcbin))
    gst_webrtc_room_peer_session_close (s);
  connection_clear (s);
  if (s->media_free)
    s->media_free (s->media);
  g_free (s->peer_id);
  g_free (s->name);
  g_free (s);
}

/* Accessors */

const gchar *
gst_webrtc_room_peer_session_get_peer_id (GstWebRTCRoomPeerSession * s)
{
  return s->peer_id;
}

GstElement *
gst_webrtc_room_peer_session_get_webrtcbin (GstWebRTCRoomPeerSession * s)
{
  return s->conn.webrtcbin;
}

GstWebRTCDataChannel *
gst_webrtc_room_peer_session_dup_channel (GstWebRTCRoomPeerSession * s)
{
  return s->conn.channel ? g_object_ref (s->conn.channel) : NULL;
}

GstWebRTCPeerConnectionState
gst_webrtc_room_peer_session_get_connection_state (GstWebRTCRoomPeerSession * s)
{
  return s->conn.connection_state;
}

const GstWebRTCRoomPeerRole *
gst_webrtc_room_peer_session_get_remote_role (GstWebRTCRoomPeerSession * s)
{
  return &s->remote_role;
}

guint
gst_webrtc_room_peer_session_get_restarts (GstWebRTCRoomPeerSession * s)
{
  return s->restarts;
}

void
gst_webrtc_room_peer_session_set_restarts (GstWebRTCRoomPeerSession * s,
    guint restarts)
{
  s->restarts = restarts;
}

gpointer
gst_webrtc_room_peer_session_get_media (GstWebRTCRoomPeerSession * s)
{
  return s->media;
}

gboolean
gst_webrtc_room_peer_session_awaits_first_offer (GstWebRTCRoomPeerSession * s)
{
  return !s->conn.initial_done && !s->conn.making_offer && !s->conn.answering;
}

void
gst_webrtc_room_peer_session_negotiate_forced (GstWebRTCRoomPeerSession * s)
{
  s->conn.force_offer = TRUE;
  gst_webrtc_room_peer_session_negotiate (s);
}

void
gst_webrtc_room_peer_session_negotiate_restart (GstWebRTCRoomPeerSession * s)
{
  s->conn.restart_offer = TRUE;
  gst_webrtc_room_peer_session_negotiate (s);
}

void
gst_webrtc_room_peer_session_renegotiate_later (GstWebRTCRoomPeerSession * s)
{
  s->conn.renegotiate = TRUE;
}
