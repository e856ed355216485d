/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Issue 11, the server's findings as tests: the real server process on a
 * loopback port, real WebSocket clients (libsoup, or raw sockets where
 * the attack needs bytes libsoup would not send). Each case asserts the
 * bound and that bystanders kept working: two peers in another room
 * still relay to each other, and new peers can still join.
 *
 * /abuse/room/... and /abuse/resume/...: the room handler and codec.
 * /abuse/transport/...: the server's transport (connection limits, HTTP
 * bodies and header time, static files, permessage-deflate). These need
 * the epoll/wslay transport of the server-io work; against libsoup's
 * transport they fail, which is the finding. */

#define _GNU_SOURCE

#include "testserver.h"
#include "testclient.h"
#include "tokens.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#define T WR_TEST_TIMEOUT_MS
#define QUIET_MS 300

static GstWebRTCRoomMessage *
expect (WrTestClient * client, GstWebRTCRoomMessageType type)
{
  GstWebRTCRoomMessage *msg = wr_test_client_next_message (client, T);

  if (!msg)
    g_error ("expected %s, got nothing parseable",
        gst_webrtc_room_message_type_to_string (type));
  if (msg->type != type)
    g_error ("expected %s, got %s (%s: %s)",
        gst_webrtc_room_message_type_to_string (type),
        gst_webrtc_room_message_type_to_string (msg->type),
        msg->code_string ? msg->code_string : "",
        msg->message ? msg->message : "");
  return msg;
}

static void
expect_error (WrTestClient * client, GstWebRTCRoomError code)
{
  g_autoptr (GstWebRTCRoomMessage) msg =
      expect (client, GST_WEBRTC_ROOM_MESSAGE_ERROR);

  g_assert_cmpstr (msg->code_string, ==, gst_webrtc_room_error_to_code (code));
}

static GstWebRTCRoomMessage *
join (WrTestClient * client, const gchar * room, const gchar * resume)
{
  GstWebRTCRoomMessage *welcome = wr_test_client_join (client, room, NULL,
      resume);

  g_assert_nonnull (welcome);
  return welcome;
}

/* Two peers in their own room, checked after each attack: they still
 * relay to each other. */
typedef struct
{
  WrTestClient *a, *b;
  gchar *ida, *idb;
} Bystanders;

static void
bystanders_join (WrTestServer * server, Bystanders * by)
{
  g_autoptr (GstWebRTCRoomMessage) wa = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb = NULL;
  g_autoptr (GstWebRTCRoomMessage) joined = NULL;

  by->a = wr_test_client_connect_to (server);
  by->b = wr_test_client_connect_to (server);
  wa = join (by->a, "bystanders", NULL);
  wb = join (by->b, "bystanders", NULL);
  joined = expect (by->a, GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED);
  by->ida = g_strdup (wa->peer);
  by->idb = g_strdup (wb->peer);
}

static void
bystanders_check (Bystanders * by)
{
  g_autofree gchar *sig = g_strdup_printf ("{\"type\":\"signal\",\"to\":"
      "\"%s\",\"data\":{\"still\":\"here\"}}", by->idb);
  g_autoptr (GstWebRTCRoomMessage) got = NULL;
  g_autoptr (GstWebRTCRoomMessage) bc = NULL;

  /* newcomers may have come and gone meanwhile: skip their peer-joined
   * and peer-left */
  wr_test_client_send (by->a, sig);
  got = wr_test_client_wait_type (by->b, GST_WEBRTC_ROOM_MESSAGE_SIGNAL, T);
  g_assert_nonnull (got);
  g_assert_cmpstr (got->from, ==, by->ida);
  wr_test_client_send (by->b, "{\"type\":\"broadcast\",\"data\":{\"n\":1}}");
  bc = wr_test_client_wait_type (by->a, GST_WEBRTC_ROOM_MESSAGE_BROADCAST, T);
  g_assert_nonnull (bc);
  g_assert_cmpstr (bc->from, ==, by->idb);
}

