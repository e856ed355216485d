/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Several room servers sharing rooms through a real redis-server on
 * loopback (--redis-url): peers on different servers meet, signal, leave;
 * a killed server's peers resume elsewhere and its other members leave
 * within the expiry; a real WebRTC call across two servers; a WHIP
 * publisher on one server, the participant taking it on another;
 * SO_REUSEPORT; bad input from Redis. Skipped (77) only without redis-server. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "testclient.h"
#include "testserver.h"

#define TTL_S 3
/* the expiry, a refresh period to notice it, and room for a loaded
 * machine: a bound on a wait, not a measurement */
#define EXPIRY_WAIT_MS ((TTL_S + 2) * 1000 * 4)

static GSubprocess *redis;
static guint redis_port;
static gchar *tmp_dir;
static gchar *redis_url;
static gchar *secret_file;

static guint
pick_tcp_port (void)
{
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4,
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback
      (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) local = NULL;

  g_assert_true (g_socket_bind (socket, addr, TRUE, NULL));
  local = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
}

/* A RESP line without its CRLF */
static gchar *
read_line (GDataInputStream * in)
{
  gchar *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, NULL);

  return line ? g_strchomp (line) : NULL;
}

/* One command in RESP, its reply's first line (enough for the tests) */
static gchar *
redis_command (const gchar * const *argv)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GString) request = g_string_new (NULL);
  g_autoptr (GDataInputStream) in = NULL;
  guint i, n = g_strv_length ((gchar **) argv);

  conn = g_socket_client_connect_to_host (client, "127.0.0.1", redis_port,
      NULL, NULL);
  if (!conn)
    return NULL;
  g_string_append_printf (request, "*%u\r\n", n);
  for (i = 0; i < n; i++)
    g_string_append_printf (request, "$%zu\r\n%s\r\n", strlen (argv[i]),
        argv[i]);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM
          (conn)), request->str, request->len, NULL, NULL, NULL);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM
          (conn)));
  return read_line (in);
}

static gboolean
redis_ready (gpointer data)
{
  const gchar *ping[] = { "PING", NULL };
  g_autofree gchar *reply = redis_command (ping);

  if (reply && g_str_equal (reply, "+PONG"))
    return TRUE;
  g_usleep (50 * 1000);
  return FALSE;
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
start_redis (void)
{
  g_autofree gchar *binary = g_find_program_in_path ("redis-server");
  g_autofree gchar *port = NULL;
  g_autoptr (GError) error = NULL;

  if (!binary)
    return FALSE;
  tmp_dir = g_dir_make_tmp ("wr-cluster-XXXXXX", &error);
  g_assert_no_error (error);
  redis_port = pick_tcp_port ();
  port = g_strdup_printf ("%u", redis_port);
  {
    const gchar *argv[] = { binary, "--port", port, "--bind", "127.0.0.1",
      "--save", "", "--appendonly", "no", "--dir", tmp_dir,
      "--daemonize", "no", "--loglevel", "warning", NULL
    };
    g_autoptr (GSubprocessLauncher) launcher =
        g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);

    /* gone with the test, even when it aborts */
    g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL,
        NULL);
    redis = g_subprocess_launcher_spawnv (launcher, argv, &error);
  }
  g_assert_no_error (error);
  g_assert_true (wr_test_wait_until (redis_ready, NULL, 10000));
  redis_url = g_strdup_printf ("redis://127.0.0.1:%u/0", redis_port);
  secret_file = g_build_filename (tmp_dir, "secret", NULL);
  return TRUE;
}

static void
stop_redis (void)
{
  g_subprocess_send_signal (redis, SIGTERM);
  g_subprocess_wait (redis, NULL, NULL);
  g_clear_object (&redis);
  g_unlink (secret_file);
  g_rmdir (tmp_dir);
}

static WrTestServer *
start_server (const gchar * extra)
{
  g_autofree gchar *url_arg = g_strdup_printf ("--redis-url=%s", redis_url);
  g_autofree gchar *ttl_arg = g_strdup_printf ("--redis-ttl=%u", TTL_S);
  g_autofree gchar *secret_arg =
      g_strdup_printf ("--secret-file=%s", secret_file);
  const gchar *args[] = { url_arg, ttl_arg, secret_arg, "--quiet",
    extra, NULL
  };
  g_autoptr (GError) error = NULL;
  WrTestServer *server = wr_test_server_start (args, &error);

  g_assert_no_error (error);
  return server;
}

static GstWebRTCRoomMessage *
join (WrTestClient * client, const gchar * room, const gchar * name,
    const gchar * resume)
{
  GstWebRTCRoomMessage *welcome = wr_test_client_join (client, room, name,
      resume);

  g_assert_nonnull (welcome);
  g_assert_cmpint (welcome->type, ==, GST_WEBRTC_ROOM_MESSAGE_WELCOME);
  return welcome;
}

