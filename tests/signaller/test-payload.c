/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The signal payload codec (issue 11): what a room member may send as the
 * data of a signal, type-checked and bounded, and the round trip of what
 * the elements send. The elements' behaviour on these is in
 * tests/elements/test-hostile.c. */

#include <string.h>

#include <gst/webrtcroom/protocol.h>

static GstWebRTCRoomSignalPayload *
parse (const gchar * text, GError ** error)
{
  return gst_webrtc_room_signal_payload_parse_text (text, -1, error);
}

static GstWebRTCRoomSignalPayload *
parse_ok (const gchar * text)
{
  g_autoptr (GError) error = NULL;
  GstWebRTCRoomSignalPayload *p = parse (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (p);
  return p;
}

static void
assert_bad (const gchar * text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstWebRTCRoomSignalPayload) p = parse (text, &error);

  if (p)
    g_error ("accepted: %s", text);
  g_assert_true (error->domain == GST_WEBRTC_ROOM_ERROR);
}

static void
test_valid (void)
{
  g_autoptr (GstWebRTCRoomSignalPayload) offer = NULL;
  g_autoptr (GstWebRTCRoomSignalPayload) cand = NULL;
  g_autoptr (GstWebRTCRoomSignalPayload) p = NULL;

  offer = parse_ok ("{\"description\":{\"type\":\"offer\",\"sdp\":"
      "\"v=0\\r\\nm=video 9 RTP/AVP 96\\r\\n\"},\"restart\":true,\"x\":1}");
  g_assert_cmpint (offer->type, ==, GST_WEBRTC_ROOM_PAYLOAD_DESCRIPTION);
  g_assert_cmpint (offer->sdp_type, ==, GST_WEBRTC_ROOM_SDP_OFFER);
  g_assert_cmpstr (offer->sdp, ==, "v=0\r\nm=video 9 RTP/AVP 96\r\n");
  g_assert_true (offer->restart);

  p = parse_ok ("{\"description\":{\"type\":\"answer\",\"sdp\":\"v=0\"}}");
  g_assert_cmpint (p->sdp_type, ==, GST_WEBRTC_ROOM_SDP_ANSWER);
  g_assert_false (p->restart);
  g_clear_pointer (&p, gst_webrtc_room_signal_payload_free);

  cand = parse_ok ("{\"candidate\":{\"candidate\":\"candidate:1 1 UDP 1 "
      "127.0.0.1 9 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,"
      "\"usernameFragment\":\"x\"}}");
  g_assert_cmpint (cand->type, ==, GST_WEBRTC_ROOM_PAYLOAD_CANDIDATE);
  g_assert_cmpstr (cand->candidate, ==, "candidate:1 1 UDP 1 127.0.0.1 9 typ "
      "host");
  g_assert_cmpstr (cand->sdp_mid, ==, "0");
  g_assert_cmpint (cand->sdp_mline_index, ==, 0);

  /* browsers: null index, mid only */
  p = parse_ok ("{\"candidate\":{\"candidate\":\"candidate:1\","
      "\"sdpMid\":\"audio\",\"sdpMLineIndex\":null}}");
  g_assert_cmpint (p->sdp_mline_index, ==, -1);
  g_assert_cmpstr (p->sdp_mid, ==, "audio");
  g_clear_pointer (&p, gst_webrtc_room_signal_payload_free);

  p = parse_ok ("{\"candidate\":null}");
  g_assert_cmpint (p->type, ==, GST_WEBRTC_ROOM_PAYLOAD_END_OF_CANDIDATES);
  g_clear_pointer (&p, gst_webrtc_room_signal_payload_free);
  p = parse_ok ("{\"candidate\":{\"candidate\":\"\",\"sdpMid\":\"0\"}}");
  g_assert_cmpint (p->type, ==, GST_WEBRTC_ROOM_PAYLOAD_END_OF_CANDIDATES);
  g_clear_pointer (&p, gst_webrtc_room_signal_payload_free);

  p = parse_ok ("{\"renegotiate\":true,\"media\":[\"video\",\"application\","
      "\"audio\"]}");
  g_assert_cmpint (p->type, ==, GST_WEBRTC_ROOM_PAYLOAD_RENEGOTIATE);
  g_assert_cmpuint (g_strv_length (p->media), ==, 2);
  g_assert_cmpstr (p->media[0], ==, "video");
  g_assert_cmpstr (p->media[1], ==, "audio");
  g_clear_pointer (&p, gst_webrtc_room_signal_payload_free);

  p = parse_ok ("{\"renegotiate\":false,\"text\":[1]}");
  g_assert_cmpint (p->type, ==, GST_WEBRTC_ROOM_PAYLOAD_OTHER);
  g_clear_pointer (&p, gst_webrtc_room_signal_payload_free);
  p = parse_ok ("{}");
  g_assert_cmpint (p->type, ==, GST_WEBRTC_ROOM_PAYLOAD_OTHER);
}

