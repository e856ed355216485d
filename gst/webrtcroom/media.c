/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Media plumbing of the room bin.
 *
 * Send: one GstWebRTCRoomSendPath per sink pad (sendpath.c: the input
 * chain, encoder, tee, key units), and per peer its branch
 * tee -> queue -> payloader(pt) linked here to webrtcbin.sink_N, on the
 * m-line and payload type the peer's offer gives.
 *
 * Receive: webrtcbin src pad -> depayloader -> decoder (or parser) ->
 * ghost src pad named <media>_<peer id>_<n>. */

#include "roombin-private.h"
#include "roomsessions-private.h"

/* the bin's room is the host of its peer sessions */
#define SESSION_BIN(s) gst_webrtc_room_sessions_get_bin \
    ((GstWebRTCRoomSessions *) gst_webrtc_room_peer_session_get_host_data (s))
#define PEER_MEDIA(s) \
    ((GstWebRTCRoomPeerMedia *) gst_webrtc_room_peer_session_get_media (s))
#define PEER_ID(s) gst_webrtc_room_peer_session_get_peer_id (s)
#define WEBRTCBIN(s) gst_webrtc_room_peer_session_get_webrtcbin (s)

#include <gst/pbutils/pbutils.h>
#include <gst/video/video.h>
#include <stdlib.h>
#include <string.h>

/* Per-peer send branches */

static GstWebRTCRTPTransceiverDirection
media_direction (const GstSDPMedia * media)
{
  if (gst_sdp_media_get_attribute_val (media, "sendonly"))
    return GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY;
  if (gst_sdp_media_get_attribute_val (media, "recvonly"))
    return GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY;
  if (gst_sdp_media_get_attribute_val (media, "inactive"))
    return GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE;
  return GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV;
}

static gboolean
webrtcbin_has_sink (GstElement * webrtcbin, guint mline)
{
  g_autofree gchar *name = g_strdup_printf ("sink_%u", mline);
  g_autoptr (GstPad) pad = gst_element_get_static_pad (webrtcbin, name);

  return pad != NULL;
}

/* The transceiver of m-line @mline (a reference), or NULL. */
static GstWebRTCRTPTransceiver *
transceiver_for_mline (GstWebRTCRoomPeerSession * s, guint mline)
{
  GstWebRTCRTPTransceiver *found = NULL;
  GArray *transceivers = NULL;
  guint i;

  g_signal_emit_by_name (WEBRTCBIN (s), "get-transceivers", &transceivers);
  for (i = 0; transceivers && i < transceivers->len && !found; i++) {
    GstWebRTCRTPTransceiver *trans =
        g_array_index (transceivers, GstWebRTCRTPTransceiver *, i);
    guint index = G_MAXUINT;

    g_object_get (trans, "mlineindex", &index, NULL);
    if (index == mline)
      found = gst_object_ref (trans);
  }
  if (transceivers)
    g_array_unref (transceivers);
  return found;
}

/* An m-line already negotiated without our sending on it: webrtcbin 1.22
 * cannot change a transceiver's direction, so a new track needs a new
 * m-line (see the renegotiate request in peersession.c). */
static gboolean
receive_only_mline (GstWebRTCRoomPeerSession * s, guint mline)
{
  g_autoptr (GstWebRTCRTPTransceiver) trans = transceiver_for_mline (s, mline);
  GstWebRTCRTPTransceiverDirection current;

  if (!trans)
    return FALSE;
  g_object_get (trans, "current-direction", &current, NULL);
  return current == GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY
      || current == GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE;
}

/* The encoding names an m-line offers, "VP9, H264" (for messages). */
static void
append_offered_codecs (GString * out, const GstSDPMedia * media)
{
  guint i;

  for (i = 0; i < gst_sdp_media_formats_len (media); i++) {
    gint pt = atoi (gst_sdp_media_get_format (media, i));
    g_autoptr (GstCaps) caps = gst_sdp_media_get_caps_from_media (media, pt);
    const gchar *name;

    if (!caps)
      continue;
    name = gst_structure_get_string (gst_caps_get_structure (caps, 0),
        "encoding-name");
    if (!name || !g_ascii_strcasecmp (name, "rtx")
        || !g_ascii_strcasecmp (name, "red")
        || !g_ascii_strcasecmp (name, "ulpfec")
        || strstr (out->str, name))
      continue;
    g_string_append_printf (out, "%s%s", out->len ? ", " : "", name);
  }
}