static void
bystanders_free (Bystanders * by)
{
  g_clear_pointer (&by->a, wr_test_client_free);
  g_clear_pointer (&by->b, wr_test_client_free);
  g_clear_pointer (&by->ida, g_free);
  g_clear_pointer (&by->idb, g_free);
}

/* A newcomer still gets a valid welcome listing @n_others */
static void
newcomer_check (WrTestServer * server, const gchar * room, guint n_others)
{
  g_autoptr (WrTestClient) c = wr_test_client_connect_to (server);
  g_autoptr (GstWebRTCRoomMessage) w = join (c, room, NULL);

  g_assert_cmpuint (w->peers->len, ==, n_others);
  wr_test_client_close (c, 1000);
}

/* Room poisoning, each value as meta, inside meta, as name */
static void
test_room_poisoning (void)
{
  static const gchar *const bad_joins[] = {
    "{\"type\":\"join\",\"room\":\"p\",\"meta\":{\"x\":1e999}}",
    "{\"type\":\"join\",\"room\":\"p\",\"meta\":{\"x\":{\"y\":[-1e999]}}}",
    "{\"type\":\"join\",\"room\":\"p\",\"meta\":{\"x\":\"\\ud800x\"}}",
    "{\"type\":\"join\",\"room\":\"p\",\"name\":\"\\ud800x\"}",
    "{\"type\":\"join\",\"room\":\"p\",\"name\":\"\\udc00\"}",
    "{\"type\":\"join\",\"room\":\"p\",\"meta\":{\"n\":12345678901234567890}}",
    "{\"type\":\"join\",\"room\":\"p\",\"name\":\"n\\u0000ul\"}",
  };
  WrTestServer *server = wr_test_server_spawn (NULL);
  Bystanders by = { 0 };
  g_autoptr (WrTestClient) a = NULL;
  g_autoptr (WrTestClient) evil = NULL;
  g_autoptr (GstWebRTCRoomMessage) wa = NULL;
  g_autoptr (GstWebRTCRoomMessage) wevil = NULL;
  guint i;

  bystanders_join (server, &by);
  a = wr_test_client_connect_to (server);
  wa = join (a, "p", NULL);
  evil = wr_test_client_connect_to (server);
  for (i = 0; i < G_N_ELEMENTS (bad_joins); i++) {
    wr_test_client_send (evil, bad_joins[i]);
    expect_error (evil, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  }
  /* nobody in p heard of any of it */
  g_assert_true (wr_test_client_expect_silence (a, QUIET_MS));
  /* still connected, may join properly; a big finite number is fine */
  wr_test_client_send (evil, "{\"type\":\"join\",\"room\":\"p\","
      "\"meta\":{\"x\":1e300}}");
  wevil = expect (evil, GST_WEBRTC_ROOM_MESSAGE_WELCOME);
  {
    g_autoptr (GstWebRTCRoomMessage) joined =
        expect (a, GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED);
    g_assert_cmpfloat (json_object_get_double_member (joined->peer_info->meta,
            "x"), ==, 1e300);
  }
  newcomer_check (server, "p", 2);
  bystanders_check (&by);
  bystanders_free (&by);
  wr_test_server_stop (server);
}

/* Room "a\u0000b" is not room "a" */
static void
test_room_nul (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) evil = wr_test_client_connect_to (server);
  g_autoptr (GstWebRTCRoomMessage) wa = join (a, "a", NULL);

  g_assert_cmpuint (wa->peers->len, ==, 0);
  wr_test_client_send (evil, "{\"type\":\"join\",\"room\":\"a\\u0000b\"}");
  expect_error (evil, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  g_assert_true (wr_test_client_expect_silence (a, QUIET_MS));
  newcomer_check (server, "a", 1);
  wr_test_server_stop (server);
}

/* ping ids: echoed exactly or refused, never rewritten (1e30 was -1) */
static void
test_ping_id (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) c = wr_test_client_connect_to (server);
  g_autofree gchar *raw = NULL;

  wr_test_client_send (c, "{\"type\":\"ping\",\"id\":1e30}");
  expect_error (c, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  wr_test_client_send (c, "{\"type\":\"ping\",\"id\":9007199254740993}");
  expect_error (c, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  wr_test_client_send (c, "{\"type\":\"ping\",\"id\":-9007199254740991}");
  raw = wr_test_client_next (c, T);
  g_assert_cmpstr (raw, ==, "{\"type\":\"pong\",\"id\":-9007199254740991}");
  g_clear_pointer (&raw, g_free);
  wr_test_client_send (c, "{\"type\":\"ping\",\"id\":\"\\u00e9\"}");
  raw = wr_test_client_next (c, T);
  g_assert_cmpstr (raw, ==, "{\"type\":\"pong\",\"id\":\"\xc3\xa9\"}");
  wr_test_server_stop (server);
}

/* Relayed data that cannot be re-sent: bad-message to the sender only */
static void
test_relay_poisoning (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (GstWebRTCRoomMessage) wa = join (a, "relay", NULL);
  g_autoptr (GstWebRTCRoomMessage) wb = join (b, "relay", NULL);
  g_autoptr (GstWebRTCRoomMessage) joined = expect (a,
      GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED);
  g_autoptr (GstWebRTCRoomMessage) ok = NULL;
  g_autofree gchar *sig_inf = g_strdup_printf ("{\"type\":\"signal\","
      "\"to\":\"%s\",\"data\":{\"x\":1e999}}", wa->peer);
  g_autofree gchar *sig_sur = g_strdup_printf ("{\"type\":\"signal\","
      "\"to\":\"%s\",\"data\":{\"candidate\":{\"candidate\":\"\\ud800\"}}}",
      wa->peer);
  g_autofree gchar *sig_ok = g_strdup_printf ("{\"type\":\"signal\","
      "\"to\":\"%s\",\"data\":{\"x\":1e30}}", wa->peer);

  g_assert_cmpstr (joined->peer_info->id, ==, wb->peer);

  wr_test_client_send (b, sig_inf);
  expect_error (b, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  wr_test_client_send (b, sig_sur);
  expect_error (b, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  wr_test_client_send (b, "{\"type\":\"broadcast\",\"data\":{\"s\":"
      "\"\\udbff\"}}");
  expect_error (b, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  g_assert_true (wr_test_client_expect_silence (a, QUIET_MS));
  wr_test_client_send (b, sig_ok);
  ok = expect (a, GST_WEBRTC_ROOM_MESSAGE_SIGNAL);
  g_assert_cmpfloat (json_object_get_double_member (ok->data, "x"), ==, 1e30);
  wr_test_server_stop (server);
}

/* Depth bomb with a raised --max-message-size: 60k and 1M nested arrays
 * are refused before json-glib recurses; nothing crashes. */
static void
test_depth_bomb (void)
{
  WrTestServer *server =
      wr_test_server_spawn ("--max-message-size=4194304", NULL);
  Bystanders by = { 0 };
  g_autoptr (WrTestClient) evil = NULL;
  g_autofree gchar *deep60k = g_strnfill (60000, '[');
  g_autofree gchar *deep1m = g_strnfill (1000000, '[');
  GString *framed = g_string_new ("{\"type\":\"broadcast\",\"data\":{\"d\":");
  guint i;

  bystanders_join (server, &by);
  evil = wr_test_client_connect_to (server);
  gst_webrtc_room_message_free (join (evil, "bystanders", NULL));
  gst_webrtc_room_message_free (expect (by.a,
          GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED));
  gst_webrtc_room_message_free (expect (by.b,
          GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED));
  wr_test_client_send (evil, deep60k);
  expect_error (evil, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  wr_test_client_send (evil, deep1m);
  expect_error (evil, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  for (i = 0; i < 100000; i++)
    g_string_append (framed, "{\"a\":[");
  g_string_append (framed, "0");
  for (i = 0; i < 100000; i++)
    g_string_append (framed, "]}");
  g_string_append (framed, "}}");
  wr_test_client_send (evil, framed->str);
  expect_error (evil, GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  g_string_free (framed, TRUE);
  g_assert_true (wr_test_client_expect_silence (by.a, QUIET_MS));
  bystanders_check (&by);
  bystanders_free (&by);
  wr_test_server_stop (server);
}

static gchar *
write_secret (const gchar * dir, const gchar * name, const gchar * value)
{
  gchar *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, value, -1, NULL));
  return path;
}

static void
expect_unauthorized (WrTestServer * server, const gchar * resume)
{
  g_autoptr (WrTestClient) c = wr_test_client_connect_to (server);
  g_autofree gchar *text = gst_webrtc_room_build_join ("res", NULL, NULL,
      TRUE, NULL, resume);
  gushort code = 0;

  wr_test_client_send (c, text);
  expect_error (c, GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED);
  g_assert_true (wr_test_client_wait_closed (c, T, &code));
  g_assert_cmpuint (code, ==, 1008);
}

/* A resume token resumes once; superseded and orphaned tokens give no
 * access to a server that requires join tokens. */
static void
test_resume_replay (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("wr-abuse-XXXXXX", NULL);
  g_autofree gchar *join_secret = write_secret (dir, "join",
      "join-secret-of-the-abuse-tests");
  g_autofree gchar *arg = g_strdup_printf ("--token-secret-file=%s",
      join_secret);
  g_autoptr (GBytes) secret = g_bytes_new_static
      ("join-secret-of-the-abuse-tests", 30);
  g_autofree gchar *token = wr_token_new_join (secret, "res",
      g_get_real_time () / G_USEC_PER_SEC + 600);
  WrTestServer *server = wr_test_server_spawn (arg, NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) a2 = NULL;
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autoptr (GstWebRTCRoomMessage) wa = NULL;
  g_autoptr (GstWebRTCRoomMessage) wa2 = NULL;
  g_autoptr (GstWebRTCRoomMessage) wb = NULL;
  g_autofree gchar *text = gst_webrtc_room_build_join ("res", NULL, NULL,
      TRUE, token, NULL);
  guint i;

  wr_test_client_send (a, text);
  wa = expect (a, GST_WEBRTC_ROOM_MESSAGE_WELCOME);
  wr_test_client_send (b, text);
  wb = expect (b, GST_WEBRTC_ROOM_MESSAGE_WELCOME);
  gst_webrtc_room_message_free (expect (a,
          GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED));

  /* a's connection drops; it resumes with its token: same id */
  wr_test_client_abort (a);
  a2 = wr_test_client_connect_to (server);
  wa2 = join (a2, "res", wa->resume);
  g_assert_cmpstr (wa2->peer, ==, wa->peer);

  /* the superseded token, replayed: refused, a2 untouched */
  expect_unauthorized (server, wa->resume);
  g_assert_true (wr_test_client_is_open (a2));

  /* a2 leaves: its last token is worth nothing, many times */
  wr_test_client_send (a2, "{\"type\":\"leave\"}");
  g_assert_true (wr_test_client_wait_closed (a2, T, NULL));
  for (i = 0; i < 5; i++)
    expect_unauthorized (server, wa2->resume);
  {
    g_autoptr (GstWebRTCRoomMessage) left = expect (b,
        GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT);
    g_assert_cmpstr (left->peer, ==, wa->peer);
  }
  g_assert_true (wr_test_client_expect_silence (b, QUIET_MS));
  wr_test_server_stop (server);
  g_unlink (join_secret);
  g_rmdir (dir);
}

/* After a restart with the same secret a token re-creates its peer once;
 * the replay is a fresh join (new id) and does not take the id over. */
static void
test_resume_restart_replay (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("wr-abuse-XXXXXX", NULL);
  g_autofree gchar *secret = g_build_filename (dir, "secret", NULL);
  g_autofree gchar *arg = g_strdup_printf ("--secret-file=%s", secret);
  WrTestServer *server = wr_test_server_spawn (arg, NULL);
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) a2 = NULL;
  g_autoptr (WrTestClient) r1 = NULL;
  g_autoptr (WrTestClient) r2 = NULL;
  g_autoptr (GstWebRTCRoomMessage) wa = join (a, "restart", NULL);
  g_autoptr (GstWebRTCRoomMessage) wa2 = NULL;
  g_autoptr (GstWebRTCRoomMessage) w1 = NULL;
  g_autoptr (GstWebRTCRoomMessage) w2 = NULL;

  wr_test_server_kill (server);
  g_assert_true (wr_test_client_wait_closed (a, T, NULL));
  server = wr_test_server_spawn (arg, NULL);

  a2 = wr_test_client_connect_to (server);
  wa2 = join (a2, "restart", wa->resume);
  g_assert_cmpstr (wa2->peer, ==, wa->peer);

  r1 = wr_test_client_connect_to (server);
  w1 = join (r1, "restart", wa->resume);
  g_assert_cmpstr (w1->peer, !=, wa->peer);
  g_assert_true (wr_test_client_is_open (a2));

  wr_test_client_close (a2, 1000);
  r2 = wr_test_client_connect_to (server);
  w2 = join (r2, "restart", wa->resume);
  g_assert_cmpstr (w2->peer, !=, wa->peer);
  wr_test_server_stop (server);
  g_unlink (secret);
  g_rmdir (dir);
}

/* ---- transport (needs the server-io work) ---- */

static gsize
server_status_kb (WrTestServer * server, const gchar * field)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/status",
      (gint) wr_test_server_get_pid (server));
  g_autofree gchar *status = NULL;
  const gchar *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, field);
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen (field) + 1, NULL, 10);
}

static GSocketConnection *
raw_connect (WrTestServer * server, GError ** error)
{
  g_autoptr (GSocketClient) sc = g_socket_client_new ();
  GSocketConnection *conn;

  g_socket_client_set_timeout (sc, 5);
  conn = g_socket_client_connect_to_host (sc, "127.0.0.1",
      wr_test_server_get_port (server), NULL, error);
  if (conn)
    g_socket_set_timeout (g_socket_connection_get_socket (conn), 5);
  return conn;
}

/* Reads until EOF/error, at most @max bytes or @timeout_ms; the text */
static gchar *
raw_read_all (GSocketConnection * conn, gsize max, guint timeout_ms,
    gboolean * eof)
{
  GSocket *sock = g_socket_connection_get_socket (conn);
  GString *got = g_string_new (NULL);
  gint64 end = g_get_monotonic_time () + timeout_ms * 1000;
  gchar buf[4096];

  *eof = FALSE;
  while (got->len < max && g_get_monotonic_time () < end) {
    gssize n;

    /* returns early (after the socket's own timeout): wait again */
    if (!g_socket_condition_timed_wait (sock, G_IO_IN,
            MAX (end - g_get_monotonic_time (), 0), NULL, NULL))
      continue;
    n = g_socket_receive (sock, buf, sizeof (buf), NULL, NULL);
    if (n <= 0) {
      *eof = TRUE;
      break;
    }
    g_string_append_len (got, buf, n);
  }
  return g_string_free (got, FALSE);
}

static guint
http_status (WrTestServer * server, const gchar * path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) conn = raw_connect (server, &error);
  g_autofree gchar *req = NULL;
  g_autofree gchar *reply = NULL;
  gboolean eof;

  g_assert_no_error (error);
  req = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Connection: close\r\n\r\n", path);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream
          (G_IO_STREAM (conn)), req, strlen (req), NULL, NULL, NULL));
  reply = raw_read_all (conn, 1 << 20, T, &eof);
  if (!g_str_has_prefix (reply, "HTTP/1.1 "))
    return 0;
  return g_ascii_strtoull (reply + 9, NULL, 10);
}