static const gchar *const invalid[] = {
  "{\"description\":{\"type\":5}}",
  "{\"description\":{\"type\":true}}",
  "{\"description\":{\"type\":\"offer\"}}",
  "{\"description\":{\"type\":\"offer\",\"sdp\":5}}",
  "{\"description\":{\"type\":\"offer\",\"sdp\":null}}",
  "{\"description\":{\"type\":\"offer\",\"sdp\":\"\"}}",
  "{\"description\":{\"type\":\"rollback\",\"sdp\":\"v=0\"}}",
  "{\"description\":{\"sdp\":\"v=0\"}}",
  "{\"description\":null}",
  "{\"description\":\"v=0\"}",
  "{\"description\":{\"type\":\"offer\",\"sdp\":\"v=0\"},\"restart\":1}",
  "{\"candidate\":5}",
  "{\"candidate\":\"candidate:1\"}",
  "{\"candidate\":[]}",
  "{\"candidate\":{\"candidate\":5,\"sdpMid\":\"0\"}}",
  "{\"candidate\":{\"sdpMid\":\"0\"}}",
  "{\"candidate\":{\"candidate\":\"candidate:1\"}}",
  "{\"candidate\":{\"candidate\":\"candidate:1\",\"sdpMid\":0}}",
  "{\"candidate\":{\"candidate\":\"candidate:1\",\"sdpMLineIndex\":\"0\"}}",
  "{\"candidate\":{\"candidate\":\"candidate:1\",\"sdpMLineIndex\":-1}}",
  "{\"candidate\":{\"candidate\":\"candidate:1\",\"sdpMLineIndex\":0.5}}",
  "{\"candidate\":{\"candidate\":\"candidate:1\",\"sdpMLineIndex\":32}}",
  "{\"candidate\":{\"candidate\":\"candidate:1\",\"sdpMLineIndex\":1e999}}",
  "{\"candidate\":{\"candidate\":\"candidate:1\\r\\na=x\",\"sdpMid\":\"0\"}}",
  "{\"candidate\":{\"candidate\":\"candidate:1\",\"sdpMid\":\"0\\n\"}}",
  /* a lone surrogate: json-glib yields bytes that are not UTF-8 (fuzzer) */
  "{\"candidate\":{\"candidate\":\"candidate:1 \\ud800x\",\"sdpMid\":\"0\"}}",
  "{\"description\":{\"type\":\"offer\",\"sdp\":\"v=0 \\udc00\"}}",
  "{\"renegotiate\":\"yes\"}",
  "{\"renegotiate\":true,\"media\":\"video\"}",
  "{\"renegotiate\":true,\"media\":[\"video\",5]}",
  "[]",
  "5",
  "not json",
  "{\"candidate\":",
};

static void
test_invalid (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (invalid); i++)
    assert_bad (invalid[i]);
}

