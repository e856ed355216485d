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
 * ## Src pads
 * Each remote track gets a src pad, `video_<peer-id>_<n>` or
 * `audio_<peer-id>_<n>`, once its media arrives. A connection replaced by
 * a restart keeps its pads. When the peer leaves, each of its pads sends
 * EOS and is then removed, as rtpbin ends a sender's stream on its BYE: a
 * muxer finalizes that peer's streams, and a pipeline whose sinks all
 * followed that peer ends.
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
#include "roombin-settings-private.h"
#include "roomsessions-private.h"
#include "webrtcroom-enumtypes.h"

#include <gst/pbutils/pbutils.h>

#include <string.h>

GST_DEBUG_CATEGORY (gst_webrtc_room_debug);

void gst_webrtc_room_certificate_warm_up (void);
void gst_webrtc_room_certificate_wait (void);

/* get-stats waits this long for each webrtcbin at most */
#define STATS_TIMEOUT_MS 5000


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



/* Locks: the object lock guards the settings and peer_id, the input lock
 * the inputs, context_lock the context pointer; the room has its own
 * (roomsessions-private.h). Each is held briefly and alone, never two at
 * once: not across a signal emission, a message, nor a call into the room,
 * a peer session or webrtcbin. The one exception is expose_lock, held
 * across a src pad's pad-added and nothing else (see
 * gst_webrtc_room_base_bin_add_src_pad). */
typedef struct
{
  /* under the object lock */
  GstWebRTCRoomSettings settings;       /* roombin-props.c */
  gchar *peer_id;               /* ours in the room, from the welcome */

  /* the signalling thread */
  GThread *thread;
  GMainContext *context;        /* written under context_lock */
  GMutex context_lock;
  GMainLoop *loop;

  /* membership and peer sessions, made at init, freed at finalize */
  GstWebRTCRoomSessions *room;

  /* under lock: touched from pad requests and streaming threads */
  GMutex lock;
  GPtrArray *inputs;            /* GstWebRTCRoomSendPath* */
  guint next_pad[2];

  GRecMutex expose_lock;        /* one src pad's pad-added at a time */
} GstWebRTCRoomBaseBinPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GstWebRTCRoomBaseBin,
    gst_webrtc_room_base_bin, GST_TYPE_BIN);

#define PRIV(self) ((GstWebRTCRoomBaseBinPrivate *) \
    gst_webrtc_room_base_bin_get_instance_private (self))

GstWebRTCRoomSettings *
gst_webrtc_room_base_bin_get_settings (GstWebRTCRoomBaseBin * self)
{
  return &PRIV (self)->settings;
}

gchar *
gst_webrtc_room_base_bin_dup_peer_id (GstWebRTCRoomBaseBin * self)
{
  gchar *peer_id;

  GST_OBJECT_LOCK (self);
  peer_id = g_strdup (PRIV (self)->peer_id);
  GST_OBJECT_UNLOCK (self);
  return peer_id;
}

void
gst_webrtc_room_base_bin_set_peer_id (GstWebRTCRoomBaseBin * self,
    const gchar * peer_id)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);

  GST_OBJECT_LOCK (self);
  g_free (priv->peer_id);
  priv->peer_id = g_strdup (peer_id);
  GST_OBJECT_UNLOCK (self);
  gst_webrtc_room_base_bin_notify_peer_id (self);
}

void
gst_webrtc_room_base_bin_recheck_waits (GstWebRTCRoomBaseBin * self)
{
  gst_webrtc_room_sessions_recheck_waits (PRIV (self)->room);
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
  codec = g_strdup (g_str_equal (media, "audio") ? priv->settings.audio_codec
      : priv->settings.video_codec);
  GST_OBJECT_UNLOCK (self);
  return codec;
}

static guint
gst_webrtc_room_base_bin_get_bitrate (GstWebRTCRoomBaseBin * self)
{
  guint bitrate;

  GST_OBJECT_LOCK (self);
  bitrate = PRIV (self)->settings.bitrate;
  GST_OBJECT_UNLOCK (self);
  return bitrate;
}

gboolean
gst_webrtc_room_base_bin_get_decode (GstWebRTCRoomBaseBin * self)
{
  gboolean decode;

  GST_OBJECT_LOCK (self);
  decode = PRIV (self)->settings.decode;
  GST_OBJECT_UNLOCK (self);
  return decode;
}

