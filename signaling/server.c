/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The socket glue around the room handler: every decision about rooms
 * lives in room-handler.c. libsoup serves HTTP (static files, /healthz,
 * /metrics) and the WebSocket upgrade on connections we accept ourselves;
 * once upgraded, a connection is taken from libsoup and driven by
 * ws-loop.c (one epoll fd for all of them, wslay framing).
 *
 * Accepting ourselves works around three measured libsoup 3.2.3 listener
 * problems (TRAPS.md): it removes its accept source on EMFILE and never
 * accepts again, it leaks a reference (~600 B) per connection, and it
 * has no connection caps. */

#define _GNU_SOURCE             /* accept4 */
#include "server.h"
#include "cluster.h"
#include "source-util.h"
#include "whip-endpoint.h"
#include "ws-pool.h"

#include <errno.h>
#include <glib-unix.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MISSED_PINGS_LOST 3
#define LISTEN_BACKLOG 4096
#define RATE_PERSIST_US (3 * G_USEC_PER_SEC)
#define RATE_ERROR_INTERVAL_US G_USEC_PER_SEC
#define RATE_MAX_DROPPED_BURSTS 10
#define ACCEPTS_PER_WAKEUP 64
#define ACCEPT_RETRY_MS 100
#define DEFAULT_HTTP_TIMEOUT_S 10
/* fds kept free below the limit for files, the STUN socket, dup () */
#define FD_RESERVE 32
#define CLOSING_TIMEOUT_US (2 * G_USEC_PER_SEC)
#define SHUTDOWN_WAIT_MS 1000
#define LIVENESS_TICK_MS 250

typedef enum
{
  REFUSED_CAP,
  REFUSED_PER_ADDRESS,
  REFUSED_FD_LIMIT,
  REFUSED_BODY,
  REFUSED_HTTP_TIMEOUT,
  N_REFUSED
} RefusedReason;

static const gchar *const refused_names[N_REFUSED] = {
  "connection-cap", "per-address-cap", "fd-limit", "request-body",
  "http-timeout",
};

typedef struct _WrClient WrClient;
typedef struct _WrHttpConn WrHttpConn;

struct _WrServer
{
  SoupServer *soup;
  WrRoomHandler *handler;
  WrWsPool *ws;
  WrWhipEndpoint *whip;         /* /whip and /whep: virtual peers */
  gchar *web_root;
  GStrv allowed_origins;
  gsize max_message_size;
  gdouble rate_limit;
  gdouble rate_burst;
  guint ping_interval_s;
  GTlsCertificate *tls_cert;
  guint port;

  GSocket *listen_socket;
  GSource *accept_source;
  GSource *accept_retry_source;
  guint max_connections;
  guint max_per_address;
  gint64 http_timeout_us;
  GQueue http_conns;            /* WrHttpConn, before the upgrade */
  GHashTable *http_by_remote;   /* GSocketAddress * -> WrHttpConn */
  GHashTable *per_address;      /* address string -> count */
  guint64 refused[N_REFUSED];

  GQueue clients;               /* WrClient, intrusive links */
  GSource *tick_source;
  gint64 tick_deadline;
  GSource *liveness_source;
  GSource *housekeeping_source;

  WrCluster *cluster;           /* NULL: this server alone */
  void (*fatal) (const gchar * message, gpointer user_data);
  gpointer fatal_data;
};

/* A connection libsoup is reading a request from */
struct _WrHttpConn
{
  GSocket *socket;
  GIOStream *stream;
  GSocketAddress *remote;
  gchar *address;
  gint64 deadline;              /* monotonic */
  gboolean timed_out;
  GList link;
};

struct _WrClient
{
  WrServer *server;
  WrWsHandle *ws;
  WrRoomConn *rconn;            /* NULL once the handler let go */
  gchar *address;
  GList link;
  gdouble tokens;
  gint64 last_refill;
  gint64 limited_since;         /* 0: within its rate */
  gint64 last_rate_error;
  guint dropped;
  gint64 next_ping;             /* monotonic */
};

static void schedule_tick (WrServer * server);

/* Per source address connection counts */
static gboolean
address_acquire (WrServer * server, const gchar * address)
{
  guint count =
      GPOINTER_TO_UINT (g_hash_table_lookup (server->per_address, address));

  if (server->max_per_address && count >= server->max_per_address)
    return FALSE;
  g_hash_table_insert (server->per_address, g_strdup (address),
      GUINT_TO_POINTER (count + 1));
  return TRUE;
}