static gchar *
description_text (const gchar * sdp)
{
  g_autoptr (GstWebRTCRoomSignalPayload) p =
      gst_webrtc_room_signal_payload_new_description (GST_WEBRTC_ROOM_SDP_OFFER,
      sdp, FALSE);
  g_autoptr (JsonObject) obj = gst_webrtc_room_signal_payload_to_json (p);
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);

  return json_to_string (node, FALSE);
}

static gchar *
candidate_text (const gchar * candidate, const gchar * mid, gint index)
{
  g_autoptr (GstWebRTCRoomSignalPayload) p =
      gst_webrtc_room_signal_payload_new_candidate (candidate, mid, index);
  g_autoptr (JsonObject) obj = gst_webrtc_room_signal_payload_to_json (p);
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);

  return json_to_string (node, FALSE);
}

static void
test_bounds (void)
{
  g_autofree gchar *sdp = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *cand = NULL;
  g_autofree gchar *mid = NULL;
  GString *mlines = g_string_new ("v=0\r\n");
  guint i;

  /* SDP size: the bound itself passes, one byte more does not */
  sdp = g_strnfill (GST_WEBRTC_ROOM_MAX_SDP_BYTES, 'x');
  text = description_text (sdp);
  gst_webrtc_room_signal_payload_free (parse_ok (text));
  g_free (sdp);
  g_free (text);
  sdp = g_strnfill (GST_WEBRTC_ROOM_MAX_SDP_BYTES + 1, 'x');
  text = description_text (sdp);
  assert_bad (text);
  g_clear_pointer (&text, g_free);

  /* m-lines */
  for (i = 0; i < GST_WEBRTC_ROOM_MAX_MLINES; i++)
    g_string_append (mlines, "m=audio 9 RTP/AVP 0\r\n");
  text = description_text (mlines->str);
  gst_webrtc_room_signal_payload_free (parse_ok (text));
  g_clear_pointer (&text, g_free);
  g_string_append (mlines, "m=audio 9 RTP/AVP 0\r\n");
  text = description_text (mlines->str);
  assert_bad (text);
  g_clear_pointer (&text, g_free);
  g_string_free (mlines, TRUE);

  /* candidate and mid length, m-line index */
  cand = g_strnfill (GST_WEBRTC_ROOM_MAX_CANDIDATE_BYTES, 'c');
  text = candidate_text (cand, "0", 0);
  gst_webrtc_room_signal_payload_free (parse_ok (text));
  g_clear_pointer (&text, g_free);
  g_free (cand);
  cand = g_strnfill (GST_WEBRTC_ROOM_MAX_CANDIDATE_BYTES + 1, 'c');
  text = candidate_text (cand, "0", 0);
  assert_bad (text);
  g_clear_pointer (&text, g_free);
  mid = g_strnfill (GST_WEBRTC_ROOM_MAX_MID_BYTES, 'm');
  text = candidate_text ("candidate:1", mid, -1);
  gst_webrtc_room_signal_payload_free (parse_ok (text));
  g_clear_pointer (&text, g_free);
  g_free (mid);
  mid = g_strnfill (GST_WEBRTC_ROOM_MAX_MID_BYTES + 1, 'm');
  text = candidate_text ("candidate:1", mid, -1);
  assert_bad (text);
  g_clear_pointer (&text, g_free);
  text = candidate_text ("candidate:1", NULL, GST_WEBRTC_ROOM_MAX_MLINES - 1);
  gst_webrtc_room_signal_payload_free (parse_ok (text));
  g_clear_pointer (&text, g_free);
}