static guint
metrics_value (WrTestServer * server, const gchar * name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) conn = raw_connect (server, &error);
  const gchar *req = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Connection: close\r\n\r\n";
  g_autofree gchar *reply = NULL;
  g_autofree gchar *needle = g_strdup_printf ("\n%s ", name);
  const gchar *at;
  gboolean eof;

  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream
          (G_IO_STREAM (conn)), req, strlen (req), NULL, NULL, NULL));
  reply = raw_read_all (conn, 1 << 20, T, &eof);
  at = strstr (reply, needle);
  g_assert_nonnull (at);
  return g_ascii_strtoull (at + strlen (needle), NULL, 10);
}

/* Under a 256-fd limit, 400 connections: afterwards the server accepts
 * again (libsoup 3.2.3's listener gave up for good on EMFILE). */
static void
test_transport_fd_limit (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  struct rlimit lim = {.rlim_cur = 256,.rlim_max = 256 };
  GPtrArray *conns = g_ptr_array_new_with_free_func (g_object_unref);
  Bystanders by = { 0 };
  guint i;

  bystanders_join (server, &by);
  g_assert_cmpint (prlimit (wr_test_server_get_pid (server), RLIMIT_NOFILE,
          &lim, NULL), ==, 0);
  for (i = 0; i < 400; i++) {
    g_autoptr (GError) error = NULL;
    GSocketConnection *conn = raw_connect (server, &error);

    /* the kernel's backlog may take them; refused is fine too */
    if (conn)
      g_ptr_array_add (conns, conn);
  }
  g_test_message ("%u of 400 connects went through", conns->len);
  g_usleep (500 * 1000);
  bystanders_check (&by);
  g_ptr_array_unref (conns);
  /* the fds are free again: new peers get in */
  g_usleep (500 * 1000);
  newcomer_check (server, "after-emfile", 0);
  newcomer_check (server, "bystanders", 2);
  g_assert_cmpuint (http_status (server, "/healthz"), ==, 200);
  bystanders_check (&by);
  bystanders_free (&by);
  wr_test_server_stop (server);
}