typedef enum
{
  OFFER_KIND_ABSENT,            /* no m-line of that kind: offer it later */
  OFFER_KIND_NOT_WANTED,        /* only m-lines the peer does not receive on */
  OFFER_KIND_NO_CODEC,          /* the peer receives, but none of our codec */
} OfferKindResult;

/* The m-line of @offer that can carry @input, and its payload type; on -1,
 * @why says why and @offered lists the codecs of the receivable m-lines. */
static gint
pick_offer_mline (GstWebRTCRoomPeerSession * s, GstWebRTCRoomSendPath * input,
    const GstWebRTCRoomCodec * codec, const GstSDPMessage * offer, gint * pt,
    gchar ** profile_level_id, OfferKindResult * why, GString * offered)
{
  gboolean receivable = FALSE, seen = FALSE;
  guint i;

  for (i = 0; i < gst_sdp_message_medias_len (offer); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (offer, i);
    GstWebRTCRTPTransceiverDirection dir;

    if (g_strcmp0 (gst_sdp_media_get_media (media),
            gst_webrtc_room_send_path_get_media (input)))
      continue;
    seen = TRUE;
    dir = media_direction (media);
    /* the peer does not receive on it, or it carries another track */
    if (dir == GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY
        || dir == GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE
        || webrtcbin_has_sink (WEBRTCBIN (s), i) || receive_only_mline (s, i))
      continue;
    receivable = TRUE;
    *pt = gst_webrtc_room_codec_find_pt_full (codec, media, profile_level_id);
    if (*pt >= 0)
      return i;
    append_offered_codecs (offered, media);
  }
  if (receivable)
    *why = OFFER_KIND_NO_CODEC;
  else
    *why = seen ? OFFER_KIND_NOT_WANTED : OFFER_KIND_ABSENT;
  return -1;
}

/* An m-line the remote offered again (renegotiation) may have a
 * transceiver that only received so far: webrtcbin refuses a sink pad for
 * it until its direction allows sending. */
static GstWebRTCRTPTransceiverDirection send_direction (GstWebRTCRoomPeerSession
    * s, const gchar * kind);

static void
prepare_transceiver_for_sending (GstWebRTCRoomPeerSession * s, guint mline,
    const gchar * kind)
{
  g_autoptr (GstWebRTCRTPTransceiver) trans = transceiver_for_mline (s, mline);
  GstWebRTCRTPTransceiverDirection direction;

  if (!trans)
    return;
  g_object_get (trans, "direction", &direction, NULL);
  if (direction == GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY
      || direction == GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE)
    g_object_set (trans, "direction", send_direction (s, kind), NULL);
}

/* The direction of a transceiver carrying our @kind track: sendrecv only
 * when we receive and the peer sends that kind too. */
static GstWebRTCRTPTransceiverDirection
send_direction (GstWebRTCRoomPeerSession * s, const gchar * kind)
{
  if (gst_webrtc_room_base_bin_get_mode (SESSION_BIN (s)) ==
      GST_WEBRTC_ROOM_MEDIA_SENDRECV
      &&
      gst_webrtc_room_peer_role_sends
      (gst_webrtc_room_peer_session_get_remote_role (s), kind))
    return GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV;
  return GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY;
}

/* Streaming thread, once the caps are stored on the pad */
static void
on_webrtc_sink_caps (GstPad * pad, GParamSpec * pspec,
    GstWebRTCRoomBaseBin * bin)
{
  gst_webrtc_room_base_bin_recheck_waits (bin);
}

