/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Thin libsoup 3 glue around the room handler: every decision about
 * rooms lives in room-handler.c; this file moves frames, enforces the
 * per-connection limits and watches liveness. */

#include "server.h"

#include <libsoup/soup.h>
#include <string.h>

#define MISSED_PINGS_LOST 3
#define LISTEN_BACKLOG 4096
#define RATE_PERSIST_US (3 * G_USEC_PER_SEC)
#define RATE_ERROR_INTERVAL_US G_USEC_PER_SEC
#define RATE_MAX_DROPPED_BURSTS 10

typedef struct _WrClient WrClient;

struct _WrServer
{
  SoupServer *soup;
  WrRoomHandler *handler;
  gchar *web_root;
  GStrv allowed_origins;
  gsize max_message_size;
  gdouble rate_limit;
  gdouble rate_burst;
  guint ping_interval_s;
  gboolean tls;
  guint port;

  GQueue clients;               /* WrClient, intrusive links */
  GSource *tick_source;
  gint64 tick_deadline;
  GSource *liveness_source;
};

struct _WrClient
{
  WrServer *server;
  SoupWebsocketConnection *ws;
  WrRoomConn *rconn;            /* NULL once the handler let go */
  GList link;
  gint64 last_seen;             /* monotonic, last pong or message */
  gdouble tokens;
  gint64 last_refill;
  gint64 limited_since;         /* 0: within its rate */
  gint64 last_rate_error;
  guint dropped;
};

static void schedule_tick (WrServer * server);

static void
run_actions (WrServer * server, GArray * actions)
{
  guint i;

  for (i = 0; i < actions->len; i++) {
    WrAction *action = &g_array_index (actions, WrAction, i);
    WrClient *client = action->conn;

    if (!client)
      continue;
    if (soup_websocket_connection_get_state (client->ws) !=
        SOUP_WEBSOCKET_STATE_OPEN)
      continue;
    if (action->type == WR_ACTION_SEND)
      soup_websocket_connection_send_text (client->ws, action->text);
    else
      soup_websocket_connection_close (client->ws, action->code, NULL);
  }
  g_array_set_size (actions, 0);
  schedule_tick (server);
}

static gboolean
on_tick (gpointer user_data)
{
  WrServer *server = user_data;
  g_autoptr (GArray) actions = wr_actions_new ();

  g_clear_pointer (&server->tick_source, g_source_unref);
  server->tick_deadline = G_MAXINT64;
  wr_room_handler_tick (server->handler, g_get_real_time (), actions);
  run_actions (server, actions);
  return G_SOURCE_REMOVE;
}

/* One timer for every deadline of the handler (join timeouts, resume
 * grace periods), re-armed only when the next deadline moves earlier. */
static void
schedule_tick (WrServer * server)
{
  gint64 next = wr_room_handler_next_deadline (server->handler);
  gint64 delay_ms;

  if (next == G_MAXINT64 || next >= server->tick_deadline)
    return;
  if (server->tick_source) {
    g_source_destroy (server->tick_source);
    g_clear_pointer (&server->tick_source, g_source_unref);
  }
  delay_ms = (next - g_get_real_time ()) / 1000 + 1;
  server->tick_deadline = next;
  server->tick_source = g_timeout_source_new (CLAMP (delay_ms, 0, G_MAXUINT));
  g_source_set_callback (server->tick_source, on_tick, server, NULL);
  g_source_attach (server->tick_source, g_main_context_get_thread_default ());
}

static void
client_release (WrClient * client, WrDisconnectReason reason)
{
  WrServer *server = client->server;
  g_autoptr (GArray) actions = NULL;

  if (!client->rconn)
    return;
  actions = wr_actions_new ();
  wr_room_handler_disconnect (server->handler, client->rconn, reason,
      g_get_real_time (), actions);
  client->rconn = NULL;
  run_actions (server, actions);
}

static void
client_free (WrClient * client)
{
  g_signal_handlers_disconnect_by_data (client->ws, client);
  g_object_unref (client->ws);
  g_free (client);
}

/* Token bucket: TRUE when the message may be handled. */
static gboolean
rate_allow (WrClient * client, gint64 now)
{
  WrServer *server = client->server;
  gdouble elapsed;

  if (server->rate_limit <= 0)
    return TRUE;
  elapsed = (now - client->last_refill) / (gdouble) G_USEC_PER_SEC;
  client->last_refill = now;
  client->tokens = MIN (server->rate_burst,
      client->tokens + elapsed * server->rate_limit);
  if (client->tokens >= server->rate_burst - 1)
    client->limited_since = 0;
  if (client->tokens >= 1) {
    client->tokens -= 1;
    return TRUE;
  }
  return FALSE;
}

