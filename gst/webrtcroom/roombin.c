/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:gstwebrtcroombasebin
 * @title: GstWebRTCRoomBaseBin
 * @short_description: base class of the room elements
 *
 * Joins a room of the room server (protocol v1) and keeps one webrtcbin
 * per remote peer. Who offers follows protocol.md: a newcomer offers to the
 * peers already present; peers that joined with `offers=false` are offered
 * to. Signalling and negotiation run on one thread owned by the element.
 *
 * Peers connect only where media flows (docs/protocol.md "Roles"): the
 * element announces what it sends and receives in its join `meta`, and
 * opens no peer connection to a peer it has nothing to exchange with (two
 * viewers, two publishers), unless both set `data-channels`.
 *
 * ## Bus messages
 * Element messages posted on the bus, each with a string field `peer-id`
 * (our own id for `webrtcroom-joined` and `webrtcroom-resumed`):
 *
 * - `webrtcroom-joined`: we are in the room; `room` (string).
 * - `webrtcroom-resumed`: the signalling connection came back with the
 *   same id; peer connections were kept.
 * - `webrtcroom-signalling-lost`: the room server connection was lost, a
 *   resume is under way; `reason` (string). No `peer-id`.
 * - `webrtcroom-peer-joined`: a member found in the room or a newcomer;
 *   `name` (string, may be %NULL).
 * - `webrtcroom-peer-left`: `reason` (`left`, `timeout`, `kicked`).
 * - `webrtcroom-peer-connected`: the peer connection is up (ICE and DTLS).
 * - `webrtcroom-peer-failed`: one peer's connection or negotiation failed;
 *   `reason` (string, human readable), and for classified failures `domain`
 *   (string, the GError domain) and `code` (int, e.g.
 *   GST_WEBRTC_ROOM_PEER_ERROR_CODEC_NOT_NEGOTIABLE). Other peers keep
 *   going; a #GST_MESSAGE_WARNING says the same.
 * - `webrtcroom-peer-media-timeout`: no RTP/RTCP from a connected peer for
 *   #GstWebRTCRoomBaseBin:media-timeout; `silent-ms` (int64).
 * - `webrtcroom-peer-reconnecting`: its peer connection is being replaced;
 *   `reason` (`media-timeout`, `remote-restart`, ...), `attempt` (uint).
 */

#include "roombin-private.h"
#include "webrtcroom-enumtypes.h"
#include "websocketsignaller.h"
#include "signallerselect-private.h"

#include <gst/pbutils/pbutils.h>

#include <string.h>

GST_DEBUG_CATEGORY (gst_webrtc_room_debug);

void gst_webrtc_room_certificate_warm_up (void);
void gst_webrtc_room_certificate_wait (void);

#define DEFAULT_SERVER_URL GST_WEBRTC_ROOM_DEFAULT_SERVER_URL
#define DEFAULT_ROOM "default"
#define DEFAULT_OFFERS TRUE
#define DEFAULT_POLICY GST_WEBRTC_ICE_TRANSPORT_POLICY_ALL
#define DEFAULT_UPNP FALSE
#define DEFAULT_ICE_TCP TRUE
#define DEFAULT_VIDEO_CODEC "VP8"
#define DEFAULT_VIDEO_CODEC_ENUM GST_WEBRTC_ROOM_VIDEO_CODEC_VP8
#define DEFAULT_AUDIO_CODEC "OPUS"
#define DEFAULT_AUDIO_CODEC_ENUM GST_WEBRTC_ROOM_AUDIO_CODEC_OPUS
#define DEFAULT_BITRATE 1000000
#define DEFAULT_LATENCY 50
/* get-stats waits this long for each webrtcbin at most */
#define STATS_TIMEOUT_MS 5000
#define DEFAULT_DECODE TRUE
#define DEFAULT_NACK TRUE
#define DEFAULT_FEC FALSE
#define DEFAULT_MEDIA_TIMEOUT 2000
/* every peer connection costs a webrtcbin and its threads; a publisher
 * feeding 50 viewers (tests/bench/elements-broadcast.sh) stays within it */
#define DEFAULT_MAX_PEERS 64
#define DEFAULT_DATA_CHANNELS FALSE

enum
{
  PROP_0,
  PROP_SERVER_URL,
  PROP_ROOM,
  PROP_NAME_DISPLAY,
  PROP_META,
  PROP_OFFERS,
  PROP_TOKEN,
  PROP_STUN_SERVER,
  PROP_TURN_SERVERS,
  PROP_ICE_TRANSPORT_POLICY,
  PROP_LOCAL_ADDRESSES,
  PROP_UPNP,
  PROP_ICE_TCP,
  PROP_VIDEO_CODEC,
  PROP_AUDIO_CODEC,
  PROP_BITRATE,
  PROP_LATENCY,
  PROP_DECODE,
  PROP_NACK,
  PROP_FEC,
  PROP_MEDIA_TIMEOUT,
  PROP_MAX_PEERS,
  PROP_DATA_CHANNELS,
  PROP_CA_FILE,
  PROP_TLS_INSECURE,
  PROP_PEER_ID,
  N_PROPERTIES
};

static GParamSpec *properties[N_PROPERTIES];

enum
{
  SIGNAL_PEER_JOINED,
  SIGNAL_PEER_LEFT,
  SIGNAL_DATA_RECEIVED,
  SIGNAL_GET_STATS,
  SIGNAL_SEND_DATA,
  N_SIGNALS
};

static guint signals[N_SIGNALS];



G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GstWebRTCRoomBaseBin,
    gst_webrtc_room_base_bin, GST_TYPE_BIN);

GstWebRTCRoomBaseBinPrivate *
gst_webrtc_room_base_bin_get_priv (GstWebRTCRoomBaseBin * self)
{
  return gst_webrtc_room_base_bin_get_instance_private (self);
}

/* Helpers for the other files of the library */

GstWebRTCRoomMediaMode
gst_webrtc_room_base_bin_get_mode (GstWebRTCRoomBaseBin * self)
{
  return GST_WEBRTC_ROOM_BASE_BIN_GET_CLASS (self)->media_mode;
}

GPtrArray *
gst_webrtc_room_base_bin_dup_inputs (GstWebRTCRoomBaseBin * self)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  GPtrArray *copy;

  g_mutex_lock (&priv->lock);
  copy = g_ptr_array_copy (priv->inputs, NULL, NULL);
  g_mutex_unlock (&priv->lock);
  return copy;
}

static gchar *
gst_webrtc_room_base_bin_dup_codec (GstWebRTCRoomBaseBin * self,
    const gchar * media)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  gchar *codec;

  GST_OBJECT_LOCK (self);
  codec = g_strdup (g_str_equal (media, "audio") ? priv->audio_codec :
      priv->video_codec);
  GST_OBJECT_UNLOCK (self);
  return codec;
}

static guint
gst_webrtc_room_base_bin_get_bitrate (GstWebRTCRoomBaseBin * self)
{
  guint bitrate;

  GST_OBJECT_LOCK (self);
  bitrate = PRIV (self)->bitrate;
  GST_OBJECT_UNLOCK (self);
  return bitrate;
}

gboolean
gst_webrtc_room_base_bin_get_decode (GstWebRTCRoomBaseBin * self)
{
  gboolean decode;

  GST_OBJECT_LOCK (self);
  decode = PRIV (self)->decode;
  GST_OBJECT_UNLOCK (self);
  return decode;
}

/* Attaches @source to the signalling context; FALSE when the thread is
 * not running. Any thread. */
