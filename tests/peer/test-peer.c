/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Two peer sessions (gst/webrtcroom/peersession.c) wired to each other
 * in-process through a test host: no server, no room bin. The host passes
 * each signal payload through the protocol codec (serialized, parsed) to
 * the other session on one signalling context that the test iterates.
 * Real webrtcbin, ICE on 127.0.0.1 only (no upnp, no ICE-TCP). Every
 * session carries a data channel: text must cross each new connection both
 * ways (who offers, glare, restart). The media cases add one video track
 * per sender (videotestsrc, VP8 or H264, built like media.c does it):
 * every pair of roles (send+receive, send-only, receive-only) x who offers
 * x codec, asserting decoded frames at each receiver and no track at a
 * peer that receives nothing; a track added by either side of a live
 * connection; two publishers (or two viewers) talking over a connection
 * that negotiates no media. */

#include <gst/gst.h>
#include <stdlib.h>
#include <string.h>

#include "gst/webrtcroom/peersession-private.h"

#define WAIT_S 30

typedef struct _TestPeer TestPeer;

struct _TestPeer
{
  const gchar *id;
  GMainContext *context;        /* shared by both peers */
  GstElement *pipeline;
  GstWebRTCRoomPeerSession *session;    /* our session for the other peer */
  TestPeer *other;

  /* media: what this peer sends and receives (one video track) */
  gboolean sends;
  gboolean receives;
  const gchar *codec;           /* "VP8" or "H264" */
  GstElement *send_branch;      /* source -> encoder -> payloader */
  gboolean attached;            /* linked to the current connection */

  GMutex lock;                  /* guards the fields below */
  GPtrArray *recv_bins;         /* depayloader -> decoder -> fakesink */
  guint frames;                 /* decoded */
  GPtrArray *received;          /* texts from the data channel */
  guint replacements;
  guint reconnecting;           /* webrtcroom-peer-reconnecting posted */
  guint errors;
};

/* The host */

static gboolean
host_attach (gpointer host_data, GSource * source)
{
  TestPeer *peer = host_data;

  g_source_attach (source, peer->context);
  return TRUE;
}

static GstWebRTCRoomPeerSession *
host_lookup (gpointer host_data, const gchar * peer_id)
{
  TestPeer *peer = host_data;

  if (peer->session && g_str_equal (peer_id, peer->other->id))
    return peer->session;
  return NULL;
}

typedef struct
{
  TestPeer *to;
  gchar *text;
} Delivery;

static void
delivery_free (Delivery * d)
{
  g_free (d->text);
  g_free (d);
}

static gboolean
deliver (gpointer user_data)
{
  Delivery *d = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstWebRTCRoomSignalPayload) payload =
      gst_webrtc_room_signal_payload_parse_text (d->text, -1, &error);

  g_assert_no_error (error);
  if (d->to->session)
    gst_webrtc_room_peer_session_handle_payload (d->to->session, payload);
  return G_SOURCE_REMOVE;
}

/* any thread: through the codec, as text, like the wire */
static void
host_send_signal (gpointer host_data, const gchar * peer_id,
    JsonObject * payload)
{
  TestPeer *peer = host_data;
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  Delivery *d = g_new0 (Delivery, 1);
  GSource *source = g_idle_source_new ();

  g_assert_cmpstr (peer_id, ==, peer->other->id);
  json_node_set_object (node, payload);
  d->to = peer->other;
  d->text = json_to_string (node, FALSE);
  g_source_set_callback (source, deliver, d, (GDestroyNotify) delivery_free);
  g_source_attach (source, peer->context);
  g_source_unref (source);
}

static void
host_post_message (gpointer host_data, GstStructure * fields)
{
  TestPeer *peer = host_data;

  g_mutex_lock (&peer->lock);
  if (gst_structure_has_name (fields, "webrtcroom-peer-reconnecting"))
    peer->reconnecting++;
  g_mutex_unlock (&peer->lock);
  gst_structure_free (fields);
}

static void
host_state_changed (gpointer host_data, GstWebRTCRoomPeerSession * s)
{
}

static void
host_error (gpointer host_data, GstWebRTCRoomPeerSession * s,
    const GError * error, const gchar * debug)
{
  TestPeer *peer = host_data;

  g_printerr ("peer %s: error %s (%s)\n", peer->id, error->message,
      GST_STR_NULL (debug));
  g_mutex_lock (&peer->lock);
  peer->errors++;
  g_mutex_unlock (&peer->lock);
}

static void
host_data_received (gpointer host_data, const gchar * peer_id,
    const gchar * text)
{
  TestPeer *peer = host_data;

  g_mutex_lock (&peer->lock);
  g_ptr_array_add (peer->received, g_strdup (text));
  g_mutex_unlock (&peer->lock);
}


static gpointer
host_replace_begin (gpointer host_data, GstWebRTCRoomPeerSession * s)
{
  TestPeer *peer = host_data;

  g_mutex_lock (&peer->lock);
  peer->replacements++;
  g_mutex_unlock (&peer->lock);
  return NULL;
}

