/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The real server process on an ephemeral loopback port, driven by real
 * libsoup WebSocket clients: the whole of protocol v1, HTTP, TLS, origin
 * checks and signals (misbehaving clients and limits:
 * test-server-limits.c). */

#include "server-util.h"
#include "tokens.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static void
test_join_welcome (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (GstWebRTCRoomMessage) wa = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb = NULL;
  g_autoptr (GstWebRTCRoomMessage) joined = NULL;
  g_autoptr (JsonObject) meta = json_object_new ();
  g_autofree gchar *join_b = NULL;
  GstWebRTCRoomPeerInfo *info;

  wa = join (a, "room-1", "alice");
  g_assert_cmpint (wa->protocol, ==, 1);
  g_assert_cmpstr (wa->room, ==, "room-1");
  g_assert_cmpuint (strlen (wa->peer), ==, 16);
  g_assert_cmpuint (wa->peers->len, ==, 0);
  g_assert_nonnull (wa->ice_servers);
  g_assert_nonnull (wa->resume);

  json_object_set_string_member (meta, "role", "viewer");
  join_b = gst_webrtc_room_build_join ("room-1", "bob", meta, FALSE, NULL,
      NULL);
  wr_test_client_send (b, join_b);
  wb = expect (b, GST_WEBRTC_ROOM_MESSAGE_WELCOME);
  g_assert_cmpstr (wb->peer, !=, wa->peer);
  g_assert_cmpuint (wb->peers->len, ==, 1);
  info = wb->peers->pdata[0];
  g_assert_cmpstr (info->id, ==, wa->peer);
  g_assert_cmpstr (info->name, ==, "alice");
  g_assert_true (info->offers);

  joined = expect (a, GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED);
  g_assert_cmpstr (joined->peer_info->id, ==, wb->peer);
  g_assert_cmpstr (joined->peer_info->name, ==, "bob");
  g_assert_false (joined->peer_info->offers);
  g_assert_cmpstr (json_object_get_string_member (joined->peer_info->meta,
          "role"), ==, "viewer");

  wr_test_server_stop (server);
}

static void
test_ice_servers (void)
{
  guint stun_port = wr_test_pick_udp_port ();
  g_autofree gchar *stun_arg = g_strdup_printf ("--stun-port=%u", stun_port);
  g_autofree gchar *expected = g_strdup_printf ("stun:127.0.0.1:%u",
      stun_port);
  WrTestServer *server = wr_test_server_spawn (stun_arg,
      "--stun-url=stun:stun.example.org:3478",
      "--turn-url=turn:turn.example.org:3478?transport=udp",
      "--turn-username=user", "--turn-credential=pass", NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (GstWebRTCRoomMessage) welcome = join (a, "ice", NULL);
  JsonObject *entry;

  g_assert_cmpuint (wr_test_server_get_stun_port (server), ==, stun_port);
  g_assert_cmpuint (json_array_get_length (welcome->ice_servers), ==, 3);
  entry = json_array_get_object_element (welcome->ice_servers, 0);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member
          (entry, "urls"), 0), ==, expected);
  entry = json_array_get_object_element (welcome->ice_servers, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member
          (entry, "urls"), 0), ==, "stun:stun.example.org:3478");
  entry = json_array_get_object_element (welcome->ice_servers, 2);
  g_assert_cmpstr (json_object_get_string_member (entry, "username"), ==,
      "user");
  g_assert_cmpstr (json_object_get_string_member (entry, "credential"), ==,
      "pass");
  wr_test_server_stop (server);
}

static void
test_signal_relay (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autofree gchar *ida = join_id (a, "relay");
  g_autofree gchar *idb = join_id (b, "relay");
  g_autoptr (GstWebRTCRoomMessage) joined = NULL;
  g_autoptr (GstWebRTCRoomMessage) sig = NULL;
  g_autofree gchar *spoof = NULL;
  g_autofree gchar *raw = NULL;

  joined = expect (a, GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED);

  /* a spoofed `from` is ignored: the server stamps the sender */
  spoof = g_strdup_printf ("{\"type\":\"signal\",\"to\":\"%s\","
      "\"from\":\"mallory\",\"data\":{\"description\":{\"type\":\"offer\","
      "\"sdp\":\"v=0\\r\\n\"},\"x-ext\":[1,2]}}", idb);
  wr_test_client_send (a, spoof);
  raw = wr_test_client_next (b, T);
  g_assert_nonnull (raw);
  g_assert_null (strstr (raw, "mallory"));
  sig = gst_webrtc_room_message_parse (raw, -1, GST_WEBRTC_ROOM_TO_CLIENT,
      NULL, NULL);
  g_assert_nonnull (sig);
  g_assert_cmpint (sig->type, ==, GST_WEBRTC_ROOM_MESSAGE_SIGNAL);
  g_assert_cmpstr (sig->from, ==, ida);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member
          (sig->data, "description"), "sdp"), ==, "v=0\r\n");
  g_assert_true (json_object_has_member (sig->data, "x-ext"));
  g_clear_pointer (&sig, gst_webrtc_room_message_free);

  /* and back, with a null candidate */
  send_signal (b, ida, "{\"candidate\":null}");
  sig = expect (a, GST_WEBRTC_ROOM_MESSAGE_SIGNAL);
  g_assert_cmpstr (sig->from, ==, idb);
  g_assert_true (json_object_has_member (sig->data, "candidate"));
  g_assert_true (wr_test_client_expect_silence (b, QUIET_MS));

  /* a signal to yourself is not relayed */
  send_signal (a, ida, "{}");
  expect_error (a, GST_WEBRTC_ROOM_ERROR_UNKNOWN_PEER, "signal");
  wr_test_server_stop (server);
}

