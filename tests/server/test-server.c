/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The real server process on an ephemeral loopback port, driven by real
 * libsoup WebSocket clients: the whole of protocol v1. */

#define _GNU_SOURCE             /* prlimit */
#include "testserver.h"
#include "testclient.h"
#include "tokens.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define T WR_TEST_TIMEOUT_MS
/* how long we listen to make sure something does NOT happen */
#define QUIET_MS 300

static WrTestServer *
start_server (const gchar * first_arg, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  const gchar *arg;
  WrTestServer *server;
  va_list ap;

  va_start (ap, first_arg);
  for (arg = first_arg; arg; arg = va_arg (ap, const gchar *))
      g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  server = wr_test_server_start ((const gchar * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_assert_nonnull (server);
  return server;
}

static WrTestClient *
connect_client (WrTestServer * server)
{
  g_autofree gchar *url = wr_test_server_get_ws_url (server);
  g_autoptr (GError) error = NULL;
  WrTestClient *client = wr_test_client_connect (url, NULL, &error);

  g_assert_no_error (error);
  return client;
}

static GstWebRTCRoomMessage *
join (WrTestClient * client, const gchar * room, const gchar * name)
{
  GstWebRTCRoomMessage *welcome = wr_test_client_join (client, room, name,
      NULL);

  g_assert_nonnull (welcome);
  g_assert_cmpint (welcome->type, ==, GST_WEBRTC_ROOM_MESSAGE_WELCOME);
  return welcome;
}

/* Joins and returns the own peer id */
static gchar *
join_id (WrTestClient * client, const gchar * room)
{
  g_autoptr (GstWebRTCRoomMessage) welcome = join (client, room, NULL);

  return g_strdup (welcome->peer);
}

static GstWebRTCRoomMessage *
expect (WrTestClient * client, GstWebRTCRoomMessageType type)
{
  GstWebRTCRoomMessage *msg = wr_test_client_next_message (client, T);

  g_assert_nonnull (msg);
  if (msg->type != type)
    g_error ("expected %s, got %s (%s)",
        gst_webrtc_room_message_type_to_string (type),
        gst_webrtc_room_message_type_to_string (msg->type),
        msg->code_string ? msg->code_string : "");
  return msg;
}

static void
expect_error (WrTestClient * client, GstWebRTCRoomError code, const gchar * ref)
{
  g_autoptr (GstWebRTCRoomMessage) msg =
      expect (client, GST_WEBRTC_ROOM_MESSAGE_ERROR);

  g_assert_cmpstr (msg->code_string, ==, gst_webrtc_room_error_to_code (code));
  g_assert_nonnull (msg->message);
  if (ref)
    g_assert_cmpstr (msg->ref, ==, ref);
}

static void
expect_closed (WrTestClient * client, gushort code)
{
  gushort got = 0;

  g_assert_true (wr_test_client_wait_closed (client, T, &got));
  g_assert_cmpuint (got, ==, code);
}

/* The connection still answers: a ping with a fresh id is echoed */
static void
assert_alive (WrTestClient * client)
{
  static gint counter;
  g_autofree gchar *ping = g_strdup_printf ("{\"type\":\"ping\",\"id\":%d}",
      ++counter);
  g_autoptr (GstWebRTCRoomMessage) pong = NULL;

  wr_test_client_send (client, ping);
  pong = expect (client, GST_WEBRTC_ROOM_MESSAGE_PONG);
  g_assert_nonnull (pong->id);
  g_assert_cmpint (json_node_get_int (pong->id), ==, counter);
}

/* Pings until a pong comes back (bounded): for a rate-limited client */
static void
assert_alive_eventually (WrTestClient * client)
{
  gint64 deadline = g_get_monotonic_time () + T * 1000;

  while (g_get_monotonic_time () < deadline) {
    g_autoptr (GstWebRTCRoomMessage) msg = NULL;

    wr_test_client_send (client, "{\"type\":\"ping\",\"id\":\"again\"}");
    while ((msg = wr_test_client_next_message (client, 250))) {
      if (msg->type == GST_WEBRTC_ROOM_MESSAGE_PONG && msg->id
          && JSON_NODE_HOLDS_VALUE (msg->id)
          && json_node_get_value_type (msg->id) == G_TYPE_STRING)
        return;
      g_clear_pointer (&msg, gst_webrtc_room_message_free);
    }
  }
  g_error ("no pong within %d ms", T);
}

static void
send_signal (WrTestClient * client, const gchar * to, const gchar * json)
{
  g_autofree gchar *text =
      g_strdup_printf ("{\"type\":\"signal\",\"to\":\"%s\",\"data\":%s}", to,
      json);

  wr_test_client_send (client, text);
}

static void
test_join_welcome (void)
{
  WrTestServer *server = start_server (NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
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
  WrTestServer *server = start_server (stun_arg,
      "--stun-url=stun:stun.example.org:3478",
      "--turn-url=turn:turn.example.org:3478?transport=udp",
      "--turn-username=user", "--turn-credential=pass", NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
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
  WrTestServer *server = start_server (NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
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
  WrTestServer *server = start_server (NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
  g_autoptr (WrTestClient) c = connect_client (server);
  g_autoptr (WrTestClient) other = connect_client (server);
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
  WrTestServer *server = start_server (NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
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
  WrTestServer *server = start_server (NULL);
  g_autoptr (WrTestClient) bad = connect_client (server);
  g_autoptr (WrTestClient) o1 = connect_client (server);
  g_autoptr (WrTestClient) o2 = connect_client (server);
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
  WrTestServer *server = start_server (NULL);
  g_autoptr (WrTestClient) a = connect_client (server);

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
  WrTestServer *server = start_server (NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
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
assert_peer_left (WrTestClient * client, const gchar * id,
    GstWebRTCRoomPeerLeftReason reason)
{
  g_autoptr (GstWebRTCRoomMessage) left =
      expect (client, GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT);

  g_assert_cmpstr (left->peer, ==, id);
  g_assert_cmpint (left->reason, ==, reason);
}

static void
test_leave (void)
{
  WrTestServer *server = start_server (NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
  g_autoptr (WrTestClient) c = connect_client (server);
  g_autoptr (WrTestClient) d = connect_client (server);
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
  WrTestServer *server = start_server ("--resume-grace=0.5", NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
  g_autoptr (WrTestClient) c = connect_client (server);
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
  WrTestServer *server = start_server (NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
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

  b2 = connect_client (server);
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
  b3 = connect_client (server);
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
  WrTestServer *server = start_server (NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
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
  WrTestServer *server = start_server (secret_arg, NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
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

  server = start_server (secret_arg, NULL);
  a2 = connect_client (server);
  wa2 = wr_test_client_join (a2, "restart", "a", wa->resume);
  g_assert_nonnull (wa2);
  g_assert_cmpstr (wa2->peer, ==, wa->peer);
  b2 = connect_client (server);
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
  WrTestServer *server = start_server ("--max-peers-per-room=2", NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
  g_autoptr (WrTestClient) c = connect_client (server);

  g_free (join_id (a, "full"));
  g_free (join_id (b, "full"));
  wr_test_client_send (c, "{\"type\":\"join\",\"room\":\"full\"}");
  expect_error (c, GST_WEBRTC_ROOM_ERROR_ROOM_FULL, "join");
  assert_alive (c);
  g_free (join_id (c, "not-full"));
  wr_test_server_stop (server);
}

static void
test_too_large (void)
{
  WrTestServer *server = start_server ("--max-message-size=1024", NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
  g_autoptr (WrTestClient) c = connect_client (server);
  g_autoptr (WrTestClient) other = connect_client (server);
  g_autofree gchar *pad = g_strnfill (1100, 'p');
  g_autofree gchar *huge_pad = g_strnfill (200 * 1024, 'p');
  g_autofree gchar *frame = NULL;
  g_autofree gchar *ida = join_id (a, "big");
  g_autofree gchar *idb = join_id (b, "big");
  g_autofree gchar *ido = join_id (other, "big-other");
  gushort code = 0;

  g_free (wr_test_client_next (a, T));

  /* just above the limit: the error frame, then close 1009 */
  frame = g_strdup_printf ("{\"type\":\"broadcast\",\"data\":{\"p\":\"%s\"}}",
      pad);
  wr_test_client_send (b, frame);
  expect_error (b, GST_WEBRTC_ROOM_ERROR_TOO_LARGE, NULL);
  expect_closed (b, 1009);
  assert_peer_left (a, idb, GST_WEBRTC_ROOM_LEFT_KICKED);

  /* far above: libsoup drops such a connection by itself; the server
   * still gets the error frame and the 1009 close out first */
  g_free (frame);
  frame = g_strdup_printf ("{\"type\":\"ping\",\"id\":\"%s\"}", huge_pad);
  g_free (join_id (c, "big2"));
  wr_test_client_send (c, frame);
  expect_error (c, GST_WEBRTC_ROOM_ERROR_TOO_LARGE, NULL);
  g_assert_true (wr_test_client_wait_closed (c, T, &code));
  g_assert_cmpuint (code, ==, 1009);

  assert_alive (a);
  assert_alive (other);
  wr_test_server_stop (server);
}

static void
test_rate_limit (void)
{
  WrTestServer *server = start_server ("--rate-limit=5", "--rate-burst=5",
      NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) other = connect_client (server);
  g_autoptr (GstWebRTCRoomMessage) err = NULL;
  guint i;

  g_free (join_id (a, "flood"));
  g_free (join_id (other, "calm"));
  for (i = 0; i < 20; i++)
    wr_test_client_send (a, "{\"type\":\"ping\"}");
  err = wr_test_client_wait_type (a, GST_WEBRTC_ROOM_MESSAGE_ERROR, T);
  g_assert_nonnull (err);
  g_assert_cmpstr (err->code_string, ==, "rate-limited");
  /* the connection stays: tokens come back at 5/s */
  g_assert_true (wr_test_client_is_open (a));
  assert_alive_eventually (a);
  assert_alive (other);

  /* a flood that persists is closed with 1008 */
  for (i = 0; i < 200; i++)
    wr_test_client_send (a, "{\"type\":\"ping\"}");
  expect_closed (a, 1008);
  assert_alive (other);
  wr_test_server_stop (server);
}

static void
test_join_timeout (void)
{
  WrTestServer *server = start_server ("--join-timeout=0.3", NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);

  g_free (join_id (b, "in-time"));
  expect_error (a, GST_WEBRTC_ROOM_ERROR_JOIN_TIMEOUT, NULL);
  expect_closed (a, 1008);
  assert_alive (b);
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
  g_autoptr (WrTestClient) c = connect_client (server);
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
  WrTestServer *server = start_server (arg, NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
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

typedef struct
{
  gboolean done;
  GBytes *body;
  guint status;
  gchar *content_type;
} HttpResult;

static void
on_http_done (GObject * source, GAsyncResult * result, gpointer user_data)
{
  HttpResult *res = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION
      (source), result);

  res->body = soup_session_send_and_read_finish (SOUP_SESSION (source),
      result, NULL);
  res->status = soup_message_get_status (msg);
  res->content_type = g_strdup (soup_message_headers_get_content_type
      (soup_message_get_response_headers (msg), NULL));
  res->done = TRUE;
}

static gboolean
http_done (gpointer data)
{
  return ((HttpResult *) data)->done;
}

static guint
http_get (WrTestServer * server, const gchar * path, gchar ** body,
    gchar ** content_type)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree gchar *url = wr_test_server_get_http_url (server, path);
  g_autoptr (GUri) uri = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  HttpResult res = { 0 };

  /* relaxed: keeps the %2e%2e of the traversal tests as sent */
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS | G_URI_FLAGS_PARSE_RELAXED,
      NULL);
  msg = soup_message_new_from_uri ("GET", uri);
  g_assert_nonnull (msg);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
      on_http_done, &res);
  g_assert_true (wr_test_wait_until (http_done, &res, T));
  if (body)
    *body = res.body ? g_strndup (g_bytes_get_data (res.body, NULL),
        g_bytes_get_size (res.body)) : NULL;
  if (content_type)
    *content_type = g_steal_pointer (&res.content_type);
  g_clear_pointer (&res.body, g_bytes_unref);
  g_free (res.content_type);
  return res.status;
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
  server = start_server (root_arg, NULL);

  g_assert_cmpuint (http_get (server, "/healthz", &body, NULL), ==, 200);
  g_assert_cmpstr (body, ==, "ok");
  g_clear_pointer (&body, g_free);

  a = connect_client (server);
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
  server = start_server ("--web-root=/nonexistent/web", NULL);
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
  WrTestServer *server = start_server (NULL);
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

  server = start_server ("--allowed-origin=https://app.example", NULL);
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
  WrTestServer *server = start_server (NULL);
  g_autoptr (WrTestClient) a = connect_client (server);

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

/* A peer whose WebSocket never answers pings: a raw TCP client that does
 * the handshake by hand, joins with one masked frame, then reads nothing.
 * With --ping-interval=1 it is lost after 3 missed pings, then after the
 * resume grace the others see peer-left "timeout"; a libsoup client, which
 * answers pings, stays. */
static GSocketConnection *
silent_peer_join (WrTestServer * server, const gchar * room)
{
  g_autoptr (GSocketClient) sc = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *request = NULL;
  g_autofree gchar *join = g_strdup_printf ("{\"type\":\"join\","
      "\"room\":\"%s\",\"name\":\"silent\"}", room);
  GSocketConnection *conn;
  GOutputStream *out;
  GInputStream *in;
  GString *reply = g_string_new (NULL);
  guint8 frame[256];
  const guint8 mask[4] = { 0x11, 0x22, 0x33, 0x44 };
  gsize len = strlen (join), i;
  gchar c;

  conn = g_socket_client_connect_to_host (sc, "127.0.0.1",
      wr_test_server_get_port (server), NULL, &error);
  g_assert_no_error (error);
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  request = g_strdup_printf ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n", wr_test_server_get_port (server));
  g_assert_true (g_output_stream_write_all (out, request, strlen (request),
          NULL, NULL, &error));
  /* the 101 response, up to the blank line */
  while (!g_str_has_suffix (reply->str, "\r\n\r\n")) {
    g_assert_cmpint (g_input_stream_read (in, &c, 1, NULL, &error), ==, 1);
    g_string_append_c (reply, c);
  }
  g_assert_true (g_str_has_prefix (reply->str, "HTTP/1.1 101"));
  g_string_free (reply, TRUE);

  g_assert_cmpuint (len, <, 126);
  frame[0] = 0x81;              /* FIN, text */
  frame[1] = 0x80 | len;        /* masked, as a client must */
  memcpy (frame + 2, mask, 4);
  for (i = 0; i < len; i++)
    frame[6 + i] = join[i] ^ mask[i % 4];
  g_assert_true (g_output_stream_write_all (out, frame, 6 + len, NULL, NULL,
          &error));
  return conn;
}

static void
test_ping_timeout (void)
{
  WrTestServer *server = start_server ("--ping-interval=1",
      "--resume-grace=1", NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (GSocketConnection) silent = NULL;
  g_autoptr (GstWebRTCRoomMessage) joined = NULL;
  g_autoptr (GstWebRTCRoomMessage) left = NULL;
  gint64 start;

  g_free (join_id (a, "pings"));
  silent = silent_peer_join (server, "pings");
  joined = wr_test_client_wait_type (a, GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED, T);
  g_assert_nonnull (joined);
  start = g_get_monotonic_time ();
  /* 3 missed pings (3 s) + up to one check interval + the 1 s grace */
  left = wr_test_client_wait_type (a, GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT, 10000);
  g_assert_nonnull (left);
  g_assert_cmpstr (left->peer, ==, joined->peer_info->id);
  g_assert_cmpint (left->reason, ==, GST_WEBRTC_ROOM_LEFT_TIMEOUT);
  g_test_message ("silent peer left after %" G_GINT64_FORMAT " ms",
      (g_get_monotonic_time () - start) / 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 3 * G_USEC_PER_SEC);
  /* the peer that answers pings was never in danger */
  assert_alive (a);
  wr_test_server_stop (server);
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

  server = start_server (cert_arg, key_arg, NULL);
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

/* ---- transport: connection caps, fd limit, bounded requests ---- */

/* A plain TCP connection to the server, from @local_ip when not NULL */
static GSocketConnection *
raw_connect (WrTestServer * server, const gchar * local_ip)
{
  g_autoptr (GSocketClient) sc = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *conn;

  if (local_ip) {
    g_autoptr (GInetAddress) ip = g_inet_address_new_from_string (local_ip);
    g_autoptr (GSocketAddress) local = g_inet_socket_address_new (ip, 0);

    g_socket_client_set_local_address (sc, local);
  }
  conn = g_socket_client_connect_to_host (sc, "127.0.0.1",
      wr_test_server_get_port (server), NULL, &error);
  g_assert_no_error (error);
  /* every read below is bounded */
  g_socket_set_timeout (g_socket_connection_get_socket (conn), 5);
  return conn;
}

static void
raw_write (GSocketConnection * conn, const gchar * text)
{
  g_autoptr (GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM
          (conn)), text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Reads until the peer closes (or 5 s of silence); what came */
static gchar *
raw_read_to_end (GSocketConnection * conn)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  GString *got = g_string_new (NULL);
  gchar buf[4096];
  gssize r;

  while ((r = g_input_stream_read (in, buf, sizeof (buf), NULL, NULL)) > 0
      && got->len < 65536)
    g_string_append_len (got, buf, r);
  return g_string_free (got, FALSE);
}

/* An upgraded WebSocket that never joins */
static GSocketConnection *
raw_upgrade (WrTestServer * server)
{
  GSocketConnection *conn = raw_connect (server, NULL);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  g_autoptr (GString) reply = g_string_new (NULL);
  g_autofree gchar *request =
      g_strdup_printf ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n", wr_test_server_get_port (server));
  gchar c;

  raw_write (conn, request);
  while (!g_str_has_suffix (reply->str, "\r\n\r\n")) {
    g_assert_cmpint (g_input_stream_read (in, &c, 1, NULL, NULL), ==, 1);
    g_string_append_c (reply, c);
  }
  g_assert_true (g_str_has_prefix (reply->str, "HTTP/1.1 101"));
  return conn;
}

static guint64
metric (WrTestServer * server, const gchar * name)
{
  g_autofree gchar *body = NULL;
  g_autofree gchar *key = g_strdup_printf ("\n%s ", name);
  const gchar *p;

  g_assert_cmpuint (http_get (server, "/metrics", &body, NULL), ==, 200);
  p = strstr (body, key);
  g_assert_nonnull (p);
  return g_ascii_strtoull (p + strlen (key), NULL, 10);
}

static void
relay_works (WrTestServer * server, const gchar * room)
{
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
  g_autofree gchar *ida = join_id (a, room);
  g_autofree gchar *idb = join_id (b, room);
  g_autoptr (GstWebRTCRoomMessage) sig = NULL;

  g_free (wr_test_client_next (a, T));  /* peer-joined */
  send_signal (a, idb, "{\"hello\":1}");
  sig = expect (b, GST_WEBRTC_ROOM_MESSAGE_SIGNAL);
  g_assert_cmpstr (sig->from, ==, ida);
}

/* Idle connections cost nothing per message: with 600 idle WebSockets
 * open, a relay between two others still works (timing: tests/bench) */
static void
test_many_idle (void)
{
  WrTestServer *server = start_server ("--join-timeout=0", NULL);
  g_autoptr (GPtrArray) idle = g_ptr_array_new_with_free_func (g_object_unref);
  guint i;

  for (i = 0; i < 600; i++)
    g_ptr_array_add (idle, raw_upgrade (server));
  relay_works (server, "busy");
  g_assert_cmpuint (metric (server, "webrtc_room_connections"), ==, 600);
  g_ptr_array_set_size (idle, 0);
  wr_test_server_stop (server);
}

/* Over --max-connections a connection gets a 503 and is closed; per
 * source address likewise; room is made again when connections go */
static void
test_connection_cap (void)
{
  WrTestServer *server = start_server ("--max-connections=4",
      "--max-connections-per-address=2", "--join-timeout=0", NULL);
  g_autoptr (GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GSocketConnection) refused = NULL;
  g_autofree gchar *reply = NULL;

  /* two from 127.0.0.1: the third from there is refused */
  g_ptr_array_add (held, raw_upgrade (server));
  g_ptr_array_add (held, raw_upgrade (server));
  refused = raw_connect (server, "127.0.0.1");
  reply = raw_read_to_end (refused);
  g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 503"));
  g_clear_object (&refused);
  g_clear_pointer (&reply, g_free);

  /* two more from another address reach the total cap of 4 */
  g_ptr_array_add (held, raw_connect (server, "127.0.0.2"));
  g_ptr_array_add (held, raw_connect (server, "127.0.0.2"));
  refused = raw_connect (server, "127.0.0.3");
  reply = raw_read_to_end (refused);
  g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 503"));
  g_clear_object (&refused);

  /* connections going make room again */
  g_ptr_array_set_size (held, 0);
  g_usleep (300 * 1000);
  g_assert_cmpuint (http_get (server, "/healthz", NULL, NULL), ==, 200);
  relay_works (server, "after-cap");
  g_assert_cmpuint (metric (server,
          "webrtc_room_connections_refused_total{reason=\"connection-cap\"}"),
      >=, 1);
  wr_test_server_stop (server);
}

/* At the fd limit accept () fails (EMFILE); once fds are free again the
 * server accepts again (libsoup's own listener stopped for good) */
static void
test_fd_limit_recovery (void)
{
  WrTestServer *server = start_server (NULL);
  GPid pid = wr_test_server_get_pid (server);
  struct rlimit low = { 40, 40 };
  g_autoptr (GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  guint i;

  /* the server raised its soft limit at start; lower both now */
  g_assert_cmpint (prlimit (pid, RLIMIT_NOFILE, &low, NULL), ==, 0);
  for (i = 0; i < 60; i++)
    g_ptr_array_add (held, raw_connect (server, NULL));
  /* let it hit the limit */
  g_usleep (500 * 1000);
  g_ptr_array_set_size (held, 0);
  /* the connections it accepted see their end; the backlog drains */
  g_usleep (1500 * 1000);
  g_assert_cmpuint (http_get (server, "/healthz", NULL, NULL), ==, 200);
  relay_works (server, "after-emfile");
  g_assert_cmpuint (metric (server,
          "webrtc_room_connections_refused_total{reason=\"fd-limit\"}"), >=, 1);
  wr_test_server_stop (server);
}

static gint64
server_rss_kb (WrTestServer * server)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/status",
      (int) wr_test_server_get_pid (server));
  g_autofree gchar *status = NULL;
  const gchar *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + 6, NULL, 10);
}

/* CPU seconds the server has used */
static gdouble
server_cpu_s (WrTestServer * server)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat",
      (int) wr_test_server_get_pid (server));
  g_autofree gchar *stat = NULL;
  g_auto (GStrv) fields = NULL;
  const gchar *after;

  g_assert_true (g_file_get_contents (path, &stat, NULL, NULL));
  /* the fields after the command name, which may hold spaces */
  after = strrchr (stat, ')');
  g_assert_nonnull (after);
  fields = g_strsplit (after + 2, " ", 0);
  g_assert_cmpuint (g_strv_length (fields), >, 12);
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12],
          NULL)) / sysconf (_SC_CLK_TCK);
}

/* A masked client frame, written whole */
static void
raw_write_frame (GSocketConnection * conn, guint8 opcode, const guint8 * data,
    gsize len)
{
  g_autoptr (GError) error = NULL;
  const guint8 mask[4] = { 0x5a, 0x11, 0xc3, 0x07 };
  guint8 *frame = g_malloc (len + 6);
  gsize i;

  g_assert_cmpuint (len, <, 126);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | len;
  memcpy (frame + 2, mask, 4);
  for (i = 0; i < len; i++)
    frame[6 + i] = data[i] ^ mask[i % 4];
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM
          (conn)), frame, len + 6, NULL, NULL, &error);
  g_assert_no_error (error);
  g_free (frame);
}

/* A client reads nothing while a room mate floods it, so the server holds
 * megabytes for it; then it closes and keeps sending. Its close is read,
 * the reply waits behind the queued data, and the server stops reading
 * the socket: the bytes left in it used to wake the server again and
 * again (1.95 s of CPU in 3 s, until the connection ended). The
 * connection ends and the server stays idle meanwhile. */
static void
test_close_while_backed_up (void)
{
  WrTestServer *server = start_server ("--rate-limit=0", NULL);
  g_autoptr (WrTestClient) b = connect_client (server);
  g_autoptr (GSocketConnection) a = NULL;
  g_autoptr (GstWebRTCRoomMessage) joined = NULL;
  g_autoptr (GstWebRTCRoomMessage) pong = NULL;
  g_autoptr (GString) flood = g_string_new ("{\"type\":\"broadcast\","
      "\"data\":{\"x\":\"");
  const guint8 close_frame[2] = { 0x03, 0xe8 }; /* 1000 */
  const gchar *more = "{\"type\":\"ping\"}";
  gdouble cpu;
  gint64 end;
  guint i;

  g_free (join_id (b, "backed"));
  a = silent_peer_join (server, "backed");
  g_assert_true (g_socket_set_option (g_socket_connection_get_socket (a),
          SOL_SOCKET, SO_RCVBUF, 4096, NULL));
  joined = wr_test_client_wait_type (b, GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED, T);
  g_assert_nonnull (joined);
  /* 6.4 MB for a: more than the sockets hold, less than the server's
   * limit for one connection (it would drop the connection) */
  for (i = 0; i < 16000; i++)
    g_string_append_c (flood, 'y');
  g_string_append (flood, "\"}}");
  for (i = 0; i < 400; i++)
    wr_test_client_send (b, flood->str);
  /* in order: once b's pong comes, the flood was relayed */
  wr_test_client_send (b, "{\"type\":\"ping\"}");
  pong = expect (b, GST_WEBRTC_ROOM_MESSAGE_PONG);

  cpu = server_cpu_s (server);
  raw_write_frame (a, 0x8, close_frame, sizeof (close_frame));
  for (i = 0; i < 10; i++)
    raw_write_frame (a, 0x1, (const guint8 *) more, strlen (more));
  /* a's connection ends (b's stays) */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (metric (server, "webrtc_room_connections") > 1
      && g_get_monotonic_time () < end)
    g_usleep (100 * 1000);
  g_assert_cmpuint (metric (server, "webrtc_room_connections"), ==, 1);
  cpu = server_cpu_s (server) - cpu;
  g_test_message ("server CPU from a's close to its end: %.2f s", cpu);
  g_assert_cmpfloat (cpu, <, 0.5);
  assert_peer_left (b, joined->peer_info->id, GST_WEBRTC_ROOM_LEFT_LEFT);
  assert_alive (b);
  wr_test_server_stop (server);
}

/* A request body is refused from the headers: the answer comes before
 * the body is sent, and the server does not grow */
static void
test_huge_body (void)
{
  WrTestServer *server = start_server (NULL);
  gint64 rss_before = server_rss_kb (server);
  g_autofree gchar *chunk = g_strnfill (64 * 1024, 'x');
  guint i;

  for (i = 0; i < 2; i++) {
    g_autoptr (GSocketConnection) conn = raw_connect (server, NULL);
    g_autofree gchar *reply = NULL;
    gint64 start = g_get_monotonic_time ();
    guint k;

    raw_write (conn, i == 0 ?
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n" :
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n");
    /* some of the body; the server may close while we write */
    for (k = 0; k < 16; k++) {
      if (g_output_stream_write (g_io_stream_get_output_stream (G_IO_STREAM
                  (conn)), chunk, 64 * 1024, NULL, NULL) < 0)
        break;
    }
    reply = raw_read_to_end (conn);
    g_test_message ("reply after %" G_GINT64_FORMAT " ms: %.40s",
        (g_get_monotonic_time () - start) / 1000, reply);
    /* the reply may be lost to a reset when we kept writing */
    if (*reply)
      g_assert_true (g_str_has_prefix (reply, i == 0 ? "HTTP/1.1 405" :
              "HTTP/1.1 413"));
    g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  }
  g_assert_cmpint (server_rss_kb (server) - rss_before, <, 16 * 1024);
  g_assert_cmpuint (metric (server,
          "webrtc_room_connections_refused_total{reason=\"request-body\"}"),
      ==, 2);
  /* a request with a body and nothing more gets its answer whole */
  {
    g_autoptr (GSocketConnection) conn = raw_connect (server, NULL);
    g_autofree gchar *reply = NULL;

    raw_write (conn, "POST /healthz HTTP/1.1\r\nHost: x\r\n"
        "Content-Length: 1073741824\r\n\r\n");
    reply = raw_read_to_end (conn);
    g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 405"));
  }
  g_assert_cmpuint (http_get (server, "/healthz", NULL, NULL), ==, 200);
  wr_test_server_stop (server);
}

/* Partial headers (slowloris) are cut after --http-timeout */
static void
test_slowloris (void)
{
  WrTestServer *server = start_server ("--http-timeout=1", NULL);
  g_autoptr (GPtrArray) slow = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 start = g_get_monotonic_time ();
  guint i;

  for (i = 0; i < 20; i++) {
    GSocketConnection *conn = raw_connect (server, NULL);

    raw_write (conn, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    g_ptr_array_add (slow, conn);
  }
  /* others are served meanwhile */
  g_assert_cmpuint (http_get (server, "/healthz", NULL, NULL), ==, 200);
  for (i = 0; i < slow->len; i++) {
    g_autofree gchar *rest = raw_read_to_end (slow->pdata[i]);

    /* closed, with or without a 400 */
    g_assert_true (!*rest || g_str_has_prefix (rest, "HTTP/1.1 4"));
  }
  g_test_message ("slow requests cut after %" G_GINT64_FORMAT " ms",
      (g_get_monotonic_time () - start) / 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (metric (server,
          "webrtc_room_connections_refused_total{reason=\"http-timeout\"}"),
      >=, 20);
  relay_works (server, "after-slowloris");
  wr_test_server_stop (server);
}

/* SIGTERM: every peer gets a 1001 close before the server exits */
static void
test_sigterm_going_away (void)
{
  WrTestServer *server = start_server (NULL);
  g_autoptr (WrTestClient) a = connect_client (server);
  g_autoptr (WrTestClient) b = connect_client (server);
  g_autoptr (WrTestClient) c = connect_client (server);

  g_free (join_id (a, "bye"));
  g_free (join_id (b, "bye"));
  /* c never joined */
  g_assert_cmpint (kill (wr_test_server_get_pid (server), SIGTERM), ==, 0);
  expect_closed (a, 1001);
  expect_closed (b, 1001);
  expect_closed (c, 1001);
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
  server = start_server (root_arg, NULL);

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
  g_test_add_func ("/server/too-large", test_too_large);
  g_test_add_func ("/server/rate-limit", test_rate_limit);
  g_test_add_func ("/server/join-timeout", test_join_timeout);
  g_test_add_func ("/server/unauthorized", test_unauthorized);
  g_test_add_func ("/server/http", test_http);
  g_test_add_func ("/server/origin", test_origin);
  g_test_add_func ("/server/sigterm", test_sigterm);
  g_test_add_func ("/server/bad-options", test_bad_options);
  g_test_add_func ("/server/ping-timeout", test_ping_timeout);
  g_test_add_func ("/server/tls", test_tls);
  g_test_add_func ("/server/many-idle", test_many_idle);
  g_test_add_func ("/server/connection-cap", test_connection_cap);
  g_test_add_func ("/server/fd-limit-recovery", test_fd_limit_recovery);
  g_test_add_func ("/server/huge-body", test_huge_body);
  g_test_add_func ("/server/slowloris", test_slowloris);
  g_test_add_func ("/server/close-while-backed-up", test_close_while_backed_up);
  g_test_add_func ("/server/sigterm-going-away", test_sigterm_going_away);
  g_test_add_func ("/server/static-symlinks", test_static_symlinks);
  return g_test_run ();
}