static void
host_replace_end (gpointer host_data, GstWebRTCRoomPeerSession * s,
    gpointer token, gboolean ok)
{
  g_assert_true (ok);
}

static void
host_ice_config (gpointer host_data, GstWebRTCRoomIceConfig * config)
{
  const gchar *local[] = { "127.0.0.1", NULL };

  memset (config, 0, sizeof (*config));
  config->ice_transport_policy = GST_WEBRTC_ICE_TRANSPORT_POLICY_ALL;
  config->local_addresses = g_strdupv ((GStrv) local);
}

static gboolean
host_inputs_ready (gpointer host_data)
{
  return TRUE;
}


/* our track, if the peer receives it and the connection does not carry
 * it yet */
static GStrv
host_new_track_kinds (gpointer host_data, GstWebRTCRoomPeerSession * s)
{
  TestPeer *peer = host_data;
  GStrv kinds = g_new0 (gchar *, 2);

  if (peer->sends && !peer->attached
      && gst_webrtc_room_peer_session_get_remote_role (s)->receives)
    kinds[0] = g_strdup ("video");
  return kinds;
}


static void
host_configure_answer (gpointer host_data, GstWebRTCRoomPeerSession * s,
    const GstSDPMessage * offer)
{
}



/* Media: one video track, built the way media.c does (send branch from
 * the offer's payload type, recvonly transceivers when offering) */

static const gchar *
codec_encoder (const gchar * codec)
{
  return g_str_equal (codec, "VP8") ?
      "vp8enc deadline=1 keyframe-max-dist=10 ! rtpvp8pay" :
      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 ! "
      "video/x-h264,profile=constrained-baseline ! rtph264pay "
      "config-interval=-1 aggregate-mode=zero-latency";
}

static gint
codec_default_pt (const gchar * codec)
{
  return g_str_equal (codec, "VP8") ? 96 : 102;
}

static GstCaps *
codec_rtp_caps (const gchar * codec, gint pt)
{
  GstCaps *caps = gst_caps_new_simple ("application/x-rtp",
      "media", G_TYPE_STRING, "video", "encoding-name", G_TYPE_STRING, codec,
      "payload", G_TYPE_INT, pt, "clock-rate", G_TYPE_INT, 90000, NULL);

  if (g_str_equal (codec, "H264"))
    /* any profile-level-id: x264enc's constrained baseline (42c0xx)
     * would not match a fixed one, and webrtcbin answers inactive */
    gst_caps_set_simple (caps, "packetization-mode", G_TYPE_STRING, "1", NULL);
  return caps;
}

/* The transceiver of m-line @mline (a reference), or NULL */
static GstWebRTCRTPTransceiver *
mline_transceiver (GstElement * webrtcbin, guint mline)
{
  GstWebRTCRTPTransceiver *found = NULL;
  GArray *transceivers = NULL;
  guint i;

  g_signal_emit_by_name (webrtcbin, "get-transceivers", &transceivers);
  for (i = 0; i < transceivers->len && !found; i++) {
    GstWebRTCRTPTransceiver *trans =
        g_array_index (transceivers, GstWebRTCRTPTransceiver *, i);
    guint index = G_MAXUINT;

    g_object_get (trans, "mlineindex", &index, NULL);
    if (index == mline)
      found = gst_object_ref (trans);
  }
  g_array_unref (transceivers);
  return found;
}

/* An m-line our track cannot go on (as media.c decides): the offerer does
 * not receive on it, it carries another track already, or it was
 * negotiated receive-only (webrtcbin 1.22 cannot turn it around) */
static gboolean
mline_taken (GstElement * webrtcbin, const GstSDPMedia * media, guint mline)
{
  g_autofree gchar *name = g_strdup_printf ("sink_%u", mline);
  g_autoptr (GstPad) pad = gst_element_get_static_pad (webrtcbin, name);
  g_autoptr (GstWebRTCRTPTransceiver) trans = NULL;
  GstWebRTCRTPTransceiverDirection current =
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_NONE;

  if (pad || gst_sdp_media_get_attribute_val (media, "sendonly")
      || gst_sdp_media_get_attribute_val (media, "inactive"))
    return TRUE;
  trans = mline_transceiver (webrtcbin, mline);
  if (trans)
    g_object_get (trans, "current-direction", &current, NULL);
  return current == GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY
      || current == GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE;
}

/* the m-line of @offer that can carry our codec, and its payload type */
static gint
offer_mline (TestPeer * peer, GstElement * webrtcbin,
    const GstSDPMessage * offer, gint * pt)
{
  guint i, j;

  for (i = 0; i < gst_sdp_message_medias_len (offer); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (offer, i);

    if (g_strcmp0 (gst_sdp_media_get_media (media), "video")
        || mline_taken (webrtcbin, media, i))
      continue;
    for (j = 0; j < gst_sdp_media_formats_len (media); j++) {
      gint fmt = atoi (gst_sdp_media_get_format (media, j));
      g_autoptr (GstCaps) caps = gst_sdp_media_get_caps_from_media (media, fmt);
      const gchar *name = caps ? gst_structure_get_string
          (gst_caps_get_structure (caps, 0), "encoding-name") : NULL;

      if (name && !g_ascii_strcasecmp (name, peer->codec)) {
        *pt = fmt;
        return i;
      }
    }
  }
  return -1;
}