static gboolean
lists_peer (GstWebRTCRoomMessage * welcome, const gchar * id)
{
  guint i;

  for (i = 0; i < welcome->peers->len; i++) {
    if (g_str_equal (((GstWebRTCRoomPeerInfo *) welcome->peers->pdata[i])->id,
            id))
      return TRUE;
  }
  return FALSE;
}

/* A metric of @server's /metrics (blocking GET: the server is another
 * process) */
static gchar *
metric (WrTestServer * server, const gchar * name)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree gchar *url = wr_test_server_get_http_url (server, "/metrics");
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (GBytes) body = soup_session_send_and_read (session, msg, NULL,
      NULL);
  g_autofree gchar *text = NULL;
  g_autofree gchar *needle = g_strdup_printf ("\n%s ", name);
  const gchar *line;

  g_assert_nonnull (body);
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  line = strstr (text, needle);
  g_assert_nonnull (line);
  line += strlen (needle);
  return g_strndup (line, strcspn (line, "\n"));
}

static void
assert_metric (WrTestServer * server, const gchar * name, const gchar * value)
{
  g_autofree gchar *got = metric (server, name);

  g_assert_cmpstr (got, ==, value);
}

static void
send_signal (WrTestClient * client, const gchar * to, const gchar * text)
{
  g_autofree gchar *frame = g_strdup_printf ("{\"type\":\"signal\",\"to\":"
      "\"%s\",\"data\":{\"text\":\"%s\"}}", to, text);

  wr_test_client_send (client, frame);
}

static void
expect_signal (WrTestClient * client, const gchar * from, const gchar * text)
{
  g_autoptr (GstWebRTCRoomMessage) msg = wr_test_client_wait_type (client,
      GST_WEBRTC_ROOM_MESSAGE_SIGNAL, WR_TEST_TIMEOUT_MS);

  g_assert_nonnull (msg);
  g_assert_cmpstr (msg->from, ==, from);
  g_assert_cmpstr (json_object_get_string_member (msg->data, "text"), ==, text);
}

/* Peers on two servers in one room: joins, welcomes, signals both ways,
 * broadcast, leave, and an unknown peer refused as on one server */