/* POST with Content-Length: 1 GiB: refused without reading the body.
 * We stream 64 MiB at most; the server must have answered or closed by
 * then, and its RSS must not have grown by more than 16 MiB. */
static void
test_transport_big_post (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) conn = raw_connect (server, &error);
  GSocket *sock;
  const gchar *head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Length: 1073741824\r\n\r\n";
  g_autofree gchar *chunk = g_malloc0 (1 << 16);
  gsize rss0, rss1, sent = 0;
  gboolean refused = FALSE;

  g_assert_no_error (error);
  sock = g_socket_connection_get_socket (conn);
  rss0 = server_status_kb (server, "VmRSS:");
  g_assert_cmpint (g_socket_send (sock, head, strlen (head), NULL, NULL), ==,
      (gssize) strlen (head));
  while (sent < (64u << 20)) {
    gssize n;

    if (!g_socket_condition_timed_wait (sock, G_IO_OUT, 2 * G_USEC_PER_SEC,
            NULL, NULL)) {
      /* the server stopped reading: the body is not being buffered */
      refused = TRUE;
      break;
    }
    n = g_socket_send (sock, chunk, 1 << 16, NULL, NULL);
    if (n <= 0) {
      refused = TRUE;
      break;
    }
    sent += n;
  }
  rss1 = server_status_kb (server, "VmRSS:");
  g_test_message ("sent %" G_GSIZE_FORMAT " MiB; server RSS %" G_GSIZE_FORMAT
      " -> %" G_GSIZE_FORMAT " kB", sent >> 20, rss0, rss1);
  g_assert_true (refused);
  g_assert_cmpuint (rss1, <, rss0 + 16 * 1024);
  g_assert_cmpuint (http_status (server, "/healthz"), ==, 200);
  wr_test_server_stop (server);
}