static void
address_release (WrServer * server, const gchar * address)
{
  guint count =
      GPOINTER_TO_UINT (g_hash_table_lookup (server->per_address, address));

  if (count <= 1)
    g_hash_table_remove (server->per_address, address);
  else
    g_hash_table_insert (server->per_address, g_strdup (address),
        GUINT_TO_POINTER (count - 1));
}

static guint
n_connections (WrServer * server)
{
  return server->http_conns.length + wr_ws_pool_get_n_connections (server->ws);
}

static void
run_actions (WrServer * server, GArray * actions)
{
  guint i;

  for (i = 0; i < actions->len; i++) {
    WrAction *action = &g_array_index (actions, WrAction, i);
    WrClient *client = action->conn;

    if (action->type > WR_ACTION_CLOSE) {
      if (server->cluster)
        wr_cluster_run (server->cluster, action);
      continue;
    }
    if (server->whip && wr_whip_endpoint_deliver (server->whip, action))
      continue;
    if (!client || !client->ws || !wr_ws_handle_is_open (client->ws))
      continue;
    if (action->type == WR_ACTION_SEND) {
      wr_ws_handle_send_frame (client->ws, action->text);
    } else {
      if (action->code != WR_CLOSE_NORMAL)
        g_info ("closing a connection from %s with %u", client->address,
            action->code);
      wr_ws_handle_close (client->ws, action->code);
    }
  }
  g_array_set_size (actions, 0);
  wr_ws_pool_flush (server->ws);
  schedule_tick (server);
}