static void
test_two_servers (void)
{
  WrTestServer *a = start_server (NULL);
  WrTestServer *b = start_server (NULL);
  g_autoptr (WrTestClient) alice = wr_test_client_connect_to (a);
  g_autoptr (WrTestClient) bob = wr_test_client_connect_to (b);
  g_autoptr (WrTestClient) carol = wr_test_client_connect_to (a);
  g_autoptr (GstWebRTCRoomMessage) wa = join (alice, "meet", "alice", NULL);
  g_autoptr (GstWebRTCRoomMessage) wb = join (bob, "meet", "bob", NULL);
  g_autoptr (GstWebRTCRoomMessage) wc = NULL;
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;

  g_assert_cmpuint (wa->peers->len, ==, 0);
  g_assert_cmpuint (wb->peers->len, ==, 1);
  g_assert_true (lists_peer (wb, wa->peer));
  g_assert_cmpstr (wa->peer, !=, wb->peer);

  msg = wr_test_client_wait_type (alice, GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED,
      WR_TEST_TIMEOUT_MS);
  g_assert_nonnull (msg);
  g_assert_cmpstr (msg->peer_info->id, ==, wb->peer);
  g_assert_cmpstr (msg->peer_info->name, ==, "bob");
  g_clear_pointer (&msg, gst_webrtc_room_message_free);

  send_signal (alice, wb->peer, "hello bob");
  expect_signal (bob, wa->peer, "hello bob");
  send_signal (bob, wa->peer, "hello alice");
  expect_signal (alice, wb->peer, "hello alice");

  /* a third one, on the first server: lists both, in join order */
  wc = join (carol, "meet", "carol", NULL);
  g_assert_cmpuint (wc->peers->len, ==, 2);
  g_assert_cmpstr (((GstWebRTCRoomPeerInfo *) wc->peers->pdata[0])->id, ==,
      wa->peer);
  g_assert_cmpstr (((GstWebRTCRoomPeerInfo *) wc->peers->pdata[1])->id, ==,
      wb->peer);
  msg = wr_test_client_wait_type (bob, GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED,
      WR_TEST_TIMEOUT_MS);
  g_assert_nonnull (msg);
  g_assert_cmpstr (msg->peer_info->id, ==, wc->peer);
  g_clear_pointer (&msg, gst_webrtc_room_message_free);
  msg = wr_test_client_wait_type (alice, GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED,
      WR_TEST_TIMEOUT_MS);
  g_assert_cmpstr (msg->peer_info->id, ==, wc->peer);
  g_clear_pointer (&msg, gst_webrtc_room_message_free);

  /* /metrics per server: its own peers, and the others' in its rooms */
  assert_metric (a, "webrtc_room_peers", "2");
  assert_metric (a, "webrtc_room_remote_peers", "1");
  assert_metric (a, "webrtc_room_rooms", "1");
  assert_metric (b, "webrtc_room_peers", "1");
  assert_metric (b, "webrtc_room_remote_peers", "2");

  /* a broadcast from bob reaches both on the other server, once */
  wr_test_client_send (bob, "{\"type\":\"broadcast\",\"data\":{\"n\":1}}");
  msg = wr_test_client_wait_type (alice, GST_WEBRTC_ROOM_MESSAGE_BROADCAST,
      WR_TEST_TIMEOUT_MS);
  g_assert_nonnull (msg);
  g_assert_cmpstr (msg->from, ==, wb->peer);
  g_clear_pointer (&msg, gst_webrtc_room_message_free);
  msg = wr_test_client_wait_type (carol, GST_WEBRTC_ROOM_MESSAGE_BROADCAST,
      WR_TEST_TIMEOUT_MS);
  g_assert_nonnull (msg);
  g_clear_pointer (&msg, gst_webrtc_room_message_free);
  g_assert_true (wr_test_client_expect_silence (alice, 300));

  /* an id of no room mate: unknown-peer, as on one server */
  send_signal (bob, "0123456789abcdef", "nobody");
  msg = wr_test_client_wait_type (bob, GST_WEBRTC_ROOM_MESSAGE_ERROR,
      WR_TEST_TIMEOUT_MS);
  g_assert_nonnull (msg);
  g_assert_cmpint (msg->code, ==, GST_WEBRTC_ROOM_ERROR_UNKNOWN_PEER);
  g_clear_pointer (&msg, gst_webrtc_room_message_free);

  /* bob leaves: both on the other server see it */
  wr_test_client_send (bob, "{\"type\":\"leave\"}");
  msg = wr_test_client_wait_type (alice, GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT,
      WR_TEST_TIMEOUT_MS);
  g_assert_nonnull (msg);
  g_assert_cmpstr (msg->peer, ==, wb->peer);
  g_assert_cmpint (msg->reason, ==, GST_WEBRTC_ROOM_LEFT_LEFT);
  g_clear_pointer (&msg, gst_webrtc_room_message_free);
  msg = wr_test_client_wait_type (carol, GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT,
      WR_TEST_TIMEOUT_MS);
  g_assert_cmpstr (msg->peer, ==, wb->peer);
  g_clear_pointer (&msg, gst_webrtc_room_message_free);

  /* alice leaves: carol, on the same server, sees it */
  wr_test_client_close (alice, 1000);
  msg = wr_test_client_wait_type (carol, GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT,
      WR_TEST_TIMEOUT_MS);
  g_assert_cmpstr (msg->peer, ==, wa->peer);

  wr_test_server_stop (a);
  wr_test_server_stop (b);
}

/* Joins at the same time on two servers: every pair agrees on who was
 * first (one lists the other in its welcome, the other gets peer-joined) */
static void
test_concurrent_joins (void)
{
  WrTestServer *servers[2] = { start_server (NULL), start_server (NULL) };
  WrTestClient *clients[8];
  GstWebRTCRoomMessage *welcomes[8];
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (clients); i++) {
    g_autofree gchar *join_frame =
        gst_webrtc_room_build_join ("burst", NULL, NULL, TRUE, NULL, NULL);

    clients[i] = wr_test_client_connect_to (servers[i % 2]);
    wr_test_client_send (clients[i], join_frame);
  }
  for (i = 0; i < G_N_ELEMENTS (clients); i++) {
    welcomes[i] = wr_test_client_wait_type (clients[i],
        GST_WEBRTC_ROOM_MESSAGE_WELCOME, WR_TEST_TIMEOUT_MS);
    g_assert_nonnull (welcomes[i]);
  }
  /* ordered by welcome size: the k-th lists exactly the k before it */
  for (i = 0; i < G_N_ELEMENTS (clients); i++) {
    for (j = 0; j < G_N_ELEMENTS (clients); j++) {
      if (i == j)
        continue;
      g_assert_true (lists_peer (welcomes[i], welcomes[j]->peer) !=
          lists_peer (welcomes[j], welcomes[i]->peer));
      if (welcomes[j]->peers->len > welcomes[i]->peers->len)
        g_assert_true (lists_peer (welcomes[j], welcomes[i]->peer));
    }
  }
  for (i = 0; i < G_N_ELEMENTS (clients); i++) {
    wr_test_client_free (clients[i]);
    gst_webrtc_room_message_free (welcomes[i]);
  }
  wr_test_server_stop (servers[0]);
  wr_test_server_stop (servers[1]);
}