static gboolean
host_attach_send (gpointer host_data, GstWebRTCRoomPeerSession * s,
    const GstSDPMessage * offer, guint * n_added, GError ** error)
{
  TestPeer *peer = host_data;
  GstElement *webrtcbin = gst_webrtc_room_peer_session_get_webrtcbin (s);
  const GstWebRTCRoomPeerRole *remote =
      gst_webrtc_room_peer_session_get_remote_role (s);
  g_autofree gchar *desc = NULL;
  g_autofree gchar *pad_name = NULL;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad) src = NULL;
  g_autoptr (GstPad) sink = NULL;
  g_autoptr (GError) parse_error = NULL;
  GstWebRTCRTPTransceiver *trans = NULL;
  gint pt;

  if (n_added)
    *n_added = 0;
  /* a peer that receives nothing gets none of our tracks */
  if (!peer->sends || peer->attached || !remote->receives)
    return TRUE;
  pt = codec_default_pt (peer->codec);
  if (offer) {
    gint mline = offer_mline (peer, webrtcbin, offer, &pt);
    g_autoptr (GstWebRTCRTPTransceiver) offered = NULL;

    /* no m-line for it: a track of ours the offerer did not ask for */
    if (mline < 0)
      return TRUE;
    pad_name = g_strdup_printf ("sink_%d", mline);
    /* an m-line new in a renegotiation offer may have a receiving
     * transceiver already: webrtcbin gives no sink pad for it */
    offered = mline_transceiver (webrtcbin, mline);
    if (offered) {
      GstWebRTCRTPTransceiverDirection dir;

      g_object_get (offered, "direction", &dir, NULL);
      if (dir == GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY
          || dir == GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE)
        g_object_set (offered, "direction",
            GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, NULL);
    }
  }
  caps = codec_rtp_caps (peer->codec, pt);
  desc = g_strdup_printf ("videotestsrc is-live=true pattern=ball ! "
      "video/x-raw,width=320,height=240,framerate=15/1 ! videoconvert ! "
      "%s pt=%d", codec_encoder (peer->codec), pt);
  peer->send_branch = gst_parse_bin_from_description (desc, TRUE, &parse_error);
  g_assert_no_error (parse_error);
  gst_bin_add (GST_BIN (peer->pipeline), gst_object_ref (peer->send_branch));
  src = gst_element_get_static_pad (peer->send_branch, "src");
  sink = pad_name ? gst_element_request_pad_simple (webrtcbin, pad_name) :
      gst_element_request_pad (webrtcbin,
      gst_element_get_pad_template (webrtcbin, "sink_%u"), NULL, caps);
  g_assert_nonnull (sink);
  g_assert_cmpint (gst_pad_link (src, sink), ==, GST_PAD_LINK_OK);
  g_object_get (sink, "transceiver", &trans, NULL);
  g_assert_nonnull (trans);
  g_object_set (trans, "direction", peer->receives && remote->sends_video ?
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV :
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, NULL);
  gst_object_unref (trans);
  gst_element_sync_state_with_parent (peer->send_branch);
  peer->attached = TRUE;
  if (n_added)
    *n_added = 1;
  return TRUE;
}

static void
host_add_receive (gpointer host_data, GstWebRTCRoomPeerSession * s,
    const gchar * kind)
{
  TestPeer *peer = host_data;
  g_autoptr (GstCaps) caps = NULL;
  GstWebRTCRTPTransceiver *trans = NULL;

  /* the peer asked for an m-line of @kind to send a new track on (its
   * renegotiate request); when we make the first offer, one m-line for
   * what the peer announced it sends, unless ours carries it both ways */
  if (!peer->receives || (!kind && (peer->attached
              ||
              !gst_webrtc_room_peer_session_get_remote_role (s)->sends_video)))
    return;
  caps = codec_rtp_caps (peer->codec, codec_default_pt (peer->codec));
  g_signal_emit_by_name (gst_webrtc_room_peer_session_get_webrtcbin (s),
      "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps,
      &trans);
  g_assert_nonnull (trans);
  gst_object_unref (trans);
}

static void
on_frame (GstElement * sink, GstBuffer * buffer, GstPad * pad, TestPeer * peer)
{
  g_mutex_lock (&peer->lock);
  peer->frames++;
  g_mutex_unlock (&peer->lock);
}

