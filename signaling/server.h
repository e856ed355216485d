/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "room-handler.h"

G_BEGIN_DECLS
/* The socket glue: WebSocket /ws on top of the room handler (epoll and
 * wslay after a libsoup upgrade), per connection limits and liveness,
 * connection caps, plain HTTP (/, /healthz, /metrics) through libsoup. */
typedef struct _WrServer WrServer;

typedef struct
{
  const gchar *host;
  guint port;                   /* 0: ephemeral */
  const gchar *tls_cert;        /* with tls_key: wss:// and https:// */
  const gchar *tls_key;
  gsize max_message_size;       /* bytes */
  gdouble rate_limit;           /* messages per second */
  guint rate_burst;
  guint ping_interval_s;        /* 0: no pings */
  const gchar *web_root;
  const gchar *const *allowed_origins;  /* NULL: any origin */
  guint max_connections;        /* 0: the fd limit less a reserve */
  guint max_connections_per_address;    /* 0: no limit */
  guint http_timeout_s;         /* a request's time to complete; 0: 10 s */
  /* a WHIP/WHEP session whose member reported the connection dead ends
   * after this long; 0: 15 s */
  gdouble whip_idle_timeout_s;
  gboolean reuse_port;          /* SO_REUSEPORT: several servers, one port */
  /* threads for the I/O of plain WebSockets (ws-pool.h); 0: none, all
   * on the calling thread */
  guint io_threads;
  /* rooms shared with other servers through Redis (cluster.h); NULL:
   * this server alone */
  const gchar *redis_url;
  guint redis_ttl_s;
  /* the server cannot go on (Redis lost): the caller should exit */
  void (*fatal) (const gchar * message, gpointer user_data);
  gpointer fatal_data;
  WrRoomHandlerConfig room;
} WrServerConfig;

WrServer *wr_server_new (const WrServerConfig * config, GError ** error);

guint wr_server_get_port (WrServer * server);

gboolean wr_server_is_tls (WrServer * server);

gchar *wr_server_build_metrics (WrServer * server);

/* Closes every WebSocket with 1001 (going away), waiting at most 1 s for
 * the closing handshakes, then frees */
void wr_server_free (WrServer * server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WrServer, wr_server_free)
G_END_DECLS