/* A server is killed: one of its peers resumes on another server with
 * its id; the other, which does not come back, leaves the room of the
 * third server's peer within the expiry (peer-left timeout) */
static void
test_server_killed (void)
{
  WrTestServer *a = start_server (NULL);
  WrTestServer *b = start_server (NULL);
  WrTestServer *c = start_server (NULL);
  g_autoptr (WrTestClient) p1 = wr_test_client_connect_to (a);
  g_autoptr (WrTestClient) p2 = wr_test_client_connect_to (a);
  g_autoptr (WrTestClient) q = wr_test_client_connect_to (c);
  g_autoptr (WrTestClient) p1b = NULL;
  g_autoptr (GstWebRTCRoomMessage) w1 = join (p1, "crash", "p1", NULL);
  g_autoptr (GstWebRTCRoomMessage) w2 = join (p2, "crash", "p2", NULL);
  g_autoptr (GstWebRTCRoomMessage) wq = join (q, "crash", "q", NULL);
  g_autoptr (GstWebRTCRoomMessage) resumed = NULL;
  gboolean p1_present = TRUE;
  gboolean p2_left = FALSE;

  g_assert_cmpuint (wq->peers->len, ==, 2);
  wr_test_server_kill (a);

  /* p1 resumes on b with its last token */
  p1b = wr_test_client_connect_to (b);
  resumed = join (p1b, "crash", "p1", w1->resume);
  g_assert_cmpstr (resumed->peer, ==, w1->peer);
  g_assert_true (lists_peer (resumed, wq->peer));

  /* q: p2 leaves (timeout); p1 stays a member (taken over, or swept and
   * re-created, depending on which came first) */
  while (!p2_left) {
    g_autoptr (GstWebRTCRoomMessage) msg = wr_test_client_next_message (q,
        EXPIRY_WAIT_MS);

    g_assert_nonnull (msg);
    if (msg->type == GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT
        && g_str_equal (msg->peer, w2->peer)) {
      g_assert_cmpint (msg->reason, ==, GST_WEBRTC_ROOM_LEFT_TIMEOUT);
      p2_left = TRUE;
    } else if (msg->type == GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT) {
      g_assert_cmpstr (msg->peer, ==, w1->peer);
      p1_present = FALSE;
    } else if (msg->type == GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED) {
      g_assert_cmpstr (msg->peer_info->id, ==, w1->peer);
      p1_present = TRUE;
    }
  }
  if (!p1_present) {
    g_autoptr (GstWebRTCRoomMessage) msg = wr_test_client_wait_type (q,
        GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED, WR_TEST_TIMEOUT_MS);

    g_assert_nonnull (msg);
    g_assert_cmpstr (msg->peer_info->id, ==, w1->peer);
  }

  /* and the resumed p1 and q still talk, across servers */
  send_signal (q, w1->peer, "still there");
  expect_signal (p1b, wq->peer, "still there");
  send_signal (p1b, wq->peer, "yes");
  expect_signal (q, w1->peer, "yes");

  /* a fresh joiner on b sees p1 and q, not p2 */
  {
    g_autoptr (WrTestClient) r = wr_test_client_connect_to (b);
    g_autoptr (GstWebRTCRoomMessage) wr = join (r, "crash", "r", NULL);

    g_assert_cmpuint (wr->peers->len, ==, 2);
    g_assert_true (lists_peer (wr, w1->peer));
    g_assert_true (lists_peer (wr, wq->peer));
  }
  wr_test_server_stop (b);
  wr_test_server_stop (c);
}

/* A peer that loses its connection resumes on the other server while its
 * first server lives: it moves, the old server lets go, the others see
 * nothing */
static void
test_resume_elsewhere (void)
{
  WrTestServer *a = start_server (NULL);
  WrTestServer *b = start_server (NULL);
  g_autoptr (WrTestClient) p = wr_test_client_connect_to (a);
  g_autoptr (WrTestClient) q = wr_test_client_connect_to (a);
  g_autoptr (WrTestClient) p2 = NULL;
  g_autoptr (GstWebRTCRoomMessage) wp = join (p, "move", "p", NULL);
  g_autoptr (GstWebRTCRoomMessage) wq = join (q, "move", "q", NULL);
  g_autoptr (GstWebRTCRoomMessage) resumed = NULL;

  wr_test_client_abort (p);
  p2 = wr_test_client_connect_to (b);
  resumed = join (p2, "move", "p", wp->resume);
  g_assert_cmpstr (resumed->peer, ==, wp->peer);
  g_assert_true (lists_peer (resumed, wq->peer));
  send_signal (q, wp->peer, "moved");
  expect_signal (p2, wq->peer, "moved");
  /* no peer-left nor peer-joined for q */
  g_assert_true (wr_test_client_expect_silence (q, 500));

  /* the token of the first welcome is spent: a fresh join, new id */
  {
    g_autoptr (WrTestClient) again = wr_test_client_connect_to (a);
    g_autoptr (GstWebRTCRoomMessage) w = join (again, "move", "p", wp->resume);

    g_assert_cmpstr (w->peer, !=, wp->peer);
  }
  wr_test_server_stop (a);
  wr_test_server_stop (b);
}