gboolean
gst_webrtc_room_base_bin_attach (GstWebRTCRoomBaseBin * self, GSource * source)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  gboolean attached = FALSE;

  /* webrtcbin and streaming threads call this while the element stops */
  g_mutex_lock (&priv->context_lock);
  if (priv->context) {
    g_source_attach (source, priv->context);
    attached = TRUE;
  }
  g_mutex_unlock (&priv->context_lock);
  return attached;
}

void
gst_webrtc_room_base_bin_invoke (GstWebRTCRoomBaseBin * self,
    GSourceFunc func, gpointer data, GDestroyNotify notify)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  /* not attached: unref frees @data */
  gst_webrtc_room_base_bin_attach (self, source);
  g_source_unref (source);
}

void
gst_webrtc_room_base_bin_send_signal (GstWebRTCRoomBaseBin * self,
    const gchar * to, JsonObject * data)
{
  GstWebRTCRoomSignaller *signaller = NULL;

  GST_OBJECT_LOCK (self);
  if (PRIV (self)->signaller)
    signaller = g_object_ref (PRIV (self)->signaller);
  GST_OBJECT_UNLOCK (self);
  if (!signaller)
    return;
  gst_webrtc_room_signaller_send (signaller, to, data);
  g_object_unref (signaller);
}

GstWebRTCRoomPeerSession *
gst_webrtc_room_base_bin_lookup_session (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  GstWebRTCRoomPeerSession *s;

  g_mutex_lock (&priv->lock);
  s = g_hash_table_lookup (priv->sessions, peer_id);
  g_mutex_unlock (&priv->lock);
  return s;
}

void
gst_webrtc_room_base_bin_emit_peer_joined (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id, const gchar * name)
{
  g_signal_emit (self, signals[SIGNAL_PEER_JOINED], 0, peer_id, name);
}

void
gst_webrtc_room_base_bin_emit_peer_left (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id, const gchar * reason)
{
  g_signal_emit (self, signals[SIGNAL_PEER_LEFT], 0, peer_id, reason);
}

void
gst_webrtc_room_base_bin_notify_peer_id (GstWebRTCRoomBaseBin * self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_ID]);
}

void
gst_webrtc_room_base_bin_post_peer_message (GstWebRTCRoomBaseBin * self,
    const gchar * what, const gchar * peer_id, const gchar * first_field, ...)
{
  GstStructure *s = gst_structure_new (what, "peer-id", G_TYPE_STRING,
      peer_id, NULL);
  va_list args;

  va_start (args, first_field);
  if (first_field)
    gst_structure_set_valist (s, first_field, args);
  va_end (args);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

void
gst_webrtc_room_base_bin_session_state_changed (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerSession * s)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  guint i;
  const gchar *peer_id = gst_webrtc_room_peer_session_get_peer_id (s);
  GstWebRTCPeerConnectionState state =
      gst_webrtc_room_peer_session_get_connection_state (s);

  GST_INFO_OBJECT (self, "peer %s: connection %d", peer_id, state);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    g_autoptr (GPtrArray) pads =
        g_ptr_array_new_with_free_func (gst_object_unref);

    gst_webrtc_room_base_bin_post_peer_message (self,
        "webrtcroom-peer-connected", peer_id, NULL);
    /* the key frame sent at attach time went out before DTLS was up; the
     * pads are taken under the lock, the events pushed without it */
    g_mutex_lock (&priv->lock);
    for (i = 0; i < priv->inputs->len; i++)
      g_ptr_array_add (pads,
          gst_webrtc_room_send_path_get_key_unit_pad (priv->inputs->pdata[i]));
    g_mutex_unlock (&priv->lock);
    for (i = 0; i < pads->len; i++)
      gst_webrtc_room_request_key_unit (pads->pdata[i]);
  } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    gst_webrtc_room_base_bin_post_peer_message (self, "webrtcroom-peer-failed",
        peer_id, "reason", G_TYPE_STRING, "ice-or-dtls-failed", NULL);
    GST_ELEMENT_WARNING (self, RESOURCE, FAILED,
        ("The connection to peer %s failed", peer_id), (NULL));
  }
}


/* A failure of one peer connection: that peer's problem, a warning; the
 * pipeline and every other peer keep going. */
void
gst_webrtc_room_base_bin_session_error (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerSession * s, const gchar * text, const gchar * debug)
{
  const gchar *peer_id = gst_webrtc_room_peer_session_get_peer_id (s);

  gst_webrtc_room_base_bin_post_peer_message (self, "webrtcroom-peer-failed",
      peer_id, "reason", G_TYPE_STRING, text, NULL);
  GST_ELEMENT_WARNING (self, STREAM, FAILED, ("%s", text), ("%s",
          debug ? debug : ""));
}

/* A classified failure of one peer connection: the error's code decides
 * whether it stays that peer's problem (a warning) or stops the element
 * (a missing element concerns every peer). */
void
gst_webrtc_room_base_bin_session_fail (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerSession * s, const GError * error)
{
  const gchar *peer_id = gst_webrtc_room_peer_session_get_peer_id (s);

  gst_webrtc_room_base_bin_post_peer_message (self, "webrtcroom-peer-failed",
      peer_id, "reason", G_TYPE_STRING, error->message, "domain",
      G_TYPE_STRING, g_quark_to_string (error->domain), "code", G_TYPE_INT,
      error->code, NULL);
  if (error->domain == GST_WEBRTC_ROOM_PEER_ERROR
      && error->code == GST_WEBRTC_ROOM_PEER_ERROR_MISSING_ELEMENT) {
    GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN, ("%s", error->message),
        (NULL));
    return;
  }
  if (error->domain == GST_WEBRTC_ROOM_PEER_ERROR
      && error->code == GST_WEBRTC_ROOM_PEER_ERROR_CODEC_NOT_NEGOTIABLE) {
    GST_ELEMENT_WARNING (self, STREAM, CODEC_NOT_FOUND, ("%s",
            error->message), ("peer %s", peer_id));
    return;
  }
  GST_ELEMENT_WARNING (self, STREAM, FAILED, ("%s", error->message),
      ("peer %s", peer_id));
}

/* What this element sends and receives (announced when joining). */
void
gst_webrtc_room_base_bin_get_own_role (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomPeerRole * role)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  GstWebRTCRoomMediaMode mode = gst_webrtc_room_base_bin_get_mode (self);
  guint i;

  role->receives = mode != GST_WEBRTC_ROOM_MEDIA_SENDONLY;
  role->sends_video = role->sends_audio = FALSE;
  role->gateway_for[0] = '\0';
  role->gateway = FALSE;
  GST_OBJECT_LOCK (self);
  role->data = priv->data_channels;
  GST_OBJECT_UNLOCK (self);
  if (mode == GST_WEBRTC_ROOM_MEDIA_RECVONLY)
    return;
  g_mutex_lock (&priv->lock);
  for (i = 0; i < priv->inputs->len; i++) {
    if (g_str_equal (gst_webrtc_room_send_path_get_media (priv->inputs->pdata
                [i]), "video"))
      role->sends_video = TRUE;
    else
      role->sends_audio = TRUE;
  }
  /* no pad requested yet: tracks may come later, announce both */
  if (priv->inputs->len == 0)
    role->sends_video = role->sends_audio = TRUE;
  g_mutex_unlock (&priv->lock);
}

void
gst_webrtc_room_base_bin_data_received (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id, const gchar * text)
{
  g_signal_emit (self, signals[SIGNAL_DATA_RECEIVED], 0, peer_id, text);
}

/* The signalling thread */

static gpointer
signalling_thread (gpointer data)
{
  GstWebRTCRoomBaseBinPrivate *priv = data;

  g_main_context_push_thread_default (priv->context);
  g_main_loop_run (priv->loop);
  g_main_context_pop_thread_default (priv->context);
  return NULL;
}

