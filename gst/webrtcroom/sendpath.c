/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The send side of one input track (see sendpath-private.h). */

#include "sendpath-private.h"

#include <gst/pbutils/pbutils.h>
#include <gst/video/video.h>

GST_DEBUG_CATEGORY_STATIC (send_debug);
#define GST_CAT_DEFAULT send_debug

/* One request sink pad: queue -> (convert -> encoder | parser) -> tee. */
struct _GstWebRTCRoomSendPath
{
  GstBin *container;            /* not a ref */
  GstWebRTCRoomSendPathCallbacks callbacks;
  gpointer user_data;
  gchar *media;                 /* "video" or "audio" */
  GstPad *ghost;
  GstElement *queue;
  GstElement *tee;
  GstElement *encoder;          /* NULL for pre-encoded input */
  const GstWebRTCRoomCodec *codec;
  gint chain_built;             /* atomic: read from any thread */
  gint eos;                     /* atomic */
};

void
gst_webrtc_room_post_missing_element (GstBin * container, const gchar * factory)
{
  gst_element_post_message (GST_ELEMENT (container),
      gst_missing_element_message_new (GST_ELEMENT (container), factory));
  GST_ELEMENT_ERROR (container, CORE, MISSING_PLUGIN,
      ("GStreamer element '%s' is missing: install the plugin that "
          "provides it", factory), (NULL));
}

GstElement *
gst_webrtc_room_make_element (GstBin * container, const gchar * factory)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (!element)
    gst_webrtc_room_post_missing_element (container, factory);
  return element;
}

/* Adds @elements to the container, links them in order after @upstream
 * and syncs their state. Returns the last one. */
GstElement *
gst_webrtc_room_add_chain (GstBin * container, GstElement * upstream,
    GstElement ** elements, guint n)
{
  GstElement *prev = upstream;
  guint i;

  for (i = 0; i < n; i++) {
    gst_bin_add (container, elements[i]);
    if (prev && !gst_element_link (prev, elements[i]))
      GST_ERROR_OBJECT (container, "could not link %s to %s",
          GST_OBJECT_NAME (prev), GST_OBJECT_NAME (elements[i]));
    prev = elements[i];
  }
  for (i = n; i > 0; i--)
    gst_element_sync_state_with_parent (elements[i - 1]);
  return prev;
}

static gboolean
is_raw (GstCaps * caps)
{
  const gchar *name = gst_structure_get_name (gst_caps_get_structure (caps,
          0));
  return g_str_has_suffix (name, "/x-raw");
}

static gchar *
configured_codec (GstWebRTCRoomSendPath * path, guint * bitrate)
{
  guint unused = 0;

  return path->callbacks.encoder_config (path, bitrate ? bitrate : &unused,
      path->user_data);
}