/* a streaming thread */
static void
host_src_pad_added (gpointer host_data, GstWebRTCRoomPeerSession * s,
    GstPad * pad)
{
  TestPeer *peer = host_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstPad) sink = NULL;
  GstElement *bin, *fakesink;

  g_assert_true (peer->receives);
  bin = gst_parse_bin_from_description (g_str_equal (peer->codec, "VP8") ?
      "queue ! rtpvp8depay ! vp8dec ! fakesink name=frames sync=false "
      "signal-handoffs=true" :
      "queue ! rtph264depay ! h264parse ! avdec_h264 ! fakesink name=frames "
      "sync=false signal-handoffs=true", TRUE, &error);
  g_assert_no_error (error);
  fakesink = gst_bin_get_by_name (GST_BIN (bin), "frames");
  g_signal_connect (fakesink, "handoff", G_CALLBACK (on_frame), peer);
  gst_object_unref (fakesink);
  gst_bin_add (GST_BIN (peer->pipeline), bin);
  g_mutex_lock (&peer->lock);
  g_ptr_array_add (peer->recv_bins, gst_object_ref (bin));
  g_mutex_unlock (&peer->lock);
  gst_element_sync_state_with_parent (bin);
  sink = gst_element_get_static_pad (bin, "sink");
  g_assert_cmpint (gst_pad_link (pad, sink), ==, GST_PAD_LINK_OK);
}

static void
remove_element (TestPeer * peer, GstElement * element)
{
  gst_element_set_locked_state (element, TRUE);
  gst_element_set_state (element, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (peer->pipeline), element);
}

static void
host_detach_send (gpointer host_data, GstWebRTCRoomPeerSession * s)
{
  TestPeer *peer = host_data;
  GstElement *webrtcbin = gst_webrtc_room_peer_session_get_webrtcbin (s);

  if (peer->send_branch) {
    remove_element (peer, peer->send_branch);
    gst_clear_object (&peer->send_branch);
  }
  peer->attached = FALSE;
  gst_element_set_locked_state (webrtcbin, TRUE);
  gst_element_set_state (webrtcbin, GST_STATE_NULL);
}

static void
host_detach_recv (gpointer host_data, GstWebRTCRoomPeerSession * s)
{
  TestPeer *peer = host_data;
  g_autoptr (GPtrArray) bins = NULL;
  guint i;

  g_mutex_lock (&peer->lock);
  bins = g_steal_pointer (&peer->recv_bins);
  peer->recv_bins = g_ptr_array_new_with_free_func (gst_object_unref);
  g_mutex_unlock (&peer->lock);
  for (i = 0; i < bins->len; i++)
    remove_element (peer, bins->pdata[i]);
}

static const GstWebRTCRoomPeerHost test_host = {
  .attach = host_attach,
  .lookup = host_lookup,
  .send_signal = host_send_signal,
  .post_message = host_post_message,
  .state_changed = host_state_changed,
  .error = host_error,
  .data_received = host_data_received,
  .src_pad_added = host_src_pad_added,
  .replace_begin = host_replace_begin,
  .replace_end = host_replace_end,
  .ice_config = host_ice_config,
  .inputs_ready = host_inputs_ready,
  .attach_send = host_attach_send,
  .new_track_kinds = host_new_track_kinds,
  .add_receive = host_add_receive,
  .configure_answer = host_configure_answer,
  .detach_send = host_detach_send,
  .detach_recv = host_detach_recv,
};

/* Fixture: peers "a" (polite: its id sorts lower) and "b" */

typedef struct
{
  GMainContext *context;
  TestPeer a, b;
} Fixture;

/* send+receive (webrtcroombin), send-only (sink), receive-only (src) */
typedef struct
{
  gboolean sends;
  gboolean receives;
} Role;

static const Role BIN = { TRUE, TRUE };
static const Role SINK = { TRUE, FALSE };
static const Role SRC = { FALSE, TRUE };

typedef struct
{
  const Role *a, *b;
  gboolean b_offers;
  const gchar *codec;
} MediaCase;

static void
peer_init (Fixture * f, TestPeer * peer, const gchar * id, TestPeer * other)
{
  peer->id = id;
  peer->recv_bins = g_ptr_array_new_with_free_func (gst_object_unref);
  peer->context = f->context;
  peer->other = other;
  peer->pipeline = gst_pipeline_new (id);
  g_mutex_init (&peer->lock);
  peer->received = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpint (gst_element_set_state (peer->pipeline, GST_STATE_PLAYING),
      !=, GST_STATE_CHANGE_FAILURE);
}

static void
peer_start (TestPeer * peer)
{
  GstWebRTCRoomPeerConfig config = { 0, };

  config.container = GST_BIN (peer->pipeline);
  config.own_id = peer->id;
  config.mode = peer->sends ? (peer->receives ? GST_WEBRTC_ROOM_MEDIA_SENDRECV
      : GST_WEBRTC_ROOM_MEDIA_SENDONLY) : GST_WEBRTC_ROOM_MEDIA_RECVONLY;
  host_ice_config (peer, &config.ice);
  config.remote_role.sends_video = peer->other->sends;
  config.remote_role.receives = peer->other->receives;
  config.remote_role.data = TRUE;
  peer->session = gst_webrtc_room_peer_session_new (&test_host, peer, &config,
      peer->other->id, peer->other->id);
  gst_webrtc_room_ice_config_clear (&config.ice);
  g_assert_nonnull (peer->session);
}