static gboolean
attach_input (GstWebRTCRoomPeerSession * s, GstWebRTCRoomSendPath * input,
    const GstSDPMessage * offer, GError ** error)
{
  GstWebRTCRoomBaseBin *bin = SESSION_BIN (s);
  const GstWebRTCRoomCodec *codec = gst_webrtc_room_send_path_get_codec (input);
  const gchar *kind = gst_webrtc_room_send_path_get_media (input);
  g_autofree gchar *pad_name = NULL;
  GstElement *queue;
  g_autofree gchar *profile_level_id = NULL;
  g_autoptr (GstPad) pay_src = NULL;
  g_autoptr (GstPad) webrtc_sink = NULL;
  gint pt;

  if (!codec)
    return TRUE;
  pt = codec->default_pt;
  if (offer) {
    OfferKindResult why = OFFER_KIND_ABSENT;
    g_autoptr (GString) offered = g_string_new (NULL);
    gint mline =
        pick_offer_mline (s, input, codec, offer, &pt, &profile_level_id,
        &why, offered);
    if (mline < 0) {
      if (why == OFFER_KIND_NO_CODEC
          && gst_debug_category_get_threshold (GST_CAT_DEFAULT) >=
          GST_LEVEL_DEBUG) {
        g_autofree gchar *text = gst_sdp_message_as_text (offer);
        GST_DEBUG_OBJECT (bin, "offer without a usable %s m-line:\n%s",
            kind, text);
      }
      switch (why) {
        case OFFER_KIND_NO_CODEC:
          /* that peer goes without this track; the others keep it */
          g_set_error (error, GST_WEBRTC_ROOM_PEER_ERROR,
              GST_WEBRTC_ROOM_PEER_ERROR_CODEC_NOT_NEGOTIABLE,
              "Codec not negotiable: peer %s accepts no %s for our %s "
              "track (it offers %s)", PEER_ID (s), codec->name, kind,
              offered->len ? offered->str : "nothing we know");
          return FALSE;
        case OFFER_KIND_NOT_WANTED:
          /* the peer only sends that kind: nothing to do */
          GST_INFO_OBJECT (bin, "peer %s receives no %s: our track is not "
              "sent to it", PEER_ID (s), kind);
          return TRUE;
        case OFFER_KIND_ABSENT:
        default:
          /* no m-line of that kind: we offer it ourselves once stable */
          gst_webrtc_room_peer_session_renegotiate_later (s);
          return TRUE;
      }
    }
    pad_name = g_strdup_printf ("sink_%d", mline);
  }

  queue =
      gst_webrtc_room_send_path_make_branch (input, codec, pt, profile_level_id,
      &pay_src);
  if (!queue)
    return FALSE;

  if (pad_name)
    prepare_transceiver_for_sending (s, atoi (pad_name + strlen ("sink_")),
        kind);
  webrtc_sink = pad_name ? gst_element_request_pad_simple (WEBRTCBIN (s),
      pad_name) : gst_element_request_pad_simple (WEBRTCBIN (s), "sink_%u");
  if (!webrtc_sink || gst_pad_link (pay_src, webrtc_sink) != GST_PAD_LINK_OK) {
    g_set_error (error, GST_WEBRTC_ROOM_PEER_ERROR,
        GST_WEBRTC_ROOM_PEER_ERROR_LINK,
        "Could not connect our %s track to the peer connection of %s",
        kind, PEER_ID (s));
    return FALSE;
  }
  /* the offer or answer waiting for these caps is made at once */
  g_signal_connect (webrtc_sink, "notify::caps",
      G_CALLBACK (on_webrtc_sink_caps), bin);
  {
    GstWebRTCRTPTransceiver *trans = NULL;
    g_object_get (webrtc_sink, "transceiver", &trans, NULL);
    if (trans) {
      gst_webrtc_room_peer_session_configure_transceiver (s, trans, kind);
      g_object_set (trans, "direction", send_direction (s, kind), NULL);
      gst_object_unref (trans);
    }
  }

  g_hash_table_insert (PEER_MEDIA (s)->branches, input, queue);
  GST_INFO_OBJECT (bin, "sending %s (%s, pt %d) to %s", kind,
      codec->name, pt, PEER_ID (s));
  /* linked last, with a key unit asked for: a late joiner must not wait
   * for the next periodic key frame */
  gst_webrtc_room_send_path_start_branch (input, queue);
  return TRUE;
}

gboolean
gst_webrtc_room_media_attach_send (GstWebRTCRoomPeerSession * s,
    const GstSDPMessage * offer, guint * n_added, GError ** error)
{
  g_autoptr (GPtrArray) inputs = NULL;
  gboolean ok = TRUE;
  guint before = g_hash_table_size (PEER_MEDIA (s)->branches);
  guint i;

  if (gst_webrtc_room_base_bin_get_mode (SESSION_BIN (s)) ==
      GST_WEBRTC_ROOM_MEDIA_RECVONLY)
    return TRUE;
  /* a peer that receives nothing (a publisher) gets none of our tracks:
   * its session only receives */
  if (!gst_webrtc_room_peer_session_get_remote_role (s)->receives)
    return TRUE;
  inputs = gst_webrtc_room_base_bin_dup_inputs (SESSION_BIN (s));
  for (i = 0; i < inputs->len; i++) {
    GstWebRTCRoomSendPath *input = inputs->pdata[i];
    g_autoptr (GError) local_error = NULL;

    if (g_hash_table_contains (PEER_MEDIA (s)->branches, input))
      continue;
    if (!attach_input (s, input, offer, &local_error) && ok) {
      ok = FALSE;
      if (local_error)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, GST_WEBRTC_ROOM_PEER_ERROR,
            GST_WEBRTC_ROOM_PEER_ERROR_MISSING_ELEMENT,
            "A send element is missing");
    }
  }
  if (n_added)
    *n_added = g_hash_table_size (PEER_MEDIA (s)->branches) - before;
  return ok;
}