/* 100 connections that never finish their headers are closed by the
 * server (its HTTP header timeout, 10 s by default in the server-io
 * work); meanwhile /healthz answers. */
static void
test_transport_slowloris (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  GPtrArray *conns = g_ptr_array_new_with_free_func (g_object_unref);
  const gchar *partial = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  gint64 deadline;
  guint i, closed = 0;
  gint64 start = g_get_monotonic_time ();

  for (i = 0; i < 100; i++) {
    g_autoptr (GError) error = NULL;
    GSocketConnection *conn = raw_connect (server, &error);

    g_assert_no_error (error);
    g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream
            (G_IO_STREAM (conn)), partial, strlen (partial), NULL, NULL, NULL));
    g_ptr_array_add (conns, conn);
  }
  g_assert_cmpuint (http_status (server, "/healthz"), ==, 200);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  for (i = 0; i < conns->len; i++) {
    GSocketConnection *conn = conns->pdata[i];
    gboolean eof = FALSE;
    gint64 left = deadline - g_get_monotonic_time ();
    g_free (raw_read_all (conn, 1 << 16, MAX (left, 0) / 1000, &eof));
    closed += eof;
    if (!eof)
      g_test_message ("slow connection %u still open after %.1f s", i,
          (g_get_monotonic_time () - start) / 1e6);
  }
  g_test_message ("%u of 100 slow connections closed by the server", closed);
  g_assert_cmpuint (closed, ==, 100);
  g_ptr_array_unref (conns);
  wr_test_server_stop (server);
}