static void
run_actions_for_whip (GArray * actions, gpointer user_data)
{
  run_actions (user_data, actions);
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
  wr_source_clear (&server->tick_source);
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
  address_release (client->server, client->address);
  g_free (client->address);
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
    g_info ("rate limit exceeded for too long by %s", client->address);
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
on_ws_message (WrWsHandle * ws, gboolean text, const gchar * data, gsize len,
    gpointer user_data)
{
  WrServer *server = user_data;
  WrClient *client = wr_ws_handle_get_data (ws);
  g_autoptr (GArray) actions = NULL;
  gint64 mono = g_get_monotonic_time ();

  if (!client->rconn || wr_room_conn_is_closing (client->rconn))
    return;

  actions = wr_actions_new ();
  if (!rate_allow (client, mono)) {
    rate_reject (client, mono, actions);
  } else if (!text) {
    wr_room_handler_reject (server->handler, client->rconn,
        GST_WEBRTC_ROOM_ERROR_BAD_JSON, "binary frames are not supported",
        NULL, 0, actions);
  } else {
    wr_room_handler_frame (server->handler, client->rconn, data, len,
        g_get_real_time (), actions);
  }
  run_actions (server, actions);
}

/* The size check runs on the frame header, before any payload is kept:
 * the too-large error, then a 1009 close. */
static void
on_ws_too_large (WrWsHandle * ws, gpointer user_data)
{
  WrServer *server = user_data;
  WrClient *client = wr_ws_handle_get_data (ws);
  g_autoptr (GArray) actions = NULL;

  g_info ("frame above the size limit from %s", client->address);
  if (!client->rconn || wr_room_conn_is_closing (client->rconn)) {
    wr_ws_handle_close (ws, WR_CLOSE_TOO_BIG);
    return;
  }
  actions = wr_actions_new ();
  wr_room_handler_reject (server->handler, client->rconn,
      GST_WEBRTC_ROOM_ERROR_TOO_LARGE, "frame above the size limit", NULL,
      WR_CLOSE_TOO_BIG, actions);
  run_actions (server, actions);
}

static void
on_ws_silent (WrWsHandle * ws, gpointer user_data)
{
  WrClient *client = wr_ws_handle_get_data (ws);

  g_info ("peer at %s silent to pings: lost", client->address);
  client_release (client, WR_DISCONNECT_PING_TIMEOUT);
  if (client->ws)
    wr_ws_handle_close (client->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
}

static void
on_ws_closed (WrWsHandle * ws, gushort code, gpointer user_data)
{
  WrServer *server = user_data;
  WrClient *client = wr_ws_handle_get_data (ws);

  client->ws = NULL;
  client_release (client, code == 1000 || code == 1001 ?
      WR_DISCONNECT_CLEAN : WR_DISCONNECT_LOST);
  g_queue_unlink (&server->clients, &client->link);
  client_free (client);
}

static void
client_new (WrServer * server, WrHttpConn * hc, GIOStream * stream)
{
  WrClient *client = g_new0 (WrClient, 1);
  gint64 mono = g_get_monotonic_time ();

  client->server = server;
  client->address = g_steal_pointer (&hc->address);
  client->link.data = client;
  client->last_refill = mono;
  client->tokens = server->rate_burst;
  client->last_rate_error = G_MININT64 / 2;
  client->next_ping = mono + (gint64) server->ping_interval_s * G_USEC_PER_SEC;
  g_queue_push_tail_link (&server->clients, &client->link);

  if (server->tls_cert) {
    /* TLS stays on its GIOStream: one pollable source per connection */
    client->ws = wr_ws_pool_add_stream (server->ws, stream, client);
  } else {
    /* the stolen stream closes its fd when dropped: keep a duplicate */
    gint fd = dup (g_socket_get_fd (hc->socket));

    if (fd < 0) {
      g_message ("cannot take over a WebSocket from %s: %s", client->address,
          g_strerror (errno));
      g_queue_unlink (&server->clients, &client->link);
      client_free (client);
      return;
    }
    client->ws = wr_ws_pool_add_fd (server->ws, fd, client);
  }
  client->rconn = wr_room_handler_connect (server->handler, client,
      g_get_real_time ());
  schedule_tick (server);
}

/* Each connection is pinged every ping interval from its own start, so
 * pings are spread over the interval rather than sent in one burst (at
 * 10,000 peers a burst cost ~100 ms, seen in the relay p99). The client
 * list is in ping order: each goes back to the tail when pinged. A
 * connection silent for MISSED_PINGS_LOST intervals is lost. */
static gboolean
on_liveness_check (gpointer user_data)
{
  WrServer *server = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 interval = (gint64) server->ping_interval_s * G_USEC_PER_SEC;
  gint64 limit = now - MISSED_PINGS_LOST * interval;

  /* in a batch: no client is freed while we walk the list */
  wr_ws_pool_begin (server->ws);
  while (server->clients.head) {
    WrClient *client = server->clients.head->data;

    if (client->next_ping > now)
      break;
    client->next_ping = now + interval;
    g_queue_unlink (&server->clients, &client->link);
    g_queue_push_tail_link (&server->clients, &client->link);
    if (!client->ws || !wr_ws_handle_is_open (client->ws))
      continue;
    /* pinged, or found silent (on_ws_silent) where the connection is */
    wr_ws_handle_ping (client->ws, limit);
  }
  wr_ws_pool_end (server->ws);
  return G_SOURCE_CONTINUE;
}

static void
http_conn_free (WrServer * server, WrHttpConn * hc)
{
  g_queue_unlink (&server->http_conns, &hc->link);
  g_hash_table_remove (server->http_by_remote, hc->remote);
  if (hc->address)
    address_release (server, hc->address);
  g_free (hc->address);
  g_object_unref (hc->remote);
  g_object_unref (hc->stream);
  g_object_unref (hc->socket);
  g_free (hc);
}

/* Once a second: requests past their time (slowloris) are cut; closed
 * ones leave the books; closing handshakes that hang are aborted. */
static gboolean
on_housekeeping (gpointer user_data)
{
  WrServer *server = user_data;
  gint64 now = g_get_monotonic_time ();
  GList *l, *next;

  for (l = server->http_conns.head; l; l = next) {
    WrHttpConn *hc = l->data;

    next = l->next;
    if (g_socket_is_closed (hc->socket)) {
      http_conn_free (server, hc);
    } else if (now >= hc->deadline && !hc->timed_out) {
      g_info ("HTTP request from %s took too long: closed", hc->address);
      hc->timed_out = TRUE;
      server->refused[REFUSED_HTTP_TIMEOUT]++;
      /* libsoup reads the end of stream and drops the connection */
      g_socket_shutdown (hc->socket, TRUE, TRUE, NULL);
    } else if (hc->timed_out && now >= hc->deadline + G_USEC_PER_SEC) {
      /* libsoup still holds it (no read pending): our books let go */
      http_conn_free (server, hc);
    }
  }
  return G_SOURCE_CONTINUE;
}

/* Closed HTTP connections leave the books at the next housekeeping, or
 * here when a cap is reached */
static void
prune_closed_http (WrServer * server)
{
  GList *l, *next;

  for (l = server->http_conns.head; l; l = next) {
    WrHttpConn *hc = l->data;

    next = l->next;
    if (g_socket_is_closed (hc->socket))
      http_conn_free (server, hc);
  }
}

static gboolean
room_for (WrServer * server, const gchar * address)
{
  return (!server->max_connections
      || n_connections (server) < server->max_connections)
      && (!server->max_per_address
      || GPOINTER_TO_UINT (g_hash_table_lookup (server->per_address,
              address)) < server->max_per_address);
}

static const gchar response_503[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
    "Connection: close\r\n\r\n";

/* Over a cap: a fixed 503 (plain HTTP only), then close */
static void
refuse_connection (WrServer * server, gint fd, RefusedReason reason,
    const gchar * address)
{
  server->refused[reason]++;
  g_info ("connection from %s refused: %s", address, refused_names[reason]);
  if (!server->tls_cert) {
    G_GNUC_UNUSED gssize r = send (fd, response_503,
        sizeof (response_503) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  close (fd);
}

static void
accept_one (WrServer * server, gint fd, struct sockaddr_storage *ss,
    socklen_t len)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) remote = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GIOStream) stream = NULL;
  g_autofree gchar *address = NULL;
  WrHttpConn *hc;
  gint one = 1;

  remote = g_socket_address_new_from_native (ss, len);
  if (!remote || !G_IS_INET_SOCKET_ADDRESS (remote)) {
    close (fd);
    return;
  }
  address = g_inet_address_to_string (g_inet_socket_address_get_address
      (G_INET_SOCKET_ADDRESS (remote)));
  if (!room_for (server, address))
    prune_closed_http (server);
  if (server->max_connections && n_connections (server) >=
      server->max_connections) {
    refuse_connection (server, fd, REFUSED_CAP, address);
    return;
  }
  if (!address_acquire (server, address)) {
    refuse_connection (server, fd, REFUSED_PER_ADDRESS, address);
    return;
  }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
  socket = g_socket_new_from_fd (fd, &error);
  if (!socket) {
    g_message ("accepted socket: %s", error->message);
    address_release (server, address);
    close (fd);
    return;
  }
  local = g_socket_get_local_address (socket, NULL);
  stream = G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
  if (server->tls_cert) {
    GIOStream *tls = g_tls_server_connection_new (stream, server->tls_cert,
        &error);

    if (!tls) {
      g_message ("TLS: %s", error->message);
      address_release (server, address);
      return;
    }
    g_object_set (tls, "require-close-notify", FALSE, NULL);
    g_object_unref (stream);
    stream = tls;
  }
  if (!local) {
    address_release (server, address);
    return;
  }

  hc = g_new0 (WrHttpConn, 1);
  hc->socket = g_object_ref (socket);
  hc->stream = g_object_ref (stream);
  hc->remote = g_object_ref (remote);
  hc->address = g_steal_pointer (&address);
  hc->deadline = g_get_monotonic_time () + server->http_timeout_us;
  hc->link.data = hc;
  g_queue_push_tail_link (&server->http_conns, &hc->link);
  g_hash_table_insert (server->http_by_remote, hc->remote, hc);
  soup_server_accept_iostream (server->soup, stream, local, remote, NULL);
}

static gboolean on_accept (gint fd, GIOCondition condition, gpointer user_data);

static void
watch_listener (WrServer * server)
{
  server->accept_source =
      g_unix_fd_source_new (g_socket_get_fd (server->listen_socket), G_IO_IN);
  g_source_set_callback (server->accept_source, (GSourceFunc) on_accept,
      server, NULL);
  g_source_attach (server->accept_source, g_main_context_get_thread_default ());
}

static gboolean
on_accept_retry (gpointer user_data)
{
  WrServer *server = user_data;

  g_clear_pointer (&server->accept_retry_source, g_source_unref);
  watch_listener (server);
  return G_SOURCE_REMOVE;
}

/* Out of fds (or memory): stop watching the listener for a moment; the
 * kernel keeps the pending connections in the backlog. */
static void
pause_accepting (WrServer * server, gint err)
{
  g_message ("accept: %s: pausing %d ms", g_strerror (err), ACCEPT_RETRY_MS);
  server->refused[REFUSED_FD_LIMIT]++;
  wr_source_clear (&server->accept_source);
  server->accept_retry_source = g_timeout_source_new (ACCEPT_RETRY_MS);
  g_source_set_callback (server->accept_retry_source, on_accept_retry,
      server, NULL);
  g_source_attach (server->accept_retry_source,
      g_main_context_get_thread_default ());
}

static gboolean
on_accept (gint listen_fd, GIOCondition condition, gpointer user_data)
{
  WrServer *server = user_data;
  guint i;

  for (i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof (ss);
    gint fd = accept4 (listen_fd, (struct sockaddr *) &ss, &len,
        SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd >= 0) {
      accept_one (server, fd, &ss, len);
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
      continue;
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS
        || errno == ENOMEM) {
      pause_accepting (server, errno);
      return G_SOURCE_REMOVE;
    }
    break;
  }
  return G_SOURCE_CONTINUE;
}

static WrHttpConn *
http_conn_for (WrServer * server, SoupServerMessage * msg)
{
  return g_hash_table_lookup (server->http_by_remote,
      soup_server_message_get_remote_address (msg));
}

/* Requests with a body are refused from their headers, before libsoup
 * reads the body (it would read all of it, even for a handler that
 * refuses: a 1 GiB POST took 1 GB of RSS): a fixed response, then close. */
static void
on_early (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  WrServer *server = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const gchar *method = soup_server_message_get_method (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);
  g_autoptr (GIOStream) stream = NULL;
  WrHttpConn *hc;
  const gchar *response;
  GOutputStream *out;

  if (encoding == SOUP_ENCODING_NONE || (encoding ==
          SOUP_ENCODING_CONTENT_LENGTH
          && soup_message_headers_get_content_length (headers) == 0))
    return;
  hc = http_conn_for (server, msg);
  server->refused[REFUSED_BODY]++;
  g_info ("%s request with a body from %s refused", method,
      hc ? hc->address : "?");
  response = g_str_equal (method, "GET") || g_str_equal (method, "HEAD") ?
      "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n"
      "Connection: close\r\n\r\n" :
      "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\n"
      "Content-Length: 0\r\nConnection: close\r\n\r\n";
  /* libsoup lets go of the connection: nothing more is read from it */
  stream = soup_server_message_steal_connection (msg);
  if (!stream)
    return;
  out = g_io_stream_get_output_stream (stream);
  if (G_IS_POLLABLE_OUTPUT_STREAM (out))
    g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM
        (out), response, strlen (response), NULL, NULL);
  if (hc)
    g_socket_shutdown (hc->socket, FALSE, TRUE, NULL);
  g_io_stream_close (stream, NULL, NULL);
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
on_upgraded (SoupServerMessage * msg, gpointer user_data)
{
  WrServer *server = user_data;
  WrHttpConn *hc = http_conn_for (server, msg);
  g_autoptr (GIOStream) stream = NULL;

  g_signal_handlers_disconnect_by_func (msg, on_upgraded, user_data);
  stream = soup_server_message_steal_connection (msg);
  if (!stream || !hc)
    return;
  client_new (server, hc, stream);
  http_conn_free (server, hc);
}

/* The upgrade: libsoup checks the handshake and writes the 101 (no
 * extensions offered: no permessage-deflate, hence no inflate bomb); the
 * connection is then ours. */
static void
on_ws_request (SoupServer * soup, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  WrServer *server = user_data;
  WrHttpConn *hc = http_conn_for (server, msg);
  WrRoomStats *stats;

  if (!origin_allowed (server, msg)) {
    g_info ("WebSocket upgrade from %s refused: origin not allowed",
        hc ? hc->address : "?");
    stats = (WrRoomStats *) wr_room_handler_get_stats (server->handler);
    stats->rejected++;
    soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
    return;
  }
  if (!soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL)) {
    g_info ("bad WebSocket handshake from %s", hc ? hc->address : "?");
    return;
  }
  g_signal_connect (msg, "wrote-informational", G_CALLBACK (on_upgraded),
      server);
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
      "# HELP webrtc_room_http_connections TCP connections before or "
      "without a WebSocket upgrade.\n"
      "# TYPE webrtc_room_http_connections gauge\n"
      "webrtc_room_http_connections %u\n"
      "# HELP webrtc_room_messages_relayed_total Signal and broadcast "
      "frames delivered to peers.\n"
      "# TYPE webrtc_room_messages_relayed_total counter\n"
      "webrtc_room_messages_relayed_total %" G_GUINT64_FORMAT "\n"
      "# HELP webrtc_room_connections_rejected_total Connections closed or "
      "refused by policy (origin, token, limits, join timeout).\n"
      "# TYPE webrtc_room_connections_rejected_total counter\n"
      "webrtc_room_connections_rejected_total %" G_GUINT64_FORMAT "\n"
      "# HELP webrtc_room_connections_refused_total TCP connections or "
      "requests refused by the transport, by reason.\n"
      "# TYPE webrtc_room_connections_refused_total counter\n",
      wr_room_handler_get_n_peers (server->handler),
      wr_room_handler_get_n_rooms (server->handler), stats->connections,
      server->http_conns.length, stats->relayed, stats->rejected);
  for (i = 0; i < N_REFUSED; i++)
    g_string_append_printf (out,
        "webrtc_room_connections_refused_total{reason=\"%s\"} %"
        G_GUINT64_FORMAT "\n", refused_names[i], server->refused[i]);
  g_string_append_printf (out,
      "# HELP webrtc_room_io_threads Threads reading and writing the "
      "WebSockets (--io-threads; 0: the main thread).\n"
      "# TYPE webrtc_room_io_threads gauge\nwebrtc_room_io_threads %u\n",
      wr_ws_pool_get_n_threads (server->ws));
  if (server->cluster)
    g_string_append_printf (out, "# HELP webrtc_room_remote_peers Members "
        "on other servers (--redis-url) of the rooms this one serves.\n"
        "# TYPE webrtc_room_remote_peers gauge\nwebrtc_room_remote_peers %u\n",
        wr_room_handler_get_n_remote_peers (server->handler));
  g_string_append (out, "# HELP webrtc_room_errors_total Error frames sent, "
      "by code.\n# TYPE webrtc_room_errors_total counter\n");
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

/* Maps a request path to a regular file inside the web root (symlinks
 * resolved: one that leads outside the root is not served), or NULL. */
static gchar *
resolve_static_path (WrServer * server, const gchar * uri_path)
{
  g_autofree gchar *decoded = g_uri_unescape_string (uri_path, NULL);
  g_auto (GStrv) segments = NULL;
  g_autofree gchar *joined = NULL;
  g_autofree gchar *real = NULL;
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

    g_free (joined);
    joined = index;
  }
  real = realpath (joined, NULL);
  if (!real || !g_str_has_prefix (real, server->web_root)
      || real[strlen (server->web_root)] != G_DIR_SEPARATOR
      || !g_file_test (real, G_FILE_TEST_IS_REGULAR))
    return NULL;
  return g_steal_pointer (&real);
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
  if (!server->web_root) {
    if (g_str_equal (path, "/") || g_str_equal (path, "/index.html")) {
      set_text_response (msg, SOUP_STATUS_OK, "text/html; charset=utf-8",
          g_strdup (placeholder_page), strlen (placeholder_page));
    } else {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
    }
    return;
  }
  file = resolve_static_path (server, path);
  if (!file || !g_file_get_contents (file, &contents, &len, NULL)) {
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
    return;
  }
  set_text_response (msg, SOUP_STATUS_OK, content_type_for (file), contents,
      len);
}