static void
rate_reject (WrClient * client, gint64 now, GArray * actions)
{
  WrServer *server = client->server;
  gboolean persists;

  if (client->limited_since == 0) {
    client->limited_since = now;
    client->dropped = 0;
  }
  client->dropped++;
  persists = now - client->limited_since >= RATE_PERSIST_US
      || client->dropped > RATE_MAX_DROPPED_BURSTS * server->rate_burst;
  if (persists) {
    wr_room_handler_reject (server->handler, client->rconn,
        GST_WEBRTC_ROOM_ERROR_RATE_LIMITED,
        "message rate limit exceeded for too long", NULL, WR_CLOSE_POLICY,
        actions);
  } else if (now - client->last_rate_error >= RATE_ERROR_INTERVAL_US) {
    client->last_rate_error = now;
    wr_room_handler_reject (server->handler, client->rconn,
        GST_WEBRTC_ROOM_ERROR_RATE_LIMITED,
        "message rate limit exceeded, message dropped", NULL, 0, actions);
  }
}

static void
on_ws_message (SoupWebsocketConnection * ws, gint type, GBytes * message,
    WrClient * client)
{
  WrServer *server = client->server;
  g_autoptr (GArray) actions = NULL;
  gint64 mono = g_get_monotonic_time ();
  gsize len;
  const gchar *data = g_bytes_get_data (message, &len);

  client->last_seen = mono;
  if (!client->rconn || wr_room_conn_is_closing (client->rconn))
    return;

  actions = wr_actions_new ();
  if (!rate_allow (client, mono)) {
    rate_reject (client, mono, actions);
  } else if (len > server->max_message_size) {
    wr_room_handler_reject (server->handler, client->rconn,
        GST_WEBRTC_ROOM_ERROR_TOO_LARGE, "frame above the size limit", NULL,
        WR_CLOSE_TOO_BIG, actions);
  } else if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    wr_room_handler_reject (server->handler, client->rconn,
        GST_WEBRTC_ROOM_ERROR_BAD_JSON, "binary frames are not supported",
        NULL, 0, actions);
  } else {
    wr_room_handler_frame (server->handler, client->rconn, data, len,
        g_get_real_time (), actions);
  }
  run_actions (server, actions);
}

static void
on_ws_pong (SoupWebsocketConnection * ws, GBytes * message, WrClient * client)
{
  client->last_seen = g_get_monotonic_time ();
}

/* Writes one unmasked server frame straight to the socket, bypassing
 * libsoup's queue: only for a connection libsoup is dropping. */
static void
write_raw_frame (GOutputStream * out, guint8 opcode, const guint8 * payload,
    gsize len)
{
  g_autoptr (GByteArray) frame = g_byte_array_sized_new (len + 10);
  guint8 header[10];
  gsize header_len = 2;
  gint i;

  header[0] = 0x80 | opcode;
  if (len < 126) {
    header[1] = len;
  } else if (len < 65536) {
    header[1] = 126;
    header[2] = len >> 8;
    header[3] = len & 0xff;
    header_len = 4;
  } else {
    header[1] = 127;
    for (i = 0; i < 8; i++)
      header[2 + i] = ((guint64) len >> (56 - 8 * i)) & 0xff;
    header_len = 10;
  }
  g_byte_array_append (frame, header, header_len);
  g_byte_array_append (frame, payload, len);
  g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (out),
      frame->data, frame->len, NULL, NULL);
}

/* A frame far above the limit makes libsoup drop the connection without
 * a close frame. Before it does, tell the client why: the too-large error
 * and a 1009 close, written directly (best effort). */
static void
on_ws_error (SoupWebsocketConnection * ws, GError * error, WrClient * client)
{
  WrServer *server = client->server;
  g_autoptr (GArray) actions = NULL;
  GOutputStream *out;
  const guint8 close_payload[] = { WR_CLOSE_TOO_BIG >> 8,
    WR_CLOSE_TOO_BIG & 0xff
  };
  guint i;

  g_debug ("websocket error: %s", error->message);
  if (!g_error_matches (error, SOUP_WEBSOCKET_ERROR,
          SOUP_WEBSOCKET_CLOSE_TOO_BIG) || !client->rconn
      || wr_room_conn_is_closing (client->rconn))
    return;

  actions = wr_actions_new ();
  wr_room_handler_reject (server->handler, client->rconn,
      GST_WEBRTC_ROOM_ERROR_TOO_LARGE, "frame above the size limit", NULL,
      WR_CLOSE_TOO_BIG, actions);
  out = g_io_stream_get_output_stream (soup_websocket_connection_get_io_stream
      (ws));
  for (i = 0; i < actions->len; i++) {
    WrAction *action = &g_array_index (actions, WrAction, i);

    if (action->conn != client)
      continue;
    if (action->type == WR_ACTION_SEND && G_IS_POLLABLE_OUTPUT_STREAM (out))
      write_raw_frame (out, 0x1, (const guint8 *) action->text,
          strlen (action->text));
    /* handled here: run_actions skips closed connections */
    action->conn = NULL;
  }
  if (G_IS_POLLABLE_OUTPUT_STREAM (out))
    write_raw_frame (out, 0x8, close_payload, sizeof (close_payload));
  run_actions (server, actions);
}