static gboolean
sends_media (GstWebRTCRoomPeerSession * s, const gchar * media)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, PEER_MEDIA (s)->branches);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    if (g_str_equal (gst_webrtc_room_send_path_get_media (key), media))
      return TRUE;
  }
  return FALSE;
}

static void
add_receive_transceiver (GstWebRTCRoomPeerSession * s, const gchar * kind)
{
  g_autoptr (GstCaps) caps = gst_webrtc_room_codecs_receive_caps (kind);
  GstWebRTCRTPTransceiver *trans = NULL;

  if (gst_caps_is_empty (caps))
    return;
  g_signal_emit_by_name (WEBRTCBIN (s), "add-transceiver",
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
  if (trans) {
    gst_webrtc_room_peer_session_configure_transceiver (s, trans, kind);
    gst_object_unref (trans);
  }
}

/* The peer asked for a new m-line of @kind to send a track on. */
void
gst_webrtc_room_media_add_receive_transceiver (GstWebRTCRoomPeerSession * s,
    const gchar * kind)
{
  if (gst_webrtc_room_base_bin_get_mode (SESSION_BIN (s)) !=
      GST_WEBRTC_ROOM_MEDIA_SENDONLY)
    add_receive_transceiver (s, kind);
}

/* When we offer: one recvonly transceiver per kind we do not send
 * (TRAPS.md: request-pad transceivers would default to sendrecv). */
void
gst_webrtc_room_media_add_receive_transceivers (GstWebRTCRoomPeerSession * s)
{
  const gchar *kinds[] = { "video", "audio" };
  guint i;

  if (gst_webrtc_room_base_bin_get_mode (SESSION_BIN (s)) ==
      GST_WEBRTC_ROOM_MEDIA_SENDONLY)
    return;
  for (i = 0; i < G_N_ELEMENTS (kinds); i++) {
    /* what the peer announced it sends (a viewer offering to a
     * publisher asks for exactly its tracks) */
    if (!sends_media (s, kinds[i])
        &&
        gst_webrtc_room_peer_role_sends
        (gst_webrtc_room_peer_session_get_remote_role (s), kinds[i]))
      add_receive_transceiver (s, kinds[i]);
  }
}

/* The offered formats of @media we can receive, as codec preferences. */
static GstCaps *
receivable_caps (const GstSDPMedia * media)
{
  GstCaps *result = gst_caps_new_empty ();
  guint i;

  for (i = 0; i < gst_sdp_media_formats_len (media); i++) {
    gint pt = atoi (gst_sdp_media_get_format (media, i));
    GstCaps *caps = gst_sdp_media_get_caps_from_media (media, pt);
    const GstWebRTCRoomCodec *codec;
    g_autofree gchar *missing = NULL;
    GstStructure *st;

    if (!caps)
      continue;
    st = gst_caps_get_structure (caps, 0);
    gst_structure_set_name (st, "application/x-rtp");
    codec = gst_webrtc_room_codec_for_rtp_caps (caps);
    if (codec)
      missing = gst_webrtc_room_codec_missing_element (codec, FALSE);
    if (!codec || missing || (g_str_equal (codec->name, "H264")
            && gst_webrtc_room_codec_find_pt (codec, media) != pt)) {
      gst_caps_unref (caps);
      continue;
    }
    gst_structure_set (st, "media", G_TYPE_STRING,
        gst_sdp_media_get_media (media), NULL);
    gst_caps_append (result, caps);
  }
  return result;
}

/* When we answer: every transceiver the offer created that carries none of
 * our tracks receives (or is inactive for webrtcroomsink). */
void
gst_webrtc_room_media_configure_answer_transceivers (GstWebRTCRoomPeerSession
    * s, const GstSDPMessage * offer)
{
  GstWebRTCRoomMediaMode mode =
      gst_webrtc_room_base_bin_get_mode (SESSION_BIN (s));
  GArray *transceivers = NULL;
  guint i;

  g_signal_emit_by_name (WEBRTCBIN (s), "get-transceivers", &transceivers);
  for (i = 0; transceivers && i < transceivers->len; i++) {
    GstWebRTCRTPTransceiver *trans =
        g_array_index (transceivers, GstWebRTCRTPTransceiver *, i);
    const GstSDPMedia *media;
    g_autoptr (GstCaps) caps = NULL;
    guint mline = G_MAXUINT;

    g_object_get (trans, "mlineindex", &mline, NULL);
    if (mline >= gst_sdp_message_medias_len (offer))
      continue;
    media = gst_sdp_message_get_media (offer, mline);
    if (g_strcmp0 (gst_sdp_media_get_media (media), "video")
        && g_strcmp0 (gst_sdp_media_get_media (media), "audio"))
      continue;
    gst_webrtc_room_peer_session_configure_transceiver (s, trans,
        gst_sdp_media_get_media (media));
    if (webrtcbin_has_sink (WEBRTCBIN (s), mline)) {
      g_object_set (trans, "direction", send_direction (s,
              gst_sdp_media_get_media (media)), NULL);
      continue;
    }
    caps = receivable_caps (media);
    if (mode == GST_WEBRTC_ROOM_MEDIA_SENDONLY || gst_caps_is_empty (caps)) {
      g_object_set (trans, "direction",
          GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE, NULL);
      continue;
    }
    g_object_set (trans, "direction",
        GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, "codec-preferences",
        caps, NULL);
  }
  if (transceivers)
    g_array_unref (transceivers);
}

static void
remove_element (GstBin * bin, GstElement * element)
{
  gst_element_set_locked_state (element, TRUE);
  gst_element_set_state (element, GST_STATE_NULL);
  gst_bin_remove (bin, element);
}

/* A track removed while running: the peer stops receiving it, its
 * transceiver only receives from now on. Returns TRUE if the peer had it
 * (and needs a renegotiation). */
gboolean
gst_webrtc_room_media_detach_input (GstWebRTCRoomPeerSession * s,
    GstWebRTCRoomSendPath * input)
{
  g_autoptr (GPtrArray) elements =
      g_ptr_array_new_with_free_func (gst_object_unref);
  GstElement *queue = g_hash_table_lookup (PEER_MEDIA (s)->branches, input);
  g_autoptr (GstPad) webrtc_sink = NULL;
  GstWebRTCRTPTransceiver *trans = NULL;
  guint i;

  if (!queue)
    return FALSE;
  g_hash_table_remove (PEER_MEDIA (s)->branches, input);
  webrtc_sink = gst_webrtc_room_send_path_release_branch (input, queue,
      WEBRTCBIN (s), elements);
  if (webrtc_sink) {
    g_object_get (webrtc_sink, "transceiver", &trans, NULL);
    gst_pad_unlink (GST_PAD_PEER (webrtc_sink), webrtc_sink);
  }
  for (i = 0; i < elements->len; i++)
    remove_element (GST_BIN (SESSION_BIN (s)), elements->pdata[i]);
  if (webrtc_sink)
    gst_element_release_request_pad (WEBRTCBIN (s), webrtc_sink);
  if (trans) {
    g_object_set (trans, "direction",
        gst_webrtc_room_base_bin_get_mode (SESSION_BIN (s)) ==
        GST_WEBRTC_ROOM_MEDIA_SENDRECV ?
        GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY :
        GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE, NULL);
    gst_object_unref (trans);
  }
  return TRUE;
}

/* A streaming thread of the peer's tracks may be blocked downstream of
 * us (a sink waiting for PLAYING while the pipeline is paused) holding the
 * stream lock that stopping the webrtcbin needs: flush it out first.
 * Not when the pipeline is set to PLAYING: a sink waiting there gets to
 * PLAYING anyway (a pause starting now flushes our pads itself, see the
 * bin's change_state), and the flush would make it lose its state, which
 * GStreamer forgets when the pipeline is busy: the track's EOS then waited
 * for a PLAYING that never came (a viewer whose publisher left right after
 * its first frame hung, 2 tries in 15 on 2 busy cores). */
void
gst_webrtc_room_media_flush_start (GstWebRTCRoomBaseBin * bin,
    GPtrArray * src_pads)
{
  guint i;

  if (gst_webrtc_room_base_bin_heads_for_playing (bin))
    return;
  for (i = 0; i < src_pads->len; i++)
    gst_pad_push_event (src_pads->pdata[i], gst_event_new_flush_start ());
}

/* Ends the flush of @ghost, if it was flushed. The flush-stop drops the
 * sticky segment: it is sent again, for an EOS or data to follow. */
void
gst_webrtc_room_media_flush_stop (GstPad * ghost)
{
  g_autoptr (GstEvent) segment = NULL;

  if (!GST_PAD_IS_FLUSHING (ghost))
    return;
  segment = gst_pad_get_sticky_event (ghost, GST_EVENT_SEGMENT, 0);
  gst_pad_push_event (ghost, gst_event_new_flush_stop (FALSE));
  if (segment)
    gst_pad_push_event (ghost, g_steal_pointer (&segment));
}

static void
flush_src_pads (GstWebRTCRoomPeerSession * s)
{
  g_autoptr (GPtrArray) pads =
      g_ptr_array_new_with_free_func (gst_object_unref);
  guint i;

  g_mutex_lock (&PEER_MEDIA (s)->recv_lock);
  for (i = 0; i < PEER_MEDIA (s)->src_pads->len; i++)
    g_ptr_array_add (pads, gst_object_ref (PEER_MEDIA (s)->src_pads->pdata[i]));
  g_mutex_unlock (&PEER_MEDIA (s)->recv_lock);
  gst_webrtc_room_media_flush_start (SESSION_BIN (s), pads);
}

/* Unlinks the peer's branches from the tees, stops its webrtcbin (which
 * unblocks a branch pushing into it), then removes the branches. */
void
gst_webrtc_room_media_detach_send (GstWebRTCRoomPeerSession * s)
{
  g_autoptr (GPtrArray) elements =
      g_ptr_array_new_with_free_func (gst_object_unref);
  GHashTableIter iter;
  gpointer key, value;
  guint i;

  g_hash_table_iter_init (&iter, PEER_MEDIA (s)->branches);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    GstPad *pad = gst_webrtc_room_send_path_release_branch (key, value,
        WEBRTCBIN (s), elements);
    if (pad)
      gst_object_unref (pad);
  }
  g_hash_table_remove_all (PEER_MEDIA (s)->branches);

  flush_src_pads (s);
  gst_element_set_locked_state (WEBRTCBIN (s), TRUE);
  gst_element_set_state (WEBRTCBIN (s), GST_STATE_NULL);
  for (i = 0; i < elements->len; i++)
    remove_element (GST_BIN (SESSION_BIN (s)), elements->pdata[i]);
}