static gboolean
build_input_chain (GstWebRTCRoomSendPath * path, GstCaps * caps)
{
  GstBin *container = path->container;
  GstElement *elements[4];
  guint n = 0;
  const GstWebRTCRoomCodec *codec;
  g_autofree gchar *missing = NULL;
  GstElement *last;

  if (is_raw (caps)) {
    guint bitrate = 0;
    g_autofree gchar *name = configured_codec (path, &bitrate);
    codec = gst_webrtc_room_codec_find (name);
    if (!codec || !g_str_equal (codec->media, path->media)) {
      GST_ELEMENT_ERROR (container, CORE, NEGOTIATION,
          ("Unknown %s codec '%s'", path->media, name), (NULL));
      return FALSE;
    }
    missing = gst_webrtc_room_codec_missing_element (codec, TRUE);
    if (missing) {
      gst_webrtc_room_post_missing_element (container, missing);
      return FALSE;
    }
    if (g_str_equal (path->media, "video")) {
      elements[n++] = gst_webrtc_room_make_element (container, "videoconvert");
    } else {
      elements[n++] = gst_webrtc_room_make_element (container, "audioconvert");
      elements[n++] = gst_webrtc_room_make_element (container, "audioresample");
    }
    path->encoder = gst_webrtc_room_codec_make_encoder (codec,
        g_str_equal (path->media, "video") ? bitrate : 0);
    elements[n++] = path->encoder;
    if (codec->encoder_caps) {
      GstElement *filter =
          gst_webrtc_room_make_element (container, "capsfilter");
      g_autoptr (GstCaps) fcaps = gst_caps_from_string (codec->encoder_caps);
      if (filter)
        g_object_set (filter, "caps", fcaps, NULL);
      elements[n++] = filter;
    }
  } else {
    codec = gst_webrtc_room_codec_for_encoded_caps (caps);
    if (!codec) {
      g_autofree gchar *str = gst_caps_to_string (caps);
      GST_ELEMENT_ERROR (container, CORE, NEGOTIATION,
          ("Input format %s cannot be sent over WebRTC", str), (NULL));
      return FALSE;
    }
    if (codec->parser && gst_element_factory_find (codec->parser)) {
      GstElement *parser = gst_element_factory_make (codec->parser, NULL);
      if (g_object_class_find_property (G_OBJECT_GET_CLASS (parser),
              "config-interval"))
        g_object_set (parser, "config-interval", -1, NULL);
      elements[n++] = parser;
    }
  }
  path->codec = codec;
  for (guint i = 0; i < n; i++) {
    if (!elements[i]) {
      for (guint j = 0; j < n; j++)
        gst_clear_object (&elements[j]);
      path->encoder = NULL;
      return FALSE;
    }
  }
  GST_INFO_OBJECT (container, "%s input: %s %s", path->media,
      path->encoder ? "encoding to" : "already encoded as", codec->name);
  last = gst_webrtc_room_add_chain (container, path->queue, elements, n);
  if (!gst_element_link (last, path->tee))
    GST_ERROR_OBJECT (container, "could not link the %s chain to its tee",
        path->media);
  return TRUE;
}

/* Runs in the upstream streaming thread on the first caps: the chain is
 * linked before the event continues, so it flows into the new elements. */
static GstPadProbeReturn
on_input_caps (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GstWebRTCRoomSendPath *path = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps;
  gboolean built;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps);
  built = build_input_chain (path, caps);
  g_atomic_int_set (&path->chain_built, built);
  if (built && path->callbacks.caps_ready)
    path->callbacks.caps_ready (path, path->user_data);
  return built ? GST_PAD_PROBE_REMOVE : GST_PAD_PROBE_DROP;
}

static GstPadProbeReturn
on_input_eos (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GstWebRTCRoomSendPath *path = user_data;

  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS) {
    g_atomic_int_set (&path->eos, TRUE);
    if (path->callbacks.eos)
      path->callbacks.eos (path, path->user_data);
  } else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) ==
      GST_EVENT_FLUSH_STOP) {
    g_atomic_int_set (&path->eos, FALSE);
  }
  return GST_PAD_PROBE_OK;
}

GstWebRTCRoomSendPath *
gst_webrtc_room_send_path_new (GstBin * container, GstPadTemplate * templ,
    const gchar * name, const GstWebRTCRoomSendPathCallbacks * callbacks,
    gpointer user_data)
{
  static gsize debug_init = 0;
  GstWebRTCRoomSendPath *path;
  g_autoptr (GstPad) queue_sink = NULL;
  g_autoptr (GstPad) queue_src = NULL;

  g_return_val_if_fail (callbacks && callbacks->encoder_config, NULL);
  if (g_once_init_enter (&debug_init)) {
    GST_DEBUG_CATEGORY_INIT (send_debug, "webrtcroom", 0,
        "WebRTC room elements");
    g_once_init_leave (&debug_init, 1);
  }
  path = g_new0 (GstWebRTCRoomSendPath, 1);
  path->container = container;
  path->callbacks = *callbacks;
  path->user_data = user_data;
  path->media = g_strdup (g_str_has_prefix (name, "audio") ? "audio" : "video");
  path->queue = gst_element_factory_make ("queue", NULL);
  path->tee = gst_element_factory_make ("tee", NULL);
  g_object_set (path->tee, "allow-not-linked", TRUE, NULL);
  g_object_set (path->queue, "max-size-buffers", 3, "max-size-bytes", 0,
      "max-size-time", (guint64) 0, NULL);
  gst_bin_add_many (container, path->queue, path->tee, NULL);

  queue_sink = gst_element_get_static_pad (path->queue, "sink");
  queue_src = gst_element_get_static_pad (path->queue, "src");
  gst_pad_add_probe (queue_src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      on_input_caps, path, NULL);
  gst_pad_add_probe (queue_sink, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM |
      GST_PAD_PROBE_TYPE_EVENT_FLUSH, on_input_eos, path, NULL);
  path->ghost = gst_ghost_pad_new_from_template (name, queue_sink, templ);
  gst_element_sync_state_with_parent (path->tee);
  gst_element_sync_state_with_parent (path->queue);
  return path;
}