static void
test_broadcast (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) c = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) other = wr_test_client_connect_to (server);
  g_autofree gchar *ida = join_id (a, "bc");
  g_autofree gchar *idb = join_id (b, "bc");
  g_autofree gchar *idc = join_id (c, "bc");
  g_autofree gchar *ido = join_id (other, "bc-other");
  g_autoptr (GstWebRTCRoomMessage) mb = NULL;
  g_autoptr (GstWebRTCRoomMessage) mc = NULL;

  g_free (wr_test_client_next (a, T));  /* peer-joined b */
  g_free (wr_test_client_next (a, T));  /* peer-joined c */
  g_free (wr_test_client_next (b, T));  /* peer-joined c */

  wr_test_client_send (a, "{\"type\":\"broadcast\",\"from\":\"x\","
      "\"data\":{\"chat\":\"hi\"}}");
  mb = expect (b, GST_WEBRTC_ROOM_MESSAGE_BROADCAST);
  mc = expect (c, GST_WEBRTC_ROOM_MESSAGE_BROADCAST);
  g_assert_cmpstr (mb->from, ==, ida);
  g_assert_cmpstr (mc->from, ==, ida);
  g_assert_cmpstr (json_object_get_string_member (mb->data, "chat"), ==, "hi");
  g_assert_true (wr_test_client_expect_silence (a, QUIET_MS));
  g_assert_true (wr_test_client_expect_silence (other, 0));
  wr_test_server_stop (server);
}

static void
test_ping (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (GstWebRTCRoomMessage) pong = NULL;
  g_autofree gchar *raw = NULL;

  /* before join, any JSON id echoed */
  wr_test_client_send (a, "{\"type\":\"ping\",\"id\":{\"seq\":[1,\"x\"]}}");
  raw = wr_test_client_next (a, T);
  g_assert_cmpstr (raw, ==, "{\"type\":\"pong\",\"id\":{\"seq\":[1,\"x\"]}}");
  wr_test_client_send (a, "{\"type\":\"ping\"}");
  pong = expect (a, GST_WEBRTC_ROOM_MESSAGE_PONG);
  g_assert_null (pong->id);
  g_clear_pointer (&pong, gst_webrtc_room_message_free);
  wr_test_client_send (a, "{\"type\":\"ping\",\"id\":\"abc\"}");
  pong = expect (a, GST_WEBRTC_ROOM_MESSAGE_PONG);
  g_assert_cmpstr (json_node_get_string (pong->id), ==, "abc");
  g_free (join_id (a, "pinged"));
  assert_alive (a);
  wr_test_server_stop (server);
}

typedef struct
{
  const gchar *frame;
  GstWebRTCRoomError code;
  const gchar *ref;
} BadInput;