/* Receive */

static GstPadProbeReturn
drop_if_unlinked (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GstPad *ghost = user_data;

  /* gst-launch users link only what they want (e.g. only video): an
   * unlinked track is dropped instead of failing with not-linked */
  return gst_pad_is_linked (ghost) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

static void
add_fakesink (GstWebRTCRoomPeerSession * s, GstPad * pad)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr (GstPad) sinkpad = gst_element_get_static_pad (sink, "sink");

  g_object_set (sink, "async", FALSE, "sync", FALSE, NULL);
  gst_bin_add (GST_BIN (SESSION_BIN (s)), sink);
  gst_pad_link (pad, sinkpad);
  gst_element_sync_state_with_parent (sink);
  g_mutex_lock (&PEER_MEDIA (s)->recv_lock);
  g_ptr_array_add (PEER_MEDIA (s)->recv_elements, gst_object_ref (sink));
  g_mutex_unlock (&PEER_MEDIA (s)->recv_lock);
}

static GstPad *reuse_kept_pad (GstWebRTCRoomPeerSession * s,
    GstPadTemplate * templ, GstPad * target);

static void
set_if_exists (GstElement * element, const gchar * name, const GValue * value)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (element), name))
    g_object_set_property (G_OBJECT (element), name, value);
}

/* Packets NACK/RTX could not repair: the depayloader asks the sender for a
 * key frame at once (PLI) instead of waiting for the next periodic one, and
 * a decoder never turns a run of undecodable frames into a flow error that
 * would stop the pipeline. */
