/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Helpers of the room server tests (server-util.h) */

#include "server-util.h"

#include <string.h>
#include <unistd.h>

GstWebRTCRoomMessage *
join (WrTestClient * client, const gchar * room, const gchar * name)
{
  GstWebRTCRoomMessage *welcome = wr_test_client_join (client, room, name,
      NULL);

  g_assert_nonnull (welcome);
  g_assert_cmpint (welcome->type, ==, GST_WEBRTC_ROOM_MESSAGE_WELCOME);
  return welcome;
}

/* Joins and returns the own peer id */
gchar *
join_id (WrTestClient * client, const gchar * room)
{
  g_autoptr (GstWebRTCRoomMessage) welcome = join (client, room, NULL);

  return g_strdup (welcome->peer);
}

GstWebRTCRoomMessage *
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

void
expect_error (WrTestClient * client, GstWebRTCRoomError code, const gchar * ref)
{
  g_autoptr (GstWebRTCRoomMessage) msg =
      expect (client, GST_WEBRTC_ROOM_MESSAGE_ERROR);

  g_assert_cmpstr (msg->code_string, ==, gst_webrtc_room_error_to_code (code));
  g_assert_nonnull (msg->message);
  if (ref)
    g_assert_cmpstr (msg->ref, ==, ref);
}

void
expect_closed (WrTestClient * client, gushort code)
{
  gushort got = 0;

  g_assert_true (wr_test_client_wait_closed (client, T, &got));
  g_assert_cmpuint (got, ==, code);
}

/* The connection still answers: a ping with a fresh id is echoed */
void
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
void
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

void
send_signal (WrTestClient * client, const gchar * to, const gchar * json)
{
  g_autofree gchar *text =
      g_strdup_printf ("{\"type\":\"signal\",\"to\":\"%s\",\"data\":%s}", to,
      json);

  wr_test_client_send (client, text);
}

void
assert_peer_left (WrTestClient * client, const gchar * id,
    GstWebRTCRoomPeerLeftReason reason)
{
  g_autoptr (GstWebRTCRoomMessage) left =
      expect (client, GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT);

  g_assert_cmpstr (left->peer, ==, id);
  g_assert_cmpint (left->reason, ==, reason);
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

guint
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

/* A peer whose WebSocket never answers pings: a raw TCP client that does
 * the handshake by hand, joins with one masked frame, then reads nothing.
 * With --ping-interval=1 it is lost after 3 missed pings, then after the
 * resume grace the others see peer-left "timeout"; a libsoup client, which
 * answers pings, stays. */
GSocketConnection *
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

/* A plain TCP connection to the server, from @local_ip when not NULL */
GSocketConnection *
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

void
raw_write (GSocketConnection * conn, const gchar * text)
{
  g_autoptr (GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM
          (conn)), text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Reads until the peer closes (or 5 s of silence); what came */
gchar *
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
GSocketConnection *
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

guint64
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

guint64
metric_down_to (WrTestServer * server, const gchar * name, guint64 value)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint64 got;

  while ((got = metric (server, name)) > value && g_get_monotonic_time () < end)
    g_usleep (100 * 1000);
  return got;
}

void
relay_works (WrTestServer * server, const gchar * room)
{
  g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
  g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
  g_autofree gchar *ida = join_id (a, room);
  g_autofree gchar *idb = join_id (b, room);
  g_autoptr (GstWebRTCRoomMessage) sig = NULL;

  g_free (wr_test_client_next (a, T));  /* peer-joined */
  send_signal (a, idb, "{\"hello\":1}");
  sig = expect (b, GST_WEBRTC_ROOM_MESSAGE_SIGNAL);
  g_assert_cmpstr (sig->from, ==, ida);
}

gint64
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
gdouble
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
void
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