static void
test_bad_inputs (void)
{
  static const BadInput inputs[] = {
    {"not json", GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"{\"type\":\"ping\"", GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"[1,2,3]", GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"42", GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"\"join\"", GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"null", GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"", GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL},
    {"{}", GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, NULL},
    {"{\"type\":7}", GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, NULL},
    {"{\"type\":\"dance\"}", GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE, "dance"},
    {"{\"type\":\"welcome\"}", GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE, "welcome"},
    {"{\"type\":\"error\",\"code\":\"x\"}",
        GST_WEBRTC_ROOM_ERROR_UNKNOWN_TYPE, "error"},
    {"{\"type\":\"join\"}", GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":5}", GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
        "join"},
    {"{\"type\":\"join\",\"room\":\"\"}", GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
        "join"},
    {"{\"type\":\"join\",\"room\":\"a b\"}",
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"r\",\"name\":[]}",
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"r\",\"meta\":\"m\"}",
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"r\",\"offers\":\"yes\"}",
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"join\",\"room\":\"r\",\"token\":1}",
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join"},
    {"{\"type\":\"signal\",\"data\":{}}", GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
        "signal"},
    {"{\"type\":\"signal\",\"to\":1,\"data\":{}}",
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "signal"},
    {"{\"type\":\"signal\",\"to\":\"x\"}", GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
        "signal"},
    {"{\"type\":\"signal\",\"to\":\"x\",\"data\":[]}",
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "signal"},
    {"{\"type\":\"broadcast\"}", GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
        "broadcast"},
    {"{\"type\":\"broadcast\",\"data\":\"hi\"}",
        GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "broadcast"},
  };
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) bad = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) o1 = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) o2 = wr_test_client_connect_to (server);
  g_autofree gchar *name65 = g_strnfill (65, 'n');
  g_autofree gchar *room65 = g_strnfill (65, 'r');
  g_autofree gchar *big_meta = g_strnfill (5000, 'm');
  g_autofree gchar *long_name = NULL;
  g_autofree gchar *long_room = NULL;
  g_autofree gchar *meta_join = NULL;
  g_autofree gchar *id2 = NULL;
  guint i;

  g_free (join_id (bad, "bad"));
  g_free (join_id (o1, "elsewhere"));
  id2 = join_id (o2, "elsewhere");
  g_free (wr_test_client_next (o1, T));

  long_name = g_strdup_printf ("{\"type\":\"join\",\"room\":\"r\","
      "\"name\":\"%s\"}", name65);
  long_room = g_strdup_printf ("{\"type\":\"join\",\"room\":\"%s\"}", room65);
  meta_join = g_strdup_printf ("{\"type\":\"join\",\"room\":\"r\","
      "\"meta\":{\"k\":\"%s\"}}", big_meta);

  for (i = 0; i < G_N_ELEMENTS (inputs); i++) {
    g_test_message ("bad input: %s", inputs[i].frame);
    wr_test_client_send (bad, inputs[i].frame);
    expect_error (bad, inputs[i].code, inputs[i].ref);
    assert_alive (bad);
  }
  {
    const gchar *more[] = { long_name, long_room, meta_join };

    for (i = 0; i < G_N_ELEMENTS (more); i++) {
      wr_test_client_send (bad, more[i]);
      expect_error (bad, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "join");
      assert_alive (bad);
    }
  }

  /* binary frame: bad-json, the connection stays */
  wr_test_client_send_binary (bad, "{\"type\":\"ping\"}", 15);
  expect_error (bad, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL);
  assert_alive (bad);

  /* second join on the same connection */
  wr_test_client_send (bad, "{\"type\":\"join\",\"room\":\"bad\"}");
  expect_error (bad, GST_WEBRTC_ROOM_ERROR_ALREADY_JOINED, "join");
  assert_alive (bad);

  /* another room is unaffected */
  send_signal (o1, id2, "{\"ok\":true}");
  {
    g_autoptr (GstWebRTCRoomMessage) sig =
        expect (o2, GST_WEBRTC_ROOM_MESSAGE_SIGNAL);
    g_assert_true (json_object_get_boolean_member (sig->data, "ok"));
  }
  /* nobody else heard of the bad peer's trouble */
  g_assert_true (wr_test_client_expect_silence (o1, QUIET_MS));
  wr_test_server_stop (server);
}

static void
test_not_joined (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);

  send_signal (a, "0123456789abcdef", "{}");
  expect_error (a, GST_WEBRTC_ROOM_ERROR_NOT_JOINED, "signal");
  wr_test_client_send (a, "{\"type\":\"broadcast\",\"data\":{}}");
  expect_error (a, GST_WEBRTC_ROOM_ERROR_NOT_JOINED, "broadcast");
  wr_test_client_send (a, "{\"type\":\"leave\"}");
  expect_error (a, GST_WEBRTC_ROOM_ERROR_NOT_JOINED, "leave");
  assert_alive (a);
  g_free (join_id (a, "late"));
  wr_test_server_stop (server);
}

static void
test_unknown_peer (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autofree gchar *ida = join_id (a, "iso-a");
  g_autofree gchar *idb = join_id (b, "iso-b");

  send_signal (a, idb, "{\"secret\":1}");
  expect_error (a, GST_WEBRTC_ROOM_ERROR_UNKNOWN_PEER, "signal");
  send_signal (a, "ffffffffffffffff", "{}");
  expect_error (a, GST_WEBRTC_ROOM_ERROR_UNKNOWN_PEER, "signal");
  g_assert_true (wr_test_client_expect_silence (b, QUIET_MS));
  assert_alive (a);
  wr_test_server_stop (server);
}