/* A symlink in the web root pointing outside it is not followed */
static void
test_transport_symlink (void)
{
  g_autofree gchar *dir = g_dir_make_tmp ("wr-abuse-web-XXXXXX", NULL);
  g_autofree gchar *index = g_build_filename (dir, "index.html", NULL);
  g_autofree gchar *link = g_build_filename (dir, "etclink", NULL);
  g_autofree gchar *flink = g_build_filename (dir, "passwd", NULL);
  g_autofree gchar *arg = g_strdup_printf ("--web-root=%s", dir);
  WrTestServer *server;

  g_assert_true (g_file_set_contents (index, "<html>ok</html>", -1, NULL));
  g_assert_cmpint (symlink ("/etc", link), ==, 0);
  g_assert_cmpint (symlink ("/etc/passwd", flink), ==, 0);
  server = wr_test_server_spawn (arg, NULL);
  g_assert_cmpuint (http_status (server, "/index.html"), ==, 200);
  g_assert_cmpuint (http_status (server, "/etclink/passwd"), ==, 404);
  g_assert_cmpuint (http_status (server, "/etclink/"), ==, 404);
  g_assert_cmpuint (http_status (server, "/passwd"), ==, 404);
  wr_test_server_stop (server);
  g_unlink (link);
  g_unlink (flink);
  g_unlink (index);
  g_rmdir (dir);
}