static void
on_ws_closed (SoupWebsocketConnection * ws, WrClient * client)
{
  WrServer *server = client->server;
  gushort code = soup_websocket_connection_get_close_code (ws);

  client_release (client, code == SOUP_WEBSOCKET_CLOSE_NORMAL
      || code == SOUP_WEBSOCKET_CLOSE_GOING_AWAY ? WR_DISCONNECT_CLEAN :
      WR_DISCONNECT_LOST);
  g_queue_unlink (&server->clients, &client->link);
  client_free (client);
}

static void
on_websocket (SoupServer * soup, SoupServerMessage * msg, const char *path,
    SoupWebsocketConnection * ws, gpointer user_data)
{
  WrServer *server = user_data;
  WrClient *client = g_new0 (WrClient, 1);
  gint64 mono = g_get_monotonic_time ();

  client->server = server;
  client->ws = g_object_ref (ws);
  client->link.data = client;
  client->last_seen = mono;
  client->last_refill = mono;
  client->tokens = server->rate_burst;
  client->last_rate_error = G_MININT64 / 2;
  g_queue_push_tail_link (&server->clients, &client->link);

  /* frames up to twice our limit reach us and get a too-large error
   * before the 1009 close; libsoup cuts bigger ones itself */
  soup_websocket_connection_set_max_incoming_payload_size (ws,
      server->max_message_size + MAX (server->max_message_size, 4096));
  soup_websocket_connection_set_keepalive_interval (ws,
      server->ping_interval_s);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), client);
  g_signal_connect (ws, "pong", G_CALLBACK (on_ws_pong), client);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), client);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), client);

  client->rconn = wr_room_handler_connect (server->handler, client,
      g_get_real_time ());
  schedule_tick (server);
}

/* Pings are sent by libsoup's keepalive; a connection silent for
 * MISSED_PINGS_LOST intervals is lost. */
static gboolean
on_liveness_check (gpointer user_data)
{
  WrServer *server = user_data;
  gint64 limit = g_get_monotonic_time () -
      (gint64) MISSED_PINGS_LOST * server->ping_interval_s * G_USEC_PER_SEC;
  GList *l;

  for (l = server->clients.head; l; l = l->next) {
    WrClient *client = l->data;

    if (client->last_seen >= limit || !client->rconn)
      continue;
    client_release (client, WR_DISCONNECT_PING_TIMEOUT);
    soup_websocket_connection_close (client->ws,
        SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "ping timeout");
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
origin_allowed (WrServer * server, SoupServerMessage * msg)
{
  const gchar *origin =
      soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "Origin");

  /* non-browser clients send no Origin */
  if (!server->allowed_origins || !origin)
    return TRUE;
  return g_strv_contains ((const gchar * const *) server->allowed_origins,
      origin);
}

static void
on_ws_early (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  WrServer *server = user_data;
  WrRoomStats *stats;

  if (origin_allowed (server, msg))
    return;
  stats = (WrRoomStats *) wr_room_handler_get_stats (server->handler);
  stats->rejected++;
  soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
}

static void
set_text_response (SoupServerMessage * msg, guint status,
    const gchar * content_type, gchar * body, gsize len)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE,
      body, len);
}

static void
on_healthz (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  set_text_response (msg, SOUP_STATUS_OK, "text/plain", g_strdup ("ok"), 2);
}