/* TRUE when the element and every bin above it are set to PLAYING (they
 * may still be on their way): a sink downstream that waits for PLAYING
 * gets there without our help. */
gboolean
gst_webrtc_room_base_bin_heads_for_playing (GstWebRTCRoomBaseBin * self)
{
  GstObject *object = gst_object_ref (GST_OBJECT (self));
  gboolean playing = TRUE;

  while (object && playing) {
    GstObject *parent;

    GST_OBJECT_LOCK (object);
    if (GST_IS_ELEMENT (object))
      playing = GST_STATE_TARGET (object) == GST_STATE_PLAYING;
    parent = GST_OBJECT_PARENT (object) ?
        gst_object_ref (GST_OBJECT_PARENT (object)) : NULL;
    GST_OBJECT_UNLOCK (object);
    gst_object_unref (object);
    object = parent;
  }
  gst_clear_object (&object);
  return playing;
}

static void
flush_start_pad (const GValue * item, gpointer unused)
{
  gst_pad_push_event (g_value_get_object (item), gst_event_new_flush_start ());
}

static void
flush_start_src_pads (GstElement * element)
{
  g_autoptr (GstIterator) pads = gst_element_iterate_src_pads (element);

  while (gst_iterator_foreach (pads, flush_start_pad, NULL) ==
      GST_ITERATOR_RESYNC)
    gst_iterator_resync (pads);
}

/* Adds the src pad of a remote track (@pad: floating or a new ref, taken).
 * Tracks start on their own streaming threads, often at the same moment,
 * and pad-added handlers are not all safe against that: gst-launch-1.0's
 * delayed link ("webrtcroomsrc ! video/x-raw ! sink") tries a pad by
 * putting a capsfilter before the sink; its try for the audio pad held the
 * sink for a moment, the video pad's try failed on it and was never
 * repeated, and the viewer got no video (1 try in 6 on 2 busy cores).
 * The handlers of one element's pads run one after the other, as
 * decodebin's do; recursive for a handler that makes us add another. */
void
gst_webrtc_room_base_bin_add_src_pad (GstWebRTCRoomBaseBin * self, GstPad * pad)
{
  g_rec_mutex_lock (&PRIV (self)->expose_lock);
  gst_element_add_pad (GST_ELEMENT (self), pad);
  g_rec_mutex_unlock (&PRIV (self)->expose_lock);
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
  role->data = priv->settings.data_channels;
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
  gst_webrtc_room_sessions_renegotiate_all (PRIV (data)->room);
  return G_SOURCE_REMOVE;
}

/* The room joins with the settings as they are now: they change in the
 * NULL and READY states only */
static void
start_signalling (GstWebRTCRoomBaseBin * self, gpointer unused)
{
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);
  GstWebRTCRoomSettings settings;

  GST_OBJECT_LOCK (self);
  gst_webrtc_room_settings_copy (&settings, &priv->settings);
  GST_OBJECT_UNLOCK (self);
  gst_webrtc_room_sessions_start (priv->room, &settings);
  gst_webrtc_room_settings_clear (&settings);
}

static void
stop_signalling (GstWebRTCRoomBaseBin * self, gpointer unused)
{
  gst_webrtc_room_sessions_stop (PRIV (self)->room);
}