/* raw deflate (RFC 7692: no zlib header, trailing 00 00 ff ff removed) of
 * @n bytes of 'a' */
static GBytes *
deflate_bomb (gsize n)
{
  z_stream z = { 0 };
  g_autofree guint8 *in = g_malloc (1 << 20);
  GByteArray *out = g_byte_array_new ();
  guint8 buf[1 << 16];
  gsize done = 0;

  memset (in, 'a', 1 << 20);
  g_assert_cmpint (deflateInit2 (&z, 9, Z_DEFLATED, -15, 9,
          Z_DEFAULT_STRATEGY), ==, Z_OK);
  while (done < n) {
    gsize len = MIN ((gsize) (1 << 20), n - done);

    z.next_in = in;
    z.avail_in = len;
    done += len;
    do {
      z.next_out = buf;
      z.avail_out = sizeof (buf);
      deflate (&z, done < n ? Z_NO_FLUSH : Z_SYNC_FLUSH);
      g_byte_array_append (out, buf, sizeof (buf) - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd (&z);
  g_assert_cmpuint (out->len, >, 4);
  g_byte_array_set_size (out, out->len - 4);
  return g_byte_array_free_to_bytes (out);
}

/* A permessage-deflate frame small on the wire (< 64 KiB, under the
 * default limit) inflating to 60 MiB: the server's memory peak must stay
 * within 16 MiB of where it was, and it goes on serving. */
static void
test_transport_deflate_bomb (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  Bystanders by = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GBytes) bomb = deflate_bomb (60u << 20);
  g_autofree gchar *req = NULL;
  g_autofree gchar *reply = NULL;
  g_autofree gchar *rest = NULL;
  GByteArray *frame = g_byte_array_new ();
  const guint8 mask[4] = { 0x5a, 0xa5, 0x3c, 0xc3 };
  const guint8 *payload;
  gsize len, hwm0, hwm1, i;
  guint8 head[4];
  gboolean eof;

  bystanders_join (server, &by);
  payload = g_bytes_get_data (bomb, &len);
  g_test_message ("60 MiB deflated to %" G_GSIZE_FORMAT " bytes", len);
  g_assert_cmpuint (len, <, 65536);

  conn = raw_connect (server, &error);
  g_assert_no_error (error);
  req = g_strdup_printf ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
      wr_test_server_get_port (server));
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream
          (G_IO_STREAM (conn)), req, strlen (req), NULL, NULL, NULL));
  /* the 101, a few hundred bytes; nothing else comes before we send */
  reply = raw_read_all (conn, 4096, 1000, &eof);
  g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 101"));
  g_test_message ("deflate negotiated: %s",
      strstr (reply, "permessage-deflate") ? "yes" : "no");

  head[0] = 0xc1;               /* FIN, RSV1 (compressed), text */
  head[1] = 0x80 | 126;
  head[2] = len >> 8;
  head[3] = len & 0xff;
  g_byte_array_append (frame, head, 4);
  g_byte_array_append (frame, mask, 4);
  for (i = 0; i < len; i++) {
    guint8 b = payload[i] ^ mask[i % 4];

    g_byte_array_append (frame, &b, 1);
  }
  hwm0 = server_status_kb (server, "VmHWM:");
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream
          (G_IO_STREAM (conn)), frame->data, frame->len, NULL, NULL, NULL));
  g_byte_array_unref (frame);
  /* the server answers (too-large, a close) or drops us */
  rest = raw_read_all (conn, 1 << 20, T, &eof);
  hwm1 = server_status_kb (server, "VmHWM:");
  g_test_message ("server VmHWM %" G_GSIZE_FORMAT " -> %" G_GSIZE_FORMAT
      " kB", hwm0, hwm1);
  g_assert_cmpuint (hwm1, <, hwm0 + 16 * 1024);
  bystanders_check (&by);
  newcomer_check (server, "bystanders", 2);
  bystanders_free (&by);
  wr_test_server_stop (server);
}