static void
peer_clear (TestPeer * peer)
{
  if (peer->session) {
    gst_webrtc_room_peer_session_close (peer->session);
    g_clear_pointer (&peer->session, gst_webrtc_room_peer_session_free);
  }
  gst_element_set_state (peer->pipeline, GST_STATE_NULL);
  gst_object_unref (peer->pipeline);
  g_ptr_array_unref (peer->recv_bins);
  g_ptr_array_unref (peer->received);
  g_mutex_clear (&peer->lock);
}

static void
fixture_setup (Fixture * f, gconstpointer data)
{
  const MediaCase *mc = data;

  f->context = g_main_context_new ();
  peer_init (f, &f->a, "a", &f->b);
  peer_init (f, &f->b, "b", &f->a);
  if (mc) {
    f->a.sends = mc->a->sends;
    f->a.receives = mc->a->receives;
    f->b.sends = mc->b->sends;
    f->b.receives = mc->b->receives;
    f->a.codec = f->b.codec = mc->codec;
  }
  peer_start (&f->a);
  peer_start (&f->b);
}

static void
fixture_teardown (Fixture * f, gconstpointer data)
{
  /* both sessions go before either pipeline stops */
  gst_webrtc_room_peer_session_close (f->a.session);
  gst_webrtc_room_peer_session_close (f->b.session);
  peer_clear (&f->a);
  peer_clear (&f->b);
  while (g_main_context_iteration (f->context, FALSE));
  g_main_context_unref (f->context);
}

static void
iterate (Fixture * f)
{
  while (g_main_context_iteration (f->context, FALSE));
  g_usleep (2 * G_TIME_SPAN_MILLISECOND);
}

static gboolean
peer_got (TestPeer * peer, const gchar * text)
{
  gboolean got = FALSE;
  guint i;

  g_mutex_lock (&peer->lock);
  for (i = 0; i < peer->received->len && !got; i++)
    got = g_str_equal (peer->received->pdata[i], text);
  g_mutex_unlock (&peer->lock);
  return got;
}

static gboolean
both_connected (Fixture * f)
{
  return gst_webrtc_room_peer_session_get_connection_state (f->a.session) ==
      GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED
      && gst_webrtc_room_peer_session_get_connection_state (f->b.session) ==
      GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED;
}

/* Both connected, then @tag crosses the data channel both ways (sent until
 * received: the channel opens after the connection). */
static void
assert_talking (Fixture * f, const gchar * tag)
{
  g_autofree gchar *to_b = g_strdup_printf ("%s from a", tag);
  g_autofree gchar *to_a = g_strdup_printf ("%s from b", tag);
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;
  gint64 next_send = 0;

  while (!both_connected (f) && g_get_monotonic_time () < deadline)
    iterate (f);
  g_assert_true (both_connected (f));
  while (!(peer_got (&f->b, to_b) && peer_got (&f->a, to_a))
      && g_get_monotonic_time () < deadline) {
    if (g_get_monotonic_time () >= next_send) {
      gst_webrtc_room_peer_session_send_text (f->a.session, to_b);
      gst_webrtc_room_peer_session_send_text (f->b.session, to_a);
      next_send = g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND;
    }
    iterate (f);
  }
  g_assert_true (peer_got (&f->b, to_b));
  g_assert_true (peer_got (&f->a, to_a));
  g_assert_cmpuint (f->a.errors, ==, 0);
  g_assert_cmpuint (f->b.errors, ==, 0);
}

static void
test_a_offers (Fixture * f, gconstpointer data)
{
  gst_webrtc_room_peer_session_negotiate (f->a.session);
  assert_talking (f, "hello");
  g_assert_cmpuint (f->a.replacements + f->b.replacements, ==, 0);
}

static void
test_b_offers (Fixture * f, gconstpointer data)
{
  gst_webrtc_room_peer_session_negotiate (f->b.session);
  assert_talking (f, "hello");
  g_assert_cmpuint (f->a.replacements + f->b.replacements, ==, 0);
}

/* Both offer at once: the polite side (a) drops its offer by replacing
 * its connection, the impolite side ignores the other offer. */
static void
test_glare (Fixture * f, gconstpointer data)
{
  gst_webrtc_room_peer_session_negotiate (f->a.session);
  gst_webrtc_room_peer_session_negotiate (f->b.session);
  assert_talking (f, "hello");
  g_assert_cmpuint (f->a.replacements, ==, 1);
  g_assert_cmpuint (f->b.replacements, ==, 0);
}

/* a finds the connection dead and replaces it (as the media watchdog
 * does): its restart offer makes b replace its side too; the session
 * objects stay, the new connection carries data. */