typedef struct
{
  GstWebRTCRoomBaseBin *self;
  void (*func) (GstWebRTCRoomBaseBin * self, gpointer data);
  gpointer data;
  GMutex lock;
  GCond cond;
  gboolean done;
} SyncCall;

static gboolean
sync_call_run (gpointer user_data)
{
  SyncCall *call = user_data;

  call->func (call->self, call->data);
  g_mutex_lock (&call->lock);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->lock);
  return G_SOURCE_REMOVE;
}

/* Runs @func on the signalling thread and waits for it (directly when
 * called there, e.g. from a peer-left handler releasing a pad). */
static void
run_on_context (GstWebRTCRoomBaseBin * self,
    void (*func) (GstWebRTCRoomBaseBin * self, gpointer data), gpointer data)
{
  SyncCall call = { self, func, data };

  if (g_main_context_is_owner (PRIV (self)->context)) {
    func (self, data);
    return;
  }

  g_mutex_init (&call.lock);
  g_cond_init (&call.cond);
  gst_webrtc_room_base_bin_invoke (self, sync_call_run, &call, NULL);
  g_mutex_lock (&call.lock);
  while (!call.done)
    g_cond_wait (&call.cond, &call.lock);
  g_mutex_unlock (&call.lock);
  g_mutex_clear (&call.lock);
  g_cond_clear (&call.cond);
}

static gboolean
renegotiate_idle (gpointer data)
{
  gst_webrtc_room_base_bin_renegotiate_all (data);
  return G_SOURCE_REMOVE;
}

static void
start_thread (GstWebRTCRoomBaseBin * self)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  g_autofree gchar *name = g_strdup_printf ("%s:signal",
      GST_OBJECT_NAME (self));
  GMainContext *context = g_main_context_new ();

  priv->loop = g_main_loop_new (context, FALSE);
  g_mutex_lock (&priv->context_lock);
  priv->context = context;
  g_mutex_unlock (&priv->context_lock);
  priv->thread = g_thread_new (name, signalling_thread, priv);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
stop_thread (GstWebRTCRoomBaseBin * self)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  GMainContext *context;

  if (!priv->thread)
    return;
  gst_webrtc_room_base_bin_invoke (self, quit_loop, priv->loop, NULL);
  g_thread_join (priv->thread);
  priv->thread = NULL;
  g_clear_pointer (&priv->loop, g_main_loop_unref);
  /* drain what was queued after the loop stopped */
  while (g_main_context_iteration (priv->context, FALSE));
  g_mutex_lock (&priv->context_lock);
  context = g_steal_pointer (&priv->context);
  g_mutex_unlock (&priv->context_lock);
  g_main_context_unref (context);
}

/* Settings the user can get wrong are checked when the element leaves
 * NULL: the state change fails with a clear error instead of a pipeline
 * that runs and never connects. */

static gboolean
check_ice_url (const gchar * url, gboolean turn, GError ** error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD, error);
  const gchar *scheme;

  if (!uri)
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  if (turn ? (g_strcmp0 (scheme, "turn") && g_strcmp0 (scheme, "turns"))
      : g_strcmp0 (scheme, "stun")) {
    g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_SCHEME,
        "the scheme must be %s", turn ? "turn:// or turns://" : "stun://");
    return FALSE;
  }
  if (!g_uri_get_host (uri) || !*g_uri_get_host (uri)) {
    g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_HOST, "no host");
    return FALSE;
  }
  if (turn && (!g_uri_get_user (uri) || !*g_uri_get_user (uri)
          || !g_uri_get_password (uri))) {
    g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_USER,
        "a TURN server needs user:password@ before the host");
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_settings (GstWebRTCRoomBaseBin * self)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  g_autofree gchar *url = NULL, *stun = NULL, *turns = NULL, *addrs = NULL;
  g_autofree gchar *ca_file = NULL;
  g_auto (GStrv) list = NULL;
  g_autoptr (GError) error = NULL;
  gboolean custom;
  guint i;

  GST_OBJECT_LOCK (self);
  url = g_strdup (priv->server_url);
  stun = g_strdup (priv->stun_server);
  turns = g_strdup (priv->turn_servers);
  addrs = g_strdup (priv->local_addresses);
  ca_file = g_strdup (priv->ca_file);
  custom = priv->custom_signaller;
  GST_OBJECT_UNLOCK (self);

  if (!custom && !gst_webrtc_room_signaller_check_url (url, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Invalid server-url '%s': expected ws://HOST:PORT/ws or "
            "wss://HOST:PORT/ws (our room server), janus+ws:// or janus+wss:// "
            "(a Janus VideoRoom), whip+http(s):// (a WHIP endpoint) or "
            "whep+http(s):// (a WHEP endpoint)", GST_STR_NULL (url)), ("%s",
            error->message));
    return FALSE;
  }
  if (ca_file && *ca_file) {
    g_autoptr (GTlsDatabase) database = g_tls_file_database_new (ca_file,
        &error);

    if (!database) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Invalid ca-file '%s': %s", ca_file, error->message), (NULL));
      return FALSE;
    }
  }
  if (stun && *stun && !check_ice_url (stun, FALSE, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Invalid stun-server '%s': expected stun://HOST:PORT (%s)", stun,
            error->message), (NULL));
    return FALSE;
  }
  list = turns ? g_strsplit_set (turns, ", ", -1) : NULL;
  for (i = 0; list && list[i]; i++) {
    if (!*list[i])
      continue;
    if (!check_ice_url (list[i], TRUE, &error)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Invalid turn-servers entry '%s': expected "
              "turn(s)://USER:PASSWORD@HOST:PORT (%s)", list[i],
              error->message), (NULL));
      return FALSE;
    }
  }
  g_clear_pointer (&list, g_strfreev);
  list = addrs ? g_strsplit_set (addrs, ", ", -1) : NULL;
  for (i = 0; list && list[i]; i++) {
    g_autoptr (GInetAddress) address = NULL;

    if (!*list[i])
      continue;
    address = g_inet_address_new_from_string (list[i]);
    if (!address) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Invalid local-addresses entry '%s': expected an IP address",
              list[i]), (NULL));
      return FALSE;
    }
  }
  return TRUE;
}

static GstStateChangeReturn
gst_webrtc_room_base_bin_change_state (GstElement * element,
    GstStateChange transition)
{
  GstWebRTCRoomBaseBin *self = GST_WEBRTC_ROOM_BASE_BIN (element);
  gboolean receives =
      gst_webrtc_room_base_bin_get_mode (self) !=
      GST_WEBRTC_ROOM_MEDIA_SENDONLY;
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (!check_settings (self))
        return GST_STATE_CHANGE_FAILURE;
      gst_webrtc_room_certificate_warm_up ();
      start_thread (self);
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      run_on_context (self, gst_webrtc_room_base_bin_start_signalling, NULL);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      /* back from a pause: join again */
      if (!PRIV (self)->joined)
        run_on_context (self, gst_webrtc_room_base_bin_start_signalling, NULL);
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      /* Leave the room before the children change state: a peer-left
       * handled on the signalling thread would stop a webrtcbin while this
       * thread pauses it, and its sinks wait for a preroll that never
       * comes (deadlock seen in the mesh benchmark). A paused live element
       * has nothing to say to a room anyway. */
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      run_on_context (self, gst_webrtc_room_base_bin_stop_signalling, NULL);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (gst_webrtc_room_base_bin_parent_class)->change_state
      (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      /* remote tracks arrive like a live source's */
      if (receives)
        ret = GST_STATE_CHANGE_NO_PREROLL;
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      stop_thread (self);
      break;
    default:
      break;
  }
  return ret;
}

/* Pads */

/* The send side of a sink pad asks for the codec and bitrate when its
 * first raw caps arrive */