static void
configure_for_loss (GstElement * element)
{
  GValue yes = G_VALUE_INIT, unlimited = G_VALUE_INIT;

  g_value_init (&yes, G_TYPE_BOOLEAN);
  g_value_set_boolean (&yes, TRUE);
  g_value_init (&unlimited, G_TYPE_INT);
  g_value_set_int (&unlimited, -1);
  set_if_exists (element, "request-keyframe", &yes);
  if (GST_IS_VIDEO_DECODER (element))
    set_if_exists (element, "max-errors", &unlimited);
  g_value_unset (&yes);
  g_value_unset (&unlimited);
}

void
gst_webrtc_room_media_on_src_pad (GstWebRTCRoomPeerSession * s, GstPad * pad)
{
  GstWebRTCRoomBaseBin *bin = SESSION_BIN (s);
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  const GstWebRTCRoomCodec *codec;
  gboolean decode = gst_webrtc_room_base_bin_get_decode (bin);
  GstElement *elements[2];
  guint n = 0, i, index;
  GstElement *last;
  g_autoptr (GstPad) first_sink = NULL;
  g_autoptr (GstPad) last_src = NULL;
  g_autofree gchar *pad_name = NULL;
  GstPadTemplate *templ;
  GstPad *ghost;

  if (!caps)
    caps = gst_pad_query_caps (pad, NULL);
  codec = gst_webrtc_room_codec_for_rtp_caps (caps);
  if (!codec || gst_webrtc_room_base_bin_get_mode (bin) ==
      GST_WEBRTC_ROOM_MEDIA_SENDONLY) {
    add_fakesink (s, pad);
    return;
  }
  elements[n++] =
      gst_webrtc_room_make_element (GST_BIN (bin), codec->depayloader);
  if (decode)
    elements[n++] =
        gst_webrtc_room_make_element (GST_BIN (bin), codec->decoder);
  else if (codec->parser && gst_element_factory_find (codec->parser))
    elements[n++] = gst_element_factory_make (codec->parser, NULL);
  for (i = 0; i < n; i++) {
    if (!elements[i]) {
      for (guint j = 0; j < n; j++)
        gst_clear_object (&elements[j]);
      add_fakesink (s, pad);
      return;
    }
  }
  for (i = 0; i < n; i++)
    configure_for_loss (elements[i]);
  last = gst_webrtc_room_add_chain (GST_BIN (bin), NULL, elements, n);
  first_sink = gst_element_get_static_pad (elements[0], "sink");
  if (gst_pad_link (pad, first_sink) != GST_PAD_LINK_OK)
    GST_ERROR_OBJECT (bin, "could not link incoming %s of %s", codec->media,
        PEER_ID (s));

  g_mutex_lock (&PEER_MEDIA (s)->recv_lock);
  for (i = 0; i < n; i++)
    g_ptr_array_add (PEER_MEDIA (s)->recv_elements,
        gst_object_ref (elements[i]));
  index = PEER_MEDIA (s)->n_src_pads++;
  g_mutex_unlock (&PEER_MEDIA (s)->recv_lock);

  templ = gst_element_class_get_pad_template (GST_ELEMENT_GET_CLASS (bin),
      g_str_equal (codec->media, "video") ? "video_%s_%u" : "audio_%s_%u");
  last_src = gst_element_get_static_pad (last, "src");
  ghost = reuse_kept_pad (s, templ, last_src);
  if (ghost) {
    /* a replaced connection's pad: downstream stays linked */
    pad_name = gst_pad_get_name (ghost);
    GST_INFO_OBJECT (bin, "receiving %s (%s) from %s again on pad %s",
        codec->media, codec->name, PEER_ID (s), pad_name);
    gst_pad_add_probe (last_src, GST_PAD_PROBE_TYPE_BUFFER |
        GST_PAD_PROBE_TYPE_BUFFER_LIST, drop_if_unlinked, ghost, NULL);
    return;
  }
  pad_name = g_strdup_printf ("%s_%s_%u", codec->media, PEER_ID (s), index);
  ghost = gst_ghost_pad_new_from_template (pad_name, last_src, templ);
  gst_pad_add_probe (last_src, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, drop_if_unlinked, ghost, NULL);
  gst_pad_set_active (ghost, TRUE);
  g_mutex_lock (&PEER_MEDIA (s)->recv_lock);
  g_ptr_array_add (PEER_MEDIA (s)->src_pads, gst_object_ref (ghost));
  g_mutex_unlock (&PEER_MEDIA (s)->recv_lock);
  GST_INFO_OBJECT (bin, "receiving %s (%s) from %s on pad %s", codec->media,
      codec->name, PEER_ID (s), pad_name);
  gst_webrtc_room_base_bin_add_src_pad (bin, ghost);
}