/* peers back to 0 in /metrics once everybody left (a churn sanity
 * check; the long run is tests/bench/server-churn) */
static void
test_metrics_back_to_zero (void)
{
  WrTestServer *server = wr_test_server_spawn (NULL);
  guint round, i;

  for (round = 0; round < 5; round++) {
    WrTestClient *c[10];

    for (i = 0; i < G_N_ELEMENTS (c); i++) {
      c[i] = wr_test_client_connect_to (server);
      gst_webrtc_room_message_free (join (c[i], i % 2 ? "odd" : "even", NULL));
    }
    for (i = 0; i < G_N_ELEMENTS (c); i++) {
      if (i % 3 == 0)
        wr_test_client_send (c[i], "{\"type\":\"leave\"}");
      else
        wr_test_client_close (c[i], 1000);
    }
    for (i = 0; i < G_N_ELEMENTS (c); i++) {
      wr_test_client_wait_closed (c[i], T, NULL);
      wr_test_client_free (c[i]);
    }
  }
  g_usleep (200 * 1000);
  g_assert_cmpuint (metrics_value (server, "webrtc_room_peers"), ==, 0);
  g_assert_cmpuint (metrics_value (server, "webrtc_room_rooms"), ==, 0);
  wr_test_server_stop (server);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/abuse/room/poisoning", test_room_poisoning);
  g_test_add_func ("/abuse/room/nul-in-room", test_room_nul);
  g_test_add_func ("/abuse/room/ping-id", test_ping_id);
  g_test_add_func ("/abuse/room/relay-poisoning", test_relay_poisoning);
  g_test_add_func ("/abuse/room/depth-bomb", test_depth_bomb);
  g_test_add_func ("/abuse/room/metrics-back-to-zero",
      test_metrics_back_to_zero);
  g_test_add_func ("/abuse/resume/replay", test_resume_replay);
  g_test_add_func ("/abuse/resume/restart-replay", test_resume_restart_replay);
  g_test_add_func ("/abuse/transport/fd-limit", test_transport_fd_limit);
  g_test_add_func ("/abuse/transport/big-post", test_transport_big_post);
  g_test_add_func ("/abuse/transport/slowloris", test_transport_slowloris);
  g_test_add_func ("/abuse/transport/symlink", test_transport_symlink);
  g_test_add_func ("/abuse/transport/deflate-bomb",
      test_transport_deflate_bomb);
  return g_test_run ();
}