static void
test_leave (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) c = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) d = wr_test_client_connect_to (server);
  g_autofree gchar *ida = join_id (a, "leave");
  g_autofree gchar *idb = join_id (b, "leave");
  g_autofree gchar *idc = join_id (c, "leave");
  g_autofree gchar *idd = join_id (d, "leave");
  guint i;

  for (i = 0; i < 3; i++)
    g_free (wr_test_client_next (a, T));

  wr_test_client_send (b, "{\"type\":\"leave\"}");
  assert_peer_left (a, idb, GST_WEBRTC_ROOM_LEFT_LEFT);
  expect_closed (b, 1000);

  wr_test_client_close (c, 1000);
  assert_peer_left (a, idc, GST_WEBRTC_ROOM_LEFT_LEFT);
  wr_test_client_close (d, 1001);
  assert_peer_left (a, idd, GST_WEBRTC_ROOM_LEFT_LEFT);
  wr_test_server_stop (server);
}

static void
test_lost_then_timeout (void)
{
  WrTestServer *server = wr_test_server_spawn ("--resume-grace=0.5", NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) c = wr_test_client_connect_to (server);
  g_autofree gchar *ida = join_id (a, "lost");
  g_autofree gchar *idb = join_id (b, "lost");
  g_autofree gchar *idc = join_id (c, "lost");
  gint64 start;

  g_free (wr_test_client_next (a, T));
  g_free (wr_test_client_next (a, T));

  /* close code other than 1000/1001: lost, kept for the grace period */
  wr_test_client_close (c, 4001);
  start = g_get_monotonic_time ();
  wr_test_client_abort (b);
  assert_peer_left (a, idc, GST_WEBRTC_ROOM_LEFT_TIMEOUT);
  assert_peer_left (a, idb, GST_WEBRTC_ROOM_LEFT_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 400 * 1000);
  wr_test_server_stop (server);
}

static void
test_resume (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b2 = NULL;
  g_autoptr (WrTestClient) b3 = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb2 = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb3 = NULL;
  g_autoptr (GstWebRTCRoomMessage) sig = NULL;
  g_autofree gchar *ida = join_id (a, "resume");

  wb = join (b, "resume", "bob");
  g_free (wr_test_client_next (a, T));

  wr_test_client_abort (b);
  g_assert_true (wr_test_client_expect_silence (a, QUIET_MS));

  b2 = wr_test_client_connect_to (server);
  wb2 = wr_test_client_join (b2, "resume", "bob", wb->resume);
  g_assert_nonnull (wb2);
  g_assert_cmpstr (wb2->peer, ==, wb->peer);
  g_assert_nonnull (wb2->resume);
  g_assert_cmpuint (wb2->peers->len, ==, 1);
  g_assert_true (wr_test_client_expect_silence (a, QUIET_MS));

  send_signal (a, wb->peer, "{\"after\":\"resume\"}");
  sig = expect (b2, GST_WEBRTC_ROOM_MESSAGE_SIGNAL);
  g_assert_cmpstr (sig->from, ==, ida);

  /* resuming while the old socket still looks alive replaces it */
  b3 = wr_test_client_connect_to (server);
  wb3 = wr_test_client_join (b3, "resume", NULL, wb2->resume);
  g_assert_nonnull (wb3);
  g_assert_cmpstr (wb3->peer, ==, wb->peer);
  expect_closed (b2, 4000);
  g_assert_true (wr_test_client_expect_silence (a, QUIET_MS));
  wr_test_server_stop (server);
}

static void
test_resume_bad_token (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (GstWebRTCRoomMessage) wa = join (a, "tok", NULL);
  g_autoptr (GstWebRTCRoomMessage) wb = NULL;
  g_autofree gchar *forged = g_strconcat (wa->resume, "x", NULL);

  /* a bad token is no error: a fresh join with a new id */
  wb = wr_test_client_join (b, "tok", NULL, forged);
  g_assert_nonnull (wb);
  g_assert_cmpstr (wb->peer, !=, wa->peer);
  g_clear_pointer (&wb, gst_webrtc_room_message_free);
  g_assert_nonnull ((wb = expect (a, GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED)));
  wr_test_server_stop (server);
}