static gchar *
send_path_encoder_config (GstWebRTCRoomSendPath * path, guint * bitrate,
    gpointer user_data)
{
  GstWebRTCRoomBaseBin *self = user_data;

  *bitrate = gst_webrtc_room_base_bin_get_bitrate (self);
  return gst_webrtc_room_base_bin_dup_codec (self,
      gst_webrtc_room_send_path_get_media (path));
}

/* its chain is built: an offer or answer may be waiting for it */
static void
send_path_caps_ready (GstWebRTCRoomSendPath * path, gpointer user_data)
{
  gst_webrtc_room_base_bin_recheck_waits (user_data);
}

static void on_input_eos (GstWebRTCRoomSendPath * path, gpointer user_data);

static const GstWebRTCRoomSendPathCallbacks send_path_callbacks = {
  .encoder_config = send_path_encoder_config,
  .caps_ready = send_path_caps_ready,
  .eos = on_input_eos,
};

static GstPad *
gst_webrtc_room_base_bin_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps)
{
  GstWebRTCRoomBaseBin *self = GST_WEBRTC_ROOM_BASE_BIN (element);
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  gboolean audio = g_str_has_prefix (templ->name_template, "audio");
  g_autofree gchar *pad_name = NULL;
  GstWebRTCRoomSendPath *input;
  GstPad *pad;

  if (templ->direction != GST_PAD_SINK)
    return NULL;
  g_mutex_lock (&priv->lock);
  if (name && g_strcmp0 (name, templ->name_template))
    pad_name = g_strdup (name);
  else
    pad_name = g_strdup_printf ("%s_%u", audio ? "audio" : "video",
        priv->next_pad[audio]++);
  g_mutex_unlock (&priv->lock);

  input = gst_webrtc_room_send_path_new (GST_BIN (self), templ, pad_name,
      &send_path_callbacks, self);
  pad = gst_webrtc_room_send_path_get_pad (input);
  gst_pad_set_active (pad, TRUE);
  if (!gst_element_add_pad (element, pad)) {
    gst_webrtc_room_send_path_free (input);
    return NULL;
  }
  g_mutex_lock (&priv->lock);
  g_ptr_array_add (priv->inputs, input);
  g_mutex_unlock (&priv->lock);

  /* a track added while running: renegotiate with every peer */
  if (priv->context && priv->joined)
    gst_webrtc_room_base_bin_invoke (self, renegotiate_idle, self, NULL);
  return pad;
}

static void
gst_webrtc_room_base_bin_release_pad (GstElement * element, GstPad * pad)
{
  GstWebRTCRoomBaseBin *self = GST_WEBRTC_ROOM_BASE_BIN (element);
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  GstWebRTCRoomSendPath *input = NULL;
  guint i;

  g_mutex_lock (&priv->lock);
  for (i = 0; i < priv->inputs->len; i++) {
    GstWebRTCRoomSendPath *candidate = priv->inputs->pdata[i];
    if (gst_webrtc_room_send_path_get_pad (candidate) == pad) {
      input = candidate;
      g_ptr_array_remove_index (priv->inputs, i);
      break;
    }
  }
  g_mutex_unlock (&priv->lock);
  if (!input)
    return;

  /* peers lose this track: its branches go, then we renegotiate */
  if (priv->context && priv->joined)
    run_on_context (self, gst_webrtc_room_base_bin_detach_input, input);
  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (element, pad);
  gst_webrtc_room_send_path_free (input);
}

static GstPadProbeReturn
drop_after_eos (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  return GST_PAD_PROBE_DROP;
}

/* Ends every remote track we output. What the peer connection still
 * delivers on an ended track (buffers, events) is dropped before our pad,
 * so no FLOW_EOS goes back into webrtcbin 1.22 (a viewer's Ctrl-C ended
 * with "Internal data stream error" from its nicesrc in 1 of 6-10). */
static void
push_eos_downstream (GstElement * element)
{
  GstIterator *it = gst_element_iterate_src_pads (element);
  GValue item = G_VALUE_INIT;

  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstPad *pad = g_value_get_object (&item);

    if (GST_IS_GHOST_PAD (pad)) {
      g_autoptr (GstPad) internal =
          GST_PAD (gst_proxy_pad_get_internal (GST_PROXY_PAD (pad)));
      gst_pad_add_probe (internal, GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM,
          drop_after_eos, NULL, NULL);
    }
    gst_pad_push_event (pad, gst_event_new_eos ());
    g_value_reset (&item);
  }
  gst_iterator_free (it);
}

/* Every sink pad reached EOS: nothing more to send. The internal sinks of
 * the webrtcbins never see EOS, so the element posts its own, and ends the
 * remote tracks too (webrtcroombin), so the pipeline can finish. */
static void
on_input_eos (GstWebRTCRoomSendPath * path, gpointer user_data)
{
  GstWebRTCRoomBaseBin *self = user_data;
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  gboolean all = TRUE;
  guint i;

  g_mutex_lock (&priv->lock);
  for (i = 0; i < priv->inputs->len; i++)
    all &= gst_webrtc_room_send_path_is_eos (priv->inputs->pdata[i]);
  g_mutex_unlock (&priv->lock);
  if (!all)
    return;
  push_eos_downstream (GST_ELEMENT (self));
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_eos (GST_OBJECT (self)));
}

static void
gst_webrtc_room_base_bin_handle_message (GstBin * bin, GstMessage * message)
{
  /* EOS of internal sinks (webrtcbin's, ours) says nothing about the room */
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS) {
    gst_message_unref (message);
    return;
  }
  GST_BIN_CLASS (gst_webrtc_room_base_bin_parent_class)->handle_message (bin,
      message);
}

/* GstBin derives the sink/source flags from its children, which come and
 * go with peers. What the element is for its pipeline does not: a sender
 * is a sink (the pipeline waits for its EOS), a receiver a source (EOS
 * sent to the pipeline reaches it), even with nobody in the room. */
static void
update_flags (GstBin * bin, GstElement * child, gpointer user_data)
{
  GstWebRTCRoomMediaMode mode =
      gst_webrtc_room_base_bin_get_mode (GST_WEBRTC_ROOM_BASE_BIN (bin));

  GST_OBJECT_LOCK (bin);
  if (mode == GST_WEBRTC_ROOM_MEDIA_RECVONLY)
    GST_OBJECT_FLAG_UNSET (bin, GST_ELEMENT_FLAG_SINK);
  else
    GST_OBJECT_FLAG_SET (bin, GST_ELEMENT_FLAG_SINK);
  if (mode == GST_WEBRTC_ROOM_MEDIA_SENDONLY)
    GST_OBJECT_FLAG_UNSET (bin, GST_ELEMENT_FLAG_SOURCE);
  else
    GST_OBJECT_FLAG_SET (bin, GST_ELEMENT_FLAG_SOURCE);
  GST_OBJECT_UNLOCK (bin);
}

/* An EOS sent to the element (gst-launch-1.0 -e, an application
 * finishing a recording) ends every remote track we output, so muxers
 * downstream can finalize; the peer connections keep running. It is not
 * handed on to our children: GstBin would send it into every webrtcbin's
 * nicesrc, and a viewer then failed with "Internal data stream error" from
 * nicesrc, or hung waiting for EOS (1 Ctrl-C in 8; its src pads' caps
 * were reset, as a watchdog restart's flush does). */
static gboolean
gst_webrtc_room_base_bin_send_event (GstElement * element, GstEvent * event)
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    push_eos_downstream (element);
    gst_event_unref (event);
    return TRUE;
  }
  return GST_ELEMENT_CLASS (gst_webrtc_room_base_bin_parent_class)->send_event
      (element, event);
}

/* Public API */