/* --max-peers-per-room counts the members on every server */
static void
test_room_full (void)
{
  WrTestServer *a = start_server ("--max-peers-per-room=2");
  WrTestServer *b = start_server ("--max-peers-per-room=2");
  g_autoptr (WrTestClient) p1 = wr_test_client_connect_to (a);
  g_autoptr (WrTestClient) p2 = wr_test_client_connect_to (b);
  g_autoptr (WrTestClient) p3 = wr_test_client_connect_to (a);
  g_autoptr (GstWebRTCRoomMessage) w1 = join (p1, "small", NULL, NULL);
  g_autoptr (GstWebRTCRoomMessage) w2 = join (p2, "small", NULL, NULL);
  g_autoptr (GstWebRTCRoomMessage) refused = NULL;
  g_autoptr (GstWebRTCRoomMessage) left = NULL;
  g_autoptr (GstWebRTCRoomMessage) w3 = NULL;
  g_autofree gchar *join_frame =
      gst_webrtc_room_build_join ("small", NULL, NULL, TRUE, NULL, NULL);

  wr_test_client_send (p3, join_frame);
  refused = wr_test_client_wait_type (p3, GST_WEBRTC_ROOM_MESSAGE_ERROR,
      WR_TEST_TIMEOUT_MS);
  g_assert_nonnull (refused);
  g_assert_cmpint (refused->code, ==, GST_WEBRTC_ROOM_ERROR_ROOM_FULL);
  /* once one leaves, there is room again */
  wr_test_client_send (p2, "{\"type\":\"leave\"}");
  left = wr_test_client_wait_type (p1, GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT,
      WR_TEST_TIMEOUT_MS);
  g_assert_nonnull (left);
  w3 = join (p3, "small", NULL, NULL);
  g_assert_cmpuint (w3->peers->len, ==, 1);
  g_assert_true (lists_peer (w3, w1->peer));
  wr_test_server_stop (a);
  wr_test_server_stop (b);
}

/* Two servers on one port (SO_REUSEPORT): every peer sees every other */
static void
test_reuse_port (void)
{
  WrTestServer *a = start_server ("--reuse-port");
  g_autofree gchar *port = g_strdup_printf ("--port=%u",
      wr_test_server_get_port (a));
  g_autofree gchar *url_arg = g_strdup_printf ("--redis-url=%s", redis_url);
  const gchar *args[] = { url_arg, "--reuse-port", port, "--quiet", NULL };
  g_autoptr (GError) error = NULL;
  WrTestServer *b = wr_test_server_start (args, &error);
  WrTestClient *clients[12];
  guint i;

  g_assert_no_error (error);
  for (i = 0; i < G_N_ELEMENTS (clients); i++) {
    g_autoptr (GstWebRTCRoomMessage) w = NULL;

    clients[i] = wr_test_client_connect_to (a);
    w = join (clients[i], "shared", NULL, NULL);
    g_assert_cmpuint (w->peers->len, ==, i);
  }
  for (i = 0; i < G_N_ELEMENTS (clients); i++)
    wr_test_client_free (clients[i]);
  wr_test_server_stop (a);
  wr_test_server_stop (b);
}

/* The channels matching @pattern (PUBSUB CHANNELS), in RESP */
static GPtrArray *
redis_channels (const gchar * pattern)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autofree gchar *request = NULL;
  g_autofree gchar *head = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  guint64 i, n = 0;

  conn = g_socket_client_connect_to_host (client, "127.0.0.1", redis_port,
      NULL, NULL);
  g_assert_nonnull (conn);
  request = g_strdup_printf ("*3\r\n$6\r\nPUBSUB\r\n$8\r\nCHANNELS\r\n"
      "$%zu\r\n%s\r\n", strlen (pattern), pattern);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM
          (conn)), request, strlen (request), NULL, NULL, NULL);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM
          (conn)));
  head = read_line (in);
  g_assert_nonnull (head);
  g_assert_true (head[0] == '*');
  n = g_ascii_strtoull (head + 1, NULL, 10);
  for (i = 0; i < n; i++) {
    g_free (read_line (in));
    g_ptr_array_add (out, read_line (in));
  }
  return out;
}

