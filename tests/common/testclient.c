/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "testclient.h"
#include "testserver.h"

struct _WrTestClient
{
  SoupSession *session;
  SoupWebsocketConnection *ws;
  GQueue frames;                /* gchar *, text frames */
  gboolean closed;
  GError *connect_error;
  gboolean connect_done;
};

static void
on_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    WrTestClient * client)
{
  gsize len;
  const gchar *data = g_bytes_get_data (message, &len);

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    g_queue_push_tail (&client->frames, g_strndup (data, len));
}

static void
on_closed (SoupWebsocketConnection * ws, WrTestClient * client)
{
  client->closed = TRUE;
}

static void
on_connected (GObject * source, GAsyncResult * result, gpointer user_data)
{
  WrTestClient *client = user_data;

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source),
      result, &client->connect_error);
  client->connect_done = TRUE;
}

static gboolean
connect_done (gpointer data)
{
  return ((WrTestClient *) data)->connect_done;
}

WrTestClient *
wr_test_client_connect (const gchar * url, const gchar * origin,
    GError ** error)
{
  return wr_test_client_connect_tls (url, origin, NULL, error);
}

/* ws:// of @server; a failure fails the test */
WrTestClient *
wr_test_client_connect_to (WrTestServer * server)
{
  g_autofree gchar *url = wr_test_server_get_ws_url (server);
  g_autoptr (GError) error = NULL;
  WrTestClient *client = wr_test_client_connect (url, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (client);
  return client;
}

WrTestClient *
wr_test_client_connect_tls (const gchar * url, const gchar * origin,
    const gchar * ca_file, GError ** error)
{
  WrTestClient *client = g_new0 (WrTestClient, 1);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (GCancellable) cancel = g_cancellable_new ();

  g_queue_init (&client->frames);
  client->session = soup_session_new ();
  if (ca_file) {
    g_autoptr (GTlsDatabase) db = g_tls_file_database_new (ca_file, error);
    if (!db) {
      wr_test_client_free (client);
      return NULL;
    }
    soup_session_set_tls_database (client->session, db);
  }
  soup_session_websocket_connect_async (client->session, msg, origin, NULL,
      G_PRIORITY_DEFAULT, cancel, on_connected, client);
  if (!wr_test_wait_until (connect_done, client, WR_TEST_TIMEOUT_MS)) {
    g_cancellable_cancel (cancel);
    wr_test_wait_until (connect_done, client, WR_TEST_TIMEOUT_MS);
  }
  if (!client->ws) {
    if (client->connect_error)
      g_propagate_error (error, g_steal_pointer (&client->connect_error));
    else
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
          "WebSocket connect timed out");
    wr_test_client_free (client);
    return NULL;
  }
  /* large frames from the server are fine in tests */
  soup_websocket_connection_set_max_incoming_payload_size (client->ws, 0);
  g_signal_connect (client->ws, "message", G_CALLBACK (on_message), client);
  g_signal_connect (client->ws, "closed", G_CALLBACK (on_closed), client);
  return client;
}

void
wr_test_client_send (WrTestClient * client, const gchar * text)
{
  soup_websocket_connection_send_text (client->ws, text);
}

void
wr_test_client_send_binary (WrTestClient * client, gconstpointer data,
    gsize len)
{
  soup_websocket_connection_send_binary (client->ws, data, len);
}

static gboolean
frame_or_closed (gpointer data)
{
  WrTestClient *client = data;

  return client->frames.length > 0 || client->closed;
}

gchar *
wr_test_client_next (WrTestClient * client, guint timeout_ms)
{
  wr_test_wait_until (frame_or_closed, client, timeout_ms);
  return g_queue_pop_head (&client->frames);
}

GstWebRTCRoomMessage *
wr_test_client_next_message (WrTestClient * client, guint timeout_ms)
{
  g_autofree gchar *text = wr_test_client_next (client, timeout_ms);
  g_autoptr (GError) error = NULL;
  GstWebRTCRoomMessage *msg;

  if (!text)
    return NULL;
  msg = gst_webrtc_room_message_parse (text, -1, GST_WEBRTC_ROOM_TO_CLIENT,
      NULL, &error);
  if (!msg)
    g_printerr ("unparsable server frame '%s': %s\n", text, error->message);
  return msg;
}

GstWebRTCRoomMessage *
wr_test_client_wait_type (WrTestClient * client,
    GstWebRTCRoomMessageType type, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  for (;;) {
    gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
    GstWebRTCRoomMessage *msg;

    if (left <= 0)
      return NULL;
    msg = wr_test_client_next_message (client, left);
    if (!msg)
      return NULL;
    if (msg->type == type)
      return msg;
    gst_webrtc_room_message_free (msg);
  }
}

gboolean
wr_test_client_expect_silence (WrTestClient * client, guint timeout_ms)
{
  g_autofree gchar *text = wr_test_client_next (client, timeout_ms);

  if (text)
    g_printerr ("unexpected frame: %s\n", text);
  return text == NULL;
}

static gboolean
is_closed (gpointer data)
{
  return ((WrTestClient *) data)->closed;
}

gboolean
wr_test_client_wait_closed (WrTestClient * client, guint timeout_ms,
    gushort * code)
{
  gboolean closed = wr_test_wait_until (is_closed, client, timeout_ms);

  if (code)
    *code = soup_websocket_connection_get_close_code (client->ws);
  return closed;
}

gboolean
wr_test_client_is_open (WrTestClient * client)
{
  return soup_websocket_connection_get_state (client->ws) ==
      SOUP_WEBSOCKET_STATE_OPEN;
}

void
wr_test_client_close (WrTestClient * client, gushort code)
{
  soup_websocket_connection_close (client->ws, code, NULL);
  wr_test_wait_until (is_closed, client, WR_TEST_TIMEOUT_MS);
}

void
wr_test_client_abort (WrTestClient * client)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (client->ws);

  g_io_stream_close (stream, NULL, NULL);
  wr_test_wait_until (is_closed, client, WR_TEST_TIMEOUT_MS);
}

SoupWebsocketConnection *
wr_test_client_get_connection (WrTestClient * client)
{
  return client->ws;
}

void
wr_test_client_free (WrTestClient * client)
{
  if (!client)
    return;
  if (client->ws) {
    g_signal_handlers_disconnect_by_data (client->ws, client);
    if (soup_websocket_connection_get_state (client->ws) ==
        SOUP_WEBSOCKET_STATE_OPEN)
      g_io_stream_close (soup_websocket_connection_get_io_stream (client->ws),
          NULL, NULL);
    g_object_unref (client->ws);
  }
  g_queue_clear_full (&client->frames, g_free);
  g_clear_error (&client->connect_error);
  g_object_unref (client->session);
  g_free (client);
}

GstWebRTCRoomMessage *
wr_test_client_join (WrTestClient * client, const gchar * room,
    const gchar * name, const gchar * resume)
{
  g_autofree gchar *join = gst_webrtc_room_build_join (room, name, NULL, TRUE,
      NULL, resume);
  GstWebRTCRoomMessage *msg;

  wr_test_client_send (client, join);
  msg = wr_test_client_next_message (client, WR_TEST_TIMEOUT_MS);
  if (msg && msg->type != GST_WEBRTC_ROOM_MESSAGE_WELCOME) {
    g_printerr ("expected welcome, got a %s\n",
        gst_webrtc_room_message_type_to_string (msg->type));
    g_clear_pointer (&msg, gst_webrtc_room_message_free);
  }
  return msg;
}