static void
test_resume_after_restart (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("wr-secret-XXXXXX", NULL);
  g_autofree gchar *secret = g_build_filename (dir, "secret", NULL);
  g_autofree gchar *secret_arg = g_strdup_printf ("--secret-file=%s", secret);
  WrTestServer *server = wr_test_server_spawn (secret_arg, NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (GstWebRTCRoomMessage) wa = join (a, "restart", "a");
  g_autoptr (GstWebRTCRoomMessage) wb = join (b, "restart", "b");
  g_autoptr (GstWebRTCRoomMessage) wa2 = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb2 = NULL;
  g_autoptr (GstWebRTCRoomMessage) joined = NULL;
  g_autoptr (WrTestClient) a2 = NULL;
  g_autoptr (WrTestClient) b2 = NULL;

  g_assert_true (g_file_test (secret, G_FILE_TEST_IS_REGULAR));
  wr_test_server_kill (server);
  g_assert_true (wr_test_client_wait_closed (a, T, NULL));

  server = wr_test_server_spawn (secret_arg, NULL);
  a2 = wr_test_client_connect_to (server);
  wa2 = wr_test_client_join (a2, "restart", "a", wa->resume);
  g_assert_nonnull (wa2);
  g_assert_cmpstr (wa2->peer, ==, wa->peer);
  b2 = wr_test_client_connect_to (server);
  wb2 = wr_test_client_join (b2, "restart", "b", wb->resume);
  g_assert_nonnull (wb2);
  g_assert_cmpstr (wb2->peer, ==, wb->peer);
  g_assert_cmpuint (wb2->peers->len, ==, 1);
  g_assert_cmpstr (((GstWebRTCRoomPeerInfo *) wb2->peers->pdata[0])->id, ==,
      wa->peer);
  /* a sees b come back with its old id */
  joined = expect (a2, GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED);
  g_assert_cmpstr (joined->peer_info->id, ==, wb->peer);

  wr_test_server_stop (server);
  g_unlink (secret);
  g_rmdir (dir);
}

static void
test_room_full (void)
{
  WrTestServer *server = wr_test_server_spawn ("--max-peers-per-room=2", NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) c = wr_test_client_connect_to (server);

  g_free (join_id (a, "full"));
  g_free (join_id (b, "full"));
  wr_test_client_send (c, "{\"type\":\"join\",\"room\":\"full\"}");
  expect_error (c, GST_WEBRTC_ROOM_ERROR_ROOM_FULL, "join");
  assert_alive (c);
  g_free (join_id (c, "not-full"));
  wr_test_server_stop (server);
}

static gchar *
write_secret (const gchar * dir)
{
  gchar *path = g_build_filename (dir, "token-secret", NULL);

  g_assert_true (g_file_set_contents (path, "a-join-token-secret-for-tests\n",
          -1, NULL));
  return path;
}

static void
expect_unauthorized (WrTestServer * server, const gchar * token)
{
  g_autoptr (WrTestClient) c = wr_test_client_connect_to (server);
  g_autofree gchar *join = gst_webrtc_room_build_join ("auth", NULL, NULL,
      TRUE, token, NULL);

  wr_test_client_send (c, join);
  expect_error (c, GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED, "join");
  expect_closed (c, 1008);
}

static void
test_unauthorized (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("wr-token-XXXXXX", NULL);
  g_autofree gchar *path = write_secret (dir);
  g_autofree gchar *arg = g_strdup_printf ("--token-secret-file=%s", path);
  g_autoptr (GBytes) secret = g_bytes_new_static
      ("a-join-token-secret-for-tests", 29);
  g_autoptr (GBytes) wrong = g_bytes_new_static ("another-secret-1234", 19);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree gchar *good = wr_token_new_join (secret, "auth", now + 60);
  g_autofree gchar *any = wr_token_new_join (secret, "*", now + 60);
  g_autofree gchar *expired = wr_token_new_join (secret, "auth", now - 1);
  g_autofree gchar *other_room = wr_token_new_join (secret, "nope", now + 60);
  g_autofree gchar *bad_sig = wr_token_new_join (wrong, "auth", now + 60);
  WrTestServer *server = wr_test_server_spawn (arg, NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (GstWebRTCRoomMessage) wa = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb = NULL;
  g_autofree gchar *join_a = gst_webrtc_room_build_join ("auth", NULL, NULL,
      TRUE, good, NULL);
  g_autofree gchar *join_b = gst_webrtc_room_build_join ("auth", NULL, NULL,
      TRUE, any, NULL);

  expect_unauthorized (server, NULL);
  expect_unauthorized (server, expired);
  expect_unauthorized (server, other_room);
  expect_unauthorized (server, bad_sig);
  expect_unauthorized (server, "garbage");

  wr_test_client_send (a, join_a);
  wa = expect (a, GST_WEBRTC_ROOM_MESSAGE_WELCOME);
  wr_test_client_send (b, join_b);
  wb = expect (b, GST_WEBRTC_ROOM_MESSAGE_WELCOME);

  wr_test_server_stop (server);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_http (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("wr-web-XXXXXX", NULL);
  g_autofree gchar *root_arg = g_strdup_printf ("--web-root=%s", dir);
  static const struct
  {
    const gchar *file;
    const gchar *type;
  } files[] = {
    {"index.html", "text/html"},
    {"app.js", "text/javascript"},
    {"style.css", "text/css"},
    {"logo.png", "image/png"},
    {"logo.svg", "image/svg+xml"},
  };
  WrTestServer *server;
  g_autoptr (WrTestClient) a = NULL;
  g_autofree gchar *body = NULL;
  g_autofree gchar *type = NULL;
  g_autofree gchar *outside = g_strdup_printf ("%s-secret", dir);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (files); i++) {
    g_autofree gchar *path = g_build_filename (dir, files[i].file, NULL);
    g_assert_true (g_file_set_contents (path, files[i].file, -1, NULL));
  }
  g_assert_true (g_file_set_contents (outside, "secret", -1, NULL));
  server = wr_test_server_spawn (root_arg, NULL);

  g_assert_cmpuint (http_get (server, "/healthz", &body, NULL), ==, 200);
  g_assert_cmpstr (body, ==, "ok");
  g_clear_pointer (&body, g_free);

  a = wr_test_client_connect_to (server);
  g_free (join_id (a, "metrics"));
  wr_test_client_send (a, "nonsense");
  expect_error (a, GST_WEBRTC_ROOM_ERROR_BAD_JSON, NULL);
  g_assert_cmpuint (http_get (server, "/metrics", &body, &type), ==, 200);
  g_assert_true (g_str_has_prefix (type, "text/plain"));
  g_assert_nonnull (strstr (body, "\nwebrtc_room_peers 1\n"));
  g_assert_nonnull (strstr (body, "\nwebrtc_room_rooms 1\n"));
  g_assert_nonnull (strstr (body, "# TYPE webrtc_room_messages_relayed_total "
          "counter\n"));
  g_assert_nonnull (strstr (body,
          "webrtc_room_errors_total{code=\"bad-json\"} 1\n"));
  g_assert_nonnull (strstr (body, "webrtc_room_connections_rejected_total "));
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&type, g_free);

  g_assert_cmpuint (http_get (server, "/", &body, &type), ==, 200);
  g_assert_cmpstr (body, ==, "index.html");
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&type, g_free);
  for (i = 0; i < G_N_ELEMENTS (files); i++) {
    g_autofree gchar *path = g_strconcat ("/", files[i].file, NULL);

    g_assert_cmpuint (http_get (server, path, &body, &type), ==, 200);
    g_assert_cmpstr (body, ==, files[i].file);
    g_assert_true (g_str_has_prefix (type, files[i].type));
    g_clear_pointer (&body, g_free);
    g_clear_pointer (&type, g_free);
  }
  g_assert_cmpuint (http_get (server, "/missing.js", NULL, NULL), ==, 404);
  {
    g_autofree gchar *base = g_path_get_basename (outside);
    g_autofree gchar *up = g_strdup_printf ("/..%%2f%s", base);
    g_autofree gchar *up2 = g_strdup_printf ("/%%2e%%2e/%s", base);
    guint status;

    status = http_get (server, up, &body, NULL);
    g_assert_cmpuint (status, !=, 200);
    g_assert_cmpstr (body, !=, "secret");
    g_clear_pointer (&body, g_free);
    status = http_get (server, up2, &body, NULL);
    g_assert_cmpuint (status, !=, 200);
    g_assert_cmpstr (body, !=, "secret");
    g_clear_pointer (&body, g_free);
  }
  wr_test_server_stop (server);

  /* no web root yet: a placeholder page */
  server = wr_test_server_spawn ("--web-root=/nonexistent/web", NULL);
  g_assert_cmpuint (http_get (server, "/", &body, &type), ==, 200);
  g_assert_true (g_str_has_prefix (type, "text/html"));
  g_assert_nonnull (strstr (body, "webrtc-room-server"));
  wr_test_server_stop (server);

  for (i = 0; i < G_N_ELEMENTS (files); i++) {
    g_autofree gchar *path = g_build_filename (dir, files[i].file, NULL);
    g_unlink (path);
  }
  g_unlink (outside);
  g_rmdir (dir);
}