/**
 * gst_webrtc_room_base_bin_get_stats:
 * @self: a room element
 * @peer_id: (nullable): a remote peer, or %NULL for every peer
 *
 * Returns: (transfer full) (nullable): webrtcbin's stats of the peer
 *   connection with @peer_id, or a structure with one such field per peer
 */
GstStructure *
gst_webrtc_room_base_bin_get_stats (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  GstStructure *result = NULL;
  GHashTableIter iter;
  gpointer key;
  guint i;

  g_mutex_lock (&priv->lock);
  g_hash_table_iter_init (&iter, priv->sessions);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    if (!peer_id || g_str_equal (peer_id, key))
      g_ptr_array_add (list, g_strdup (key));
  }
  g_mutex_unlock (&priv->lock);

  if (!peer_id)
    result = gst_structure_new_empty ("webrtcroom-stats");
  for (i = 0; i < list->len; i++) {
    GstElement *webrtcbin = NULL;
    GstWebRTCRoomPeerSession *s;
    GstStructure *stats = NULL;

    g_mutex_lock (&priv->lock);
    s = g_hash_table_lookup (priv->sessions, list->pdata[i]);
    /* none when a replacement could not be made */
    if (s && gst_webrtc_room_peer_session_get_webrtcbin (s))
      webrtcbin =
          gst_object_ref (gst_webrtc_room_peer_session_get_webrtcbin (s));
    g_mutex_unlock (&priv->lock);
    if (!webrtcbin)
      continue;
    stats = gst_webrtc_room_webrtcbin_get_stats (webrtcbin, STATS_TIMEOUT_MS);
    gst_object_unref (webrtcbin);
    if (!stats)
      continue;
    if (peer_id)
      return stats;
    gst_structure_set (result, list->pdata[i], GST_TYPE_STRUCTURE, stats, NULL);
    gst_structure_free (stats);
  }
  return result;
}

/**
 * gst_webrtc_room_base_bin_send_data:
 * @self: a room element
 * @peer_id: (nullable): the receiver, or %NULL for every connected peer
 * @text: UTF-8 text for the `chat` data channel
 *
 * Returns: %TRUE if at least one peer's channel took the message
 */
gboolean
gst_webrtc_room_base_bin_send_data (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id, const gchar * text)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  g_autoptr (GPtrArray) channels =
      g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key, value;
  gboolean sent = FALSE;
  guint i;

  g_return_val_if_fail (text != NULL, FALSE);
  g_mutex_lock (&priv->lock);
  g_hash_table_iter_init (&iter, priv->sessions);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    GstWebRTCRoomPeerSession *s = value;
    GstWebRTCDataChannel *channel = NULL;

    if (!peer_id || g_str_equal (peer_id, key))
      channel = gst_webrtc_room_peer_session_dup_channel (s);
    if (channel)
      g_ptr_array_add (channels, channel);
  }
  g_mutex_unlock (&priv->lock);
  for (i = 0; i < channels->len; i++) {
    GstWebRTCDataChannel *channel = channels->pdata[i];
    GstWebRTCDataChannelState state;
    g_object_get (channel, "ready-state", &state, NULL);
    if (state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN
        && gst_webrtc_data_channel_send_string_full (channel, text, NULL))
      sent = TRUE;
  }
  return sent;
}

/**
 * gst_webrtc_room_base_bin_set_signaller:
 * @self: a room element in the NULL or READY state
 * @signaller: (transfer none): a custom signalling transport
 *
 * Replaces the default WebSocket signaller.
 */
void
gst_webrtc_room_base_bin_set_signaller (GstWebRTCRoomBaseBin * self,
    GstWebRTCRoomSignaller * signaller)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);

  GST_OBJECT_LOCK (self);
  g_set_object (&priv->signaller, signaller);
  priv->custom_signaller = signaller != NULL;
  GST_OBJECT_UNLOCK (self);
}

/* GObject */

/* Codec enums: the nick is the codec's SDP name (codecs.c) */
static const gchar *
enum_nick (GType type, gint value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);
  const gchar *nick = v ? v->value_nick : NULL;

  g_type_class_unref (klass);
  return nick;
}

static gint
enum_value (GType type, const gchar * nick)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *v = nick ? g_enum_get_value_by_nick (klass, nick) : NULL;
  gint value = v ? v->value : 0;

  g_type_class_unref (klass);
  return value;
}

static gboolean
check_mutable (GstWebRTCRoomBaseBin * self, GParamSpec * pspec)
{
  if (GST_STATE (self) <= GST_STATE_READY)
    return TRUE;
  g_warning ("%s: property '%s' can only be changed in the NULL or READY "
      "state", GST_OBJECT_NAME (self), pspec->name);
  return FALSE;
}