void
gst_webrtc_room_send_path_free (GstWebRTCRoomSendPath * path)
{
  GList *children, *l;
  g_autoptr (GstPad) queue_src =
      gst_element_get_static_pad (path->queue, "src");
  GstElement *elements[8];
  guint n = 0;
  GstPad *peer;

  /* collect the chain queue -> ... -> tee */
  elements[n++] = gst_object_ref (path->queue);
  peer = gst_pad_get_peer (queue_src);
  while (peer && n < G_N_ELEMENTS (elements)) {
    GstElement *element = gst_pad_get_parent_element (peer);
    g_autoptr (GstPad) src = NULL;
    gst_object_unref (peer);
    peer = NULL;
    if (!element)
      break;
    elements[n++] = element;
    if (element == path->tee)
      break;
    src = gst_element_get_static_pad (element, "src");
    if (src)
      peer = gst_pad_get_peer (src);
  }
  if (peer)
    gst_object_unref (peer);
  if (elements[n - 1] != path->tee)
    elements[n++] = gst_object_ref (path->tee);

  children = NULL;
  for (guint i = 0; i < n; i++)
    children = g_list_prepend (children, elements[i]);
  for (l = children; l; l = l->next) {
    gst_element_set_locked_state (l->data, TRUE);
    gst_element_set_state (l->data, GST_STATE_NULL);
    gst_bin_remove (path->container, l->data);
  }
  g_list_free_full (children, gst_object_unref);
  g_free (path->media);
  g_free (path);
}

GstPad *
gst_webrtc_room_send_path_get_pad (GstWebRTCRoomSendPath * path)
{
  return path->ghost;
}

const gchar *
gst_webrtc_room_send_path_get_media (GstWebRTCRoomSendPath * path)
{
  return path->media;
}

gboolean
gst_webrtc_room_send_path_is_ready (GstWebRTCRoomSendPath * path)
{
  return g_atomic_int_get (&path->chain_built);
}

gboolean
gst_webrtc_room_send_path_is_eos (GstWebRTCRoomSendPath * path)
{
  return g_atomic_int_get (&path->eos);
}

const GstWebRTCRoomCodec *
gst_webrtc_room_send_path_get_codec (GstWebRTCRoomSendPath * path)
{
  g_autofree gchar *name = NULL;

  if (g_atomic_int_get (&path->chain_built))
    return path->codec;
  name = configured_codec (path, NULL);
  return gst_webrtc_room_codec_find (name);
}

/* Key units */

GstPad *
gst_webrtc_room_send_path_get_key_unit_pad (GstWebRTCRoomSendPath * path)
{
  return gst_element_get_static_pad (path->tee, "sink");
}

void
gst_webrtc_room_request_key_unit (GstPad * pad)
{
  /* upstream from the tee: reaches the encoder, or the upstream encoder
   * for pre-encoded input */
  gst_pad_push_event (pad,
      gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE,
          0));
}

void
gst_webrtc_room_send_path_force_key_unit (GstWebRTCRoomSendPath * path)
{
  g_autoptr (GstPad) tee_sink =
      gst_webrtc_room_send_path_get_key_unit_pad (path);

  gst_webrtc_room_request_key_unit (tee_sink);
}

/* Per-peer branches */