static void
test_origin (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autofree gchar *url = wr_test_server_get_ws_url (server);
  g_autoptr (GError) error = NULL;
  g_autoptr (WrTestClient) a = NULL;
  g_autoptr (WrTestClient) b = NULL;

  /* cross-origin upgrades are accepted by default */
  a = wr_test_client_connect (url, "https://elsewhere.example", &error);
  g_assert_no_error (error);
  g_free (join_id (a, "origin"));
  wr_test_server_stop (server);
  g_clear_pointer (&a, wr_test_client_free);
  g_free (url);

  server = wr_test_server_spawn ("--allowed-origin=https://app.example", NULL);
  url = wr_test_server_get_ws_url (server);
  b = wr_test_client_connect (url, "https://evil.example", &error);
  g_assert_null (b);
  g_assert_nonnull (error);
  g_clear_error (&error);
  a = wr_test_client_connect (url, "https://app.example", &error);
  g_assert_no_error (error);
  g_free (join_id (a, "origin"));
  wr_test_server_stop (server);
}

static void
test_sigterm (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);

  g_free (join_id (a, "bye"));
  g_assert_cmpint (wr_test_server_terminate (server), ==, 0);
}

static void
test_bad_options (void)
{
  const gchar *binary = g_getenv ("WEBRTC_ROOM_SERVER");
  const gchar *cases[][3] = {
    {"--port=abc", NULL},
    {"--port=70000", NULL},
    {"--no-such-option", NULL},
    {"--rate-burst=0", NULL},
    {"--tls-cert=/nonexistent.pem", NULL},
    {"--token-secret-file=/nonexistent/secret", NULL},
    {"--io-threads=-2", NULL},
    {"--io-threads=65", NULL},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GSubprocess) p = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree gchar *err = NULL;

    p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
        G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, binary, "--port=0",
        "--stun-port=0", cases[i][0], NULL);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, NULL, &err,
            &error));
    g_assert_true (g_subprocess_get_if_exited (p));
    g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 2);
    g_assert_nonnull (strstr (err, "webrtc-room-server: "));
  }
}