static void
detach_input (GstWebRTCRoomBaseBin * self, gpointer input)
{
  gst_webrtc_room_sessions_detach_input (PRIV (self)->room, input);
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
      if (!gst_webrtc_room_base_bin_check_settings (self))
        return GST_STATE_CHANGE_FAILURE;
      gst_webrtc_room_certificate_warm_up ();
      start_thread (self);
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      run_on_context (self, start_signalling, NULL);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      /* back from a pause: join again */
      if (!gst_webrtc_room_sessions_is_joined (PRIV (self)->room))
        run_on_context (self, start_signalling, NULL);
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      /* The sinks downstream paused first: a track's streaming thread may
       * wait in one of them with the stream lock that stopping its
       * webrtcbin needs, and a peer that left while the pipeline was set
       * to PLAYING was not flushed (gst_webrtc_room_media_flush_start) */
      flush_start_src_pads (element);
      /* Leave the room before the children change state: a peer-left
       * handled on the signalling thread would stop a webrtcbin while this
       * thread pauses it, and its sinks wait for a preroll that never
       * comes (deadlock seen in the mesh benchmark). A paused live element
       * has nothing to say to a room anyway. */
      /* fall through */
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      run_on_context (self, stop_signalling, NULL);
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
  if (priv->context && gst_webrtc_room_sessions_is_joined (priv->room))
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
  if (priv->context && gst_webrtc_room_sessions_is_joined (priv->room))
    run_on_context (self, detach_input, input);
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

static void
push_eos_downstream_async (GstElement * element, gpointer user_data)
{
  push_eos_downstream (element);
}

/* An EOS sent to the element (gst-launch-1.0 -e, an application
 * finishing a recording) ends every remote track we output, so muxers
 * downstream can finalize; the peer connections keep running. It is not
 * handed on to our children: GstBin would send it into every webrtcbin's
 * nicesrc, and a viewer then failed with "Internal data stream error" from
 * nicesrc, or hung waiting for EOS (1 Ctrl-C in 8; its src pads' caps
 * were reset, as a watchdog restart's flush does).
 *
 * The EOS is pushed from another thread: send_event() runs with the
 * element's and the pipeline's state locks held, and a sink downstream
 * that lost its state (a restart's flush) holds its stream lock while it
 * waits for the pipeline to return to PLAYING, which needs those locks:
 * pushing from here deadlocked (a viewer's Ctrl-C, 1 in 16). */
static gboolean
gst_webrtc_room_base_bin_send_event (GstElement * element, GstEvent * event)
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    gst_element_call_async (element, push_eos_downstream_async, NULL, NULL);
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
  GstWebRTCRoomSessions *room = PRIV (self)->room;
  g_autoptr (GPtrArray) list =
      gst_webrtc_room_sessions_dup_peer_ids (room, peer_id);
  GstStructure *result = NULL;
  guint i;

  if (!peer_id)
    result = gst_structure_new_empty ("webrtcroom-stats");
  for (i = 0; i < list->len; i++) {
    GstElement *webrtcbin =
        gst_webrtc_room_sessions_dup_webrtcbin (room, list->pdata[i]);
    GstStructure *stats = NULL;

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
  g_autoptr (GPtrArray) channels = NULL;
  gboolean sent = FALSE;
  guint i;

  g_return_val_if_fail (text != NULL, FALSE);
  channels = gst_webrtc_room_sessions_dup_channels (PRIV (self)->room, peer_id);
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
  g_set_object (&priv->settings.signaller, signaller);
  GST_OBJECT_UNLOCK (self);
}

/* GObject */

static void
gst_webrtc_room_base_bin_finalize (GObject * object)
{
  GstWebRTCRoomBaseBin *self = GST_WEBRTC_ROOM_BASE_BIN (object);
  GstWebRTCRoomBaseBinPrivate *priv = PRIV (self);

  gst_webrtc_room_sessions_free (priv->room);
  gst_webrtc_room_settings_clear (&priv->settings);
  g_free (priv->peer_id);
  g_ptr_array_free (priv->inputs, TRUE);
  g_mutex_clear (&priv->lock);
  g_mutex_clear (&priv->context_lock);
  g_rec_mutex_clear (&priv->expose_lock);

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

  gst_webrtc_room_settings_init (&priv->settings);
  g_mutex_init (&priv->lock);
  g_mutex_init (&priv->context_lock);
  g_rec_mutex_init (&priv->expose_lock);
  priv->room = gst_webrtc_room_sessions_new (self);
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


static void
gst_webrtc_room_base_bin_class_init (GstWebRTCRoomBaseBinClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_webrtc_room_debug, "webrtcroom", 0,
      "WebRTC room elements");

  gobject_class->dispose = gst_webrtc_room_base_bin_dispose;
  gobject_class->finalize = gst_webrtc_room_base_bin_finalize;
  element_class->change_state = gst_webrtc_room_base_bin_change_state;
  element_class->request_new_pad = gst_webrtc_room_base_bin_request_new_pad;
  element_class->release_pad = gst_webrtc_room_base_bin_release_pad;
  element_class->send_event = gst_webrtc_room_base_bin_send_event;
  GST_BIN_CLASS (klass)->handle_message =
      gst_webrtc_room_base_bin_handle_message;
  gst_webrtc_room_base_bin_install_properties (gobject_class);

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
  gst_webrtc_room_base_bin_install_media_properties (G_OBJECT_CLASS (klass),
      mode);
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