/* issue 11 (payloads): the encoder's allocation query, made again each time
 * a branch joins the tee, is serialized: it waits in every branch queue
 * until what is before it went out. A peer whose webrtcbin keeps its sink
 * pad blocked (an offer answered, ICE never done: tests/elements
 * test-hostile restart-flood) held it forever, and with it the shared
 * encoder and every other peer's video. Answered at the queue: the
 * payloader needs nothing from upstream's allocation. */
static GstPadProbeReturn
answer_allocation_query (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  if (GST_QUERY_TYPE (GST_PAD_PROBE_INFO_QUERY (info)) == GST_QUERY_ALLOCATION)
    return GST_PAD_PROBE_HANDLED;
  return GST_PAD_PROBE_OK;
}

/* issue 10 (Ctrl-C with gst-launch -e hung 1 run in 3 with a viewer): an
 * input's EOS stops at the peer's branch. With BUNDLE, webrtcbin 1.22's
 * rtpfunnel forwards the first track's EOS (audio ends first) into the
 * one RTP session of the connection, whose src pad then answers every
 * later video buffer with FLOW_EOS. The tee hands that back to the shared
 * encoder and input queues, and a 1.22 queue told EOS by downstream drops
 * a pending serialized query without waking its caller: the video
 * source's streaming thread (in an allocation query) waited forever with
 * its stream lock, and so did the EOS sent to it. The owner posts its own
 * EOS (the eos callback); a peer connection needs none, and one track
 * ending must not end the others. */
static GstPadProbeReturn
keep_eos_out_of_branch (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
    return GST_PAD_PROBE_DROP;
  return GST_PAD_PROBE_OK;
}

GstElement *
gst_webrtc_room_send_path_make_branch (GstWebRTCRoomSendPath * path,
    const GstWebRTCRoomCodec * codec, gint pt, const gchar * profile_level_id,
    GstPad ** src)
{
  GstElement *queue, *pay;
  GstElement *chain[3];
  guint n_chain = 2;
  g_autoptr (GstPad) queue_sink = NULL;

  g_return_val_if_fail (codec != NULL, NULL);
  queue = gst_element_factory_make ("queue", NULL);
  /* a slow peer drops its own frames, never stalls the others */
  g_object_set (queue, "leaky", 2, "max-size-buffers", 0, "max-size-bytes",
      0, "max-size-time", (guint64) 500 * GST_MSECOND, NULL);
  queue_sink = gst_element_get_static_pad (queue, "sink");
  gst_pad_add_probe (queue_sink, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM,
      answer_allocation_query, NULL, NULL);
  gst_pad_add_probe (queue_sink, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      keep_eos_out_of_branch, NULL, NULL);
  pay = gst_webrtc_room_make_element (path->container, codec->payloader);
  if (!pay) {
    gst_object_unref (queue);
    return NULL;
  }
  gst_webrtc_room_set_object_args (G_OBJECT (pay), codec->payloader_args);
  g_object_set (pay, "pt", (guint) pt, NULL);
  chain[0] = queue;
  chain[1] = pay;
  if (profile_level_id && g_str_equal (codec->name, "H264")) {
    /* webrtcbin answers recvonly unless our caps match the offered format
     * (TRAPS.md): announce the remote's H264 profile-level-id, which the
     * constrained-baseline stream satisfies */
    GstElement *setter =
        gst_webrtc_room_make_element (path->container, "capssetter");
    g_autoptr (GstCaps) caps =
        gst_caps_new_simple ("application/x-rtp", "profile-level-id",
        G_TYPE_STRING, profile_level_id, NULL);
    if (!setter) {
      gst_object_unref (queue);
      gst_object_unref (pay);
      return NULL;
    }
    g_object_set (setter, "caps", caps, "join", TRUE, "replace", FALSE, NULL);
    chain[n_chain++] = setter;
  }
  gst_webrtc_room_add_chain (path->container, NULL, chain, n_chain);
  *src = gst_element_get_static_pad (chain[n_chain - 1], "src");
  return queue;
}

typedef struct
{
  GstPad *queue_sink;
  gint done;
} IdleLink;

static void
idle_link_free (gpointer data)
{
  IdleLink *link = data;

  gst_object_unref (link->queue_sink);
  g_free (link);
}