/* wss:// with a certificate made for the test (openssl CLI) */
static void
test_tls (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("wr-tls-XXXXXX", NULL);
  g_autofree gchar *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree gchar *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree gchar *cert_arg = g_strconcat ("--tls-cert=", cert, NULL);
  g_autofree gchar *key_arg = g_strconcat ("--tls-key=", key, NULL);
  g_autofree gchar *url = NULL;
  g_autofree gchar *openssl = g_find_program_in_path ("openssl");
  g_autoptr (WrTestClient) a = NULL;
  g_autoptr (WrTestClient) untrusting = NULL;
  g_autoptr (GError) error = NULL;
  WrTestServer *server;
  gint status = 0;
  const gchar *argv[] = { "openssl", "req", "-x509", "-newkey", "ec",
    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", key, "-out", cert, NULL
  };

  if (!openssl) {
    g_test_skip
        ("openssl is not installed (scripts/setup-deps.sh installs it)");
    return;
  }
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL,
          G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
          G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  server = wr_test_server_spawn (cert_arg, key_arg, NULL);
  url = g_strdup_printf ("wss://127.0.0.1:%u/ws",
      wr_test_server_get_port (server));
  a = wr_test_client_connect_tls (url, NULL, cert, &error);
  g_assert_no_error (error);
  g_free (join_id (a, "secure"));
  assert_alive (a);
  /* a client that does not trust the certificate cannot connect */
  untrusting = wr_test_client_connect (url, NULL, &error);
  g_assert_null (untrusting);
  g_assert_nonnull (error);
  g_test_message ("untrusted: %s", error->message);
  wr_test_server_stop (server);
  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
}

/* SIGTERM: every peer gets a 1001 close before the server exits */
static void
test_sigterm_going_away (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) c = wr_test_client_connect_to (server);

  g_free (join_id (a, "bye"));
  g_free (join_id (b, "bye"));
  /* c never joined */
  g_assert_cmpint (kill (wr_test_server_get_pid (server), SIGTERM), ==, 0);
  expect_closed (a, 1001);
  expect_closed (b, 1001);
  expect_closed (c, 1001);
  g_assert_cmpint (wr_test_server_terminate (server), ==, 0);
}

/* A ping answered; before the pong, what a peer leaving may cause: its
 * peer-left, and errors for signals sent to it meanwhile */
static void
assert_pong_after_leave (WrTestClient * client)
{
  wr_test_client_send (client, "{\"type\":\"ping\",\"id\":7}");
  for (;;) {
    g_autoptr (GstWebRTCRoomMessage) msg =
        wr_test_client_next_message (client, T);

    g_assert_nonnull (msg);
    if (msg->type == GST_WEBRTC_ROOM_MESSAGE_PONG)
      break;
    if (msg->type != GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT)
      g_assert_cmpstr (msg->code_string, ==,
          gst_webrtc_room_error_to_code (GST_WEBRTC_ROOM_ERROR_UNKNOWN_PEER));
  }
}

/* Connections on several I/O threads (round robin): each peer's
 * signals reach the next peer complete and in order, and a peer that
 * vanishes while signals to it are in flight costs nobody else */
