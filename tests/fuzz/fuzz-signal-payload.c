/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* libFuzzer target for the elements' signal handling (issue 11): the
 * `data` of a signal as a room member sends it, through the payload codec
 * and then what a peer session does with an accepted payload before it
 * reaches webrtcbin (SDP parse and the m-line bound, the candidate's
 * m-line lookup by index or mid). Every accepted payload must survive a
 * serialise-parse round trip unchanged.
 *
 *   CC=clang meson setup build-fuzz -Dfuzzers=enabled
 *   ninja -C build-fuzz tests/fuzz/fuzz-signal-payload
 *   build-fuzz/tests/fuzz/fuzz-signal-payload -dict=tests/fuzz/signal-payload.dict \
 *       -max_len=200000 corpus-dir tests/fuzz/corpus/signal-payload
 */

#include <gst/sdp/sdp.h>
#include <stdlib.h>
#include <string.h>

#include <gst/webrtcroom/protocol.h>

int LLVMFuzzerTestOneInput (const guint8 * data, size_t size);

/* abort (), which libFuzzer catches, not g_error ()'s breakpoint trap */
#define FAIL(...) G_STMT_START { \
    g_printerr (__VA_ARGS__); \
    g_printerr ("\n"); \
    abort (); \
  } G_STMT_END

static gboolean
payload_equal (const GstWebRTCRoomSignalPayload * a,
    const GstWebRTCRoomSignalPayload * b)
{
  guint i;

  if (a->type != b->type || g_strcmp0 (a->candidate, b->candidate)
      || g_strcmp0 (a->sdp_mid, b->sdp_mid)
      || a->sdp_mline_index != b->sdp_mline_index)
    return FALSE;
  if (a->type == GST_WEBRTC_ROOM_PAYLOAD_DESCRIPTION
      && (a->sdp_type != b->sdp_type || g_strcmp0 (a->sdp, b->sdp)
          || a->restart != b->restart))
    return FALSE;
  if (!a->media || !b->media)
    return (a->media == NULL || !a->media[0]) && (b->media == NULL
        || !b->media[0]);
  for (i = 0; a->media[i] || b->media[i]; i++) {
    if (g_strcmp0 (a->media[i], b->media[i]))
      return FALSE;
  }
  return TRUE;
}

/* what peersession.c does with a description before webrtcbin sees it */
static gint
description_then_candidate (const GstWebRTCRoomSignalPayload * p,
    GstSDPMessage ** remote)
{
  GstSDPMessage *sdp = NULL;

  if (gst_sdp_message_new_from_text (p->sdp, &sdp) != GST_SDP_OK) {
    if (sdp)
      gst_sdp_message_free (sdp);
    return -1;
  }
  if (gst_sdp_message_medias_len (sdp) > GST_WEBRTC_ROOM_MAX_MLINES)
    FAIL ("the codec let an SDP with %u m-lines through",
        gst_sdp_message_medias_len (sdp));
  if (*remote)
    gst_sdp_message_free (*remote);
  *remote = sdp;
  return 0;
}

/* peersession.c's candidate_mline() on a parsed SDP */
static gint
candidate_mline (const GstSDPMessage * sdp,
    const GstWebRTCRoomSignalPayload * cand)
{
  guint i, n = gst_sdp_message_medias_len (sdp);

  if (cand->sdp_mline_index >= 0)
    return (guint) cand->sdp_mline_index < n ? cand->sdp_mline_index : -1;
  for (i = 0; i < n; i++) {
    if (!g_strcmp0 (cand->sdp_mid,
            gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (sdp,
                    i), "mid")))
      return i;
  }
  return -1;
}

static const gchar default_sdp[] =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:video0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:1\r\n";

int
LLVMFuzzerTestOneInput (const guint8 * data, size_t size)
{
  static GstSDPMessage *remote;
  g_autoptr (GstWebRTCRoomSignalPayload) payload = NULL;
  g_autoptr (GstWebRTCRoomSignalPayload) again = NULL;
  g_autoptr (JsonObject) json = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;

  if (!remote)
    gst_sdp_message_new_from_text (default_sdp, &remote);

  payload = gst_webrtc_room_signal_payload_parse_text ((const gchar *) data,
      size, &error);
  if (!payload) {
    g_assert (error != NULL);
    g_assert (error->domain == GST_WEBRTC_ROOM_ERROR);
    return 0;
  }
  g_assert (error == NULL);

  switch (payload->type) {
    case GST_WEBRTC_ROOM_PAYLOAD_DESCRIPTION:
      g_assert (payload->sdp && *payload->sdp);
      g_assert (strlen (payload->sdp) <= GST_WEBRTC_ROOM_MAX_SDP_BYTES);
      description_then_candidate (payload, &remote);
      break;
    case GST_WEBRTC_ROOM_PAYLOAD_CANDIDATE:
      g_assert (payload->candidate && *payload->candidate);
      g_assert (strlen (payload->candidate) <=
          GST_WEBRTC_ROOM_MAX_CANDIDATE_BYTES);
      g_assert (!strpbrk (payload->candidate, "\r\n"));
      g_assert (payload->sdp_mid || payload->sdp_mline_index >= 0);
      g_assert (payload->sdp_mline_index < GST_WEBRTC_ROOM_MAX_MLINES);
      candidate_mline (remote, payload);
      break;
    case GST_WEBRTC_ROOM_PAYLOAD_RENEGOTIATE:
      g_assert (!payload->media
          || g_strv_length (payload->media) <= GST_WEBRTC_ROOM_MAX_MLINES);
      break;
    default:
      break;
  }

  /* round trip: serialised and parsed again, the same payload */
  json = gst_webrtc_room_signal_payload_to_json (payload);
  node = json_node_init_object (json_node_alloc (), json);
  text = json_to_string (node, FALSE);
  again = gst_webrtc_room_signal_payload_parse_text (text, -1, &error);
  if (!again)
    FAIL ("round trip failed: %s\n%s", error->message, text);
  if (!payload_equal (payload, again))
    FAIL ("round trip changed the payload: %s", text);
  return 0;
}