static void
assert_round_trip (GstWebRTCRoomSignalPayload * p)
{
  g_autoptr (JsonObject) obj = gst_webrtc_room_signal_payload_to_json (p);
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), obj);
  g_autofree gchar *text = json_to_string (node, FALSE);
  g_autoptr (GstWebRTCRoomSignalPayload) again = parse_ok (text);
  g_autoptr (GstWebRTCRoomSignalPayload) copy =
      gst_webrtc_room_signal_payload_copy (again);

  g_assert_cmpint (copy->type, ==, p->type);
  g_assert_cmpint (copy->sdp_type, ==, p->sdp_type);
  g_assert_cmpstr (copy->sdp, ==, p->sdp);
  g_assert_cmpint (copy->restart, ==, p->restart);
  g_assert_cmpstr (copy->candidate, ==, p->candidate);
  g_assert_cmpstr (copy->sdp_mid, ==, p->sdp_mid);
  g_assert_cmpint (copy->sdp_mline_index, ==, p->sdp_mline_index);
  if (p->media)
    g_assert_true (g_strv_equal ((const gchar * const *) copy->media,
            (const gchar * const *) p->media));
  gst_webrtc_room_signal_payload_free (p);
}

static void
test_round_trip (void)
{
  GstWebRTCRoomSignalPayload *p;
  const gchar *kinds[] = { "audio", "video", NULL };

  assert_round_trip (gst_webrtc_room_signal_payload_new_description
      (GST_WEBRTC_ROOM_SDP_ANSWER, "v=0\r\n", FALSE));
  assert_round_trip (gst_webrtc_room_signal_payload_new_description
      (GST_WEBRTC_ROOM_SDP_OFFER, "v=0\r\nm=video 9 RTP/AVP 96\r\n", TRUE));
  assert_round_trip (gst_webrtc_room_signal_payload_new_candidate
      ("candidate:1 1 UDP 1 127.0.0.1 9 typ host", "0", 0));
  assert_round_trip (gst_webrtc_room_signal_payload_new_candidate
      ("candidate:1 1 UDP 1 127.0.0.1 9 typ host", NULL, 3));
  assert_round_trip (gst_webrtc_room_signal_payload_new
      (GST_WEBRTC_ROOM_PAYLOAD_END_OF_CANDIDATES));
  p = gst_webrtc_room_signal_payload_new (GST_WEBRTC_ROOM_PAYLOAD_RENEGOTIATE);
  p->media = g_strdupv ((gchar **) kinds);
  assert_round_trip (p);
}

/* {"x": [[...]]}: an object holding @depth - 1 nested arrays, @depth
 * containers in all; @close FALSE leaves them open */
static gchar *
nested (guint depth, gboolean close)
{
  GString *s = g_string_new ("{\"x\":");
  guint i;

  for (i = 1; i < depth; i++)
    g_string_append_c (s, '[');
  if (depth == 1)
    g_string_append (s, "0");
  for (i = 1; close && i < depth; i++)
    g_string_append_c (s, ']');
  if (close)
    g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

static void
test_depth (void)
{
  /* a valid payload whose extension key nests to the frame limit parses;
   * one level more, or a million, is refused without recursing into it */
  g_autofree gchar *at_limit = nested (GST_WEBRTC_ROOM_MAX_JSON_DEPTH, TRUE);
  g_autofree gchar *above = nested (GST_WEBRTC_ROOM_MAX_JSON_DEPTH + 1, TRUE);
  g_autofree gchar *deep = nested (1000 * 1000, FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstWebRTCRoomSignalPayload) p = NULL;

  p = parse (at_limit, &error);
  g_assert_no_error (error);
  g_assert_cmpint (p->type, ==, GST_WEBRTC_ROOM_PAYLOAD_OTHER);

  g_assert_null (parse (above, &error));
  g_assert_error (error, GST_WEBRTC_ROOM_ERROR,
      GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  g_clear_error (&error);

  g_assert_null (parse (deep, &error));
  g_assert_error (error, GST_WEBRTC_ROOM_ERROR,
      GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/payload/valid", test_valid);
  g_test_add_func ("/payload/invalid", test_invalid);
  g_test_add_func ("/payload/bounds", test_bounds);
  g_test_add_func ("/payload/round-trip", test_round_trip);
  g_test_add_func ("/payload/depth", test_depth);

  return g_test_run ();
}