static void
test_io_threads_order (void)
{
  enum
  { N_PEERS = 6, N_SIGNALS = 150 };
  WrTestServer *server = wr_test_server_spawn ("--io-threads=3",
      "--rate-limit=0", NULL);
  WrTestClient *peers[N_PEERS];
  gchar *ids[N_PEERS];
  guint i, n;

  g_assert_cmpuint (metric (server, "webrtc_room_io_threads"), ==, 3);

  for (i = 0; i < N_PEERS; i++) {
    peers[i] = wr_test_client_connect_to (server);
    ids[i] = join_id (peers[i], "threads");
  }
  /* each peer has seen the joins of those after it */
  for (i = 0; i < N_PEERS; i++) {
    for (n = i + 1; n < N_PEERS; n++)
      gst_webrtc_room_message_free (expect (peers[i],
              GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED));
  }
  for (n = 0; n < N_SIGNALS; n++) {
    for (i = 0; i < N_PEERS; i++) {
      g_autofree gchar *data = g_strdup_printf ("{\"n\":%u}", n);

      send_signal (peers[i], ids[(i + 1) % N_PEERS], data);
    }
  }
  for (i = 0; i < N_PEERS; i++) {
    WrTestClient *to = peers[(i + 1) % N_PEERS];

    for (n = 0; n < N_SIGNALS; n++) {
      g_autoptr (GstWebRTCRoomMessage) sig =
          expect (to, GST_WEBRTC_ROOM_MESSAGE_SIGNAL);

      g_assert_cmpstr (sig->from, ==, ids[i]);
      g_assert_cmpint (json_object_get_int_member (sig->data, "n"), ==, n);
    }
  }
  /* signals to peer 0 in flight as it goes without a close frame */
  for (n = 0; n < N_SIGNALS; n++)
    send_signal (peers[1], ids[0], "{\"late\":true}");
  g_clear_pointer (&peers[0], wr_test_client_free);
  for (i = 1; i < N_PEERS; i++)
    assert_pong_after_leave (peers[i]);
  relay_works (server, "threads-after");
  for (i = 1; i < N_PEERS; i++)
    wr_test_client_free (peers[i]);
  for (i = 0; i < N_PEERS; i++)
    g_free (ids[i]);
  g_assert_cmpint (wr_test_server_terminate (server), ==, 0);
}

/* Symlinks: one leading outside the web root is not followed */
static void
test_static_symlinks (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("wr-web-XXXXXX", NULL);
  g_autofree gchar *outside = g_dir_make_tmp ("wr-outside-XXXXXX", NULL);
  g_autofree gchar *secret = g_build_filename (outside, "secret.txt", NULL);
  g_autofree gchar *index = g_build_filename (dir, "index.html", NULL);
  g_autofree gchar *dir_link = g_build_filename (dir, "outlink", NULL);
  g_autofree gchar *file_link = g_build_filename (dir, "secret.txt", NULL);
  g_autofree gchar *inner_link = g_build_filename (dir, "home.html", NULL);
  g_autofree gchar *root_arg = g_strdup_printf ("--web-root=%s", dir);
  g_autofree gchar *body = NULL;
  WrTestServer *server;

  g_assert_true (g_file_set_contents (secret, "secret", -1, NULL));
  g_assert_true (g_file_set_contents (index, "index", -1, NULL));
  g_assert_cmpint (symlink (outside, dir_link), ==, 0);
  g_assert_cmpint (symlink (secret, file_link), ==, 0);
  g_assert_cmpint (symlink ("index.html", inner_link), ==, 0);
  server = wr_test_server_spawn (root_arg, NULL);

  g_assert_cmpuint (http_get (server, "/outlink/secret.txt", &body, NULL),
      ==, 404);
  g_assert_cmpstr (body, !=, "secret");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http_get (server, "/secret.txt", &body, NULL), ==, 404);
  g_assert_cmpstr (body, !=, "secret");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http_get (server, "/outlink/", NULL, NULL), ==, 404);
  /* a link that stays inside is fine */
  g_assert_cmpuint (http_get (server, "/home.html", &body, NULL), ==, 200);
  g_assert_cmpstr (body, ==, "index");
  wr_test_server_stop (server);

  g_unlink (dir_link);
  g_unlink (file_link);
  g_unlink (inner_link);
  g_unlink (index);
  g_unlink (secret);
  g_rmdir (dir);
  g_rmdir (outside);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/join-welcome", test_join_welcome);
  g_test_add_func ("/server/ice-servers", test_ice_servers);
  g_test_add_func ("/server/signal-relay", test_signal_relay);
  g_test_add_func ("/server/broadcast", test_broadcast);
  g_test_add_func ("/server/ping", test_ping);
  g_test_add_func ("/server/bad-inputs", test_bad_inputs);
  g_test_add_func ("/server/not-joined", test_not_joined);
  g_test_add_func ("/server/unknown-peer", test_unknown_peer);
  g_test_add_func ("/server/leave", test_leave);
  g_test_add_func ("/server/lost-then-timeout", test_lost_then_timeout);
  g_test_add_func ("/server/resume", test_resume);
  g_test_add_func ("/server/resume-bad-token", test_resume_bad_token);
  g_test_add_func ("/server/resume-after-restart", test_resume_after_restart);
  g_test_add_func ("/server/room-full", test_room_full);
  g_test_add_func ("/server/unauthorized", test_unauthorized);
  g_test_add_func ("/server/http", test_http);
  g_test_add_func ("/server/origin", test_origin);
  g_test_add_func ("/server/sigterm", test_sigterm);
  g_test_add_func ("/server/bad-options", test_bad_options);
  g_test_add_func ("/server/tls", test_tls);
  g_test_add_func ("/server/sigterm-going-away", test_sigterm_going_away);
  g_test_add_func ("/server/static-symlinks", test_static_symlinks);
  g_test_add_func ("/server/io-threads-order", test_io_threads_order);
  return g_test_run ();
}