/* The CI flake of issue 10's /roles/mix-src+sink+bin+sink ("Got data flow
 * before segment event" on a new tee pad, then the payloader's "negotiation
 * problem"): tee 1.22 copies its sink pad's sticky events to a new src pad
 * before it adds the pad to its list, so a segment that arrives in between
 * reaches neither, and the branch gets buffers without one. A peer joining
 * while the input starts hits that window. The tee's sink pad is idle
 * here: no event or buffer is in flight while the pad is made and linked.
 *
 * GStreamer may call an IDLE probe twice (from gst_pad_add_probe() and,
 * before it is removed, from the streaming thread going idle): the branch
 * is linked by the first call only. */
static GstPadProbeReturn
link_branch_when_idle (GstPad * tee_sink, GstPadProbeInfo * info, gpointer data)
{
  IdleLink *link = data;
  GstPad *queue_sink = link->queue_sink;
  g_autoptr (GstElement) tee = NULL;
  g_autoptr (GstElement) queue = NULL;
  g_autoptr (GstObject) tee_bin = NULL;
  g_autoptr (GstObject) queue_bin = NULL;
  GstPad *tee_src;
  GstPadLinkReturn ret;

  if (!g_atomic_int_compare_and_exchange (&link->done, FALSE, TRUE))
    return GST_PAD_PROBE_REMOVE;
  tee = gst_pad_get_parent_element (tee_sink);
  queue = gst_pad_get_parent_element (queue_sink);
  tee_bin = tee ? gst_object_get_parent (GST_OBJECT (tee)) : NULL;
  queue_bin = queue ? gst_object_get_parent (GST_OBJECT (queue)) : NULL;
  /* released before the tee was idle: nothing to link */
  if (!tee_bin || tee_bin != queue_bin)
    return GST_PAD_PROBE_REMOVE;
  tee_src = gst_element_request_pad_simple (tee, "src_%u");
  ret = gst_pad_link (tee_src, queue_sink);
  if (ret != GST_PAD_LINK_OK) {
    GST_ERROR_OBJECT (tee, "could not link a branch to %s: %s",
        GST_OBJECT_NAME (tee), gst_pad_link_get_name (ret));
    gst_element_release_request_pad (tee, tee_src);
  }
  gst_object_unref (tee_src);
  return GST_PAD_PROBE_REMOVE;
}

void
gst_webrtc_room_send_path_start_branch (GstWebRTCRoomSendPath * path,
    GstElement * queue)
{
  g_autoptr (GstPad) tee_sink = gst_element_get_static_pad (path->tee, "sink");
  IdleLink *link = g_new0 (IdleLink, 1);

  link->queue_sink = gst_element_get_static_pad (queue, "sink");
  /* at once if no data is in flight, else right after it */
  gst_pad_add_probe (tee_sink, GST_PAD_PROBE_TYPE_IDLE,
      link_branch_when_idle, link, idle_link_free);
  gst_webrtc_room_send_path_force_key_unit (path);
}

GstPad *
gst_webrtc_room_send_path_release_branch (GstWebRTCRoomSendPath * path,
    GstElement * queue, GstElement * until, GPtrArray * elements)
{
  g_autoptr (GstPad) queue_sink = gst_element_get_static_pad (queue, "sink");
  g_autoptr (GstPad) tee_src = gst_pad_get_peer (queue_sink);
  GstElement *element = gst_object_ref (queue);
  GstPad *until_sink = NULL;

  if (tee_src) {
    gst_pad_unlink (tee_src, queue_sink);
    gst_element_release_request_pad (path->tee, tee_src);
  }
  while (element && element != until) {
    g_autoptr (GstPad) src = gst_element_get_static_pad (element, "src");
    GstPad *peer = src ? gst_pad_get_peer (src) : NULL;
    g_ptr_array_add (elements, element);
    element = peer ? gst_pad_get_parent_element (peer) : NULL;
    if (element && element == until)
      until_sink = gst_object_ref (peer);
    if (peer)
      gst_object_unref (peer);
  }
  if (element)
    gst_object_unref (element);
  return until_sink;
}