static void
gst_webrtc_room_base_bin_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWebRTCRoomBaseBin *self = GST_WEBRTC_ROOM_BASE_BIN (object);
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  gchar **str_field = NULL;

  if (!check_mutable (self, pspec))
    return;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SERVER_URL:
      str_field = &priv->server_url;
      break;
    case PROP_ROOM:
      str_field = &priv->room;
      break;
    case PROP_NAME_DISPLAY:
      str_field = &priv->display_name;
      break;
    case PROP_META:
      str_field = &priv->meta;
      break;
    case PROP_TOKEN:
      str_field = &priv->token;
      break;
    case PROP_STUN_SERVER:
      str_field = &priv->stun_server;
      break;
    case PROP_TURN_SERVERS:
      str_field = &priv->turn_servers;
      break;
    case PROP_LOCAL_ADDRESSES:
      str_field = &priv->local_addresses;
      break;
    case PROP_VIDEO_CODEC:
      g_free (priv->video_codec);
      priv->video_codec = g_strdup (enum_nick (GST_TYPE_WEBRTC_ROOM_VIDEO_CODEC,
              g_value_get_enum (value)));
      break;
    case PROP_AUDIO_CODEC:
      g_free (priv->audio_codec);
      priv->audio_codec = g_strdup (enum_nick (GST_TYPE_WEBRTC_ROOM_AUDIO_CODEC,
              g_value_get_enum (value)));
      break;
    case PROP_OFFERS:
      priv->offers = g_value_get_boolean (value);
      break;
    case PROP_ICE_TRANSPORT_POLICY:
      priv->policy = g_value_get_enum (value);
      break;
    case PROP_UPNP:
      priv->upnp = g_value_get_boolean (value);
      break;
    case PROP_ICE_TCP:
      priv->ice_tcp = g_value_get_boolean (value);
      break;
    case PROP_BITRATE:
      priv->bitrate = g_value_get_uint (value);
      break;
    case PROP_LATENCY:
      priv->latency = g_value_get_uint (value);
      break;
    case PROP_DECODE:
      priv->decode = g_value_get_boolean (value);
      break;
    case PROP_NACK:
      priv->nack = g_value_get_boolean (value);
      break;
    case PROP_FEC:
      priv->fec = g_value_get_boolean (value);
      break;
    case PROP_MEDIA_TIMEOUT:
      priv->media_timeout = g_value_get_uint (value);
      break;
    case PROP_MAX_PEERS:
      priv->max_peers = g_value_get_uint (value);
      break;
    case PROP_DATA_CHANNELS:
      priv->data_channels = g_value_get_boolean (value);
      break;
    case PROP_CA_FILE:
      str_field = &priv->ca_file;
      break;
    case PROP_TLS_INSECURE:
      priv->tls_insecure = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  if (str_field) {
    g_free (*str_field);
    *str_field = g_value_dup_string (value);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_webrtc_room_base_bin_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWebRTCRoomBaseBin *self = GST_WEBRTC_ROOM_BASE_BIN (object);
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SERVER_URL:
      g_value_set_string (value, priv->server_url);
      break;
    case PROP_ROOM:
      g_value_set_string (value, priv->room);
      break;
    case PROP_NAME_DISPLAY:
      g_value_set_string (value, priv->display_name);
      break;
    case PROP_META:
      g_value_set_string (value, priv->meta);
      break;
    case PROP_TOKEN:
      g_value_set_string (value, priv->token);
      break;
    case PROP_STUN_SERVER:
      g_value_set_string (value, priv->stun_server);
      break;
    case PROP_TURN_SERVERS:
      g_value_set_string (value, priv->turn_servers);
      break;
    case PROP_LOCAL_ADDRESSES:
      g_value_set_string (value, priv->local_addresses);
      break;
    case PROP_VIDEO_CODEC:
      g_value_set_enum (value, enum_value (GST_TYPE_WEBRTC_ROOM_VIDEO_CODEC,
              priv->video_codec));
      break;
    case PROP_AUDIO_CODEC:
      g_value_set_enum (value, enum_value (GST_TYPE_WEBRTC_ROOM_AUDIO_CODEC,
              priv->audio_codec));
      break;
    case PROP_OFFERS:
      g_value_set_boolean (value, priv->offers);
      break;
    case PROP_ICE_TRANSPORT_POLICY:
      g_value_set_enum (value, priv->policy);
      break;
    case PROP_UPNP:
      g_value_set_boolean (value, priv->upnp);
      break;
    case PROP_ICE_TCP:
      g_value_set_boolean (value, priv->ice_tcp);
      break;
    case PROP_BITRATE:
      g_value_set_uint (value, priv->bitrate);
      break;
    case PROP_LATENCY:
      g_value_set_uint (value, priv->latency);
      break;
    case PROP_DECODE:
      g_value_set_boolean (value, priv->decode);
      break;
    case PROP_NACK:
      g_value_set_boolean (value, priv->nack);
      break;
    case PROP_FEC:
      g_value_set_boolean (value, priv->fec);
      break;
    case PROP_MEDIA_TIMEOUT:
      g_value_set_uint (value, priv->media_timeout);
      break;
    case PROP_MAX_PEERS:
      g_value_set_uint (value, priv->max_peers);
      break;
    case PROP_DATA_CHANNELS:
      g_value_set_boolean (value, priv->data_channels);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, priv->ca_file);
      break;
    case PROP_TLS_INSECURE:
      g_value_set_boolean (value, priv->tls_insecure);
      break;
    case PROP_PEER_ID:
      g_value_set_string (value, priv->peer_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_webrtc_room_base_bin_finalize (GObject * object)
{
  GstWebRTCRoomBaseBin *self = GST_WEBRTC_ROOM_BASE_BIN (object);
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);

  g_free (priv->server_url);
  g_free (priv->ca_file);
  g_free (priv->room);
  g_free (priv->display_name);
  g_free (priv->meta);
  g_free (priv->token);
  g_free (priv->stun_server);
  g_free (priv->turn_servers);
  g_free (priv->local_addresses);
  g_free (priv->video_codec);
  g_free (priv->audio_codec);
  g_free (priv->peer_id);
  g_clear_object (&priv->signaller);
  g_hash_table_unref (priv->sessions);
  g_hash_table_unref (priv->peer_names);
  g_hash_table_unref (priv->peer_roles);
  g_ptr_array_free (priv->inputs, TRUE);
  g_clear_pointer (&priv->ice_servers, json_array_unref);
  g_mutex_clear (&priv->lock);
  g_mutex_clear (&priv->context_lock);

  G_OBJECT_CLASS (gst_webrtc_room_base_bin_parent_class)->finalize (object);
}

static void
gst_webrtc_room_base_bin_dispose (GObject * object)
{
  GstWebRTCRoomBaseBin *self = GST_WEBRTC_ROOM_BASE_BIN (object);
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);

  stop_thread (self);
  gst_webrtc_room_certificate_wait ();
  while (priv->inputs->len) {
    GstWebRTCRoomSendPath *input = g_ptr_array_steal_index (priv->inputs, 0);
    gst_webrtc_room_send_path_free (input);
  }
  G_OBJECT_CLASS (gst_webrtc_room_base_bin_parent_class)->dispose (object);
}

static void
gst_webrtc_room_base_bin_init (GstWebRTCRoomBaseBin * self)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);

  priv->server_url = g_strdup (DEFAULT_SERVER_URL);
  priv->room = g_strdup (DEFAULT_ROOM);
  priv->offers = DEFAULT_OFFERS;
  priv->policy = DEFAULT_POLICY;
  priv->upnp = DEFAULT_UPNP;
  priv->ice_tcp = DEFAULT_ICE_TCP;
  priv->video_codec = g_strdup (DEFAULT_VIDEO_CODEC);
  priv->audio_codec = g_strdup (DEFAULT_AUDIO_CODEC);
  priv->bitrate = DEFAULT_BITRATE;
  priv->latency = DEFAULT_LATENCY;
  priv->decode = DEFAULT_DECODE;
  priv->nack = DEFAULT_NACK;
  priv->fec = DEFAULT_FEC;
  priv->media_timeout = DEFAULT_MEDIA_TIMEOUT;
  priv->max_peers = DEFAULT_MAX_PEERS;
  priv->data_channels = DEFAULT_DATA_CHANNELS;
  g_mutex_init (&priv->lock);
  g_mutex_init (&priv->context_lock);
  priv->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) gst_webrtc_room_peer_session_free);
  priv->peer_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  priv->peer_roles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  priv->inputs = g_ptr_array_new ();
  g_signal_connect (self, "element-added", G_CALLBACK (update_flags), NULL);
  g_signal_connect (self, "element-removed", G_CALLBACK (update_flags), NULL);
  update_flags (GST_BIN (self), NULL, NULL);
  /* the first room element of the process starts the DTLS key generation,
   * long before its first peer connection needs it */
  gst_webrtc_room_certificate_warm_up ();
}

static GstStructure *
get_stats_action (GstWebRTCRoomBaseBin * self, const gchar * peer_id)
{
  return gst_webrtc_room_base_bin_get_stats (self, peer_id);
}

static gboolean
send_data_action (GstWebRTCRoomBaseBin * self, const gchar * peer_id,
    const gchar * text)
{
  return gst_webrtc_room_base_bin_send_data (self, peer_id, text);
}

#define PROP_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | \
    GST_PARAM_MUTABLE_READY)

