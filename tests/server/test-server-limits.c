/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The real room server against clients that misbehave or only hold
 * resources: oversized and rate-limited messages, silent peers, idle
 * and excess connections, the fd limit, slow and huge HTTP requests. */

#define _GNU_SOURCE             /* prlimit */
#include "server-util.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static void
test_too_large (void)
{
  WrTestServer *server = wr_test_server_spawn ("--max-message-size=1024", NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) c = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) other = wr_test_client_connect_to (server);
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
  WrTestServer *server =
      wr_test_server_spawn ("--rate-limit=5", "--rate-burst=5",
      NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) other = wr_test_client_connect_to (server);
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
  WrTestServer *server = wr_test_server_spawn ("--join-timeout=0.3", NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);

  g_free (join_id (b, "in-time"));
  expect_error (a, GST_WEBRTC_ROOM_ERROR_JOIN_TIMEOUT, NULL);
  expect_closed (a, 1008);
  assert_alive (b);
  wr_test_server_stop (server);
}

static void
test_ping_timeout (void)
{
  WrTestServer *server = wr_test_server_spawn ("--ping-interval=1",
      "--resume-grace=1", NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
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

/* ---- transport: connection caps, fd limit, bounded requests ---- */

/* Idle connections cost nothing per message: with 600 idle WebSockets
 * open, a relay between two others still works (timing: tests/bench) */
static void
test_many_idle (void)
{
  WrTestServer *server = wr_test_server_spawn ("--join-timeout=0", NULL);
  g_autoptr (GPtrArray) idle = g_ptr_array_new_with_free_func (g_object_unref);
  guint i;

  for (i = 0; i < 600; i++)
    g_ptr_array_add (idle, raw_upgrade (server));
  relay_works (server, "busy");
  /* the relay's two clients are gone (once the server has seen it) */
  g_assert_cmpuint (metric_down_to (server, "webrtc_room_connections", 600),
      ==, 600);
  g_ptr_array_set_size (idle, 0);
  wr_test_server_stop (server);
}

/* Over --max-connections a connection gets a 503 and is closed; per
 * source address likewise; room is made again when connections go */
static void
test_connection_cap (void)
{
  WrTestServer *server = wr_test_server_spawn ("--max-connections=4",
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
  WrTestServer *server = wr_test_server_spawn (NULL);
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

/* A client reads nothing while a room mate floods it, so the server holds
 * megabytes for it; then it closes and keeps sending. Its close is read,
 * the reply waits behind the queued data, and the server stops reading
 * the socket: the bytes left in it used to wake the server again and
 * again (1.95 s of CPU in 3 s, until the connection ended). The
 * connection ends and the server stays idle meanwhile. */
static void
test_close_while_backed_up (void)
{
  WrTestServer *server = wr_test_server_spawn ("--rate-limit=0", NULL);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (GSocketConnection) a = NULL;
  g_autoptr (GstWebRTCRoomMessage) joined = NULL;
  g_autoptr (GstWebRTCRoomMessage) pong = NULL;
  g_autoptr (GString) flood = g_string_new ("{\"type\":\"broadcast\","
      "\"data\":{\"x\":\"");
  const guint8 close_frame[2] = { 0x03, 0xe8 }; /* 1000 */
  const gchar *more = "{\"type\":\"ping\"}";
  gdouble cpu;
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
  g_assert_cmpuint (metric_down_to (server, "webrtc_room_connections", 1),
      ==, 1);
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
  WrTestServer *server = wr_test_server_spawn (NULL);
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
  WrTestServer *server = wr_test_server_spawn ("--http-timeout=1", NULL);
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/too-large", test_too_large);
  g_test_add_func ("/server/rate-limit", test_rate_limit);
  g_test_add_func ("/server/join-timeout", test_join_timeout);
  g_test_add_func ("/server/ping-timeout", test_ping_timeout);
  g_test_add_func ("/server/many-idle", test_many_idle);
  g_test_add_func ("/server/connection-cap", test_connection_cap);
  g_test_add_func ("/server/fd-limit-recovery", test_fd_limit_recovery);
  g_test_add_func ("/server/close-while-backed-up", test_close_while_backed_up);
  g_test_add_func ("/server/huge-body", test_huge_body);
  g_test_add_func ("/server/slowloris", test_slowloris);
  return g_test_run ();
}
