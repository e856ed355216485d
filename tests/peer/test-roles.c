/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Which pairs of room members open a peer connection (issue 10): two
 * peers with nothing to exchange (two publishers, two viewers) never do,
 * unless both asked for data channels. Every pair of roles (webrtcroombin,
 * webrtcroomsink, webrtcroomsrc) x data-channels on/off on either side,
 * from the join `meta` each element announces (docs/protocol.md "Roles")
 * through the library's own parser to its decision, asked from both
 * sides: the two must agree, or one side would offer to a peer that
 * ignores it. The sessions themselves: tests/peer/test-peer.c
 * (/peer/data-only/...). */

#include <gst/gst.h>
#include <string.h>

#include "gst/webrtcroom/roombin-private.h"

typedef struct
{
  const gchar *element;
  /* the join meta the element announces (announce_role) */
  const gchar *meta;
  gboolean sends;
  gboolean receives;
} Role;

static const Role roles[] = {
  {"webrtcroombin", "{\"sends\": [\"video\", \"audio\"], \"receives\": true",
      TRUE, TRUE},
  {"webrtcroomsink", "{\"sends\": [\"video\", \"audio\"], \"receives\": false",
      TRUE, FALSE},
  {"webrtcroomsrc", "{\"sends\": [], \"receives\": true", FALSE, TRUE},
};

typedef struct
{
  const Role *a, *b;
  gboolean a_data, b_data;
} Pair;

static void
role_from_meta (const Role * role, gboolean data, GstWebRTCRoomPeerRole * out)
{
  g_autofree gchar *text = g_strdup_printf ("%s%s}", role->meta,
      data ? ", \"data\": true" : "");
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;
  GstWebRTCRoomPeerRole fallback = GST_WEBRTC_ROOM_PEER_ROLE_DEFAULT;

  node = json_from_string (text, &error);
  g_assert_no_error (error);
  *out = fallback;
  gst_webrtc_room_peer_role_from_meta (out, json_node_get_object (node));
  g_assert_cmpint (out->sends_video, ==, role->sends);
  g_assert_cmpint (out->sends_audio, ==, role->sends);
  g_assert_cmpint (out->receives, ==, role->receives);
  g_assert_cmpint (out->data, ==, data);
}

static void
test_pair (gconstpointer data)
{
  const Pair *pair = data;
  GstWebRTCRoomPeerRole a, b;
  /* media flows at least one way */
  gboolean media = (pair->a->sends && pair->b->receives)
      || (pair->b->sends && pair->a->receives);
  gboolean expected = media || (pair->a_data && pair->b_data);

  role_from_meta (pair->a, pair->a_data, &a);
  role_from_meta (pair->b, pair->b_data, &b);
  g_assert_cmpint (gst_webrtc_room_peer_roles_connect (&a, &b), ==, expected);
  g_assert_cmpint (gst_webrtc_room_peer_roles_connect (&b, &a), ==, expected);
}

/* The cases issue 10 names, spelled out rather than computed */
static void
test_named_cases (void)
{
  GstWebRTCRoomPeerRole bin, sink, src, sink_data, src_data;

  role_from_meta (&roles[0], FALSE, &bin);
  role_from_meta (&roles[1], FALSE, &sink);
  role_from_meta (&roles[2], FALSE, &src);
  role_from_meta (&roles[1], TRUE, &sink_data);
  role_from_meta (&roles[2], TRUE, &src_data);
  /* two publishers, two viewers: nothing to exchange */
  g_assert_false (gst_webrtc_room_peer_roles_connect (&sink, &sink));
  g_assert_false (gst_webrtc_room_peer_roles_connect (&src, &src));
  /* one asked for data channels: still nothing */
  g_assert_false (gst_webrtc_room_peer_roles_connect (&sink_data, &sink));
  g_assert_false (gst_webrtc_room_peer_roles_connect (&src, &src_data));
  /* both did */
  g_assert_true (gst_webrtc_room_peer_roles_connect (&sink_data, &sink_data));
  g_assert_true (gst_webrtc_room_peer_roles_connect (&src_data, &src_data));
  /* media one way is enough */
  g_assert_true (gst_webrtc_room_peer_roles_connect (&sink, &src));
  g_assert_true (gst_webrtc_room_peer_roles_connect (&src, &bin));
  g_assert_true (gst_webrtc_room_peer_roles_connect (&bin, &sink));
  g_assert_true (gst_webrtc_room_peer_roles_connect (&bin, &bin));
}

static const gchar *
short_name (const Role * role)
{
  return role->element + strlen ("webrtcroom");
}

int
main (int argc, char **argv)
{
  guint a, b, d;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/roles/named", test_named_cases);
  for (a = 0; a < G_N_ELEMENTS (roles); a++) {
    for (b = 0; b < G_N_ELEMENTS (roles); b++) {
      for (d = 0; d < 4; d++) {
        Pair *pair = g_new0 (Pair, 1);
        g_autofree gchar *path = NULL;

        pair->a = &roles[a];
        pair->b = &roles[b];
        pair->a_data = d & 1;
        pair->b_data = (d & 2) != 0;
        path = g_strdup_printf ("/roles/%s-%s/data-%s-%s", short_name
            (pair->a), short_name (pair->b), pair->a_data ? "on" : "off",
            pair->b_data ? "on" : "off");
        g_test_add_data_func_full (path, pair, test_pair, g_free);
      }
    }
  }
  return g_test_run ();
}