static void
redis_publish (const gchar * channel, const gchar * message)
{
  const gchar *pub[] = { "PUBLISH", channel, message, NULL };
  g_autofree gchar *reply = redis_command (pub);

  g_assert_nonnull (reply);
  g_assert_true (reply[0] == ':');
}

/* What Redis sends is network input: garbage on the room and server
 * channels, forged signals, bad and dead member records: ignored,
 * nothing else breaks */
static void
test_bad_redis_input (void)
{
  WrTestServer *a = start_server (NULL);
  WrTestServer *b = start_server (NULL);
  g_autoptr (WrTestClient) alice = wr_test_client_connect_to (a);
  g_autoptr (WrTestClient) bob = wr_test_client_connect_to (b);
  g_autoptr (GstWebRTCRoomMessage) wa = join (alice, "noise", "alice", NULL);
  g_autoptr (GstWebRTCRoomMessage) wb = join (bob, "noise", "bob", NULL);
  g_autofree gchar *forged = g_strdup_printf ("S %s {\"type\":\"signal\","
      "\"from\":\"0123456789abcdef\",\"data\":{}}", wa->peer);
  g_autofree gchar *not_signal = g_strdup_printf ("S %s {\"type\":\"welcome\"}",
      wa->peer);
  g_autofree gchar *bad_utf8 = g_strdup_printf ("S %s {\"type\":\"signal\","
      "\"from\":\"%s\",\"data\":{\"x\":\"\xff\"}}", wa->peer, wb->peer);
  const gchar *room_noise[] = { "", "J", "J 1", "X 1 2",
    "L 18446744073709551616 0123456789abcdef 0123456789abcdef left",
    "B 0123456789abcdef {\"type\":\"broadcast\"}",
    "J 999999 0123456789abcdef 1 zz zz {}", "\xff\xfe",
    "L 99999 0123456789abcdef 0123456789abcdef nonsense",
    "J 999998 0123456789abcdef 1 0123456789abcdef 0123456789abcdef "
        "{\"type\":\"peer-joined\",\"peer\":{\"id\":\"fedcba9876543210\"}}",
    NULL
  };
  const gchar *bad_record[] = { "HSET", "wr:0:room:noise2",
    "fedcba9876543210", "not a record", NULL
  };
  /* well formed, of a server that does not exist: swept at load */
  const gchar *dead_record[] = { "HSET", "wr:0:room:noise2",
    "1111111111111111", "1 aaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbb "
        "{\"type\":\"peer-joined\",\"peer\":{\"id\":\"1111111111111111\","
        "\"offers\":true}}", NULL
  };
  g_autoptr (GPtrArray) channels = NULL;
  g_autoptr (GstWebRTCRoomMessage) joined = NULL;
  g_autofree gchar *r1 = NULL;
  g_autofree gchar *r2 = NULL;
  guint i;

  joined = wr_test_client_wait_type (alice,
      GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED, WR_TEST_TIMEOUT_MS);
  g_assert_nonnull (joined);
  for (i = 0; room_noise[i]; i++)
    redis_publish ("wr:0:rc:noise", room_noise[i]);
  channels = redis_channels ("wr:0:sc:*");
  g_assert_cmpuint (channels->len, >=, 2);
  for (i = 0; i < channels->len; i++) {
    redis_publish (channels->pdata[i], forged);
    redis_publish (channels->pdata[i], not_signal);
    redis_publish (channels->pdata[i], bad_utf8);
    redis_publish (channels->pdata[i], "S");
    redis_publish (channels->pdata[i], "S 0123456789abcdef x");
  }
  r1 = redis_command (bad_record);
  r2 = redis_command (dead_record);
  g_assert_nonnull (r1);
  g_assert_nonnull (r2);

  /* nothing reached the clients, and they still work both ways */
  g_assert_true (wr_test_client_expect_silence (alice, 500));
  g_assert_true (wr_test_client_expect_silence (bob, 100));
  send_signal (alice, wb->peer, "fine");
  expect_signal (bob, wa->peer, "fine");
  send_signal (bob, wa->peer, "fine too");
  expect_signal (alice, wb->peer, "fine too");
  /* a room with a bad record and a dead server's member: neither listed */
  {
    g_autoptr (WrTestClient) carol = wr_test_client_connect_to (b);
    g_autoptr (GstWebRTCRoomMessage) wc = join (carol, "noise2", NULL, NULL);

    g_assert_cmpuint (wc->peers->len, ==, 0);
  }
  wr_test_server_stop (a);
  wr_test_server_stop (b);
}