static void
test_restart (Fixture * f, gconstpointer data)
{
  GstWebRTCRoomPeerSession *a = f->a.session, *b = f->b.session;
  GstElement *old_a, *old_b;

  gst_webrtc_room_peer_session_negotiate (a);
  assert_talking (f, "before");
  old_a = gst_object_ref (gst_webrtc_room_peer_session_get_webrtcbin (a));
  old_b = gst_object_ref (gst_webrtc_room_peer_session_get_webrtcbin (b));

  g_assert_true (gst_webrtc_room_peer_session_replace_connection (a));
  gst_webrtc_room_peer_session_set_restarts (a, 1);
  gst_webrtc_room_peer_session_negotiate_restart (a);
  assert_talking (f, "after");

  g_assert_true (f->a.session == a && f->b.session == b);
  g_assert_true (gst_webrtc_room_peer_session_get_webrtcbin (a) != old_a);
  g_assert_true (gst_webrtc_room_peer_session_get_webrtcbin (b) != old_b);
  g_assert_cmpuint (f->a.replacements, ==, 1);
  g_assert_cmpuint (f->b.replacements, ==, 1);
  g_assert_cmpuint (f->b.reconnecting, ==, 1);
  g_assert_cmpuint (gst_webrtc_room_peer_session_get_restarts (a), ==, 1);
  gst_object_unref (old_a);
  gst_object_unref (old_b);
}

static guint
peer_frames (TestPeer * peer)
{
  guint frames;

  g_mutex_lock (&peer->lock);
  frames = peer->frames;
  g_mutex_unlock (&peer->lock);
  return frames;
}

static guint
peer_tracks (TestPeer * peer)
{
  guint n;

  g_mutex_lock (&peer->lock);
  n = peer->recv_bins->len;
  g_mutex_unlock (&peer->lock);
  return n;
}

#define MIN_FRAMES 10

/* Every receiver of a sender decodes its video; nobody else gets a track */
static void
test_media (Fixture * f, gconstpointer data)
{
  const MediaCase *mc = data;
  gboolean a_gets = f->a.receives && f->b.sends;
  gboolean b_gets = f->b.receives && f->a.sends;
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;

  gst_webrtc_room_peer_session_negotiate (mc->b_offers ? f->b.session :
      f->a.session);
  assert_talking (f, "hello");
  while (((a_gets && peer_frames (&f->a) < MIN_FRAMES)
          || (b_gets && peer_frames (&f->b) < MIN_FRAMES))
      && g_get_monotonic_time () < deadline)
    iterate (f);
  if (a_gets)
    g_assert_cmpuint (peer_frames (&f->a), >=, MIN_FRAMES);
  else
    g_assert_cmpuint (peer_tracks (&f->a), ==, 0);
  if (b_gets)
    g_assert_cmpuint (peer_frames (&f->b), >=, MIN_FRAMES);
  else
    g_assert_cmpuint (peer_tracks (&f->b), ==, 0);
  g_assert_cmpuint (f->a.errors + f->b.errors, ==, 0);
}

/* a receives b's video, then starts sending its own (a track added while
 * connected): its renegotiation offer brings a's video to b on the same
 * connection */
static void
test_track_added (Fixture * f, gconstpointer data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;
  GstElement *webrtcbin;

  gst_webrtc_room_peer_session_negotiate (f->a.session);
  assert_talking (f, "hello");
  while (peer_frames (&f->a) < MIN_FRAMES && g_get_monotonic_time () < deadline)
    iterate (f);
  g_assert_cmpuint (peer_frames (&f->a), >=, MIN_FRAMES);
  g_assert_cmpuint (peer_tracks (&f->b), ==, 0);
  webrtcbin = gst_webrtc_room_peer_session_get_webrtcbin (f->a.session);

  f->a.sends = TRUE;
  gst_webrtc_room_peer_session_negotiate (f->a.session);
  deadline = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;
  while (peer_frames (&f->b) < MIN_FRAMES && g_get_monotonic_time () < deadline)
    iterate (f);
  g_assert_cmpuint (peer_frames (&f->b), >=, MIN_FRAMES);
  g_assert_true (gst_webrtc_room_peer_session_get_webrtcbin (f->a.session) ==
      webrtcbin);
  g_assert_cmpuint (f->a.replacements + f->b.replacements, ==, 0);
  g_assert_cmpuint (f->a.errors + f->b.errors, ==, 0);
}

/* video m-lines of @webrtcbin's local description that send */
static guint
local_sending_mlines (GstElement * webrtcbin)
{
  GstWebRTCSessionDescription *desc = NULL;
  guint i, n = 0;

  g_object_get (webrtcbin, "local-description", &desc, NULL);
  g_assert_nonnull (desc);
  for (i = 0; i < gst_sdp_message_medias_len (desc->sdp); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (desc->sdp, i);

    if (!g_strcmp0 (gst_sdp_media_get_media (media), "video")
        && (gst_sdp_media_get_attribute_val (media, "sendrecv")
            || gst_sdp_media_get_attribute_val (media, "sendonly")))
      n++;
  }
  gst_webrtc_session_description_free (desc);
  return n;
}