/* Retargets a kept pad of @templ's kind to @target; returns it (not a
 * new ref) or NULL. */
static GstPad *
reuse_kept_pad (GstWebRTCRoomPeerSession * s, GstPadTemplate * templ,
    GstPad * target)
{
  GstPad *ghost = NULL;
  guint i;

  g_mutex_lock (&PEER_MEDIA (s)->recv_lock);
  for (i = 0; PEER_MEDIA (s)->kept_pads && i < PEER_MEDIA (s)->kept_pads->len;
      i++) {
    GstPad *pad = PEER_MEDIA (s)->kept_pads->pdata[i];
    if (GST_PAD_PAD_TEMPLATE (pad) == templ) {
      ghost = g_ptr_array_steal_index (PEER_MEDIA (s)->kept_pads, i);
      g_ptr_array_add (PEER_MEDIA (s)->src_pads, ghost);
      break;
    }
  }
  g_mutex_unlock (&PEER_MEDIA (s)->recv_lock);
  if (ghost && !gst_ghost_pad_set_target (GST_GHOST_PAD (ghost), target))
    GST_WARNING_OBJECT (SESSION_BIN (s), "could not retarget %" GST_PTR_FORMAT,
        ghost);
  return ghost;
}

/* Hands the src pads over to the connection replacing @s: they leave the
 * session, so closing it keeps them on the bin. */