static void
gst_webrtc_room_base_bin_class_init (GstWebRTCRoomBaseBinClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_webrtc_room_debug, "webrtcroom", 0,
      "WebRTC room elements");

  gobject_class->set_property = gst_webrtc_room_base_bin_set_property;
  gobject_class->get_property = gst_webrtc_room_base_bin_get_property;
  gobject_class->dispose = gst_webrtc_room_base_bin_dispose;
  gobject_class->finalize = gst_webrtc_room_base_bin_finalize;
  element_class->change_state = gst_webrtc_room_base_bin_change_state;
  element_class->request_new_pad = gst_webrtc_room_base_bin_request_new_pad;
  element_class->release_pad = gst_webrtc_room_base_bin_release_pad;
  element_class->send_event = gst_webrtc_room_base_bin_send_event;
  GST_BIN_CLASS (klass)->handle_message =
      gst_webrtc_room_base_bin_handle_message;

  /**
   * GstWebRTCRoomBaseBin:server-url:
   *
   * WebSocket URL of the room server (ws:// or wss://, path /ws). The
   * scheme picks the signaller: janus+ws:// or janus+wss:// join the Janus
   * VideoRoom `room` through Janus's WebSocket API (`token` is the room
   * pin), whip+http:// or whip+https:// publish to that WHIP endpoint,
   * whep+http:// or whep+https:// play from that WHEP endpoint (`token` is
   * the Bearer token).
   */
  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url",
      "Server URL", "WebSocket URL of the room server (ws:// or wss://); "
      "janus+ws(s):// for a Janus VideoRoom, whip+http(s):// / "
      "whep+http(s):// for a WHIP / WHEP endpoint", DEFAULT_SERVER_URL,
      PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:room:
   *
   * Room to join: 1 to 64 characters of [A-Za-z0-9_.-].
   */
  properties[PROP_ROOM] = g_param_spec_string ("room", "Room",
      "Room to join (1-64 characters of A-Z a-z 0-9 _ . -)", DEFAULT_ROOM,
      PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:display-name:
   *
   * Display name other peers see (at most 64 characters).
   */
  properties[PROP_NAME_DISPLAY] = g_param_spec_string ("display-name",
      "Display name", "Name other peers see (at most 64 characters)", NULL,
      PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:meta:
   *
   * A JSON object (as text) relayed verbatim to the other peers.
   */
  properties[PROP_META] = g_param_spec_string ("meta", "Meta",
      "JSON object relayed to other peers (at most 4 KiB)", NULL, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:offers:
   *
   * Whether this element sends the first offer to peers already in the
   * room. With %FALSE the others offer to us (the seed's server-side
   * offer), as Safari or WHEP-like viewers need.
   */
  properties[PROP_OFFERS] = g_param_spec_boolean ("offers", "Offers",
      "Create the first offer towards peers already in the room (FALSE: "
      "they offer to us)", DEFAULT_OFFERS, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:token:
   *
   * Join token, when the room server requires one.
   */
  properties[PROP_TOKEN] = g_param_spec_string ("token", "Token",
      "Join token when the room server requires one", NULL, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:stun-server:
   *
   * STUN server (stun://host:port). Default: the one the room server
   * announces (its built-in responder).
   */
  properties[PROP_STUN_SERVER] = g_param_spec_string ("stun-server",
      "STUN server", "stun://host:port (default: from the room server)",
      NULL, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:turn-servers:
   *
   * Comma-separated TURN servers, turn(s)://user:password@host:port.
   * Default: those the room server announces.
   *
   * The ICE agent (libnice) has no TLS for TURN: a turns:// server is
   * reached with TURN over plain TCP on its port (coturn's TLS port accepts
   * that; a TLS-only server does not), and the element posts a warning.
   */
  properties[PROP_TURN_SERVERS] = g_param_spec_string ("turn-servers",
      "TURN servers", "Comma-separated turn(s)://user:password@host:port "
      "(default: from the room server)", NULL, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:ice-transport-policy:
   *
   * `relay` forces every path through TURN.
   */
  properties[PROP_ICE_TRANSPORT_POLICY] =
      g_param_spec_enum ("ice-transport-policy", "ICE transport policy",
      "all, or relay to use TURN only", GST_TYPE_WEBRTC_ICE_TRANSPORT_POLICY,
      DEFAULT_POLICY, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:local-addresses:
   *
   * Comma-separated host addresses ICE gathers on in addition to libnice's
   * own choice; libnice skips loopback, so 127.0.0.1 must be named here
   * for loopback-only setups.
   */
  properties[PROP_LOCAL_ADDRESSES] = g_param_spec_string ("local-addresses",
      "Local addresses", "Comma-separated host addresses for ICE (e.g. "
      "127.0.0.1; libnice skips loopback otherwise)", NULL, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:upnp:
   *
   * Let libnice use UPnP port mapping. Off by default: it sends SSDP
   * multicast out of the host interface.
   */
  properties[PROP_UPNP] = g_param_spec_boolean ("upnp", "UPnP",
      "Let libnice use UPnP port mapping (sends SSDP multicast)",
      DEFAULT_UPNP, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:ice-tcp:
   *
   * Gather ICE TCP candidates as well as UDP ones.
   */
  properties[PROP_ICE_TCP] = g_param_spec_boolean ("ice-tcp", "ICE TCP",
      "Gather ICE TCP candidates", DEFAULT_ICE_TCP, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:nack:
   *
   * Negative acknowledgements with retransmission (NACK/RTX, RFC 4588) on
   * video: a lost packet is asked for again. Retransmissions only help
   * when they arrive within #GstWebRTCRoomBaseBin:latency, so raise the
   * latency above the round-trip time on lossy links.
   */
  properties[PROP_NACK] = g_param_spec_boolean ("nack", "NACK",
      "Request retransmission of lost video packets (NACK/RTX)",
      DEFAULT_NACK, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:media-timeout:
   *
   * A connected peer from which no RTP or RTCP packet arrived for this many
   * milliseconds is considered cut off (path change, NAT rebinding, TURN
   * server restart: webrtcbin keeps ICE "completed" on a dead path). Its
   * peer connection is then replaced and negotiated again over the room,
   * with `webrtcroom-peer-media-timeout` and `webrtcroom-peer-reconnecting`
   * element messages; `webrtcroom-peer-connected` follows once media flows.
   * 0 disables the watchdog.
   */
  properties[PROP_MEDIA_TIMEOUT] = g_param_spec_uint ("media-timeout",
      "Media timeout",
      "Replace a peer connection that received no RTP/RTCP for this long "
      "(ms, 0 = never)", 0, G_MAXINT, DEFAULT_MEDIA_TIMEOUT, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:max-peers:
   *
   * Most peer connections at once. A room member beyond them gets no
   * peer connection: the element posts a `webrtcroom-peer-refused`
   * element message (fields `peer-id`, `reason` "max-peers", `max-peers`)
   * and a warning, and ignores that peer's signals; the others keep going.
   */
  properties[PROP_MAX_PEERS] = g_param_spec_uint ("max-peers", "Max peers",
      "Most peer connections at once; members beyond are refused", 1,
      G_MAXINT, DEFAULT_MAX_PEERS, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:data-channels:
   *
   * Connect to peers that also set this even when no media flows between
   * us (two viewers, two publishers), for the `chat` data channel alone.
   * Peers with media between them always get the data channel.
   */
  properties[PROP_DATA_CHANNELS] = g_param_spec_boolean ("data-channels",
      "Data channels", "Connect to peers that also ask for data channels "
      "even when no media flows between us", DEFAULT_DATA_CHANNELS, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:ca-file:
   *
   * PEM file of the certificate authorities a wss:// room server's
   * certificate is checked against, instead of the system's (a private
   * CA). A file that cannot be read fails the change to READY.
   */
  properties[PROP_CA_FILE] = g_param_spec_string ("ca-file", "CA file",
      "PEM file of the CAs to trust for wss:// (default: the system's)", NULL,
      PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:tls-insecure:
   *
   * Accept any certificate from a wss:// room server (self-signed test
   * servers). Never in production: anyone on the path can read and change
   * the signalling, media keys included.
   */
  properties[PROP_TLS_INSECURE] = g_param_spec_boolean ("tls-insecure",
      "TLS insecure", "Accept any wss:// server certificate (testing only)",
      FALSE, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:peer-id:
   *
   * Our id in the room, assigned by the server after joining.
   */
  properties[PROP_PEER_ID] = g_param_spec_string ("peer-id", "Peer id",
      "Our id in the room (assigned by the server)", NULL,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  for (guint i = 1; i < N_PROPERTIES; i++) {
    if (properties[i])
      g_object_class_install_property (gobject_class, i, properties[i]);
  }

  /**
   * GstWebRTCRoomBaseBin::peer-joined:
   * @self: the element
   * @peer_id: the remote peer's id
   * @name: (nullable): its display name
   *
   * Emitted from the signalling thread for every member found in the room
   * and every newcomer.
   */
  signals[SIGNAL_PEER_JOINED] = g_signal_new ("peer-joined",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * GstWebRTCRoomBaseBin::peer-left:
   * @self: the element
   * @peer_id: who left
   * @reason: `left`, `timeout` or `kicked`
   *
   * Its peer connection and pads are already gone when this is emitted.
   */
  signals[SIGNAL_PEER_LEFT] = g_signal_new ("peer-left",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * GstWebRTCRoomBaseBin::data-received:
   * @self: the element
   * @peer_id: the sender
   * @text: the message received on the `chat` data channel
   */
  signals[SIGNAL_DATA_RECEIVED] = g_signal_new ("data-received",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * GstWebRTCRoomBaseBin::get-stats:
   * @self: the element
   * @peer_id: (nullable): a peer, or %NULL for all peers
   *
   * Action signal: webrtcbin's statistics of one peer connection, or a
   * structure with one field per peer id. C: gst_webrtc_room_base_bin_get_stats().
   *
   * Returns: (transfer full) (nullable): the statistics
   */
  signals[SIGNAL_GET_STATS] = g_signal_new_class_handler ("get-stats",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (get_stats_action), NULL, NULL, NULL, GST_TYPE_STRUCTURE, 1,
      G_TYPE_STRING);
  /**
   * GstWebRTCRoomBaseBin::send-data:
   * @self: the element
   * @peer_id: (nullable): the receiver, or %NULL for every peer
   * @text: the message
   *
   * Action signal: send text on the `chat` data channel. C:
   * gst_webrtc_room_base_bin_send_data().
   *
   * Returns: %TRUE if at least one peer took it
   */
  signals[SIGNAL_SEND_DATA] = g_signal_new_class_handler ("send-data",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (send_data_action), NULL, NULL, NULL, G_TYPE_BOOLEAN, 2,
      G_TYPE_STRING, G_TYPE_STRING);

  gst_type_mark_as_plugin_api (GST_TYPE_WEBRTC_ROOM_BASE_BIN, 0);
}

/* The properties only a sending or only a receiving element has, made
 * for each element class that has them (a GParamSpec belongs to one
 * class). */
static void
install_media_properties (GObjectClass * gobject_class,
    GstWebRTCRoomMediaMode mode)
{
  if (mode != GST_WEBRTC_ROOM_MEDIA_RECVONLY) {
    /**
     * webrtcroombin:video-codec:
     *
     * Codec raw video is encoded to: VP8, VP9, H264 or AV1 (AV1 needs
     * rtpav1pay, which GStreamer 1.22 does not ship). Already-encoded
     * input is sent as it is. webrtcroombin and webrtcroomsink only.
     */
    g_object_class_install_property (gobject_class, PROP_VIDEO_CODEC,
        g_param_spec_enum ("video-codec", "Video codec",
            "Codec for raw video input", GST_TYPE_WEBRTC_ROOM_VIDEO_CODEC,
            DEFAULT_VIDEO_CODEC_ENUM, PROP_FLAGS));
    /**
     * webrtcroombin:audio-codec:
     *
     * Codec raw audio is encoded to (OPUS). webrtcroombin and
     * webrtcroomsink only.
     */
    g_object_class_install_property (gobject_class, PROP_AUDIO_CODEC,
        g_param_spec_enum ("audio-codec", "Audio codec",
            "Codec for raw audio input", GST_TYPE_WEBRTC_ROOM_AUDIO_CODEC,
            DEFAULT_AUDIO_CODEC_ENUM, PROP_FLAGS));
    /**
     * webrtcroombin:bitrate:
     *
     * Target video bitrate in bits per second. webrtcroombin and
     * webrtcroomsink only.
     */
    g_object_class_install_property (gobject_class, PROP_BITRATE,
        g_param_spec_uint ("bitrate", "Bitrate",
            "Target video bitrate (bits/s)", 10000, G_MAXINT, DEFAULT_BITRATE,
            PROP_FLAGS));
    /**
     * webrtcroombin:fec:
     *
     * Forward error correction on video: ULPFEC (RFC 5109) inside RED
     * (RFC 2198). Costs bandwidth on every link; repairs loss without a
     * round trip. webrtcroombin and webrtcroomsink only: webrtcroomsrc
     * always accepts it.
     */
    g_object_class_install_property (gobject_class, PROP_FEC,
        g_param_spec_boolean ("fec", "FEC",
            "Send and accept ULPFEC/RED forward error correction on video",
            DEFAULT_FEC, PROP_FLAGS));
  }
  if (mode != GST_WEBRTC_ROOM_MEDIA_SENDONLY) {
    /**
     * webrtcroombin:latency:
     *
     * Jitterbuffer latency in milliseconds. Low by default for LAN and
     * loopback; raise it on lossy or jittery networks. webrtcroombin and
     * webrtcroomsrc only.
     */
    g_object_class_install_property (gobject_class, PROP_LATENCY,
        g_param_spec_uint ("latency", "Latency", "Jitterbuffer latency (ms)",
            0, 10000, DEFAULT_LATENCY, PROP_FLAGS));
    /**
     * webrtcroombin:decode:
     *
     * Decode remote tracks to raw video/audio; %FALSE outputs the encoded
     * stream (e.g. to record without re-encoding). webrtcroombin and
     * webrtcroomsrc only.
     */
    g_object_class_install_property (gobject_class, PROP_DECODE,
        g_param_spec_boolean ("decode", "Decode",
            "Output raw (decoded) remote tracks; FALSE outputs encoded "
            "streams", DEFAULT_DECODE, PROP_FLAGS));
  }
}

static void
add_template (GstElementClass * element_class, const gchar * name,
    GstPadDirection direction, GstPadPresence presence, const gchar * caps)
{
  g_autoptr (GstCaps) template_caps = gst_caps_from_string (caps);

  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new (name, direction, presence, template_caps));
}

/**
 * gst_webrtc_room_base_bin_class_set_mode:
 * @klass: a subclass' class
 * @mode: what it sends and receives
 *
 * Sets the media mode and installs the matching pad templates.
 */
void
gst_webrtc_room_base_bin_class_set_mode (GstWebRTCRoomBaseBinClass * klass,
    GstWebRTCRoomMediaMode mode)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  static const gchar video_sink[] = "video/x-raw; video/x-vp8; video/x-vp9; "
      "video/x-h264, stream-format=(string){ avc, byte-stream }; video/x-av1";
  static const gchar audio_sink[] = "audio/x-raw; audio/x-opus";
  static const gchar video_src[] = "video/x-raw; video/x-vp8; video/x-vp9; "
      "video/x-h264; video/x-av1";
  static const gchar audio_src[] = "audio/x-raw; audio/x-opus";

  klass->media_mode = mode;
  /* GObject does not inherit these two: the subclass' own properties go
   * through the base class' handlers */
  G_OBJECT_CLASS (klass)->set_property = gst_webrtc_room_base_bin_set_property;
  G_OBJECT_CLASS (klass)->get_property = gst_webrtc_room_base_bin_get_property;
  install_media_properties (G_OBJECT_CLASS (klass), mode);
  if (mode != GST_WEBRTC_ROOM_MEDIA_RECVONLY) {
    add_template (element_class, "video_%u", GST_PAD_SINK, GST_PAD_REQUEST,
        video_sink);
    add_template (element_class, "audio_%u", GST_PAD_SINK, GST_PAD_REQUEST,
        audio_sink);
  }
  if (mode != GST_WEBRTC_ROOM_MEDIA_SENDONLY) {
    add_template (element_class, "video_%s_%u", GST_PAD_SRC,
        GST_PAD_SOMETIMES, video_src);
    add_template (element_class, "audio_%s_%u", GST_PAD_SRC,
        GST_PAD_SOMETIMES, audio_src);
  }
}