/* Then a removes its track again: the next offer stops sending it, the
 * connection and its data channel stay. */
static void
test_track_removed (Fixture * f, gconstpointer data)
{
  GstElement *webrtcbin;
  g_autoptr (GstPad) src = NULL;
  GstPad *sink;
  GstWebRTCRTPTransceiver *trans = NULL;
  gint64 deadline;

  test_track_added (f, data);
  webrtcbin = gst_webrtc_room_peer_session_get_webrtcbin (f->a.session);
  g_assert_cmpuint (local_sending_mlines (webrtcbin), ==, 1);

  src = gst_element_get_static_pad (f->a.send_branch, "src");
  sink = gst_pad_get_peer (src);
  g_object_get (sink, "transceiver", &trans, NULL);
  g_object_set (trans, "direction",
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE, NULL);
  gst_object_unref (trans);
  gst_pad_unlink (src, sink);
  remove_element (&f->a, f->a.send_branch);
  gst_clear_object (&f->a.send_branch);
  gst_element_release_request_pad (webrtcbin, sink);
  gst_object_unref (sink);
  f->a.sends = FALSE;
  f->a.attached = FALSE;

  gst_webrtc_room_peer_session_negotiate_forced (f->a.session);
  deadline = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;
  while (local_sending_mlines (webrtcbin) != 0
      && g_get_monotonic_time () < deadline)
    iterate (f);
  g_assert_cmpuint (local_sending_mlines (webrtcbin), ==, 0);
  assert_talking (f, "after removal");
  g_assert_true (gst_webrtc_room_peer_session_get_webrtcbin (f->a.session) ==
      webrtcbin);
  g_assert_cmpuint (f->a.replacements + f->b.replacements, ==, 0);
}

/* The side that answered the first offer starts sending (a track added
 * while connected), mirroring track-added. webrtcbin 1.22 cannot offer
 * from that side once the connection has a data channel: its session asks
 * the first offerer for a new m-line of that kind (renegotiate), the
 * offerer offers again and the new track reaches it on the same
 * connection. */
static void
test_answerer_track_added (Fixture * f, gconstpointer data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;
  GstElement *webrtcbin_a, *webrtcbin_b;
  GstWebRTCSessionDescription *desc = NULL;
  guint b_frames;

  gst_webrtc_room_peer_session_negotiate (f->a.session);
  assert_talking (f, "hello");
  while (peer_frames (&f->b) < MIN_FRAMES && g_get_monotonic_time () < deadline)
    iterate (f);
  g_assert_cmpuint (peer_frames (&f->b), >=, MIN_FRAMES);
  g_assert_cmpuint (peer_tracks (&f->a), ==, 0);
  webrtcbin_a = gst_webrtc_room_peer_session_get_webrtcbin (f->a.session);
  webrtcbin_b = gst_webrtc_room_peer_session_get_webrtcbin (f->b.session);
  g_assert_cmpuint (local_sending_mlines (webrtcbin_b), ==, 0);

  f->b.sends = TRUE;
  gst_webrtc_room_peer_session_negotiate (f->b.session);
  deadline = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;
  while (peer_frames (&f->a) < MIN_FRAMES && g_get_monotonic_time () < deadline)
    iterate (f);
  g_assert_cmpuint (peer_frames (&f->a), >=, MIN_FRAMES);
  g_assert_cmpuint (peer_tracks (&f->a), ==, 1);
  g_assert_cmpuint (local_sending_mlines (webrtcbin_b), ==, 1);
  /* a made the new offer, b answered it */
  g_object_get (webrtcbin_a, "current-local-description", &desc, NULL);
  g_assert_nonnull (desc);
  g_assert_cmpint (desc->type, ==, GST_WEBRTC_SDP_TYPE_OFFER);
  gst_webrtc_session_description_free (desc);
  /* same connection, and a's video still reaches b */
  g_assert_true (gst_webrtc_room_peer_session_get_webrtcbin (f->a.session) ==
      webrtcbin_a);
  g_assert_true (gst_webrtc_room_peer_session_get_webrtcbin (f->b.session) ==
      webrtcbin_b);
  b_frames = peer_frames (&f->b);
  deadline = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;
  while (peer_frames (&f->b) < b_frames + MIN_FRAMES
      && g_get_monotonic_time () < deadline)
    iterate (f);
  g_assert_cmpuint (peer_frames (&f->b), >=, b_frames + MIN_FRAMES);
  assert_talking (f, "after the new track");
  g_assert_cmpuint (f->a.replacements + f->b.replacements, ==, 0);
}

/* Audio and video m-lines of @sdp that carry media in any direction (not
 * rejected, not inactive); @n_data counts its data channel m-lines. */