/* Several processes on one port (SO_REUSEPORT): the kernel spreads the
 * connections. g_socket_bind () clears SO_REUSEPORT on TCP sockets (GLib
 * 2.74 sets it for datagram sockets only), hence bind () here. */
static gboolean
bind_reuse_port (GSocket * socket, GSocketAddress * addr, GError ** error)
{
  struct sockaddr_storage native;
  gint one = 1;
  gint fd = g_socket_get_fd (socket);

  if (!g_socket_address_to_native (addr, &native, sizeof (native), error))
    return FALSE;
  if (setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one)) != 0
      || setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof (one)) != 0
      || bind (fd, (struct sockaddr *) &native,
          g_socket_address_get_native_size (addr)) != 0) {
    gint err = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
        "cannot bind with SO_REUSEPORT: %s", g_strerror (err));
    return FALSE;
  }
  return TRUE;
}

static gboolean
server_listen (WrServer * server, const WrServerConfig * config,
    GError ** error)
{
  g_autoptr (GInetAddress) inet = NULL;
  g_autoptr (GSocketAddress) addr = NULL;
  g_autoptr (GSocketAddress) local = NULL;

  if (config->tls_cert || config->tls_key) {
    if (!config->tls_cert || !config->tls_key) {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "--tls-cert and --tls-key go together");
      return FALSE;
    }
    server->tls_cert = g_tls_certificate_new_from_files (config->tls_cert,
        config->tls_key, error);
    if (!server->tls_cert)
      return FALSE;
  }

  inet = g_inet_address_new_from_string (config->host);
  if (!inet) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "--host must be an IP address, not '%s'", config->host);
    return FALSE;
  }
  addr = g_inet_socket_address_new (inet, config->port);
  /* GLib's default backlog of 10 drops SYNs (and stalls clients for
   * seconds) when thousands of peers connect at once */
  server->listen_socket = g_socket_new (g_inet_address_get_family (inet),
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (!server->listen_socket)
    return FALSE;
  g_socket_set_listen_backlog (server->listen_socket, LISTEN_BACKLOG);
  if (config->reuse_port) {
    if (!bind_reuse_port (server->listen_socket, addr, error))
      return FALSE;
  } else if (!g_socket_bind (server->listen_socket, addr, TRUE, error)) {
    return FALSE;
  }
  if (!g_socket_listen (server->listen_socket, error))
    return FALSE;
  local = g_socket_get_local_address (server->listen_socket, error);
  if (!local)
    return FALSE;
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  watch_listener (server);
  return TRUE;
}

