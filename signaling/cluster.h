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
/* Rooms shared by several servers through Redis (cluster-redis.c): the
 * broker of the room handler's cluster mode. It carries out the
 * handler's CLUSTER_* actions and feeds it the other servers' events,
 * from the thread-default main context. Built only with hiredis;
 * otherwise wr_cluster_new fails (cluster-none.c). */
typedef struct _WrCluster WrCluster;

typedef struct
{
  /* carries out what the handler asked for while the cluster fed it */
  void (*run_actions) (GArray * actions, gpointer user_data);
  /* the connection to Redis is gone: this server cannot go on (its
   * peers would silently part from the others') */
  void (*failed) (const gchar * message, gpointer user_data);
} WrClusterCallbacks;

typedef struct
{
  const gchar *url;             /* redis://[:password@]host[:port][/db] */
  guint ttl_s;                  /* liveness expiry, refreshed every ttl/3 */
  guint max_peers_per_room;     /* 0: unlimited */
} WrClusterConfig;

gboolean wr_cluster_is_supported (void);

WrCluster *wr_cluster_new (const WrClusterConfig * config,
    WrRoomHandler * handler, const WrClusterCallbacks * callbacks,
    gpointer user_data, GError ** error);

/* One CLUSTER_* action of the handler */
void wr_cluster_run (WrCluster * cluster, const WrAction * action);

/* Withdraws this server (its liveness key) and flushes, bounded (1 s) */
void wr_cluster_free (WrCluster * cluster);

G_END_DECLS