static guint
flowing_media_mlines (const GstSDPMessage * sdp, guint * n_data)
{
  guint i, n = 0;

  *n_data = 0;
  for (i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);

    if (!g_strcmp0 (gst_sdp_media_get_media (media), "application")) {
      (*n_data)++;
      continue;
    }
    if (gst_sdp_media_get_port (media) != 0
        && !gst_sdp_media_get_attribute_val (media, "inactive"))
      n++;
  }
  return n;
}

static void
assert_data_only (GstElement * webrtcbin)
{
  const gchar *which[] = { "current-local-description",
    "current-remote-description"
  };
  guint i, n_data;

  for (i = 0; i < G_N_ELEMENTS (which); i++) {
    GstWebRTCSessionDescription *desc = NULL;

    g_object_get (webrtcbin, which[i], &desc, NULL);
    g_assert_nonnull (desc);
    g_assert_cmpuint (flowing_media_mlines (desc->sdp, &n_data), ==, 0);
    g_assert_cmpuint (n_data, ==, 1);
    gst_webrtc_session_description_free (desc);
  }
}

/* Two peers with no media for each other (two publishers, two viewers)
 * that both asked for data channels: the connection carries text both
 * ways and negotiates no media (issue 10). */
static void
test_data_only (Fixture * f, gconstpointer data)
{
  const MediaCase *mc = data;

  gst_webrtc_room_peer_session_negotiate (mc->b_offers ? f->b.session :
      f->a.session);
  assert_talking (f, "text only");
  assert_data_only (gst_webrtc_room_peer_session_get_webrtcbin (f->a.session));
  assert_data_only (gst_webrtc_room_peer_session_get_webrtcbin (f->b.session));
  g_assert_cmpuint (peer_tracks (&f->a) + peer_tracks (&f->b), ==, 0);
  g_assert_cmpuint (peer_frames (&f->a) + peer_frames (&f->b), ==, 0);
}

static void
add_data_only_tests (void)
{
  static const MediaCase cases[] = {
    {&SINK, &SINK, FALSE, "VP8"},
    {&SINK, &SINK, TRUE, "VP8"},
    {&SRC, &SRC, FALSE, "VP8"},
    {&SRC, &SRC, TRUE, "VP8"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *path = g_strdup_printf ("/peer/data-only/%s/%s-offers",
        cases[i].a == &SINK ? "sink-sink" : "src-src",
        cases[i].b_offers ? "b" : "a");

    g_test_add (path, Fixture, &cases[i], fixture_setup, test_data_only,
        fixture_teardown);
  }
}

static void
add_media_tests (void)
{
  static const struct
  {
    const gchar *name;
    const Role *a, *b;
  } pairs[] = {
    {"bin-bin", &BIN, &BIN},
    {"bin-sink", &BIN, &SINK},
    {"bin-src", &BIN, &SRC},
    {"sink-src", &SINK, &SRC},
  };
  const gchar *codecs[] = { "VP8", "H264" };
  guint p, o, c;

  for (p = 0; p < G_N_ELEMENTS (pairs); p++) {
    for (o = 0; o < 2; o++) {
      for (c = 0; c < G_N_ELEMENTS (codecs); c++) {
        MediaCase *mc = g_new0 (MediaCase, 1);
        g_autofree gchar *path = NULL;

        mc->a = pairs[p].a;
        mc->b = pairs[p].b;
        mc->b_offers = o == 1;
        mc->codec = codecs[c];
        /* leaked on purpose: the test data lives until exit */
        path = g_strdup_printf ("/peer/media/%s/%s-offers/%s", pairs[p].name,
            o ? "b" : "a", codecs[c]);
        g_test_add (path, Fixture, mc, fixture_setup, test_media,
            fixture_teardown);
      }
    }
  }
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/peer/a-offers", Fixture, NULL, fixture_setup, test_a_offers,
      fixture_teardown);
  g_test_add ("/peer/b-offers", Fixture, NULL, fixture_setup, test_b_offers,
      fixture_teardown);
  g_test_add ("/peer/glare", Fixture, NULL, fixture_setup, test_glare,
      fixture_teardown);
  g_test_add ("/peer/restart", Fixture, NULL, fixture_setup, test_restart,
      fixture_teardown);
  add_media_tests ();
  {
    static const MediaCase added = { &SRC, &BIN, FALSE, "VP8" };

    g_test_add ("/peer/media/track-added", Fixture, &added, fixture_setup,
        test_track_added, fixture_teardown);
    g_test_add ("/peer/media/track-removed", Fixture, &added, fixture_setup,
        test_track_removed, fixture_teardown);
  }
  {
    static const MediaCase answerer_adds = { &BIN, &SRC, FALSE, "VP8" };

    g_test_add ("/peer/media/track-added-by-answerer", Fixture,
        &answerer_adds, fixture_setup, test_answerer_track_added,
        fixture_teardown);
  }
  add_data_only_tests ();
  return g_test_run ();
}