/* Without Redis where the URL says: a clear error at start, exit 1; a
 * URL that is no redis:// one: a usage error */
static void
test_bad_url (void)
{
  const gchar *server = g_getenv ("WEBRTC_ROOM_SERVER");
  struct
  {
    const gchar *url;
    gint status;
    const gchar *message;
  } cases[] = {
    {"--redis-url=redis://127.0.0.1:1/0", 1, "cannot connect to Redis"},
    {"--redis-url=http://127.0.0.1/", 2, "--redis-url"},
    {"--redis-url=redis://127.0.0.1:6379/x", 1, "database"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    const gchar *argv[] = { server, "--port=0", "--stun-port=0",
      cases[i].url, NULL
    };
    g_autoptr (GError) error = NULL;
    g_autoptr (GSubprocess) p = g_subprocess_newv (argv,
        G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
        &error);
    g_autofree gchar *err = NULL;

    g_assert_no_error (error);
    g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, NULL, &err,
            &error));
    g_assert_cmpint (g_subprocess_get_exit_status (p), ==, cases[i].status);
    g_assert_nonnull (strstr (err, cases[i].message));
  }
}

/* room-peer of this build, or NULL with the test skipped */
static gchar *
room_peer_or_skip (void)
{
  gchar *room_peer = g_build_filename (g_getenv ("WEBRTC_ROOM_BUILD_ROOT"),
      "tests", "elements", "room-peer", NULL);

  if (g_file_test (room_peer, G_FILE_TEST_IS_EXECUTABLE))
    return room_peer;
  g_free (room_peer);
  g_test_skip ("room-peer is not built (no GStreamer elements)");
  return NULL;
}

static GSubprocess *
spawn_room_peer (const gchar * room_peer, const gchar * url,
    const gchar * const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  GSubprocess *peer;

  g_ptr_array_add (argv, g_strdup (room_peer));
  g_ptr_array_add (argv, g_strdup_printf ("--url=%s", url));
  for (; *args; args++)
    g_ptr_array_add (argv, g_strdup (*args));
  g_ptr_array_add (argv, NULL);
  peer = g_subprocess_newv ((const gchar * const *) argv->pdata,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  return peer;
}

/* @peer ends with exit 0 and says DONE (what it had to receive came) */
static void
expect_done (GSubprocess * peer, const gchar * name)
{
  g_autofree gchar *out = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_subprocess_communicate_utf8 (peer, NULL, NULL, &out,
          NULL, &error));
  g_assert_no_error (error);
  g_test_message ("--- %s (exit %d) ---\n%s", name,
      g_subprocess_get_exit_status (peer), out);
  g_assert_cmpint (g_subprocess_get_exit_status (peer), ==, 0);
  g_assert_nonnull (strstr (out, "DONE"));
}

/* A real WebRTC call between two processes on two servers: each decodes
 * the other's video (room-peer exits 0 only then) */
static void
test_call (void)
{
  g_autofree gchar *room_peer = room_peer_or_skip ();
  const gchar *alice_args[] = { "--room=call", "--name=alice", "--no-audio",
    "--stay=10", "--timeout=90", NULL
  };
  const gchar *bob_args[] = { "--room=call", "--name=bob", "--no-audio",
    "--stay=10", "--timeout=90", NULL
  };
  g_autoptr (GSubprocess) alice = NULL;
  g_autoptr (GSubprocess) bob = NULL;
  g_autofree gchar *url_a = NULL;
  g_autofree gchar *url_b = NULL;
  WrTestServer *a, *b;

  if (!room_peer)
    return;
  a = start_server (NULL);
  b = start_server (NULL);
  url_a = wr_test_server_get_ws_url (a);
  url_b = wr_test_server_get_ws_url (b);
  alice = spawn_room_peer (room_peer, url_a, alice_args);
  bob = spawn_room_peer (room_peer, url_b, bob_args);
  expect_done (alice, "alice");
  expect_done (bob, "bob");
  wr_test_server_stop (a);
  wr_test_server_stop (b);
}

/* @data (a server) has one peer of its own and one of another server in
 * its rooms (its /metrics), as in /cluster/whip before the POST */
static gboolean
has_peers (gpointer data)
{
  WrTestServer *server = data;
  g_autofree gchar *local = metric (server, "webrtc_room_peers");
  g_autofree gchar *remote = metric (server, "webrtc_room_remote_peers");

  if (g_str_equal (local, "1") && g_str_equal (remote, "1"))
    return TRUE;
  g_usleep (50 * 1000);
  return FALSE;
}

/* WHIP across servers: the participant taking WHIP publishers (meta
 * whip: true) is on server b, the publisher POSTs to server a (whose
 * only member of the room is a bystander): a's virtual peer joins
 * through the broker, its offer and the answer cross Redis, and the
 * taker decodes the publisher's video. */