static guint
default_max_connections (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur ==
      RLIM_INFINITY || limit.rlim_cur > G_MAXUINT)
    return 0;
  return limit.rlim_cur > 2 * FD_RESERVE ? limit.rlim_cur - FD_RESERVE :
      limit.rlim_cur / 2;
}

static void
on_cluster_actions (GArray * actions, gpointer user_data)
{
  run_actions (user_data, actions);
}

static void
on_cluster_failed (const gchar * message, gpointer user_data)
{
  WrServer *server = user_data;

  if (server->fatal)
    server->fatal (message, server->fatal_data);
  else
    g_warning ("%s", message);
}

static const WrClusterCallbacks cluster_callbacks = {
  .run_actions = on_cluster_actions,
  .failed = on_cluster_failed,
};

static const WrWsPoolCallbacks ws_callbacks = {
  .message = on_ws_message,
  .too_large = on_ws_too_large,
  .silent = on_ws_silent,
  .closed = on_ws_closed,
};

WrServer *
wr_server_new (const WrServerConfig * config, GError ** error)
{
  g_autoptr (WrServer) server = g_new0 (WrServer, 1);
  const gchar *early_paths[] = { "/healthz", "/metrics", "/ws", NULL };
  WrRoomHandlerConfig room = config->room;
  WrWhipConfig whip_config = { 0 };
  guint i;

  room.cluster = config->redis_url != NULL;
  server->soup = soup_server_new ("server-header", "webrtc-room-server ", NULL);
  server->handler = wr_room_handler_new (&room, g_get_real_time ());
  server->fatal = config->fatal;
  server->fatal_data = config->fatal_data;
  if (config->redis_url) {
    WrClusterConfig cluster = {.url = config->redis_url,
      .ttl_s = config->redis_ttl_s,
      .max_peers_per_room = config->room.max_peers_per_room,
    };

    server->cluster = wr_cluster_new (&cluster, server->handler,
        &cluster_callbacks, server, error);
    if (!server->cluster) {
      g_prefix_error (error, "--redis-url: ");
      return NULL;
    }
  }
  /* canonical, so that resolved files can be checked to be inside */
  server->web_root = config->web_root ? realpath (config->web_root, NULL) :
      NULL;
  if (server->web_root && !g_file_test (server->web_root, G_FILE_TEST_IS_DIR))
    g_clear_pointer (&server->web_root, free);
  server->allowed_origins = g_strdupv ((gchar **) config->allowed_origins);
  server->max_message_size = config->max_message_size;
  server->rate_limit = config->rate_limit;
  server->rate_burst = MAX (config->rate_burst, 1);
  server->ping_interval_s = config->ping_interval_s;
  server->max_connections = config->max_connections ?
      config->max_connections : default_max_connections ();
  server->max_per_address = config->max_connections_per_address;
  server->http_timeout_us = (config->http_timeout_s > 0 ?
      config->http_timeout_s : DEFAULT_HTTP_TIMEOUT_S) * G_USEC_PER_SEC;
  server->tick_deadline = G_MAXINT64;
  g_queue_init (&server->clients);
  g_queue_init (&server->http_conns);
  server->http_by_remote = g_hash_table_new (NULL, NULL);
  server->per_address = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, NULL);
  server->ws = wr_ws_pool_new (&ws_callbacks, server,
      config->max_message_size, config->io_threads, CLOSING_TIMEOUT_US, error);
  if (!server->ws)
    return NULL;

  soup_server_add_handler (server->soup, "/healthz", on_healthz, server, NULL);
  soup_server_add_handler (server->soup, "/metrics", on_metrics, server, NULL);
  soup_server_add_handler (server->soup, "/ws", on_ws_request, server, NULL);
  soup_server_add_handler (server->soup, NULL, on_static, server, NULL);
  whip_config.join_secret = config->room.join_secret;
  /* answered before the connection's own deadline cuts it */
  whip_config.answer_timeout_us = server->http_timeout_us - 3 * G_USEC_PER_SEC;
  whip_config.idle_timeout_us = config->whip_idle_timeout_s * G_USEC_PER_SEC;
  server->whip = wr_whip_endpoint_new (server->soup, server->handler,
      &whip_config, run_actions_for_whip, server);
  /* early handlers pair with the handler of the same path */
  for (i = 0; i < G_N_ELEMENTS (early_paths); i++)
    soup_server_add_early_handler (server->soup, early_paths[i], on_early,
        server, NULL);

  if (!server_listen (server, config, error))
    return NULL;

  if (server->ping_interval_s > 0) {
    server->liveness_source = g_timeout_source_new (LIVENESS_TICK_MS);
    g_source_set_callback (server->liveness_source, on_liveness_check,
        server, NULL);
    g_source_attach (server->liveness_source,
        g_main_context_get_thread_default ());
  }
  server->housekeeping_source = g_timeout_source_new_seconds (1);
  g_source_set_callback (server->housekeeping_source, on_housekeeping,
      server, NULL);
  g_source_attach (server->housekeeping_source,
      g_main_context_get_thread_default ());
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
  return server->tls_cert != NULL;
}