gchar *
wr_server_build_metrics (WrServer * server)
{
  const WrRoomStats *stats = wr_room_handler_get_stats (server->handler);
  GString *out = g_string_new (NULL);
  guint i;

  g_string_append_printf (out,
      "# HELP webrtc_room_peers Peers in rooms, including peers within "
      "their resume grace period.\n"
      "# TYPE webrtc_room_peers gauge\nwebrtc_room_peers %u\n"
      "# HELP webrtc_room_rooms Rooms with at least one peer.\n"
      "# TYPE webrtc_room_rooms gauge\nwebrtc_room_rooms %u\n"
      "# HELP webrtc_room_connections Open WebSocket connections.\n"
      "# TYPE webrtc_room_connections gauge\nwebrtc_room_connections %u\n"
      "# HELP webrtc_room_messages_relayed_total Signal and broadcast "
      "frames delivered to peers.\n"
      "# TYPE webrtc_room_messages_relayed_total counter\n"
      "webrtc_room_messages_relayed_total %" G_GUINT64_FORMAT "\n"
      "# HELP webrtc_room_connections_rejected_total Connections closed or "
      "refused by policy (origin, token, limits, join timeout).\n"
      "# TYPE webrtc_room_connections_rejected_total counter\n"
      "webrtc_room_connections_rejected_total %" G_GUINT64_FORMAT "\n"
      "# HELP webrtc_room_errors_total Error frames sent, by code.\n"
      "# TYPE webrtc_room_errors_total counter\n",
      wr_room_handler_get_n_peers (server->handler),
      wr_room_handler_get_n_rooms (server->handler), stats->connections,
      stats->relayed, stats->rejected);
  for (i = 0; i < GST_WEBRTC_ROOM_ERROR_UNKNOWN; i++)
    g_string_append_printf (out,
        "webrtc_room_errors_total{code=\"%s\"} %" G_GUINT64_FORMAT "\n",
        gst_webrtc_room_error_to_code (i), stats->errors[i]);
  return g_string_free (out, FALSE);
}

static void
on_metrics (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  gchar *text = wr_server_build_metrics (user_data);

  set_text_response (msg, SOUP_STATUS_OK,
      "text/plain; version=0.0.4; charset=utf-8", text, strlen (text));
}

static const gchar *
content_type_for (const gchar * path)
{
  static const struct
  {
    const gchar *ext;
    const gchar *type;
  } types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".png", "image/png"},
    {".svg", "image/svg+xml"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (types); i++) {
    if (g_str_has_suffix (path, types[i].ext))
      return types[i].type;
  }
  return "application/octet-stream";
}

static const gchar placeholder_page[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
    "<title>webrtc-room-server</title></head><body>"
    "<h1>webrtc-room-server</h1><p>The room server is running. "
    "WebSocket endpoint: <code>/ws</code>. The browser client is not "
    "installed in this web root.</p></body></html>\n";

/* Maps a request path to a file below the web root, or NULL when the
 * path tries to leave it. */
static gchar *
resolve_static_path (WrServer * server, const gchar * uri_path)
{
  g_autofree gchar *decoded = g_uri_unescape_string (uri_path, NULL);
  g_auto (GStrv) segments = NULL;
  g_autofree gchar *joined = NULL;
  guint i;

  if (!decoded || decoded[0] != '/' || strchr (decoded, '\\'))
    return NULL;
  segments = g_strsplit (decoded + 1, "/", -1);
  for (i = 0; segments[i]; i++) {
    if (g_str_equal (segments[i], "..") || g_str_equal (segments[i], "."))
      return NULL;
  }
  joined = g_build_filename (server->web_root, decoded + 1, NULL);
  if (g_str_has_suffix (decoded, "/")
      || g_file_test (joined, G_FILE_TEST_IS_DIR)) {
    gchar *index = g_build_filename (joined, "index.html", NULL);

    return index;
  }
  return g_steal_pointer (&joined);
}

static void
on_static (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  WrServer *server = user_data;
  const gchar *method = soup_server_message_get_method (msg);
  g_autofree gchar *file = NULL;
  gchar *contents = NULL;
  gsize len;

  if (!g_str_equal (method, "GET") && !g_str_equal (method, "HEAD")) {
    soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
    return;
  }
  if (!g_file_test (server->web_root, G_FILE_TEST_IS_DIR)) {
    if (g_str_equal (path, "/") || g_str_equal (path, "/index.html")) {
      set_text_response (msg, SOUP_STATUS_OK, "text/html; charset=utf-8",
          g_strdup (placeholder_page), strlen (placeholder_page));
    } else {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
    }
    return;
  }
  file = resolve_static_path (server, path);
  if (!file) {
    soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
    return;
  }
  if (!g_file_test (file, G_FILE_TEST_IS_REGULAR)
      || !g_file_get_contents (file, &contents, &len, NULL)) {
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
    return;
  }
  set_text_response (msg, SOUP_STATUS_OK, content_type_for (file), contents,
      len);
}

static gboolean
server_listen (WrServer * server, const WrServerConfig * config,
    GError ** error)
{
  g_autoptr (GInetAddress) inet = NULL;
  g_autoptr (GSocketAddress) addr = NULL;
  g_autoptr (GSocket) socket = NULL;
  GSList *listeners;
  SoupServerListenOptions options = 0;

  if (config->tls_cert || config->tls_key) {
    g_autoptr (GTlsCertificate) cert = NULL;

    if (!config->tls_cert || !config->tls_key) {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "--tls-cert and --tls-key go together");
      return FALSE;
    }
    cert = g_tls_certificate_new_from_files (config->tls_cert,
        config->tls_key, error);
    if (!cert)
      return FALSE;
    soup_server_set_tls_certificate (server->soup, cert);
    options |= SOUP_SERVER_LISTEN_HTTPS;
    server->tls = TRUE;
  }

  inet = g_inet_address_new_from_string (config->host);
  if (!inet) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "--host must be an IP address, not '%s'", config->host);
    return FALSE;
  }
  addr = g_inet_socket_address_new (inet, config->port);
  /* our own socket: GLib's default backlog of 10 drops SYNs (and stalls
   * clients for seconds) when thousands of peers connect at once */
  socket = g_socket_new (g_inet_address_get_family (inet),
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (!socket)
    return FALSE;
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_bind (socket, addr, TRUE, error)
      || !g_socket_listen (socket, error)
      || !soup_server_listen_socket (server->soup, socket, options, error))
    return FALSE;

  listeners = soup_server_get_listeners (server->soup);
  if (listeners) {
    g_autoptr (GSocketAddress) local =
        g_socket_get_local_address (listeners->data, NULL);

    if (local)
      server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS
          (local));
  }
  g_slist_free (listeners);
  return TRUE;
}