GPtrArray *
gst_webrtc_room_media_take_src_pads (GstWebRTCRoomPeerSession * s)
{
  GPtrArray *pads;

  g_mutex_lock (&PEER_MEDIA (s)->recv_lock);
  pads = g_steal_pointer (&PEER_MEDIA (s)->src_pads);
  PEER_MEDIA (s)->src_pads = g_ptr_array_new_with_free_func (gst_object_unref);
  if (PEER_MEDIA (s)->kept_pads) {
    /* never reused by this session either */
    g_ptr_array_extend_and_steal (pads,
        g_steal_pointer (&PEER_MEDIA (s)->kept_pads));
  }
  g_mutex_unlock (&PEER_MEDIA (s)->recv_lock);
  return pads;
}

/* The peer's tracks have ended, as rtpbin ends a sender's stream on its
 * BYE: each src pad sends EOS downstream before it goes, so a muxer
 * finalizes the peer's streams, and a pipeline whose sinks all followed
 * this peer ends (gst-launch-1.0 exits; before, its sink waited forever,
 * and so did an EOS sent to the pipeline later). Run from GStreamer's
 * thread pool: a sink in PAUSED holds an EOS until PLAYING or a flush,
 * which must not stall the signalling thread. */
static void
end_src_pads (GstElement * element, gpointer user_data)
{
  GPtrArray *pads = user_data;
  guint i;

  for (i = 0; i < pads->len; i++) {
    GstPad *ghost = pads->pdata[i];

    gst_ghost_pad_set_target (GST_GHOST_PAD (ghost), NULL);
    /* closing the connection may have flushed the pad (flush_src_pads) */
    gst_webrtc_room_media_flush_stop (ghost);
    gst_pad_push_event (ghost, gst_event_new_eos ());
    gst_pad_set_active (ghost, FALSE);
    gst_element_remove_pad (element, ghost);
  }
}

void
gst_webrtc_room_media_detach_recv (GstWebRTCRoomPeerSession * s)
{
  g_autoptr (GPtrArray) elements = NULL;
  g_autoptr (GPtrArray) pads = NULL;
  guint i;

  g_mutex_lock (&PEER_MEDIA (s)->recv_lock);
  elements = g_steal_pointer (&PEER_MEDIA (s)->recv_elements);
  pads = g_steal_pointer (&PEER_MEDIA (s)->src_pads);
  PEER_MEDIA (s)->recv_elements =
      g_ptr_array_new_with_free_func (gst_object_unref);
  PEER_MEDIA (s)->src_pads = g_ptr_array_new_with_free_func (gst_object_unref);
  if (PEER_MEDIA (s)->kept_pads)
    g_ptr_array_extend_and_steal (pads,
        g_steal_pointer (&PEER_MEDIA (s)->kept_pads));
  g_mutex_unlock (&PEER_MEDIA (s)->recv_lock);

  for (i = 0; i < elements->len; i++)
    remove_element (GST_BIN (SESSION_BIN (s)), elements->pdata[i]);
  if (pads->len > 0)
    gst_element_call_async (GST_ELEMENT (SESSION_BIN (s)), end_src_pads,
        g_steal_pointer (&pads), (GDestroyNotify) g_ptr_array_unref);
}

/* The bin's media for one peer */

GstWebRTCRoomPeerMedia *
gst_webrtc_room_peer_media_new (void)
{
  GstWebRTCRoomPeerMedia *m = g_new0 (GstWebRTCRoomPeerMedia, 1);

  m->branches = g_hash_table_new (NULL, NULL);
  m->recv_elements = g_ptr_array_new_with_free_func (gst_object_unref);
  m->src_pads = g_ptr_array_new_with_free_func (gst_object_unref);
  g_mutex_init (&m->recv_lock);
  return m;
}

void
gst_webrtc_room_peer_media_free (GstWebRTCRoomPeerMedia * m)
{
  g_hash_table_unref (m->branches);
  g_ptr_array_unref (m->recv_elements);
  g_ptr_array_unref (m->src_pads);
  g_clear_pointer (&m->kept_pads, g_ptr_array_unref);
  g_mutex_clear (&m->recv_lock);
  g_free (m);
}