static gboolean
ws_all_closed (WrServer * server)
{
  return wr_ws_pool_get_n_connections (server->ws) == 0;
}

/* Every WebSocket gets a 1001 close; waits (bounded) for the closing
 * handshakes so that peers see "going away", not a reset. */
static void
close_all_going_away (WrServer * server)
{
  GMainContext *context = g_main_context_get_thread_default ();
  gint64 deadline = g_get_monotonic_time () + SHUTDOWN_WAIT_MS * 1000;
  GList *l;

  if (!server->ws || ws_all_closed (server))
    return;
  wr_ws_pool_begin (server->ws);
  for (l = server->clients.head; l; l = l->next) {
    WrClient *client = l->data;

    if (client->ws)
      wr_ws_handle_close (client->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  }
  wr_ws_pool_end (server->ws);
  while (!ws_all_closed (server) && g_get_monotonic_time () < deadline) {
    if (!g_main_context_iteration (context, FALSE))
      g_usleep (1000);
  }
}

void
wr_server_free (WrServer * server)
{
  if (!server)
    return;
  wr_source_clear (&server->accept_source);
  wr_source_clear (&server->accept_retry_source);
  g_clear_pointer (&server->whip, wr_whip_endpoint_free);
  close_all_going_away (server);
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
    if (client->ws)
      wr_ws_handle_abort (client->ws);
    client_free (client);
  }
  while (server->http_conns.head)
    http_conn_free (server, server->http_conns.head->data);
  wr_source_clear (&server->tick_source);
  wr_source_clear (&server->liveness_source);
  wr_source_clear (&server->housekeeping_source);
  g_clear_pointer (&server->cluster, wr_cluster_free);
  g_clear_object (&server->soup);
  g_clear_pointer (&server->ws, wr_ws_pool_free);
  g_clear_pointer (&server->handler, wr_room_handler_free);
  g_clear_object (&server->listen_socket);
  g_clear_object (&server->tls_cert);
  g_clear_pointer (&server->http_by_remote, g_hash_table_unref);
  g_clear_pointer (&server->per_address, g_hash_table_unref);
  free (server->web_root);
  g_strfreev (server->allowed_origins);
  g_free (server);
}