WrServer *
wr_server_new (const WrServerConfig * config, GError ** error)
{
  g_autoptr (WrServer) server = g_new0 (WrServer, 1);

  server->soup = soup_server_new ("server-header", "webrtc-room-server ", NULL);
  server->handler = wr_room_handler_new (&config->room, g_get_real_time ());
  server->web_root = g_strdup (config->web_root);
  server->allowed_origins = g_strdupv ((gchar **) config->allowed_origins);
  server->max_message_size = config->max_message_size;
  server->rate_limit = config->rate_limit;
  server->rate_burst = MAX (config->rate_burst, 1);
  server->ping_interval_s = config->ping_interval_s;
  server->tick_deadline = G_MAXINT64;
  g_queue_init (&server->clients);

  soup_server_add_handler (server->soup, "/healthz", on_healthz, server, NULL);
  soup_server_add_handler (server->soup, "/metrics", on_metrics, server, NULL);
  soup_server_add_handler (server->soup, NULL, on_static, server, NULL);
  soup_server_add_early_handler (server->soup, "/ws", on_ws_early, server,
      NULL);
  soup_server_add_websocket_handler (server->soup, "/ws", NULL, NULL,
      on_websocket, server, NULL);

  if (!server_listen (server, config, error))
    return NULL;

  if (server->ping_interval_s > 0) {
    server->liveness_source =
        g_timeout_source_new_seconds (server->ping_interval_s);
    g_source_set_callback (server->liveness_source, on_liveness_check,
        server, NULL);
    g_source_attach (server->liveness_source,
        g_main_context_get_thread_default ());
  }
  return g_steal_pointer (&server);
}

guint
wr_server_get_port (WrServer * server)
{
  return server->port;
}

gboolean
wr_server_is_tls (WrServer * server)
{
  return server->tls;
}

void
wr_server_free (WrServer * server)
{
  if (!server)
    return;
  if (server->soup)
    soup_server_disconnect (server->soup);
  while (server->clients.head) {
    WrClient *client = server->clients.head->data;

    g_queue_unlink (&server->clients, &client->link);
    if (client->rconn) {
      g_autoptr (GArray) actions = wr_actions_new ();

      wr_room_handler_disconnect (server->handler, client->rconn,
          WR_DISCONNECT_LOST, g_get_real_time (), actions);
    }
    client_free (client);
  }
  if (server->tick_source) {
    g_source_destroy (server->tick_source);
    g_source_unref (server->tick_source);
  }
  if (server->liveness_source) {
    g_source_destroy (server->liveness_source);
    g_source_unref (server->liveness_source);
  }
  g_clear_object (&server->soup);
  g_clear_pointer (&server->handler, wr_room_handler_free);
  g_free (server->web_root);
  g_strfreev (server->allowed_origins);
  g_free (server);
}