static void
test_whip (void)
{
  g_autofree gchar *room_peer = room_peer_or_skip ();
  const gchar *viewer_args[] = { "--mode=src", "--room=ingest",
    "--name=bystander", "--no-audio", "--timeout=120", NULL
  };
  const gchar *taker_args[] = { "--mode=src", "--room=ingest",
    "--name=taker", "--prop", "meta={\"whip\":true}", "--no-audio",
    "--min-frames=30", "--stay=1", "--timeout=90", NULL
  };
  /* a sender is done at once: it stays until told to stop */
  const gchar *publisher_args[] = { "--mode=sink", "--room=ingest",
    "--no-audio", "--stay=120", "--timeout=120", NULL
  };
  g_autoptr (GSubprocess) bystander = NULL;
  g_autoptr (GSubprocess) taker = NULL;
  g_autoptr (GSubprocess) publisher = NULL;
  g_autofree gchar *url_a = NULL;
  g_autofree gchar *url_b = NULL;
  g_autofree gchar *http_a = NULL;
  g_autofree gchar *whip_a = NULL;
  WrTestServer *a, *b;

  if (!room_peer)
    return;
  a = start_server (NULL);
  b = start_server (NULL);
  url_a = wr_test_server_get_ws_url (a);
  url_b = wr_test_server_get_ws_url (b);
  http_a = wr_test_server_get_http_url (a, "/whip/ingest");
  whip_a = g_strconcat ("whip+", http_a, NULL);
  bystander = spawn_room_peer (room_peer, url_a, viewer_args);
  taker = spawn_room_peer (room_peer, url_b, taker_args);
  g_assert_true (wr_test_wait_until (has_peers, a, EXPIRY_WAIT_MS));
  publisher = spawn_room_peer (room_peer, whip_a, publisher_args);

  expect_done (taker, "taker");

  /* a stopping publisher DELETEs its session: exit 0 */
  g_subprocess_send_signal (publisher, SIGINT);
  g_assert_true (g_subprocess_wait (publisher, NULL, NULL));
  g_assert_cmpint (g_subprocess_get_exit_status (publisher), ==, 0);
  g_subprocess_force_exit (bystander);
  g_subprocess_wait (bystander, NULL, NULL);
  wr_test_server_stop (a);
  wr_test_server_stop (b);
}

static gboolean
is_zombie (gpointer data)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat",
      GPOINTER_TO_INT (data));
  g_autofree gchar *stat = NULL;
  const gchar *p;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  p = strrchr (stat, ')');
  if (p && p[1] == ' ' && p[2] == 'Z')
    return TRUE;
  g_usleep (20 * 1000);
  return FALSE;
}

/* Redis goes away: the server says why and exits 1 (its peers may then
 * resume elsewhere); its clients see their connection end. Last test:
 * it stops the shared redis-server. */
static void
test_redis_lost (void)
{
  WrTestServer *a = start_server (NULL);
  g_autoptr (WrTestClient) alice = wr_test_client_connect_to (a);
  g_autoptr (GstWebRTCRoomMessage) wa = join (alice, "lost", "alice", NULL);
  GPid pid = wr_test_server_get_pid (a);

  g_subprocess_force_exit (redis);
  g_subprocess_wait (redis, NULL, NULL);
  g_assert_true (wr_test_client_wait_closed (alice, EXPIRY_WAIT_MS, NULL));
  g_assert_true (wr_test_wait_until (is_zombie, GINT_TO_POINTER (pid),
          EXPIRY_WAIT_MS));
  g_assert_cmpint (wr_test_server_terminate (a), ==, 1);
}

int
main (int argc, char **argv)
{
  gint status;

  g_test_init (&argc, &argv, NULL);
  if (!start_redis ()) {
    g_printerr ("redis-server not found: skipped\n");
    return 77;
  }
  g_test_add_func ("/cluster/two-servers", test_two_servers);
  g_test_add_func ("/cluster/concurrent-joins", test_concurrent_joins);
  g_test_add_func ("/cluster/resume-elsewhere", test_resume_elsewhere);
  g_test_add_func ("/cluster/server-killed", test_server_killed);
  g_test_add_func ("/cluster/room-full", test_room_full);
  g_test_add_func ("/cluster/reuse-port", test_reuse_port);
  g_test_add_func ("/cluster/bad-redis-input", test_bad_redis_input);
  g_test_add_func ("/cluster/bad-url", test_bad_url);
  g_test_add_func ("/cluster/call", test_call);
  g_test_add_func ("/cluster/whip", test_whip);
  g_test_add_func ("/cluster/redis-lost", test_redis_lost);
  status = g_test_run ();
  stop_redis ();
  return status;
}
